#!/usr/bin/env bash
# deploy_ecr_to_ecs.sh rolls an image from ECR (vendor0919-api:<IMAGE_TAG>)
# out to the ECS service vendor0919-service and waits until it is stable.
#
#   IMAGE_TAG=202509250200 scripts/deploy_ecr_to_ecs.sh [options]
#
# Steps: check the tag exists in ECR; check the service is ACTIVE; fetch the
# task definition revision the service runs (or render deploy/taskdef.json
# with --template); drop the read-only fields; point container CONTAINER at
# the new image; make sure it logs with awslogs to LOG_GROUP; validate it
# against the ECS API model (botocore, via scripts/validate_taskdef.py);
# register it; update the service (circuit breaker with rollback on); poll
# describe-services until the rollout is COMPLETED, FAILED or the timeout
# passes; only then, with --health-path, move the target group's health
# check (no old task is left to fail it). On failure it prints the stopped
# tasks of the new revision with their stoppedReason, the latest service
# events and the exact command that puts the previous revision back, and
# exits 1; the health check is left as it was.
#
# Options:
#   --image-tag TAG        same as IMAGE_TAG=TAG
#   --dry-run              validate the task definition against the ECS API
#                          model (needs botocore) and print it; only read-only
#                          AWS calls are made
#   --health-path PATH     once the rollout is COMPLETED, point target group
#                          TARGET_GROUP's health check at PATH (e.g. /health,
#                          matcher 200); the new tasks answer the old check
#                          at / meanwhile. Needs the wait (not --no-wait)
#   --template FILE        start from a task definition template (placeholders
#                          ${ACCOUNT_ID} ${REGION} ${IMAGE_URI} ${AMPLIFY_ORIGIN})
#                          instead of the revision the service runs
#   --grace-period SECONDS set the service's health check grace period
#   --timeout SECONDS      how long to wait for the rollout (WAIT_TIMEOUT; by
#                          default long enough for the circuit breaker's
#                          three failed tasks: 3 x (startPeriod + retries x
#                          interval + 120) of the container health check,
#                          at least 900)
#   --no-wait              register and update, do not wait
#   -h, --help             this text
#
# Environment (defaults): REGION (ap-northeast-1), IMAGE_TAG (required),
# FAMILY (vendor0919-task), CLUSTER (vendor0919-cluster), SERVICE
# (vendor0919-service), ECR_REPO (vendor0919-api), CONTAINER (api), ACCOUNT_ID
# (from sts get-caller-identity), LOG_GROUP (/ecs/vendor0919-api), TARGET_GROUP
# (vendor0919-tg-new), WAIT_TIMEOUT (see --timeout), POLL_INTERVAL (15), AMPLIFY_ORIGIN
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
WAIT_TIMEOUT="${WAIT_TIMEOUT:-}"
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
[[ ( -z "$WAIT_TIMEOUT" || "$WAIT_TIMEOUT" =~ ^[0-9]+$ ) && "$POLL_INTERVAL" =~ ^[0-9]+$ ]] || { log "WAIT_TIMEOUT and POLL_INTERVAL are seconds"; exit 2; }
[[ -z "$GRACE_PERIOD" || "$GRACE_PERIOD" =~ ^[0-9]+$ ]] || { log "--grace-period is seconds"; exit 2; }
[[ -z "$HEALTH_PATH" || "$HEALTH_PATH" == /* ]] || { log "--health-path must start with /"; exit 2; }
# The check moves once no old task is left to fail it, which only the wait
# sees.
[[ -z "$HEALTH_PATH" || "$NO_WAIT" == 0 || "$DRY_RUN" == 1 ]] || { log "--health-path moves the check when the rollout completes: it cannot go with --no-wait"; exit 2; }
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

# 2. The service must exist and be ACTIVE. Its running revision is the
# starting point (not the family's newest, which may be a failed deploy's)
# and what a rollback goes back to.
svc="$(aws_ ecs describe-services --cluster "$CLUSTER" --services "$SERVICE")" ||
	die "cannot describe service $SERVICE"
[[ "$(jq -r '.services[0].status // "MISSING"' <<<"$svc")" == "ACTIVE" ]] ||
	die "service $SERVICE in $CLUSTER is not ACTIVE: $(jq -c '.failures // .services[0].status' <<<"$svc")"
prevarn="$(jq -r '.services[0].taskDefinition // empty' <<<"$svc")"
[[ -n "$prevarn" ]] || die "service $SERVICE has no task definition"
depconf="$(jq -c '(.services[0].deploymentConfiguration // {})
	| .deploymentCircuitBreaker = {enable: true, rollback: true}' <<<"$svc")"
rollback_hint="roll back: aws ecs update-service --region $REGION --cluster $CLUSTER --service $SERVICE --task-definition $prevarn"

# 3. The starting task definition.
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
	base="$(aws_ ecs describe-task-definition --task-definition "$prevarn")" ||
		die "cannot describe task definition $prevarn"
	base="$(jq '.taskDefinition' <<<"$base")"
	[[ "$(jq -r .family <<<"$base")" == "$FAMILY" ]] ||
		die "service $SERVICE runs family $(jq -r .family <<<"$base"), not $FAMILY: set FAMILY, or start from --template"
	log "running revision $prevarn"
fi

# 4. The new task definition: read-only fields stripped, image swapped,
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

# 4b. Check it against the ECS API model before anything changes: a typo in a
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
		log "dry run: would change $TARGET_GROUP health check from $(jq -r '.TargetGroups[0].HealthCheckPath' <<<"$tg") to $HEALTH_PATH once the rollout completes"
	fi
	log "dry run: would register this task definition and update $CLUSTER/$SERVICE"
	printf '%s\n' "$newdef"
	exit 0
fi

# 5. Register. Nothing has changed until this succeeds: a rejected
# definition leaves the service and its target group as they were.
reg="$(aws_ ecs register-task-definition --cli-input-json "$newdef")" || die "register-task-definition failed; nothing was changed"
newarn="$(jq -r '.taskDefinition.taskDefinitionArn // empty' <<<"$reg")"
[[ -n "$newarn" ]] || die "register-task-definition answered no taskDefinitionArn"
log "registered $newarn"

# 6. Roll out.
update=(ecs update-service --cluster "$CLUSTER" --service "$SERVICE" --task-definition "$newarn"
	--deployment-configuration "$depconf")
[[ -z "$GRACE_PERIOD" ]] || update+=(--health-check-grace-period-seconds "$GRACE_PERIOD")
aws_ "${update[@]}" >/dev/null || die "update-service failed; the service still runs $prevarn"
log "service $SERVICE updated to $newarn"
((NO_WAIT)) && { log "not waiting (--no-wait)"; exit 0; }

# report_failure prints what stopped the new revision's tasks, the latest
# service events and how to roll back, then exits 1.
report_failure() {
	log "ERROR: deployment of $newarn failed: $1"
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
	[[ -z "$HEALTH_PATH" ]] || log "the health check of $TARGET_GROUP was not changed"
	log "$rollback_hint"
	exit 1
}

# move_health_check points the target group at HEALTH_PATH once no old task
# is left to fail it.
move_health_check() {
	local tg arn by_hand
	by_hand="aws elbv2 modify-target-group --region $REGION --target-group-arn <arn of $TARGET_GROUP> --health-check-path $HEALTH_PATH --matcher HttpCode=200"
	tg="$(aws_ elbv2 describe-target-groups --names "$TARGET_GROUP")" || tg='{}'
	arn="$(jq -r '.TargetGroups[0].TargetGroupArn // empty' <<<"$tg")"
	[[ -n "$arn" ]] || die "deployed, but cannot describe target group $TARGET_GROUP to move its health check: $by_hand"
	log "target group $TARGET_GROUP: health check $(jq -r '.TargetGroups[0].HealthCheckPath // "/"' <<<"$tg") -> $HEALTH_PATH (matcher 200)"
	aws_ elbv2 modify-target-group --target-group-arn "$arn" \
		--health-check-path "$HEALTH_PATH" --matcher HttpCode=200 >/dev/null ||
		die "deployed, but the health check of $TARGET_GROUP did not move: ${by_hand/<arn of $TARGET_GROUP>/$arn}"
}

# 7. Wait: our deployment must reach rolloutState COMPLETED (or, without
# rolloutState, be the only deployment with all tasks running). The
# default wait covers the circuit breaker's threshold of three failed
# tasks, each given the container health check's start period and
# retries plus about two minutes to be placed, pulled and stopped.
if [[ -z "$WAIT_TIMEOUT" ]]; then
	WAIT_TIMEOUT="$(jq --arg c "$CONTAINER" '
		[.containerDefinitions[] | select(.name == $c) | .healthCheck // {}] | first // {}
		| 3 * ((.startPeriod // 0) + (.retries // 3) * (.interval // 30) + 120)
		| if . < 900 then 900 else . end' <<<"$newdef")"
fi
log "waiting up to ${WAIT_TIMEOUT}s for the rollout"
deadline=$((SECONDS + WAIT_TIMEOUT))
last='{}'
errors=0
seen=0   # our deployment was listed once
missing=0 # polls in a row that did not list it
while :; do
	# A transient API error is retried; three in a row end the wait.
	if ! reply="$(aws_ ecs describe-services --cluster "$CLUSTER" --services "$SERVICE")"; then
		errors=$((errors + 1))
		((errors < 3)) || die "describe-services failed $errors times in a row; the deployment may still be running ($rollback_hint)"
		sleep "$POLL_INTERVAL"
		continue
	fi
	errors=0
	last="$reply"
	state="$(jq -r --arg td "$newarn" '
		.services[0] as $s
		| ([$s.deployments[]? | select(.taskDefinition == $td)] | first) as $d
		| if $d == null then "MISSING"
		  elif $d.rolloutState == "FAILED" then "FAILED"
		  elif $d.rolloutState == "COMPLETED" then "COMPLETED"
		  elif $d.rolloutState == null and ($s.deployments | length) == 1
		       and $d.runningCount == $d.desiredCount and $d.pendingCount == 0 then "COMPLETED"
		  else "IN_PROGRESS \($d.runningCount)/\($d.desiredCount) running, \($d.pendingCount) pending" end' <<<"$last")"
	# ECS reads are eventually consistent: a poll just after
	# update-service may not list the new deployment yet. It is gone
	# (rolled back) only once it was listed, or after three polls without.
	if [[ "$state" == MISSING ]]; then
		missing=$((missing + 1))
		if ((seen || missing >= 3)); then
			report_failure "the deployment is gone (rolled back by the circuit breaker?)"
		fi
		state="not listed yet"
	else
		seen=1 missing=0
	fi
	case "$state" in
	COMPLETED)
		log "deployment COMPLETED: $newarn"
		[[ -z "$HEALTH_PATH" ]] || move_health_check
		exit 0
		;;
	FAILED)
		report_failure "rolloutState FAILED: $(jq -r --arg td "$newarn" '.services[0].deployments[] | select(.taskDefinition == $td) | .rolloutStateReason // "-"' <<<"$last")"
		;;
	esac
	((SECONDS < deadline)) || report_failure "not stable after ${WAIT_TIMEOUT}s ($state); it may still complete, or the circuit breaker may still roll it back: watch aws ecs describe-services${HEALTH_PATH:+, and move the health check to $HEALTH_PATH once it completes}"
	log "$state"
	sleep "$POLL_INTERVAL"
done
