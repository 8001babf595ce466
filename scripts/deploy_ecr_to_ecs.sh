#!/usr/bin/env bash
# deploy_ecr_to_ecs.sh rolls an image from ECR (vendor0919-api:<IMAGE_TAG>)
# out to the ECS service vendor0919-service and waits until it is stable.
#
#   IMAGE_TAG=202509250200 scripts/deploy_ecr_to_ecs.sh [options]
#
# Steps: check the tag exists in ECR; fetch the current task definition of
# FAMILY (or render deploy/taskdef.json with --template); drop the read-only
# fields; point container CONTAINER at the new image; make sure it logs with
# awslogs to LOG_GROUP; validate it against the ECS API model (botocore, via
# scripts/validate_taskdef.py); register it; only then, with --health-path,
# change the target group's health check; update the service (circuit
# breaker with rollback on); poll describe-services until the rollout is
# COMPLETED, FAILED or the timeout passes. On failure it prints the stopped
# tasks of the new revision with their stoppedReason, the latest service
# events, and exits 1; a health check it changed is put back when the
# service update fails or the rollout fails or is rolled back, as the old
# revision keeps (or goes back to) serving.
#
# Options:
#   --image-tag TAG        same as IMAGE_TAG=TAG
#   --dry-run              validate the task definition against the ECS API
#                          model (needs botocore) and print it; only read-only
#                          AWS calls are made
#   --health-path PATH     point target group TARGET_GROUP's health check at
#                          PATH (e.g. /health, matcher 200) once the new task
#                          definition is registered, before the rollout
#   --template FILE        start from a task definition template (placeholders
#                          ${ACCOUNT_ID} ${REGION} ${IMAGE_URI} ${AMPLIFY_ORIGIN})
#                          instead of the current revision
#   --grace-period SECONDS set the service's health check grace period
#   --timeout SECONDS      how long to wait for the rollout (WAIT_TIMEOUT, 900)
#   --no-wait              register and update, do not wait
#   -h, --help             this text
#
# Environment (defaults): REGION (ap-northeast-1), IMAGE_TAG (required),
# FAMILY (vendor0919-task), CLUSTER (vendor0919-cluster), SERVICE
# (vendor0919-service), ECR_REPO (vendor0919-api), CONTAINER (api), ACCOUNT_ID
# (from sts get-caller-identity), LOG_GROUP (/ecs/vendor0919-api), TARGET_GROUP
# (vendor0919-tg-new), WAIT_TIMEOUT (900), POLL_INTERVAL (15), AMPLIFY_ORIGIN
# (for --template), PYTHON (python3: the Python with botocore). Exit codes:
# 0 deployed (or dry run), 1 failed, 2 usage.
# Needs: aws CLI v2, jq; botocore for --dry-run (else a warning).
set -euo pipefail

REGION="${REGION:-ap-northeast-1}"
IMAGE_TAG="${IMAGE_TAG:-}"
FAMILY="${FAMILY:-vendor0919-task}"
CLUSTER="${CLUSTER:-vendor0919-cluster}"
SERVICE="${SERVICE:-vendor0919-service}"
ECR_REPO="${ECR_REPO:-vendor0919-api}"
CONTAINER="${CONTAINER:-api}"
ACCOUNT_ID="${ACCOUNT_ID:-}"
LOG_GROUP="${LOG_GROUP:-/ecs/vendor0919-api}"
LOG_STREAM_PREFIX="${LOG_STREAM_PREFIX:-ecs}"
TARGET_GROUP="${TARGET_GROUP:-vendor0919-tg-new}"
WAIT_TIMEOUT="${WAIT_TIMEOUT:-900}"
POLL_INTERVAL="${POLL_INTERVAL:-15}"
AMPLIFY_ORIGIN="${AMPLIFY_ORIGIN:-}"
PYTHON="${PYTHON:-python3}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

DRY_RUN=0
NO_WAIT=0
HEALTH_PATH=""
TEMPLATE=""
GRACE_PERIOD=""

log() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
	log "ERROR: $*"
	exit 1
}
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}
# aws_ runs the AWS CLI in REGION with JSON output, whatever the profile
# says; answers are picked apart with jq. AWS errors go to stderr.
aws_() { aws --region "$REGION" --output json "$@"; }

while (($#)); do
	case "$1" in
	--image-tag) IMAGE_TAG="${2:?--image-tag needs a value}"; shift 2 ;;
	--image-tag=*) IMAGE_TAG="${1#*=}"; shift ;;
	--dry-run) DRY_RUN=1; shift ;;
	--no-wait) NO_WAIT=1; shift ;;
	--health-path) HEALTH_PATH="${2:?--health-path needs a value}"; shift 2 ;;
	--health-path=*) HEALTH_PATH="${1#*=}"; shift ;;
	--template) TEMPLATE="${2:?--template needs a file}"; shift 2 ;;
	--template=*) TEMPLATE="${1#*=}"; shift ;;
	--grace-period) GRACE_PERIOD="${2:?--grace-period needs seconds}"; shift 2 ;;
	--grace-period=*) GRACE_PERIOD="${1#*=}"; shift ;;
	--timeout) WAIT_TIMEOUT="${2:?--timeout needs seconds}"; shift 2 ;;
	--timeout=*) WAIT_TIMEOUT="${1#*=}"; shift ;;
	-h | --help) usage ;;
	*) log "unknown argument: $1"; usage ;;
	esac
done

[[ -n "$IMAGE_TAG" ]] || { log "IMAGE_TAG is required (e.g. IMAGE_TAG=202509250200)"; usage; }
[[ "$IMAGE_TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || { log "IMAGE_TAG '$IMAGE_TAG' is not a valid image tag"; exit 2; }
[[ "$WAIT_TIMEOUT" =~ ^[0-9]+$ && "$POLL_INTERVAL" =~ ^[0-9]+$ ]] || { log "WAIT_TIMEOUT and POLL_INTERVAL are seconds"; exit 2; }
[[ -z "$GRACE_PERIOD" || "$GRACE_PERIOD" =~ ^[0-9]+$ ]] || { log "--grace-period is seconds"; exit 2; }
[[ -z "$HEALTH_PATH" || "$HEALTH_PATH" == /* ]] || { log "--health-path must start with /"; exit 2; }
[[ -z "$TEMPLATE" || -r "$TEMPLATE" ]] || { log "template $TEMPLATE not readable"; exit 2; }
command -v jq >/dev/null || die "jq is required (apt-get install -y jq)"
command -v aws >/dev/null || die "the aws CLI is required"

if [[ -z "$ACCOUNT_ID" ]]; then
	ident="$(aws_ sts get-caller-identity)" || die "cannot read the AWS account (credentials?)"
	ACCOUNT_ID="$(jq -r '.Account // empty' <<<"$ident")"
fi
[[ "$ACCOUNT_ID" =~ ^[0-9]{12}$ ]] || die "unexpected account id '$ACCOUNT_ID'"
IMAGE_URI="${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${ECR_REPO}:${IMAGE_TAG}"
log "image $IMAGE_URI"

# 1. The tag must exist: registering a task definition for a missing image
# only fails later, as tasks that cannot pull (CannotPullContainerError).
aws_ ecr describe-images --repository-name "$ECR_REPO" --image-ids "imageTag=$IMAGE_TAG" >/dev/null ||
	die "image tag $IMAGE_TAG not found in ECR repository $ECR_REPO"

# 2. The starting task definition.
if [[ -n "$TEMPLATE" ]]; then
	[[ -n "$AMPLIFY_ORIGIN" ]] || die "--template needs AMPLIFY_ORIGIN (e.g. https://main.xxxx.amplifyapp.com)"
	base="$(jq --arg ACCOUNT_ID "$ACCOUNT_ID" --arg REGION "$REGION" --arg IMAGE_URI "$IMAGE_URI" \
		--arg AMPLIFY_ORIGIN "$AMPLIFY_ORIGIN" '
		walk(if type == "string" then
			gsub("\\$\\{ACCOUNT_ID\\}"; $ACCOUNT_ID) | gsub("\\$\\{REGION\\}"; $REGION)
			| gsub("\\$\\{IMAGE_URI\\}"; $IMAGE_URI) | gsub("\\$\\{AMPLIFY_ORIGIN\\}"; $AMPLIFY_ORIGIN)
		else . end)' "$TEMPLATE")" || die "cannot render $TEMPLATE"
	left="$(jq -r '[.. | strings | scan("\\$\\{[A-Z_]+\\}")] | unique | join(" ")' <<<"$base")"
	[[ -z "$left" ]] || die "unrendered placeholders in $TEMPLATE: $left"
	[[ "$(jq -r .family <<<"$base")" == "$FAMILY" ]] || die "template family is not $FAMILY"
else
	base="$(aws_ ecs describe-task-definition --task-definition "$FAMILY")" ||
		die "cannot describe task definition $FAMILY"
	base="$(jq '.taskDefinition' <<<"$base")"
	log "current revision $(jq -r '.taskDefinitionArn // "?"' <<<"$base")"
fi

# 3. The new task definition: read-only fields stripped, image swapped,
# awslogs guaranteed. Fields not listed here are kept as they are.
jq -e --arg c "$CONTAINER" 'any(.containerDefinitions[]; .name == $c)' <<<"$base" >/dev/null ||
	die "task definition has no container named $CONTAINER"
newdef="$(jq --arg c "$CONTAINER" --arg image "$IMAGE_URI" --arg group "$LOG_GROUP" \
	--arg region "$REGION" --arg prefix "$LOG_STREAM_PREFIX" '
	del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
		.registeredAt, .registeredBy, .deregisteredAt)
	| .containerDefinitions |= map(
		if .name == $c then
			.image = $image
			| .logConfiguration = {
				logDriver: "awslogs",
				options: ((.logConfiguration.options // {}) + {
					"awslogs-group": $group,
					"awslogs-region": $region,
					"awslogs-stream-prefix": $prefix })}
		else . end)' <<<"$base")"

# 3b. Check it against the ECS API model before anything changes: a typo in a
# template (an unknown key, a wrong type) fails here, not half-way through.
vrc=0
"$PYTHON" "$SCRIPT_DIR/validate_taskdef.py" - <<<"$newdef" || vrc=$?
case "$vrc" in
0) log "task definition matches the ECS API model (RegisterTaskDefinition)" ;;
3 | 127)
	((DRY_RUN)) && die "--dry-run validates the task definition with botocore: $PYTHON has none (pip install botocore, or set PYTHON)"
	log "warning: $PYTHON has no botocore; the task definition is checked only by register-task-definition"
	;;
*) die "the task definition does not match the ECS API model (above); nothing was changed" ;;
esac

if ((DRY_RUN)); then
	if [[ -n "$HEALTH_PATH" ]]; then
		tg="$(aws_ elbv2 describe-target-groups --names "$TARGET_GROUP")" || die "cannot describe target group $TARGET_GROUP"
		log "dry run: would change $TARGET_GROUP health check from $(jq -r '.TargetGroups[0].HealthCheckPath' <<<"$tg") to $HEALTH_PATH"
	fi
	log "dry run: would register this task definition and update $CLUSTER/$SERVICE"
	printf '%s\n' "$newdef"
	exit 0
fi

# 4. The service must exist and be ACTIVE; keep its deployment settings and
# turn the circuit breaker (with rollback) on so a bad image rolls back.
svc="$(aws_ ecs describe-services --cluster "$CLUSTER" --services "$SERVICE")" ||
	die "cannot describe service $SERVICE"
[[ "$(jq -r '.services[0].status // "MISSING"' <<<"$svc")" == "ACTIVE" ]] ||
	die "service $SERVICE in $CLUSTER is not ACTIVE: $(jq -c '.failures // .services[0].status' <<<"$svc")"
depconf="$(jq -c '(.services[0].deploymentConfiguration // {})
	| .deploymentCircuitBreaker = {enable: true, rollback: true}' <<<"$svc")"

# 5. Register. Nothing has changed until this succeeds: a rejected
# definition leaves the service and its target group as they were.
reg="$(aws_ ecs register-task-definition --cli-input-json "$newdef")" || die "register-task-definition failed; nothing was changed"
newarn="$(jq -r '.taskDefinition.taskDefinitionArn // empty' <<<"$reg")"
[[ -n "$newarn" ]] || die "register-task-definition answered no taskDefinitionArn"
log "registered $newarn"

# 6. Optional: ALB health check path (the Python app was checked at /), moved
# only now that the new revision exists. The old path and matcher are kept
# to put back if the rollout does not happen.
tg_arn=""
old_path=""
old_matcher=""
if [[ -n "$HEALTH_PATH" ]]; then
	tg="$(aws_ elbv2 describe-target-groups --names "$TARGET_GROUP")" || die "cannot describe target group $TARGET_GROUP"
	old_path="$(jq -r '.TargetGroups[0].HealthCheckPath // "/"' <<<"$tg")"
	old_matcher="$(jq -r '.TargetGroups[0].Matcher.HttpCode // "200"' <<<"$tg")"
	log "target group $TARGET_GROUP: health check $old_path -> $HEALTH_PATH (matcher 200)"
	arn="$(jq -r '.TargetGroups[0].TargetGroupArn' <<<"$tg")"
	aws_ elbv2 modify-target-group --target-group-arn "$arn" \
		--health-check-path "$HEALTH_PATH" --matcher HttpCode=200 >/dev/null ||
		die "cannot modify the health check of $TARGET_GROUP; the service still runs its old revision"
	tg_arn="$arn" # changed: restore_health_check may now put it back
fi

# restore_health_check puts the target group's health check back as it was,
# for when the old revision keeps (or goes back to) serving.
restore_health_check() {
	[[ -n "$tg_arn" ]] || return 0
	log "restoring $TARGET_GROUP health check to $old_path (matcher $old_matcher)"
	aws_ elbv2 modify-target-group --target-group-arn "$tg_arn" \
		--health-check-path "$old_path" --matcher "HttpCode=$old_matcher" >/dev/null ||
		log "ERROR: could not restore the health check of $TARGET_GROUP: set it back to $old_path (matcher $old_matcher) by hand"
}

# 7. Roll out.
update=(ecs update-service --cluster "$CLUSTER" --service "$SERVICE" --task-definition "$newarn"
	--deployment-configuration "$depconf")
[[ -z "$GRACE_PERIOD" ]] || update+=(--health-check-grace-period-seconds "$GRACE_PERIOD")
if ! aws_ "${update[@]}" >/dev/null; then
	restore_health_check
	die "update-service failed; the service still runs its old revision"
fi
log "service $SERVICE updated to $newarn"
((NO_WAIT)) && { log "not waiting (--no-wait)"; exit 0; }

# report_failure prints what stopped the new revision's tasks and the latest
# service events, then exits 1. With "rolled-back" as $2 the old revision
# serves again, so a changed health check is put back.
report_failure() {
	log "ERROR: deployment of $newarn failed: $1"
	[[ "${2:-}" != rolled-back ]] || restore_health_check
	local arns tasks
	arns="$(aws_ ecs list-tasks --cluster "$CLUSTER" --service-name "$SERVICE" --desired-status STOPPED)" &&
		arns="$(jq -c '.taskArns[0:100]' <<<"$arns")" || arns='[]'
	if [[ "$(jq length <<<"$arns")" -gt 0 ]]; then
		mapfile -t ids < <(jq -r '.[]' <<<"$arns")
		tasks="$(aws_ ecs describe-tasks --cluster "$CLUSTER" --tasks "${ids[@]}")" || tasks='{"tasks":[]}'
		jq -r --arg td "$newarn" '
			[.tasks[] | select(.taskDefinitionArn == $td)] as $mine
			| if ($mine | length) == 0 then "no stopped tasks of the new revision"
			  else $mine[] | "stopped task \(.taskArn | split("/") | last): \(.stopCode // "-"): \(.stoppedReason // "-")"
				+ ([.containers[]? | "\n  container \(.name): exit \(.exitCode // "-") \(.reason // "")"] | join(""))
			  end' <<<"$tasks" >&2
	else
		log "no stopped tasks found"
	fi
	jq -r '.services[0].events[0:5][]? | "event \(.createdAt): \(.message)"' <<<"$last" >&2 || true
	log "roll back: IMAGE_TAG=<previous tag> $0, or aws ecs update-service --cluster $CLUSTER --service $SERVICE --task-definition $FAMILY:<previous revision>"
	exit 1
}

# 8. Wait: our deployment must reach rolloutState COMPLETED (or, without
# rolloutState, be the only deployment with all tasks running).
deadline=$((SECONDS + WAIT_TIMEOUT))
last='{}'
errors=0
while :; do
	# A transient API error is retried; three in a row end the wait.
	if ! reply="$(aws_ ecs describe-services --cluster "$CLUSTER" --services "$SERVICE")"; then
		errors=$((errors + 1))
		((errors < 3)) || die "describe-services failed $errors times in a row; the deployment may still be running"
		sleep "$POLL_INTERVAL"
		continue
	fi
	errors=0
	last="$reply"
	state="$(jq -r --arg td "$newarn" '
		.services[0] as $s
		| ([$s.deployments[] | select(.taskDefinition == $td)] | first) as $d
		| if $d == null then "GONE"
		  elif $d.rolloutState == "FAILED" then "FAILED"
		  elif $d.rolloutState == "COMPLETED" then "COMPLETED"
		  elif $d.rolloutState == null and ($s.deployments | length) == 1
		       and $d.runningCount == $d.desiredCount and $d.pendingCount == 0 then "COMPLETED"
		  else "IN_PROGRESS \($d.runningCount)/\($d.desiredCount) running, \($d.pendingCount) pending" end' <<<"$last")"
	case "$state" in
	COMPLETED)
		log "deployment COMPLETED: $newarn"
		exit 0
		;;
	FAILED)
		report_failure "rolloutState FAILED: $(jq -r --arg td "$newarn" '.services[0].deployments[] | select(.taskDefinition == $td) | .rolloutStateReason // "-"' <<<"$last")" rolled-back
		;;
	GONE) report_failure "the deployment is gone (rolled back by the circuit breaker?)" rolled-back ;;
	esac
	((SECONDS < deadline)) || report_failure "not stable after ${WAIT_TIMEOUT}s ($state)"
	log "$state"
	sleep "$POLL_INTERVAL"
done
