// Package deploy holds what ships the API to AWS: the ECS task definition
// template (taskdef.json), the IAM policies of the task and execution roles
// (iam/), and the tests that check them, buildspec.yml and
// scripts/deploy_ecr_to_ecs.sh.
//
// The package has no Go code of its own. Its tests drive the buildspec's
// commands and the deploy script against stand-in aws and docker commands
// (testdata/fakecli.sh) that record every call and answer with recorded AWS
// JSON (testdata/aws), so a change to either is checked without an AWS
// account. The templates, and the script's dry runs, are checked against the
// ECS API model with botocore's validator (scripts/validate_taskdef.py).
// The script also runs with the real aws CLI against moto's server
// (moto_server on a loopback port, AWS_ENDPOINT_URL, dummy keys; seeded and
// read back by testdata/moto_state.py), which records every request: the
// tests check the requests' order and parameters and the state they leave
// (the registered revision, the service, the target group's health check).
// moto starts no deployment for a new revision, so the wait and roll-out
// paths stay with the stand-in.
// Tests that need jq, shellcheck, yamllint, a python3 with botocore
// ($VENDOR0919_AWS_PYTHON, else python3) or moto and the aws CLI beside it skip
// when the tool is missing, unless VENDOR0919_REQUIRE_TOOLS=1, when they
// fail.
//
// The tests run the script and the fake CLI as child processes, each in its
// own temporary folder, so they run in parallel.
package deploy
