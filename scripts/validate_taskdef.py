#!/usr/bin/env python3
"""Check an ECS task definition against the ECS API model.

    validate_taskdef.py FILE      (or - for stdin)

FILE is what `aws ecs register-task-definition --cli-input-json` takes. It is
checked with botocore's own validator (botocore.validate.ParamValidator)
against the RegisterTaskDefinition input shape of botocore's ECS service
model: unknown keys (a typo), wrong types, missing required members and
values outside an enum's or a number's range are reported, as the AWS CLI
would reject them, but without calling AWS.

Exit status: 0 valid, 1 invalid (the report on stderr), 2 usage or
unreadable JSON, 3 botocore is not installed.
"""
import json
import sys


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        import botocore
        import botocore.session
        from botocore.validate import ParamValidator
    except ImportError as e:
        print(f"validate_taskdef: botocore is not installed ({e})", file=sys.stderr)
        return 3
    src = argv[1]
    try:
        if src == "-":
            data = json.load(sys.stdin)
        else:
            with open(src, encoding="utf-8") as f:
                data = json.load(f)
    except (OSError, ValueError) as e:
        print(f"validate_taskdef: {src}: {e}", file=sys.stderr)
        return 2
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    report = ParamValidator().validate(data, shape)
    if report.has_errors():
        print(
            f"validate_taskdef: {src} is not a valid RegisterTaskDefinition input "
            f"(botocore {botocore.__version__}):\n{report.generate_report()}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
