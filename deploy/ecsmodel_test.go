package deploy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/testproc"
)

var (
	pyOnce sync.Once
	pyPath string
)

// botocorePython returns the absolute path of a Python that imports
// botocore, or "": $VENDOR0919_AWS_PYTHON (scripts/install-tools.sh sets
// it), else $PYTHON, else python3 on PATH (the machine image's pyenv
// python3), resolved past a shim so that it also runs under the tests' own
// PATH and HOME.
func botocorePython() string {
	pyOnce.Do(func() {
		py := os.Getenv("VENDOR0919_AWS_PYTHON")
		if py == "" {
			py = os.Getenv("PYTHON")
		}
		if py == "" {
			py = "python3"
		}
		out, err := exec.Command(py, "-c", "import sys, botocore; print(sys.executable)").Output()
		if err == nil {
			pyPath = strings.TrimSpace(string(out))
		}
	})
	return pyPath
}

// requireBotocore returns botocorePython() or skips the test, or fails it
// under VENDOR0919_REQUIRE_TOOLS=1 (CI: install-tools.sh finds or installs
// one).
func requireBotocore(t *testing.T) string {
	t.Helper()
	if py := botocorePython(); py != "" {
		return py
	}
	testproc.Missing(t, "no python3 with botocore on PATH")
	return ""
}

// renderTemplate fills a task definition template's placeholders as
// scripts/deploy_ecr_to_ecs.sh --template does.
func renderTemplate(raw string) string {
	return strings.NewReplacer(
		"${ACCOUNT_ID}", "123456789012", "${REGION}", "ap-northeast-1",
		"${IMAGE_URI}", wantImage, "${AMPLIFY_ORIGIN}", "https://main.d1example.amplifyapp.com",
	).Replace(raw)
}

// validateTaskDef runs scripts/validate_taskdef.py on def and returns its
// exit status and stderr.
func validateTaskDef(t *testing.T, py, def string) (int, string) {
	t.Helper()
	cmd := exec.Command(py, filepath.Join(repoRoot(t), "scripts", "validate_taskdef.py"), "-")
	cmd.Stdin = strings.NewReader(def)
	var se bytes.Buffer
	cmd.Stderr = &se
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), se.String()
	}
	if err != nil {
		t.Fatalf("run validate_taskdef.py: %v", err)
	}
	return 0, se.String()
}

// TestTaskDefinition_MatchesECSModel checks every task definition template
// in deploy/, rendered, against the ECS API model with botocore's validator
// (what --dry-run does): a typo that the real register-task-definition
// would reject fails here, in CI, instead of in a deploy. A template with a
// miscased key (ECS keys are case-sensitive) is rejected, so the check can
// fail.
func TestTaskDefinition_MatchesECSModel(t *testing.T) {
	t.Parallel()
	py := requireBotocore(t)
	templates, err := filepath.Glob(filepath.Join(repoRoot(t), "deploy", "taskdef*.json"))
	if err != nil || len(templates) == 0 {
		t.Fatalf("no task definition templates in deploy/: %v", err)
	}
	for _, path := range templates {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if rc, stderr := validateTaskDef(t, py, renderTemplate(string(raw))); rc != 0 {
			t.Errorf("%s: validate_taskdef exit %d:\n%s", filepath.Base(path), rc, stderr)
		}
		typo := strings.Replace(renderTemplate(string(raw)), `"essential"`, `"Essential"`, 1)
		if rc, stderr := validateTaskDef(t, py, typo); rc != 1 || !strings.Contains(stderr, `Unknown parameter in containerDefinitions[0]: "Essential"`) {
			t.Errorf("%s with a miscased key: exit %d, want 1 naming it:\n%s", filepath.Base(path), rc, stderr)
		}
	}
}
