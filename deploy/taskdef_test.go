package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Names of the real deployment (docs: /work/shared/DESIGN.md, docs/DEPLOY.md).
const (
	wantFamily    = "vendor0919-task"
	wantContainer = "api"
	wantPort      = 8080
	wantLogGroup  = "/ecs/vendor0919-api"
	wantBucket    = "vendor-rag-0919"
	wantPrefix    = "vectorstore/prod"
	wantRepo      = "vendor0919-api"
)

type taskDef struct {
	Family                  string   `json:"family"`
	NetworkMode             string   `json:"networkMode"`
	RequiresCompatibilities []string `json:"requiresCompatibilities"`
	CPU                     string   `json:"cpu"`
	Memory                  string   `json:"memory"`
	ExecutionRoleArn        string   `json:"executionRoleArn"`
	TaskRoleArn             string   `json:"taskRoleArn"`
	ContainerDefinitions    []struct {
		Name         string `json:"name"`
		Image        string `json:"image"`
		Essential    bool   `json:"essential"`
		PortMappings []struct {
			ContainerPort int    `json:"containerPort"`
			HostPort      int    `json:"hostPort"`
			Protocol      string `json:"protocol"`
		} `json:"portMappings"`
		Environment []struct{ Name, Value string } `json:"environment"`
		Secrets     []struct {
			Name      string `json:"name"`
			ValueFrom string `json:"valueFrom"`
		} `json:"secrets"`
		HealthCheck *struct {
			Command     []string `json:"command"`
			Interval    int      `json:"interval"`
			Timeout     int      `json:"timeout"`
			Retries     int      `json:"retries"`
			StartPeriod int      `json:"startPeriod"`
		} `json:"healthCheck"`
		StopTimeout      int `json:"stopTimeout"`
		LogConfiguration *struct {
			LogDriver string            `json:"logDriver"`
			Options   map[string]string `json:"options"`
		} `json:"logConfiguration"`
	} `json:"containerDefinitions"`
}

func readJSON(t *testing.T, path string, v any) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// fargateMemory lists the memory sizes (MiB) Fargate accepts for each CPU size.
func fargateMemory(cpu int) (lo, hi, step int) {
	switch cpu {
	case 256:
		return 512, 2048, 512 // 512, 1024, 2048 (1536 is not offered)
	case 512:
		return 1024, 4096, 1024
	case 1024:
		return 2048, 8192, 1024
	case 2048:
		return 4096, 16384, 1024
	case 4096:
		return 8192, 30720, 1024
	}
	return 0, 0, 0
}

func TestTaskDefinition_Template(t *testing.T) {
	t.Parallel()
	var td taskDef
	raw := readJSON(t, "taskdef.json", &td)

	if td.Family != wantFamily {
		t.Errorf("family %q, want %q", td.Family, wantFamily)
	}
	if td.NetworkMode != "awsvpc" {
		t.Errorf("networkMode %q, want awsvpc", td.NetworkMode)
	}
	if len(td.RequiresCompatibilities) != 1 || td.RequiresCompatibilities[0] != "FARGATE" {
		t.Errorf("requiresCompatibilities %v, want [FARGATE]", td.RequiresCompatibilities)
	}
	cpu, _ := strconv.Atoi(td.CPU)
	mem, _ := strconv.Atoi(td.Memory)
	lo, hi, step := fargateMemory(cpu)
	if lo == 0 || mem < lo || mem > hi || mem%step != 0 || (cpu == 256 && mem == 1536) {
		t.Errorf("cpu %s / memory %s is not a Fargate size", td.CPU, td.Memory)
	}
	for name, arn := range map[string]string{"executionRoleArn": td.ExecutionRoleArn, "taskRoleArn": td.TaskRoleArn} {
		if !regexp.MustCompile(`^arn:aws:iam::\$\{ACCOUNT_ID\}:role/[\w+=,.@-]+$`).MatchString(arn) {
			t.Errorf("%s %q is not a role ARN template", name, arn)
		}
	}
	if td.ExecutionRoleArn == td.TaskRoleArn {
		t.Error("task and execution roles must differ (least privilege)")
	}
	// Only these placeholders are rendered by scripts/deploy_ecr_to_ecs.sh --template.
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)\}`).FindAllStringSubmatch(string(raw), -1) {
		switch m[1] {
		case "ACCOUNT_ID", "REGION", "IMAGE_URI", "AMPLIFY_ORIGIN":
		default:
			t.Errorf("unknown placeholder %s", m[0])
		}
	}

	if len(td.ContainerDefinitions) != 1 {
		t.Fatalf("%d containers, want 1", len(td.ContainerDefinitions))
	}
	c := td.ContainerDefinitions[0]
	if c.Name != wantContainer || !c.Essential || c.Image != "${IMAGE_URI}" {
		t.Errorf("container name %q essential %v image %q", c.Name, c.Essential, c.Image)
	}
	if len(c.PortMappings) != 1 || c.PortMappings[0].ContainerPort != wantPort ||
		c.PortMappings[0].HostPort != wantPort || c.PortMappings[0].Protocol != "tcp" {
		t.Errorf("portMappings %+v, want 8080/tcp", c.PortMappings)
	}

	env := map[string]string{}
	for _, e := range c.Environment {
		if _, dup := env[e.Name]; dup {
			t.Errorf("environment %s set twice", e.Name)
		}
		env[e.Name] = e.Value
	}
	secrets := map[string]string{}
	for _, s := range c.Secrets {
		secrets[s.Name] = s.ValueFrom
		if _, both := env[s.Name]; both {
			t.Errorf("%s is both environment and secret", s.Name)
		}
	}
	for k, want := range map[string]string{
		"PORT":               "8080",
		"VECTORSTORE_DIR":    "/app/vectorstore",
		"VECTORSTORE_S3_URI": "s3://" + wantBucket + "/" + wantPrefix,
		"AWS_REGION":         "${REGION}",
	} {
		if env[k] != want {
			t.Errorf("environment %s=%q, want %q", k, env[k], want)
		}
	}
	// Behind the ALB every peer is an ALB node in the VPC's private range:
	// without TRUSTED_PROXIES the rate limits would count every client as
	// that node; and the browser's key is shared by every user, so the
	// limits are per client address, not per key.
	if env["TRUSTED_PROXIES"] == "" || env["RATE_LIMIT_BY"] != "address" {
		t.Errorf("TRUSTED_PROXIES=%q RATE_LIMIT_BY=%q: want the VPC's ranges and address", env["TRUSTED_PROXIES"], env["RATE_LIMIT_BY"])
	}
	if o := env["CORS_ALLOW_ORIGINS"]; !strings.Contains(o, "${AMPLIFY_ORIGIN}") || !strings.Contains(o, "http://localhost:3000") {
		t.Errorf("CORS_ALLOW_ORIGINS %q must list the Amplify origin and http://localhost:3000", o)
	}
	for _, k := range []string{"OPENAI_API_KEY", "ADMIN_TOKEN", "API_KEYS"} {
		v, ok := secrets[k]
		if !ok {
			t.Errorf("secret %s missing", k)
			continue
		}
		if !strings.HasPrefix(v, "arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/") &&
			!strings.HasPrefix(v, "arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:") {
			t.Errorf("secret %s valueFrom %q is not an SSM or Secrets Manager ARN", k, v)
		}
	}

	hc := c.HealthCheck
	if hc == nil {
		t.Fatal("no container healthCheck")
	}
	// The container check probes /ready (the ALB's probes /health): a task
	// that cannot load its store never turns healthy, so ECS replaces it and
	// a bad roll-out trips the circuit breaker instead of serving 503s.
	if strings.Join(hc.Command, " ") != "CMD /app/api healthcheck -url http://127.0.0.1:8080/ready?scope=task" {
		t.Errorf("healthCheck command %q, want [CMD /app/api healthcheck -url http://127.0.0.1:8080/ready?scope=task] (no shell in the image)", hc.Command)
	}
	if hc.Interval < 5 || hc.Interval > 300 || hc.Timeout < 2 || hc.Timeout > 60 || hc.Timeout >= hc.Interval ||
		hc.Retries < 1 || hc.Retries > 10 || hc.StartPeriod < 0 || hc.StartPeriod > 300 {
		t.Errorf("healthCheck %+v outside ECS limits", *hc)
	}
	// Drain: the server's SHUTDOWN_TIMEOUT must end before ECS sends SIGKILL.
	drain, err := time.ParseDuration(env["SHUTDOWN_TIMEOUT"])
	if err != nil {
		t.Errorf("SHUTDOWN_TIMEOUT %q: %v", env["SHUTDOWN_TIMEOUT"], err)
	}
	if c.StopTimeout < 30 || c.StopTimeout > 120 || time.Duration(c.StopTimeout)*time.Second-drain < 5*time.Second {
		t.Errorf("stopTimeout %ds must be 30..120 and at least 5s above SHUTDOWN_TIMEOUT %v", c.StopTimeout, drain)
	}
	if sync, err := time.ParseDuration(env["SYNC_TIMEOUT"]); err != nil || time.Duration(hc.StartPeriod)*time.Second < sync {
		t.Errorf("healthCheck startPeriod %ds must cover SYNC_TIMEOUT %q", hc.StartPeriod, env["SYNC_TIMEOUT"])
	}

	lc := c.LogConfiguration
	if lc == nil || lc.LogDriver != "awslogs" || lc.Options["awslogs-group"] != wantLogGroup ||
		lc.Options["awslogs-region"] != "${REGION}" || lc.Options["awslogs-stream-prefix"] != "ecs" {
		t.Errorf("logConfiguration %+v, want awslogs %s prefix ecs", lc, wantLogGroup)
	}
}

type policy struct {
	Version   string `json:"Version"`
	Statement []struct {
		Sid       string         `json:"Sid"`
		Effect    string         `json:"Effect"`
		Principal map[string]any `json:"Principal"`
		Action    stringList     `json:"Action"`
		NotAction stringList     `json:"NotAction"`
		Resource  stringList     `json:"Resource"`
		Condition map[string]map[string]stringList
	} `json:"Statement"`
}

// stringList is an IAM value that is a string or a list of strings.
type stringList []string

func (s *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// grants maps "action resource" pairs of the Allow statements.
func grants(p policy) map[string]bool {
	g := map[string]bool{}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			for _, r := range s.Resource {
				g[a+" "+r] = true
			}
		}
	}
	return g
}

func TestPolicies_LeastPrivilege(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("iam", "*.json"))
	if err != nil || len(files) < 4 {
		t.Fatalf("iam policies: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			var p policy
			readJSON(t, f, &p)
			if p.Version != "2012-10-17" || len(p.Statement) == 0 {
				t.Fatalf("Version %q, %d statements", p.Version, len(p.Statement))
			}
			trust := strings.Contains(f, "trust")
			for i, s := range p.Statement {
				if s.Effect != "Allow" {
					t.Errorf("statement %d: Effect %q", i, s.Effect)
				}
				if len(s.NotAction) > 0 {
					t.Errorf("statement %d: NotAction grants too much", i)
				}
				if len(s.Action) == 0 {
					t.Errorf("statement %d: no Action", i)
				}
				for _, a := range s.Action {
					if a == "*" || strings.HasSuffix(a, ":*") || strings.Contains(a, "*") {
						t.Errorf("statement %d: wildcard action %q", i, a)
					}
				}
				if trust {
					continue
				}
				for _, r := range s.Resource {
					// The only action that cannot be scoped to a resource.
					authTokenOnly := len(s.Action) == 1 && s.Action[0] == "ecr:GetAuthorizationToken"
					if r == "*" && !authTokenOnly {
						t.Errorf("statement %d: %v on Resource *", i, s.Action)
					}
				}
			}
		})
	}
}

func TestPolicies_Grants(t *testing.T) {
	t.Parallel()
	load := func(f string) policy {
		var p policy
		readJSON(t, filepath.Join("iam", f), &p)
		return p
	}
	s3 := load("task-role-s3-policy.json")
	exec := load("execution-role-policy.json")
	bedrock := load("task-role-bedrock-policy.json")
	trust := load("ecs-tasks-trust-policy.json")

	tests := []struct {
		name   string
		p      policy
		grant  string
		wanted bool
	}{
		{"s3 list bucket", s3, "s3:ListBucket arn:aws:s3:::" + wantBucket, true},
		{"s3 get prefix", s3, "s3:GetObject arn:aws:s3:::" + wantBucket + "/" + wantPrefix + "/*", true},
		{"s3 no whole-bucket get", s3, "s3:GetObject arn:aws:s3:::" + wantBucket + "/*", false},
		{"s3 no put", s3, "s3:PutObject arn:aws:s3:::" + wantBucket + "/" + wantPrefix + "/*", false},
		{"ecr token", exec, "ecr:GetAuthorizationToken *", true},
		{"ecr pull repo", exec, "ecr:BatchGetImage arn:aws:ecr:${REGION}:${ACCOUNT_ID}:repository/" + wantRepo, true},
		{"ecr layers", exec, "ecr:GetDownloadUrlForLayer arn:aws:ecr:${REGION}:${ACCOUNT_ID}:repository/" + wantRepo, true},
		{"logs put", exec, "logs:PutLogEvents arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:" + wantLogGroup + ":*", true},
		{"logs stream", exec, "logs:CreateLogStream arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:" + wantLogGroup + ":*", true},
		{"bedrock titan", bedrock, "bedrock:InvokeModel arn:aws:bedrock:${REGION}::foundation-model/amazon.titan-embed-text-v2:0", true},
		{"bedrock no wildcard model", bedrock, "bedrock:InvokeModel arn:aws:bedrock:${REGION}::foundation-model/*", false},
		// A cross-Region inference profile (LLM_MODEL=apac.…) needs the
		// profile and its model in every Region the profile routes to.
		{"bedrock inference profile", bedrock, "bedrock:InvokeModelWithResponseStream arn:aws:bedrock:${REGION}:${ACCOUNT_ID}:inference-profile/apac.anthropic.claude-3-5-sonnet-20241022-v2:0", true},
		{"bedrock profile's model in its Regions", bedrock, "bedrock:InvokeModelWithResponseStream arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := grants(tt.p)[tt.grant]; got != tt.wanted {
				t.Errorf("grant %q = %v, want %v", tt.grant, got, tt.wanted)
			}
		})
	}

	// ListBucket is limited to the prefix the sync lists.
	for _, s := range s3.Statement {
		if len(s.Action) == 1 && s.Action[0] == "s3:ListBucket" {
			got := s.Condition["StringLike"]["s3:prefix"]
			if len(got) == 0 {
				t.Fatal("s3:ListBucket has no s3:prefix condition")
			}
			for _, p := range got {
				if !strings.HasPrefix(p, wantPrefix) {
					t.Errorf("s3:prefix %q outside %s", p, wantPrefix)
				}
			}
		}
	}
	if svc := trust.Statement[0].Principal["Service"]; svc != "ecs-tasks.amazonaws.com" {
		t.Errorf("trust principal %v, want ecs-tasks.amazonaws.com", svc)
	}

	// Every secret the task definition names is readable by the execution role,
	// and nothing else is.
	var td taskDef
	readJSON(t, "taskdef.json", &td)
	readable := map[string]bool{}
	for g := range grants(exec) {
		if a, r, _ := strings.Cut(g, " "); a == "ssm:GetParameters" || a == "secretsmanager:GetSecretValue" {
			readable[r] = true
		}
	}
	for _, s := range td.ContainerDefinitions[0].Secrets {
		if !readable[s.ValueFrom] {
			t.Errorf("secret %s (%s) is not readable by the execution role", s.Name, s.ValueFrom)
		}
		delete(readable, s.ValueFrom)
	}
	for r := range readable {
		t.Errorf("execution role reads %s, which the task definition does not use", r)
	}
}
