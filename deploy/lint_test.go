package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestScripts_Shellcheck(t *testing.T) {
	t.Parallel()
	sc := requireTool(t, "shellcheck")
	root := repoRoot(t)
	files := []string{
		filepath.Join(root, "scripts", "deploy_ecr_to_ecs.sh"),
		filepath.Join(root, "scripts", "container_test.sh"),
		filepath.Join(root, "scripts", "make_builder_image.sh"),
		filepath.Join("testdata", "fakecli.sh"),
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			out, errOut, rc := run(t, ".", os.Environ(), sc, "--severity=style", f)
			if rc != 0 {
				t.Errorf("shellcheck %s:\n%s%s", f, out, errOut)
			}
		})
	}
}

func TestBuildspec_Yamllint(t *testing.T) {
	t.Parallel()
	yl := requireTool(t, "yamllint")
	root := repoRoot(t)
	out, errOut, rc := run(t, root, os.Environ(), yl, "--strict", "buildspec.yml", ".yamllint")
	if rc != 0 {
		t.Errorf("yamllint:\n%s%s", out, errOut)
	}
}

// TestDockerfile_Contract checks the promises other files rely on: the names
// the container test and the task definition use, the health check command,
// and the non-root user. The image itself is built and run by
// scripts/container_test.sh.
func TestDockerfile_Contract(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	tests := []struct {
		name string
		re   string
	}{
		{"builder image arg", `(?m)^ARG GO_IMAGE=golang:1\.\d+-bookworm$`},
		{"static build", `(?m)CGO_ENABLED=0`},
		{"trimpath", `go build -trimpath -buildvcs=false -ldflags "\$ldflags" -o /out/api \./cmd/api`},
		{"version stamped", `-X main\.version=\$\{VERSION\} -X main\.commit=\$\{COMMIT\}`},
		{"scratch final", `(?m)^FROM scratch$`},
		{"expose", `(?m)^EXPOSE 8080$`},
		{"user", `(?m)^USER 10001(:10001)?$`},
		{"healthcheck", `(?m)CMD \["/app/api", "healthcheck"\]$`},
		{"entrypoint", `(?m)^ENTRYPOINT \["/app/api"\]$`},
		{"store dir", `VECTORSTORE_DIR=/app/vectorstore`},
		{"proxy arg, toolchain default", `(?m)^ARG GOPROXY$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !regexp.MustCompile(tt.re).MatchString(df) {
				t.Errorf("Dockerfile does not match %s", tt.re)
			}
		})
	}
	// The final stage copies only from the build stage: no demo store.
	final := df[strings.LastIndex(df, "FROM scratch"):]
	for _, line := range strings.Split(final, "\n") {
		if strings.HasPrefix(line, "COPY ") && !strings.HasPrefix(line, "COPY --from=build ") {
			t.Errorf("final stage copies from the build context: %s", line)
		}
	}
}
