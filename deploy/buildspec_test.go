package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v2"
)

// buildspec is the part of a CodeBuild buildspec (version 0.2) the test runs.
type buildspec struct {
	Version string `yaml:"version"`
	Env     struct {
		Shell     string            `yaml:"shell"`
		Variables map[string]string `yaml:"variables"`
	} `yaml:"env"`
	Phases map[string]struct {
		OnFailure string   `yaml:"on-failure"`
		Commands  []string `yaml:"commands"`
		Finally   []string `yaml:"finally"`
	} `yaml:"phases"`
	Artifacts struct {
		Files []string `yaml:"files"`
	} `yaml:"artifacts"`
}

var phaseOrder = []string{"install", "pre_build", "build", "post_build"}

func loadBuildspec(t *testing.T) buildspec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "buildspec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var bs buildspec
	if err := yaml.UnmarshalStrict(b, &bs); err != nil {
		t.Fatalf("buildspec.yml: %v", err)
	}
	return bs
}

// codebuildScript turns the phases into one bash script run the way CodeBuild
// runs a version 0.2 buildspec: one shell for all commands, so variables
// carry over; a failing command ends its phase; an ABORT phase ends the build;
// otherwise later phases still run with CODEBUILD_BUILD_SUCCEEDING=0 (as
// post_build does after a failed build). The script's exit status is 1 if
// any phase failed.
func codebuildScript(t *testing.T, bs buildspec, phases []string) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("failed=0\n")
	for _, name := range phases {
		ph, ok := bs.Phases[name]
		if !ok {
			continue
		}
		fn := "phase_" + name
		fmt.Fprintf(&sb, "%s() {\n", fn)
		for _, c := range ph.Commands {
			// Each command runs in the shared shell (eval keeps assignments);
			// the first failure ends the phase.
			fmt.Fprintf(&sb, "  eval %s || { echo \"[codebuild] %s: command failed: $?\" >&2; return 1; }\n", shellQuote(c), name)
		}
		sb.WriteString("  return 0\n}\n")
		fmt.Fprintf(&sb, "echo '[codebuild] phase %s' >&2\n", name)
		fmt.Fprintf(&sb, "if ! %s; then failed=1; export CODEBUILD_BUILD_SUCCEEDING=0;", fn)
		if ph.OnFailure == "ABORT" {
			sb.WriteString(" exit 1;")
		}
		sb.WriteString(" fi\n")
	}
	sb.WriteString("exit $failed\n")
	return sb.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func TestBuildspec_Structure(t *testing.T) {
	t.Parallel()
	bs := loadBuildspec(t)
	if bs.Version != "0.2" {
		t.Errorf("version %q, want 0.2", bs.Version)
	}
	for k, want := range map[string]string{
		"AWS_REGION": "ap-northeast-1", "AWS_DEFAULT_REGION": "ap-northeast-1",
		"ECR_REPOSITORY": wantRepo, "CONTAINER_NAME": wantContainer,
	} {
		if got := bs.Env.Variables[k]; got != want {
			t.Errorf("env %s=%q, want %q", k, got, want)
		}
	}
	for name := range bs.Phases {
		if !slices.Contains(phaseOrder, name) {
			t.Errorf("unknown phase %q", name)
		}
	}
	for _, name := range []string{"pre_build", "build"} {
		if bs.Phases[name].OnFailure != "ABORT" {
			t.Errorf("phase %s: on-failure %q, want ABORT", name, bs.Phases[name].OnFailure)
		}
	}
	if !slices.Equal(bs.Artifacts.Files, []string{"imagedefinitions.json"}) {
		t.Errorf("artifacts %v, want [imagedefinitions.json]", bs.Artifacts.Files)
	}
}

func TestBuildspec_Run(t *testing.T) {
	t.Parallel()
	requireTool(t, "bash")
	const (
		account  = "123456789012"
		registry = account + ".dkr.ecr.ap-northeast-1.amazonaws.com"
		repo     = registry + "/vendor0919-api"
		stamp    = "202509250200"
		sha      = "3f9c2a1b7d0e4c5f8a6b9e0d1c2b3a4f5e6d7c8b"
		token    = "eyJwYXlsb2FkIjoiZXhhbXBsZSIsInZlcnNpb24iOiIyIn0="
		digest   = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
	)
	bs := loadBuildspec(t)

	tests := []struct {
		name         string
		setup        func(f *fakeCLI)
		phases       []string
		env          []string
		wantRC       int
		wantCalls    []string
		wantArtifact bool
	}{
		{
			name:   "Success",
			phases: phaseOrder,
			wantCalls: []string{"aws_sts_get-caller-identity", "date", "aws_ecr_get-login-password", "docker_login",
				"docker_build", "docker_push", "docker_push", "docker_push", "docker_inspect"},
			wantArtifact: true,
		},
		{
			name: "LoginFails",
			setup: func(f *fakeCLI) {
				f.fail("docker_login", 1, "Error response from daemon: login attempt to https://"+registry+"/v2/ failed with status: 400 Bad Request\n")
			},
			phases:       phaseOrder,
			wantRC:       1,
			wantCalls:    []string{"aws_sts_get-caller-identity", "date", "aws_ecr_get-login-password", "docker_login"},
			wantArtifact: false,
		},
		{
			name: "BuildFails",
			setup: func(f *fakeCLI) {
				f.fail("docker_build", 1, "ERROR: failed to solve: process \"/bin/sh -c go build\" did not complete successfully: exit code: 1\n")
			},
			phases:       phaseOrder,
			wantRC:       1,
			wantCalls:    []string{"aws_sts_get-caller-identity", "date", "aws_ecr_get-login-password", "docker_login", "docker_build"},
			wantArtifact: false,
		},
		{
			// CodeBuild runs post_build after a failed build: it must not
			// write an artifact that would deploy an unpushed image.
			name:         "PostBuildAfterFailedBuild",
			phases:       []string{"pre_build", "post_build"},
			env:          []string{"CODEBUILD_BUILD_SUCCEEDING=0"},
			wantRC:       1,
			wantCalls:    []string{"aws_sts_get-caller-identity", "date", "aws_ecr_get-login-password", "docker_login"},
			wantArtifact: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeCLI(t, "aws", "docker", "date")
			f.respondFile("aws_sts_get-caller-identity", 0, "sts-get-caller-identity.json")
			f.respond("aws_ecr_get-login-password", 0, token+"\n")
			f.respond("docker_login", 0, "Login Succeeded\n")
			f.respond("docker_build", 0, "#12 naming to "+repo+":"+stamp+" done\n")
			f.respond("docker_push", 0, stamp+": digest: sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945 size: 1158\n")
			f.respond("date", 0, stamp+"\n")
			f.respond("docker_inspect", 0, repo+"@"+digest+"\n")
			if tt.setup != nil {
				tt.setup(f)
			}
			src := t.TempDir()
			env := []string{"CODEBUILD_RESOLVED_SOURCE_VERSION=" + sha, "CODEBUILD_SRC_DIR=" + src}
			if !slices.ContainsFunc(tt.env, func(s string) bool { return strings.HasPrefix(s, "CODEBUILD_BUILD_SUCCEEDING=") }) {
				env = append(env, "CODEBUILD_BUILD_SUCCEEDING=1")
			}
			for k, v := range bs.Env.Variables {
				env = append(env, k+"="+v)
			}
			env = f.env(append(env, tt.env...)...)
			shell := bs.Env.Shell
			if shell == "" {
				shell = "sh"
			}
			_, stderr, rc := run(t, src, env, shell, "-c", codebuildScript(t, bs, tt.phases))
			if rc != tt.wantRC {
				t.Errorf("exit %d, want %d\n%s", rc, tt.wantRC, stderr)
			}
			if got := f.keys(); !slices.Equal(got, tt.wantCalls) {
				t.Errorf("calls\n got %v\nwant %v\n%s", got, tt.wantCalls, stderr)
			}
			calls := f.calls()

			// ECR login: the password goes through stdin, never argv.
			for _, c := range calls {
				switch c.Key {
				case "aws_sts_get-caller-identity":
					q, _ := flag(c.Args, "--query")
					o, _ := flag(c.Args, "--output")
					if q != "Account" || o != "text" {
						t.Errorf("sts get-caller-identity %v: want --query Account --output text", c.Args)
					}
				case "date":
					if !slices.Equal(c.Args, []string{"-u", "+%Y%m%d%H%M"}) {
						t.Errorf("date %v, want -u +%%Y%%m%%d%%H%%M", c.Args)
					}
				case "docker_inspect":
					if !slices.Equal(c.Args, []string{"inspect", "--format", "{{index .RepoDigests 0}}", repo + ":" + stamp}) {
						t.Errorf("docker inspect %v: want the minute tag's repo digest", c.Args)
					}
				case "aws_ecr_get-login-password":
					if r, _ := flag(c.Args, "--region"); r != "ap-northeast-1" {
						t.Errorf("get-login-password %v without --region ap-northeast-1", c.Args)
					}
				case "docker_login":
					if !slices.Equal(c.Args, []string{"login", "--username", "AWS", "--password-stdin", registry}) {
						t.Errorf("docker login args %v", c.Args)
					}
					if strings.TrimSpace(c.Stdin) != token {
						t.Errorf("docker login stdin %q, want the ECR token", c.Stdin)
					}
				case "docker_build":
					var tags []string
					for i, a := range c.Args {
						if (a == "--tag" || a == "-t") && i+1 < len(c.Args) {
							tags = append(tags, c.Args[i+1])
						}
					}
					want := []string{repo + ":" + stamp, repo + ":" + sha[:7], repo + ":latest"}
					if !slices.Equal(tags, want) {
						t.Errorf("docker build tags %v, want %v", tags, want)
					}
					for _, arg := range []string{"VERSION=" + stamp, "COMMIT=" + sha[:7], "GO_IMAGE=public.ecr.aws/docker/library/golang:1.26-bookworm"} {
						if !slices.Contains(c.Args, arg) {
							t.Errorf("docker build args %v lack --build-arg %s", c.Args, arg)
						}
					}
					if c.Args[len(c.Args)-1] != "." {
						t.Errorf("docker build context %q, want .", c.Args[len(c.Args)-1])
					}
				}
			}
			var pushed []string
			for _, c := range f.find("docker_push") {
				pushed = append(pushed, c.Args[len(c.Args)-1])
			}
			if tt.wantArtifact {
				want := []string{repo + ":" + stamp, repo + ":" + sha[:7], repo + ":latest"}
				if !slices.Equal(pushed, want) {
					t.Errorf("pushed %v, want %v", pushed, want)
				}
			}

			b, err := os.ReadFile(filepath.Join(src, "imagedefinitions.json"))
			if !tt.wantArtifact {
				if err == nil {
					t.Errorf("imagedefinitions.json written after a failure: %s", b)
				}
				return
			}
			if err != nil {
				t.Fatalf("artifact: %v", err)
			}
			var defs []map[string]string
			if err := json.Unmarshal(b, &defs); err != nil {
				t.Fatalf("imagedefinitions.json %q: %v", b, err)
			}
			// By digest: the minute tag may be another build's by then.
			want := []map[string]string{{"name": "api", "imageUri": repo + "@" + digest}}
			if len(defs) != 1 || len(defs[0]) != 2 || defs[0]["name"] != want[0]["name"] || defs[0]["imageUri"] != want[0]["imageUri"] {
				t.Errorf("imagedefinitions.json %s, want %v", b, want)
			}
		})
	}
}
