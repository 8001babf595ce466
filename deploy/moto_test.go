package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	motoTaskDef1  = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/vendor0919-task:1"
	motoTaskDef2  = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/vendor0919-task:2"
	amplifyOrigin = "https://main.d1example.amplifyapp.com"
)

// apiContainer returns the api container of a task definition.
func apiContainer(t *testing.T, td map[string]any) map[string]any {
	t.Helper()
	cs, _ := td["containerDefinitions"].([]any)
	for _, c := range cs {
		if c, _ := c.(map[string]any); c["name"] == wantContainer {
			return c
		}
	}
	t.Fatalf("no %s container in %v", wantContainer, td)
	return nil
}

// envValue returns the value of a container's environment variable.
func envValue(c map[string]any, name string) string {
	env, _ := c["environment"].([]any)
	for _, e := range env {
		if e, _ := e.(map[string]any); e["name"] == name {
			s, _ := e["value"].(string)
			return s
		}
	}
	return ""
}

// checkUntouched asserts the seeded state: one revision, the service on
// it, the health check at "/".
func checkUntouched(t *testing.T, s motoState, revisions int) {
	t.Helper()
	if len(s.TaskDefinitions) != revisions {
		t.Errorf("%d task definition revisions, want %d", len(s.TaskDefinitions), revisions)
	}
	if s.Service.TaskDefinition != motoTaskDef1 {
		t.Errorf("service runs %s, want the old %s", s.Service.TaskDefinition, motoTaskDef1)
	}
	if s.TargetGroup.HealthCheckPath != "/" || s.TargetGroup.Matcher["HttpCode"] != "200" {
		t.Errorf("health check %s (matcher %v), want / (200)", s.TargetGroup.HealthCheckPath, s.TargetGroup.Matcher)
	}
}

// TestDeployScript_AgainstMoto runs scripts/deploy_ecr_to_ecs.sh with the
// real aws CLI against moto's server: the requests it sends (in order, with
// their parameters) and the state they leave. moto creates no deployment
// for a new revision, so every run here uses --no-wait or --dry-run; the
// wait and roll-out paths, and the health check moved after them, are
// TestDeployScript_Scenarios', against the recorded stand-in.
func TestDeployScript_AgainstMoto(t *testing.T) {
	t.Parallel()
	requireTool(t, "jq")
	tools := requireMoto(t)
	root := repoRoot(t)
	script := filepath.Join(root, "scripts", "deploy_ecr_to_ecs.sh")
	template := filepath.Join(root, "deploy", "taskdef.json")
	raw, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	typoTemplate := filepath.Join(t.TempDir(), "taskdef-typo.json")
	if err := os.WriteFile(typoTemplate, []byte(strings.Replace(string(raw), `"essential"`, `"Essential"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	// failUpdate is an aws shim that fails update-service as AWS would
	// and passes every other call to the real CLI.
	shims := t.TempDir()
	shim := "#!/usr/bin/env bash\n" +
		"for a in \"$@\"; do [ \"$a\" = update-service ] && { echo 'An error occurred (InvalidParameterException) when calling the UpdateService operation: unable to assume the service linked role' >&2; exit 254; }; done\n" +
		"exec " + filepath.Join(tools.bin, "aws") + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(shims, "aws"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	reads := []string{"GetCallerIdentity", "DescribeImages"}

	tests := []struct {
		name    string
		args    []string
		env     []string
		path    string // prepended to PATH
		wantRC  int
		wantOps []string
		check   func(t *testing.T, m *motoServer, rs []motoRequest, s motoState, stdout, stderr string)
	}{
		{
			name:    "Template",
			args:    []string{"--template", template, "--no-wait"},
			wantOps: append(slices.Clone(reads), "DescribeServices", "RegisterTaskDefinition", "UpdateService"),
			check: func(t *testing.T, _ *motoServer, rs []motoRequest, s motoState, _, _ string) {
				reg := only(rs, "RegisterTaskDefinition")[0].JSON
				body, _ := json.Marshal(reg)
				if strings.Contains(string(body), "${") {
					t.Errorf("placeholders sent: %s", body)
				}
				c := apiContainer(t, reg)
				if c["image"] != wantImage || envValue(c, "CORS_ALLOW_ORIGINS") != amplifyOrigin+",http://localhost:3000" {
					t.Errorf("registered image %v, CORS %q", c["image"], envValue(c, "CORS_ALLOW_ORIGINS"))
				}
				// moto keeps no deploymentConfiguration from create-service
				// and describes none, so only the circuit breaker is sent
				// here; keeping the service's percentages is checked against
				// the recorded stand-in (TestDeployScript_Scenarios/Success).
				up := only(rs, "UpdateService")[0].JSON
				dc, _ := up["deploymentConfiguration"].(map[string]any)
				cb, _ := dc["deploymentCircuitBreaker"].(map[string]any)
				if up["taskDefinition"] != motoTaskDef2 || up["cluster"] != "vendor0919-cluster" || up["service"] != "vendor0919-service" ||
					cb["enable"] != true || cb["rollback"] != true {
					t.Errorf("UpdateService %v", up)
				}
				// The resulting state: the rendered revision registered as
				// it was sent and served; the health check untouched.
				if len(s.TaskDefinitions) != 2 {
					t.Fatalf("%d revisions, want 2", len(s.TaskDefinitions))
				}
				td := s.TaskDefinitions[1]
				c = apiContainer(t, td)
				secrets, _ := c["secrets"].([]any)
				if td["cpu"] != "512" || td["memory"] != "1024" || c["image"] != wantImage || len(secrets) != 3 ||
					envValue(c, "AWS_REGION") != "ap-northeast-1" || td["taskRoleArn"] != "arn:aws:iam::123456789012:role/vendor0919-task-role" {
					t.Errorf("registered revision %v", td)
				}
				if s.Service.TaskDefinition != motoTaskDef2 || s.TargetGroup.HealthCheckPath != "/" || s.TargetGroup.Matcher["HttpCode"] != "200" {
					t.Errorf("service on %s, health check %s %v", s.Service.TaskDefinition, s.TargetGroup.HealthCheckPath, s.TargetGroup.Matcher)
				}
			},
		},
		{
			// From the revision the service runs: image swapped, logging
			// forced to awslogs in LOG_GROUP, everything else kept.
			name:    "CurrentRevision",
			args:    []string{"--no-wait"},
			wantOps: append(slices.Clone(reads), "DescribeServices", "DescribeTaskDefinition", "RegisterTaskDefinition", "UpdateService"),
			check: func(t *testing.T, _ *motoServer, rs []motoRequest, s motoState, _, _ string) {
				if got := only(rs, "DescribeTaskDefinition")[0].JSON["taskDefinition"]; got != motoTaskDef1 {
					t.Errorf("DescribeTaskDefinition of %v, want the running %s", got, motoTaskDef1)
				}
				if len(s.TaskDefinitions) != 2 {
					t.Fatalf("%d revisions, want 2", len(s.TaskDefinitions))
				}
				old, c := apiContainer(t, s.TaskDefinitions[0]), apiContainer(t, s.TaskDefinitions[1])
				lc, _ := c["logConfiguration"].(map[string]any)
				opts, _ := lc["options"].(map[string]any)
				if c["image"] != wantImage || opts["awslogs-group"] != wantLogGroup || opts["awslogs-stream-prefix"] != "ecs" {
					t.Errorf("new revision's api container %v", c)
				}
				if envValue(c, "VECTORSTORE_S3_URI") != envValue(old, "VECTORSTORE_S3_URI") || s.TaskDefinitions[1]["executionRoleArn"] != s.TaskDefinitions[0]["executionRoleArn"] {
					t.Errorf("kept fields changed: %v", c)
				}
				if s.Service.TaskDefinition != motoTaskDef2 || s.TargetGroup.HealthCheckPath != "/" {
					t.Errorf("service on %s, health check %s", s.Service.TaskDefinition, s.TargetGroup.HealthCheckPath)
				}
			},
		},
		{
			// Issue 12 row 12: without botocore the real CLI is the only
			// check, and it rejects the typo before any request is sent.
			name:    "RejectedRegistrationChangesNothing",
			args:    []string{"--template", typoTemplate, "--no-wait"},
			env:     []string{"PYTHON=/nonexistent/python3"},
			wantRC:  1,
			wantOps: append(slices.Clone(reads), "DescribeServices"),
			check: func(t *testing.T, _ *motoServer, _ []motoRequest, s motoState, _, stderr string) {
				if !strings.Contains(stderr, `Unknown parameter in containerDefinitions[0]: "Essential"`) || !strings.Contains(stderr, "nothing was changed") {
					t.Errorf("stderr: %s", stderr)
				}
				checkUntouched(t, s, 1)
			},
		},
		{
			name:    "UpdateFails",
			args:    []string{"--template", template, "--no-wait"},
			path:    shims,
			wantRC:  1,
			wantOps: append(slices.Clone(reads), "DescribeServices", "RegisterTaskDefinition"),
			check: func(t *testing.T, _ *motoServer, _ []motoRequest, s motoState, _, stderr string) {
				if !strings.Contains(stderr, "update-service failed; the service still runs "+motoTaskDef1) {
					t.Errorf("stderr: %s", stderr)
				}
				checkUntouched(t, s, 2) // the new revision exists but is not served
			},
		},
		{
			// --dry-run makes read-only calls, validates with botocore, and
			// what it prints is accepted by the real register call.
			name:    "DryRun",
			args:    []string{"--dry-run", "--template", template, "--health-path", "/health"},
			wantOps: append(slices.Clone(reads), "DescribeServices", "DescribeTargetGroups"),
			check: func(t *testing.T, m *motoServer, _ []motoRequest, s motoState, stdout, stderr string) {
				if !strings.Contains(stderr, "matches the ECS API model") || !strings.Contains(stderr, "from / to /health once the rollout completes") {
					t.Errorf("stderr: %s", stderr)
				}
				checkUntouched(t, s, 1)
				_, se, rc := run(t, ".", m.env(""), filepath.Join(tools.bin, "aws"), "ecs", "register-task-definition", "--cli-input-json", stdout)
				if rc != 0 {
					t.Errorf("the dry run's definition is refused by register-task-definition: exit %d\n%s", rc, se)
				}
			},
		},
		{
			name:    "DryRunRejectsTypo",
			args:    []string{"--dry-run", "--template", typoTemplate},
			wantRC:  1,
			wantOps: append(slices.Clone(reads), "DescribeServices"),
			check: func(t *testing.T, _ *motoServer, _ []motoRequest, s motoState, stdout, stderr string) {
				if stdout != "" || !strings.Contains(stderr, `Unknown parameter in containerDefinitions[0]: "Essential"`) {
					t.Errorf("stdout %q, stderr: %s", stdout, stderr)
				}
				checkUntouched(t, s, 1)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := startMoto(t, tools)
			m.seed(t)
			env := m.env(tt.path, append([]string{"AMPLIFY_ORIGIN=" + amplifyOrigin, "POLL_INTERVAL=0"}, tt.env...)...)
			stdout, stderr, rc := run(t, root, env, script, tt.args...)
			if rc != tt.wantRC {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", rc, tt.wantRC, stderr)
			}
			rs := m.requests(t)
			if got := ops(rs); !slices.Equal(got, tt.wantOps) {
				t.Errorf("requests %v\nwant     %v", got, tt.wantOps)
			}
			if tt.check != nil {
				tt.check(t, m, rs, m.state(t), stdout, stderr)
			}
		})
	}
}
