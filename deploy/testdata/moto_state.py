#!/usr/bin/env python3
"""Seed a moto server with the deployment the deploy script expects, or
print the state it left.

    moto_state.py seed   (AWS_ENDPOINT_URL points at moto_server)
    moto_state.py state

seed creates, in ap-northeast-1 of moto's account 123456789012: ECR
repository vendor0919-api with the image tag IMAGE_TAG; a VPC and target
group vendor0919-tg-new (health check "/", matcher 200); cluster
vendor0919-cluster; task definition vendor0919-task:1 from
testdata/aws/describe-task-definition.json (read-only fields dropped); and
service vendor0919-service on that revision, behind the target group, with
maximumPercent 200 / minimumHealthyPercent 100.

state prints one JSON object: every revision of vendor0919-task (as
describe-task-definition shows it), the service and the target group.
"""
import json
import os
import sys

import boto3

REGION = "ap-northeast-1"
HERE = os.path.dirname(os.path.abspath(__file__))


def client(name):
    return boto3.client(name, region_name=REGION)


def seed():
    tag = os.environ["IMAGE_TAG"]
    ecr = client("ecr")
    ecr.create_repository(repositoryName="vendor0919-api")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": "sha256:" + "a" * 64},
        "layers": [],
    }
    ecr.put_image(repositoryName="vendor0919-api", imageManifest=json.dumps(manifest), imageTag=tag)

    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    elb = client("elbv2")
    tg = elb.create_target_group(
        Name="vendor0919-tg-new", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip",
        HealthCheckPath="/", Matcher={"HttpCode": "200"},
    )["TargetGroups"][0]["TargetGroupArn"]

    ecs = client("ecs")
    ecs.create_cluster(clusterName="vendor0919-cluster")
    with open(os.path.join(HERE, "aws", "describe-task-definition.json"), encoding="utf-8") as f:
        td = json.load(f)["taskDefinition"]
    for k in ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
              "registeredAt", "registeredBy", "deregisteredAt"):
        td.pop(k, None)
    arn = ecs.register_task_definition(**td)["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(
        cluster="vendor0919-cluster", serviceName="vendor0919-service", taskDefinition=arn,
        desiredCount=1, launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": tg, "containerName": "api", "containerPort": 8080}],
        deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100},
    )


def state():
    ecs = client("ecs")
    arns = ecs.list_task_definitions(familyPrefix="vendor0919-task", sort="ASC")["taskDefinitionArns"]
    tds = [ecs.describe_task_definition(taskDefinition=a)["taskDefinition"] for a in arns]
    svc = ecs.describe_services(cluster="vendor0919-cluster", services=["vendor0919-service"])["services"][0]
    tg = client("elbv2").describe_target_groups(Names=["vendor0919-tg-new"])["TargetGroups"][0]
    json.dump({"taskDefinitions": tds, "service": svc, "targetGroup": tg}, sys.stdout, default=str)


if __name__ == "__main__":
    {"seed": seed, "state": state}[sys.argv[1]]()
