"""Helpers of infra/local/contract-checks.sh (run by `make test`), in the stack's cached venv.

    python contract_checks.py sam-lint TEMPLATE
        Runs the SAM transform (aws-sam-translator, as CloudFormation does on deploy) over TEMPLATE
        and lints the CloudFormation it produces with cfn-lint. cfn-lint >= 1.54 validates a SAM
        template against its own SAM schemas and no longer lints the transformed output, so a
        `!Ref` to a missing resource inside a SAM policy template, or a bad Globals value, passes
        `cfn-lint template.yaml` and only shows here. Exit 0 clean, 1 problems, 2 unreadable.

    python contract_checks.py staff-token API_URL SNS_URL
        Logs the local staff account in on a new device: the first try answers
        SMS_CODE_REQUIRED, so it asks for a `login` code, reads it from the SNS emulator
        (GET SNS_URL/moto-api/data.json) and logs in again with it. Prints the access token.
        The password is $LOCAL_STAFF_PASSWORD or the local default, like `rpctl local up`.

Only the standard library, cfn-lint and aws-sam-translator; no network beyond the local URLs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
import time
import urllib.error
import urllib.request

STAFF_USERNAME = "staff"
STAFF_PHONE = "13900000000"
DEFAULT_STAFF_PASSWORD = "staff-local-pass-2026"


def fail(message: str, status: int = 1) -> None:
    print(f"contract-checks: {message}", file=sys.stderr)
    sys.exit(status)


# ------------------------------------------------------------------------------------- sam-lint
def sam_lint(template_path: str) -> int:
    # The transform needs a region (for ARNs) and must not depend on the caller's AWS profile.
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    os.environ.pop("AWS_PROFILE", None)
    from cfnlint.api import lint
    from cfnlint.decode import decode
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform

    template, problems = decode(template_path)
    if problems or template is None:
        for p in problems or []:
            print(p, file=sys.stderr)
        return 2
    # `sam build` replaces each function's local CodeUri by the uploaded artifact's S3 URI; the
    # transform refuses a local path, so give every function a stand-in S3 URI.
    for name, resource in (template.get("Resources") or {}).items():
        if isinstance(resource, dict) and resource.get("Type") == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["CodeUri"] = f"s3://artifacts/{name}.zip"
    function_globals = (template.get("Globals") or {}).get("Function")
    if isinstance(function_globals, dict):
        function_globals.pop("CodeUri", None)

    class NoManagedPolicyLookup:
        # AWS managed policy names resolve from the map bundled with aws-sam-translator; this
        # loader is only its fallback, which would otherwise call IAM.
        def load(self) -> dict[str, str]:
            return {}

    try:
        transformed = transform(template, {}, NoManagedPolicyLookup())
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(f"{template_path}: SAM transform: {cause.message}", file=sys.stderr)
        return 1
    matches = lint(json.dumps(transformed, default=str))
    for m in matches:
        path = "/".join(str(p) for p in (getattr(m, "path", None) or []))
        where = f" at {path}" if path else ""
        print(f"{template_path} (after the SAM transform): {m.rule.id} {m.message}{where}", file=sys.stderr)
    return 1 if matches else 0


# ---------------------------------------------------------------------------------- staff-token
def call(api: str, method: str, path: str, body: object = None, token: str | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(api + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def staff_sms(sns: str) -> list[str]:
    with urllib.request.urlopen(sns + "/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    return [m.get("message", "") for m in data.get("sns", {}).get("SMS", [])
            if m.get("phone_number") == "+86" + STAFF_PHONE]


def staff_token(api: str, sns: str) -> int:
    api, sns = api.rstrip("/"), sns.rstrip("/")
    login = {
        "platform": "staff",
        "username": STAFF_USERNAME,
        "password": os.environ.get("LOCAL_STAFF_PASSWORD") or DEFAULT_STAFF_PASSWORD,
        "device_id": secrets.token_hex(16),
    }
    status, body = call(api, "POST", "/v1/sessions", login)
    if status == 401 and isinstance(body, dict) and body.get("code") == "SMS_CODE_REQUIRED":
        before = len(staff_sms(sns))
        status, body = call(api, "POST", "/v1/sms-codes", {"phone": STAFF_PHONE, "purpose": "login"})
        # Against a long-running `make run` the 60 s resend interval may still be running.
        retry_after = body.get("retry_after") if isinstance(body, dict) else None
        if status == 429 and isinstance(retry_after, int) and retry_after <= 65:
            time.sleep(retry_after + 0.5)
            status, body = call(api, "POST", "/v1/sms-codes", {"phone": STAFF_PHONE, "purpose": "login"})
        if status != 202:
            fail(f"POST /v1/sms-codes (login code for the staff phone) answered {status}: {body}")
        deadline = time.monotonic() + 15
        while len(messages := staff_sms(sns)) <= before:
            if time.monotonic() > deadline:
                fail("the login code for the staff phone never reached the SNS emulator")
            time.sleep(0.2)
        code = re.search(r"(?<!\d)(\d{6})(?!\d)", messages[-1])
        if not code:
            fail(f"no 6-digit code in the SMS: {messages[-1]!r}")
        login.update(phone=STAFF_PHONE, sms_code=code.group(1))
        status, body = call(api, "POST", "/v1/sessions", login)
    if status != 201 or not isinstance(body, dict) or not body.get("access_token"):
        fail(f"staff login answered {status}: {body}")
    token = body["access_token"]
    status, body = call(api, "GET", "/v1/me", token=token)
    if status != 200:
        fail(f"GET /v1/me with the new staff token answered {status}: {body}")
    print(token)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "sam-lint":
        return sam_lint(argv[1])
    if len(argv) == 3 and argv[0] == "staff-token":
        return staff_token(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
