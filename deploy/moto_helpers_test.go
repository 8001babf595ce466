package deploy

// Helpers for the deploy script's tests against moto's server: the real
// aws CLI talks to a moto_server on loopback (AWS_ENDPOINT_URL), which
// records every request it is sent (MOTO_ENABLE_RECORDING), so a test
// checks both the requests' shapes and the state they leave.

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/testproc"
)

// motoTools are the machine's moto_server and aws CLI, beside the Python
// (with botocore, boto3 and moto) that runs them.
type motoTools struct {
	py, bin string // python3's absolute path, and its bin folder (aws, moto_server)
}

// requireMoto returns the tools or skips the test (fails it under
// VENDOR0919_REQUIRE_TOOLS=1; scripts/install-tools.sh provides them).
func requireMoto(t *testing.T) motoTools {
	t.Helper()
	py := requireBotocore(t)
	m := motoTools{py: py, bin: filepath.Dir(py)}
	missing := ""
	for _, name := range []string{"aws", "moto_server"} {
		if _, err := os.Stat(filepath.Join(m.bin, name)); err != nil {
			missing += " " + name
		}
	}
	if missing == "" {
		if err := exec.Command(py, "-c", "import moto, boto3").Run(); err != nil {
			missing = " moto (python module)"
		}
	}
	if missing == "" {
		return m
	}
	testproc.Missing(t, "no%s beside %s", missing, py)
	return m
}

// motoServer is one moto_server on a free loopback port.
type motoServer struct {
	tools     motoTools
	endpoint  string
	recording string // MOTO_RECORDER_FILEPATH
	home      string
}

// startMoto starts moto_server and waits until it answers; it is stopped
// when the test ends.
func startMoto(t *testing.T, tools motoTools) *motoServer {
	t.Helper()
	dir := t.TempDir()
	m := &motoServer{tools: tools, recording: filepath.Join(dir, "recording.jsonl"), home: dir}
	for attempt := 0; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		_ = l.Close()
		m.endpoint = "http://127.0.0.1:" + port
		cmd := exec.Command(filepath.Join(tools.bin, "moto_server"), "-H", "127.0.0.1", "-p", port)
		cmd.Env = []string{"PATH=" + tools.bin + ":/usr/bin:/bin", "HOME=" + dir,
			"MOTO_ENABLE_RECORDING=true", "MOTO_RECORDER_FILEPATH=" + m.recording}
		out, err := os.Create(filepath.Join(dir, "moto.log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = out, out
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start moto_server: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); _ = out.Close(); close(exited) }()
		t.Cleanup(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
		})
		if waitMoto(m.endpoint, filepath.Join(dir, "moto.log"), exited) {
			return m
		}
		log, _ := os.ReadFile(filepath.Join(dir, "moto.log"))
		if attempt < 2 && strings.Contains(string(log), "Address already in use") {
			continue
		}
		t.Fatalf("moto_server did not answer on %s:\n%s", m.endpoint, log)
	}
}

// waitMoto polls moto's own API until it answers, the process exits or 30 s
// pass.
func waitMoto(endpoint, logPath string, exited <-chan struct{}) bool {
	c := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			return false
		default:
		}
		// Only once this process says it listens: the port was free when
		// chosen, but another test's moto_server may have taken it since,
		// and would answer here (its state then seeded twice, a 400).
		if log, _ := os.ReadFile(logPath); !strings.Contains(string(log), "Running on "+endpoint) {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if resp, err := c.Get(endpoint + "/moto-api/"); err == nil {
			_ = resp.Body.Close()
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// env is the environment of the script and the aws CLI: the tools first on
// PATH (after extraPath, for a test's own shims), dummy credentials, moto's
// endpoint, and nothing from the caller's AWS configuration.
func (m *motoServer) env(extraPath string, extra ...string) []string {
	path := m.tools.bin + ":/usr/local/bin:/usr/bin:/bin"
	if extraPath != "" {
		path = extraPath + ":" + path
	}
	return append([]string{
		"PATH=" + path,
		"HOME=" + m.home,
		"AWS_ENDPOINT_URL=" + m.endpoint,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_DEFAULT_REGION=ap-northeast-1",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_EC2_METADATA_DISABLED=true",
		"PYTHON=" + m.tools.py,
		"IMAGE_TAG=202509260100",
		"LC_ALL=C",
	}, extra...)
}

// seed creates the deployment (testdata/moto_state.py seed) and forgets
// the requests that made it.
func (m *motoServer) seed(t *testing.T) {
	t.Helper()
	if _, stderr, rc := run(t, ".", m.env(""), m.tools.py, filepath.Join("testdata", "moto_state.py"), "seed"); rc != 0 {
		t.Fatalf("seed moto: exit %d\n%s", rc, stderr)
	}
	if err := os.Truncate(m.recording, 0); err != nil {
		t.Fatal(err)
	}
}

// motoState is what testdata/moto_state.py state prints.
type motoState struct {
	TaskDefinitions []map[string]any `json:"taskDefinitions"`
	Service         struct {
		TaskDefinition          string         `json:"taskDefinition"`
		DeploymentConfiguration map[string]any `json:"deploymentConfiguration"`
	} `json:"service"`
	TargetGroup struct {
		TargetGroupArn  string            `json:"TargetGroupArn"`
		HealthCheckPath string            `json:"HealthCheckPath"`
		Matcher         map[string]string `json:"Matcher"`
	} `json:"targetGroup"`
}

func (m *motoServer) state(t *testing.T) motoState {
	t.Helper()
	stdout, stderr, rc := run(t, ".", m.env(""), m.tools.py, filepath.Join("testdata", "moto_state.py"), "state")
	if rc != 0 {
		t.Fatalf("moto state: exit %d\n%s", rc, stderr)
	}
	var s motoState
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("moto state: %v\n%s", err, stdout)
	}
	return s
}

// motoRequest is one request moto recorded: its operation and its
// parameters, from a JSON body (ECS, ECR) or a form (STS, ELBv2).
type motoRequest struct {
	Op   string
	JSON map[string]any
	Form url.Values
}

// requests returns the requests recorded since seed, in order.
func (m *motoServer) requests(t *testing.T) []motoRequest {
	t.Helper()
	raw, err := os.ReadFile(m.recording)
	if err != nil {
		t.Fatal(err)
	}
	var out []motoRequest
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if line == "" {
			continue
		}
		var e struct {
			Headers     map[string]string `json:"headers"`
			Body        string            `json:"body"`
			BodyEncoded bool              `json:"body_encoded"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("recording: %v", err)
		}
		body := []byte(e.Body)
		if e.BodyEncoded {
			if body, err = base64.StdEncoding.DecodeString(e.Body); err != nil {
				t.Fatalf("recording body: %v", err)
			}
		}
		var r motoRequest
		if target := e.Headers["X-Amz-Target"]; target != "" {
			r.Op = target[strings.LastIndex(target, ".")+1:]
			if err := json.Unmarshal(body, &r.JSON); err != nil {
				t.Fatalf("%s body: %v", r.Op, err)
			}
		} else {
			if r.Form, err = url.ParseQuery(string(body)); err != nil {
				t.Fatalf("form body: %v", err)
			}
			r.Op = r.Form.Get("Action")
		}
		out = append(out, r)
	}
	return out
}

// ops lists the requests' operations.
func ops(rs []motoRequest) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Op)
	}
	return out
}

// only returns the requests for op.
func only(rs []motoRequest, op string) []motoRequest {
	var out []motoRequest
	for _, r := range rs {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}
