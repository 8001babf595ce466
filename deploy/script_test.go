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
	newTaskDefArn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/vendor0919-task:42"
	// runningArn is the revision the service runs in the fixtures.
	runningArn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/vendor0919-task:41"
	wantImage  = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/vendor0919-api:202509260100"
	tgArn      = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/vendor0919-tg-new/73e2d6bc24d8a067"
)

// Call sequences of the deploy script.
var (
	// The service first: its running revision is the starting point.
	readCalls = []string{"aws_sts_get-caller-identity", "aws_ecr_describe-images", "aws_ecs_describe-services",
		"aws_ecs_describe-task-definition"}
	templateReads = []string{"aws_sts_get-caller-identity", "aws_ecr_describe-images", "aws_ecs_describe-services"}
	deployCalls   = append(slices.Clone(readCalls), "aws_ecs_register-task-definition", "aws_ecs_update-service")
	failureReport = []string{"aws_ecs_list-tasks", "aws_ecs_describe-tasks"}
	// With --health-path, after the roll-out completed.
	moveCalls = []string{"aws_elbv2_describe-target-groups", "aws_elbv2_modify-target-group"}
)

// rollbackHint is what a failed deploy says to put the running revision
// back.
const rollbackHint = "roll back: aws ecs update-service --region ap-northeast-1 --cluster vendor0919-cluster --service vendor0919-service --task-definition " + runningArn

func seq(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func repeat(key string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = key
	}
	return out
}

// awsHappy answers every read and write the deploy makes; the rollout takes
// two polls (IN_PROGRESS, then COMPLETED).
func awsHappy(f *fakeCLI) {
	f.respondFile("aws_sts_get-caller-identity", 0, "sts-get-caller-identity.json")
	f.respondFile("aws_ecr_describe-images", 0, "ecr-describe-images.json")
	f.respondFile("aws_ecs_describe-task-definition", 0, "describe-task-definition.json")
	f.respondFile("aws_ecs_register-task-definition", 0, "register-task-definition.json")
	f.respond("aws_ecs_update-service", 0, `{"service": {"serviceName": "vendor0919-service", "status": "ACTIVE"}}`)
	f.respondFile("aws_ecs_describe-services", 1, "describe-services-before.json")
	f.respondFile("aws_ecs_describe-services", 2, "describe-services-in-progress.json")
	f.respondFile("aws_ecs_describe-services", 3, "describe-services-completed.json")
	f.respondFile("aws_elbv2_describe-target-groups", 0, "describe-target-groups.json")
	f.respondFile("aws_elbv2_modify-target-group", 0, "modify-target-group.json")
	f.respondFile("aws_ecs_list-tasks", 0, "list-tasks-stopped.json")
	f.respondFile("aws_ecs_describe-tasks", 0, "describe-tasks-stopped.json")
}

// registered decodes the task definition passed to register-task-definition.
func registered(t *testing.T, f *fakeCLI) map[string]any {
	t.Helper()
	calls := f.find("aws_ecs_register-task-definition")
	if len(calls) != 1 {
		t.Fatalf("%d register-task-definition calls, want 1", len(calls))
	}
	in, ok := flag(calls[0].Args, "--cli-input-json")
	if !ok {
		t.Fatal("register-task-definition without --cli-input-json")
	}
	var td map[string]any
	if err := json.Unmarshal([]byte(in), &td); err != nil {
		t.Fatalf("--cli-input-json: %v", err)
	}
	return td
}

// checkNewTaskDef asserts what the script must do to a task definition.
func checkNewTaskDef(t *testing.T, td map[string]any) {
	t.Helper()
	for _, k := range []string{"taskDefinitionArn", "revision", "status", "requiresAttributes",
		"compatibilities", "registeredAt", "registeredBy"} {
		if _, ok := td[k]; ok {
			t.Errorf("read-only field %s kept", k)
		}
	}
	if td["family"] != wantFamily || td["cpu"] == nil || td["executionRoleArn"] == nil {
		t.Errorf("kept fields lost: family %v cpu %v executionRoleArn %v", td["family"], td["cpu"], td["executionRoleArn"])
	}
	found := false
	for _, c := range td["containerDefinitions"].([]any) {
		c := c.(map[string]any)
		switch c["name"] {
		case wantContainer:
			found = true
			if c["image"] != wantImage {
				t.Errorf("api image %v, want %s", c["image"], wantImage)
			}
			lc, _ := c["logConfiguration"].(map[string]any)
			opts, _ := lc["options"].(map[string]any)
			if lc["logDriver"] != "awslogs" || opts["awslogs-group"] != wantLogGroup ||
				opts["awslogs-region"] != "ap-northeast-1" || opts["awslogs-stream-prefix"] != "ecs" {
				t.Errorf("api logConfiguration %v", lc)
			}
			if env, _ := c["environment"].([]any); len(env) == 0 {
				t.Error("api environment lost")
			}
		case "log-router":
			if !strings.HasPrefix(c["image"].(string), "public.ecr.aws/aws-observability/") || c["logConfiguration"] != nil {
				t.Errorf("other container changed: %v", c)
			}
		}
	}
	if !found {
		t.Error("no api container")
	}
}

func TestDeployScript_Scenarios(t *testing.T) {
	t.Parallel()
	requireTool(t, "jq")
	script := filepath.Join(repoRoot(t), "scripts", "deploy_ecr_to_ecs.sh")
	template := filepath.Join(repoRoot(t), "deploy", "taskdef.json")
	raw, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	// A template with a typo the real register-task-definition rejects.
	typoTemplate := filepath.Join(t.TempDir(), "taskdef-typo.json")
	if err := os.WriteFile(typoTemplate, []byte(strings.Replace(string(raw), `"essential"`, `"Essential"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		setup     func(f *fakeCLI)
		args      []string
		env       []string
		botocore  bool // validates with botocore: needs a Python that has it
		wantRC    int
		wantCalls []string
		check     func(t *testing.T, f *fakeCLI, stdout, stderr string)
	}{
		{
			name:      "Success",
			setup:     awsHappy,
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 2)),
			check: func(t *testing.T, f *fakeCLI, stdout, stderr string) {
				checkNewTaskDef(t, registered(t, f))
				// The revision the service runs, not the family's newest
				// (which may be a failed deploy's).
				if got, _ := flag(f.find("aws_ecs_describe-task-definition")[0].Args, "--task-definition"); got != runningArn {
					t.Errorf("describe-task-definition --task-definition %q, want the running %s", got, runningArn)
				}
				up := f.find("aws_ecs_update-service")[0].Args
				for flagName, want := range map[string]string{
					"--cluster": "vendor0919-cluster", "--service": "vendor0919-service",
					"--task-definition": newTaskDefArn, "--region": "ap-northeast-1",
				} {
					if got, _ := flag(up, flagName); got != want {
						t.Errorf("update-service %s %q, want %q", flagName, got, want)
					}
				}
				dc, _ := flag(up, "--deployment-configuration")
				var conf struct {
					CB                    struct{ Enable, Rollback bool } `json:"deploymentCircuitBreaker"`
					MaximumPercent        int                             `json:"maximumPercent"`
					MinimumHealthyPercent int                             `json:"minimumHealthyPercent"`
				}
				if err := json.Unmarshal([]byte(dc), &conf); err != nil || !conf.CB.Enable || !conf.CB.Rollback ||
					conf.MaximumPercent != 200 || conf.MinimumHealthyPercent != 100 {
					t.Errorf("--deployment-configuration %s: want circuit breaker with rollback and the service's percentages (%v)", dc, err)
				}
				if _, ok := flag(up, "--health-check-grace-period-seconds"); ok {
					t.Error("grace period set without --grace-period")
				}
				// No container health check in the fixture: 3 x (0 + 3 x 30
				// + 120) is under the floor.
				for _, want := range []string{"waiting up to 900s", "deployment COMPLETED"} {
					if !strings.Contains(stderr, want) {
						t.Errorf("stderr lacks %q: %s", want, stderr)
					}
				}
			},
		},
		{
			// The template's health check (startPeriod 180, retries 3,
			// interval 30) sets the wait: the circuit breaker stops a bad
			// deploy after three failed tasks, 3 x (180 + 90 + 120).
			name:      "TemplateWaitsForThreeFailedTasks",
			setup:     awsHappy,
			args:      []string{"--template", template},
			env:       []string{"AMPLIFY_ORIGIN=https://main.d1example.amplifyapp.com"},
			wantCalls: seq(templateReads, []string{"aws_ecs_register-task-definition", "aws_ecs_update-service"}, repeat("aws_ecs_describe-services", 2)),
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "waiting up to 1170s") {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name:      "TagFlagAndGracePeriod",
			setup:     awsHappy,
			args:      []string{"--image-tag", "202509260100", "--grace-period", "180"},
			env:       []string{"IMAGE_TAG="},
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 2)),
			check: func(t *testing.T, f *fakeCLI, _, _ string) {
				if got, _ := flag(f.find("aws_ecs_update-service")[0].Args, "--health-check-grace-period-seconds"); got != "180" {
					t.Errorf("grace period %q, want 180", got)
				}
			},
		},
		{
			// The check moves only once the roll-out completed: an old
			// task that does not answer the new path would be stopped as
			// unhealthy before the new ones serve.
			name:      "HealthPath",
			setup:     awsHappy,
			args:      []string{"--health-path", "/health"},
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 2), moveCalls),
			check: func(t *testing.T, f *fakeCLI, _, _ string) {
				d := f.find("aws_elbv2_describe-target-groups")[0].Args
				if got, _ := flag(d, "--names"); got != "vendor0919-tg-new" {
					t.Errorf("describe-target-groups --names %q", got)
				}
				m := f.find("aws_elbv2_modify-target-group")[0].Args
				for flagName, want := range map[string]string{
					"--target-group-arn": tgArn, "--health-check-path": "/health", "--matcher": "HttpCode=200",
				} {
					if got, _ := flag(m, flagName); got != want {
						t.Errorf("modify-target-group %s %q, want %q", flagName, got, want)
					}
				}
			},
		},
		{
			name: "HealthPathMoveFails",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.fail("aws_elbv2_modify-target-group", 254, "\nAn error occurred (AccessDenied) when calling the ModifyTargetGroup operation\n")
			},
			args:      []string{"--health-path", "/health"},
			wantRC:    1,
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 2), moveCalls),
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				want := "deployed, but the health check of vendor0919-tg-new did not move: aws elbv2 modify-target-group --region ap-northeast-1 --target-group-arn " + tgArn + " --health-check-path /health --matcher HttpCode=200"
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			},
		},
		{
			name: "HealthPathRolledBackLeavesIt",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.respondFile("aws_ecs_describe-services", 3, "describe-services-rolled-back.json")
			},
			args:      []string{"--health-path", "/health"},
			wantRC:    1,
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 2), failureReport),
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "the health check of vendor0919-tg-new was not changed") || !strings.Contains(stderr, rollbackHint) {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name:      "HealthPathNeedsTheWait",
			setup:     awsHappy,
			args:      []string{"--health-path", "/health", "--no-wait"},
			wantRC:    2,
			wantCalls: nil,
		},
		{
			// A revision of another family is not silently forked.
			name: "RunningRevisionOfAnotherFamily",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.respond("aws_ecs_describe-task-definition", 0, `{"taskDefinition": {"family": "python-rag", "containerDefinitions": [{"name": "api", "image": "x"}]}}`)
			},
			wantRC:    1,
			wantCalls: readCalls,
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "runs family python-rag, not vendor0919-task") {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name:      "DryRun",
			setup:     awsHappy,
			args:      []string{"--dry-run"},
			botocore:  true,
			wantCalls: readCalls,
			check: func(t *testing.T, _ *fakeCLI, stdout, stderr string) {
				var td map[string]any
				if err := json.Unmarshal([]byte(stdout), &td); err != nil {
					t.Fatalf("dry run stdout is not the task definition: %v\n%s", err, stdout)
				}
				checkNewTaskDef(t, td)
				if !strings.Contains(stderr, "matches the ECS API model") {
					t.Errorf("dry run does not say it validated: %s", stderr)
				}
			},
		},
		{
			name:      "DryRunRejectsTypo",
			setup:     awsHappy,
			args:      []string{"--dry-run", "--template", typoTemplate},
			env:       []string{"AMPLIFY_ORIGIN=https://main.d1example.amplifyapp.com"},
			botocore:  true,
			wantRC:    1,
			wantCalls: templateReads,
			check: func(t *testing.T, _ *fakeCLI, stdout, stderr string) {
				if !strings.Contains(stderr, `Unknown parameter in containerDefinitions[0]: "Essential"`) || stdout != "" {
					t.Errorf("stdout %q, stderr: %s", stdout, stderr)
				}
			},
		},
		{
			// Outside a dry run the same check stops the deploy before
			// anything changes.
			name:      "TypoChangesNothing",
			setup:     awsHappy,
			args:      []string{"--template", typoTemplate, "--health-path", "/health"},
			env:       []string{"AMPLIFY_ORIGIN=https://main.d1example.amplifyapp.com"},
			botocore:  true,
			wantRC:    1,
			wantCalls: templateReads,
		},
		{
			name:      "DryRunNeedsBotocore",
			setup:     awsHappy,
			args:      []string{"--dry-run"},
			env:       []string{"PYTHON=/nonexistent/python3"},
			wantRC:    1,
			wantCalls: readCalls,
			check: func(t *testing.T, _ *fakeCLI, stdout, stderr string) {
				if !strings.Contains(stderr, "--dry-run validates the task definition with botocore") || stdout != "" {
					t.Errorf("stdout %q, stderr: %s", stdout, stderr)
				}
			},
		},
		{
			name:      "DryRunHealthPath",
			setup:     awsHappy,
			args:      []string{"--dry-run", "--health-path", "/health"},
			botocore:  true,
			wantCalls: seq(readCalls, []string{"aws_elbv2_describe-target-groups"}),
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "from / to /health once the rollout completes") {
					t.Errorf("dry run does not report the health check change: %s", stderr)
				}
			},
		},
		{
			name:      "TemplateDryRun",
			setup:     awsHappy,
			args:      []string{"--dry-run", "--template", template},
			botocore:  true,
			env:       []string{"AMPLIFY_ORIGIN=https://main.d1example.amplifyapp.com"},
			wantCalls: templateReads,
			check: func(t *testing.T, _ *fakeCLI, stdout, _ string) {
				if strings.Contains(stdout, "${") {
					t.Errorf("placeholders left: %s", stdout)
				}
				for _, want := range []string{
					`"image": "` + wantImage + `"`,
					`"value": "https://main.d1example.amplifyapp.com,http://localhost:3000"`,
					"arn:aws:iam::123456789012:role/vendor0919-task-role",
					"arn:aws:ssm:ap-northeast-1:123456789012:parameter/vendor0919/api/OPENAI_API_KEY",
				} {
					if !strings.Contains(stdout, want) {
						t.Errorf("rendered template lacks %s", want)
					}
				}
			},
		},
		{
			name:      "TemplateNeedsAmplifyOrigin",
			setup:     awsHappy,
			args:      []string{"--dry-run", "--template", template},
			wantRC:    1,
			wantCalls: templateReads,
		},
		{
			name: "RolloutFailed",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.respondFile("aws_ecs_describe-services", 3, "describe-services-failed.json")
			},
			wantRC:    1,
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 2), failureReport),
			check: func(t *testing.T, f *fakeCLI, _, stderr string) {
				for _, want := range []string{
					"rolloutState FAILED: ECS deployment circuit breaker: tasks failed to start.",
					"stopped task 0a1b2c3d4e5f60718293a4b5c6d7e8f9: EssentialContainerExited: Essential container in task exited",
					"container api: exit 1",
					"deployment failed: tasks failed to start.",
					rollbackHint,
				} {
					if !strings.Contains(stderr, want) {
						t.Errorf("stderr lacks %q:\n%s", want, stderr)
					}
				}
				if strings.Contains(stderr, "99887766554433221100aabbccddeeff") {
					t.Error("reported a stopped task of another revision")
				}
				lt := f.find("aws_ecs_list-tasks")[0].Args
				if got, _ := flag(lt, "--desired-status"); got != "STOPPED" {
					t.Errorf("list-tasks --desired-status %q", got)
				}
				dt := f.find("aws_ecs_describe-tasks")[0].Args
				if !slices.Contains(dt, "arn:aws:ecs:ap-northeast-1:123456789012:task/vendor0919-cluster/0a1b2c3d4e5f60718293a4b5c6d7e8f9") {
					t.Errorf("describe-tasks args %v lack the stopped task", dt)
				}
			},
		},
		{
			// Listed once, then gone: the circuit breaker rolled it back
			// between two polls.
			name: "RolledBack",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.respondFile("aws_ecs_describe-services", 3, "describe-services-rolled-back.json")
			},
			wantRC:    1,
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 2), failureReport),
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "deployment is gone") || !strings.Contains(stderr, rollbackHint) {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			// ECS reads are eventually consistent: the first poll after
			// update-service may show the service as it was.
			name: "StaleFirstPoll",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.respondFile("aws_ecs_describe-services", 2, "describe-services-before.json")
				f.respondFile("aws_ecs_describe-services", 3, "describe-services-before.json")
				f.respondFile("aws_ecs_describe-services", 4, "describe-services-completed.json")
			},
			args:      []string{"--health-path", "/health"},
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 3), moveCalls),
		},
		{
			name: "NeverListed",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				for i := 2; i <= 4; i++ {
					f.respondFile("aws_ecs_describe-services", i, "describe-services-before.json")
				}
			},
			wantRC:    1,
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 3), failureReport),
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "deployment is gone") {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name: "Timeout",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.respondFile("aws_ecs_describe-services", 3, "describe-services-in-progress.json")
			},
			args:   []string{"--health-path", "/health"},
			env:    []string{"WAIT_TIMEOUT=2", "POLL_INTERVAL=1"},
			wantRC: 1,
			check: func(t *testing.T, f *fakeCLI, _, stderr string) {
				for _, want := range []string{
					"not stable after 2s (IN_PROGRESS 0/2 running, 2 pending); it may still complete, or the circuit breaker may still roll it back",
					"move the health check to /health once it completes",
					"the health check of vendor0919-tg-new was not changed",
				} {
					if !strings.Contains(stderr, want) {
						t.Errorf("stderr lacks %q:\n%s", want, stderr)
					}
				}
				keys := f.keys()
				polls := len(f.find("aws_ecs_describe-services")) - 1
				if polls < 2 || polls > 5 || !slices.Equal(keys[len(keys)-2:], failureReport) || len(f.find("aws_elbv2_modify-target-group")) != 0 {
					t.Errorf("calls %v: want 2..5 polls then the failure report, no health check change", keys)
				}
			},
		},
		{
			name: "PollErrorRetried",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.failCall("aws_ecs_describe-services", 2, 255, "\nAn error occurred (ThrottlingException) when calling the DescribeServices operation (reached max retries: 2): Rate exceeded\n")
			},
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 2)),
		},
		{
			name: "PollErrorsGiveUp",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				for i := 2; i <= 4; i++ {
					f.failCall("aws_ecs_describe-services", i, 255, "\nAn error occurred (ThrottlingException) when calling the DescribeServices operation: Rate exceeded\n")
				}
			},
			wantRC:    1,
			wantCalls: seq(deployCalls, repeat("aws_ecs_describe-services", 3)),
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "describe-services failed 3 times in a row") {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name:      "MissingImageTag",
			setup:     awsHappy,
			env:       []string{"IMAGE_TAG="},
			wantRC:    2,
			wantCalls: nil,
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "IMAGE_TAG is required") {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name:      "BadImageTag",
			setup:     awsHappy,
			env:       []string{"IMAGE_TAG=../latest"},
			wantRC:    2,
			wantCalls: nil,
		},
		{
			name: "ImageNotInECR",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.fail("aws_ecr_describe-images", 254, "\nAn error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image with imageId {imageDigest:'null', imageTag:'202509260100'} does not exist within the repository with name 'vendor0919-api' in the registry with id '123456789012'\n")
			},
			wantRC:    1,
			wantCalls: []string{"aws_sts_get-caller-identity", "aws_ecr_describe-images"},
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "ImageNotFoundException") || !strings.Contains(stderr, "not found in ECR") {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name: "AWSError",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.fail("aws_ecs_describe-task-definition", 254, "\nAn error occurred (ClientException) when calling the DescribeTaskDefinition operation: Unable to describe task definition.\n")
			},
			wantRC:    1,
			wantCalls: readCalls,
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "ClientException") || !strings.Contains(stderr, "cannot describe task definition "+runningArn) {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name: "NoCredentials",
			setup: func(f *fakeCLI) {
				f.fail("aws_sts_get-caller-identity", 253, "\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n")
			},
			wantRC:    1,
			wantCalls: []string{"aws_sts_get-caller-identity"},
		},
		{
			name: "ServiceMissing",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.respondFile("aws_ecs_describe-services", 1, "describe-services-missing.json")
			},
			wantRC:    1,
			wantCalls: templateReads,
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "MISSING") {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name: "RegisterFails",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.fail("aws_ecs_register-task-definition", 254, "\nAn error occurred (AccessDeniedException) when calling the RegisterTaskDefinition operation: not authorized to perform iam:PassRole\n")
			},
			wantRC:    1,
			wantCalls: seq(readCalls, []string{"aws_ecs_register-task-definition"}),
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "nothing was changed") {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name: "UpdateFails",
			setup: func(f *fakeCLI) {
				awsHappy(f)
				f.fail("aws_ecs_update-service", 254, "\nAn error occurred (InvalidParameterException) when calling the UpdateService operation: unable to assume the service linked role\n")
			},
			args:      []string{"--health-path", "/health"},
			wantRC:    1,
			wantCalls: deployCalls,
			check: func(t *testing.T, _ *fakeCLI, _, stderr string) {
				if !strings.Contains(stderr, "update-service failed; the service still runs "+runningArn) {
					t.Errorf("stderr: %s", stderr)
				}
			},
		},
		{
			name:      "NoWait",
			setup:     awsHappy,
			args:      []string{"--no-wait"},
			wantCalls: deployCalls,
		},
		{
			name:      "UnknownOption",
			setup:     awsHappy,
			args:      []string{"--force"},
			wantRC:    2,
			wantCalls: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			py := botocorePython()
			if tt.botocore {
				py = requireBotocore(t)
			}
			if py == "" {
				py = "/nonexistent/python3" // the script then warns and skips the check
			}
			f := newFakeCLI(t, "aws")
			tt.setup(f)
			env := f.env(append([]string{"IMAGE_TAG=202509260100", "POLL_INTERVAL=0", "PYTHON=" + py}, tt.env...)...)
			stdout, stderr, rc := run(t, t.TempDir(), env, "bash", append([]string{script}, tt.args...)...)
			if rc != tt.wantRC {
				t.Errorf("exit %d, want %d\nstderr:\n%s", rc, tt.wantRC, stderr)
			}
			if tt.wantCalls != nil || tt.wantRC == 2 {
				if got := f.keys(); !slices.Equal(got, tt.wantCalls) {
					t.Errorf("calls\n got %v\nwant %v", got, tt.wantCalls)
				}
			}
			for _, c := range f.calls() {
				if r, _ := flag(c.Args, "--region"); r != "ap-northeast-1" {
					t.Errorf("%s without --region ap-northeast-1: %v", c.Key, c.Args)
				}
			}
			if tt.check != nil {
				tt.check(t, f, stdout, stderr)
			}
		})
	}
}
