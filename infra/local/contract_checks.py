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

    python contract_checks.py resident-token API_URL SNS_URL
        Registers a fresh residence-registration account (SMS code from the emulator) and logs
        it in the same way. Prints the access token: the operations on one's own houses refuse
        staff tokens.

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


def sms_to(sns: str, phone: str) -> list[str]:
    with urllib.request.urlopen(sns + "/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    return [m.get("message", "") for m in data.get("sns", {}).get("SMS", [])
            if m.get("phone_number") == "+86" + phone]


def sms_code(api: str, sns: str, phone: str, purpose: str) -> str:
    """Asks for a code and reads it from the SNS emulator."""
    before = len(sms_to(sns, phone))
    status, body = call(api, "POST", "/v1/sms-codes", {"phone": phone, "purpose": purpose})
    # Against a long-running `make run` the 60 s resend interval may still be running.
    retry_after = body.get("retry_after") if isinstance(body, dict) else None
    if status == 429 and isinstance(retry_after, int) and retry_after <= 65:
        time.sleep(retry_after + 0.5)
        status, body = call(api, "POST", "/v1/sms-codes", {"phone": phone, "purpose": purpose})
    if status != 202:
        fail(f"POST /v1/sms-codes ({purpose} code) answered {status}: {body}")
    deadline = time.monotonic() + 15
    while len(messages := sms_to(sns, phone)) <= before:
        if time.monotonic() > deadline:
            fail(f"the {purpose} code never reached the SNS emulator")
        time.sleep(0.2)
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", messages[-1])
    if not code:
        fail(f"no 6-digit code in the SMS: {messages[-1]!r}")
    return code.group(1)


def login_token(api: str, sns: str, platform: str, username: str, password: str, phone: str) -> str:
    """Logs in on a new device (answering SMS_CODE_REQUIRED with a code); checks the token."""
    login = {"platform": platform, "username": username, "password": password,
             "device_id": secrets.token_hex(16)}
    status, body = call(api, "POST", "/v1/sessions", login)
    if status == 401 and isinstance(body, dict) and body.get("code") == "SMS_CODE_REQUIRED":
        login.update(phone=phone, sms_code=sms_code(api, sns, phone, "login"))
        status, body = call(api, "POST", "/v1/sessions", login)
    if status != 201 or not isinstance(body, dict) or not body.get("access_token"):
        fail(f"{platform} login answered {status}: {body}")
    token = body["access_token"]
    status, body = call(api, "GET", "/v1/me", token=token)
    if status != 200:
        fail(f"GET /v1/me with the new {platform} token answered {status}: {body}")
    return token


def staff_token(api: str, sns: str) -> int:
    api, sns = api.rstrip("/"), sns.rstrip("/")
    password = os.environ.get("LOCAL_STAFF_PASSWORD") or DEFAULT_STAFF_PASSWORD
    print(login_token(api, sns, "staff", STAFF_USERNAME, password, STAFF_PHONE))
    return 0


def resident_id_number() -> str:
    """A valid random resident ID number (GB 11643 check character)."""
    first17 = "440304199%d%02d%02d%03d" % (secrets.randbelow(10), 1 + secrets.randbelow(12),
                                         1 + secrets.randbelow(28), secrets.randbelow(1000))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


def resident_token(api: str, sns: str) -> int:
    """Registers a fresh residence-registration account and logs it in; prints the token."""
    api, sns = api.rstrip("/"), sns.rstrip("/")
    phone = "13" + "%09d" % secrets.randbelow(10**9)
    username = "contract" + secrets.token_hex(6)
    password = "Contract-Check-" + secrets.token_hex(6)
    account = {
        "account_type": "residence_registration", "username": username, "password": password,
        "real_name": "契约检查", "id_type": "resident_id", "id_number": resident_id_number(),
        "phone": phone, "sms_code": sms_code(api, sns, phone, "register"),
    }
    status, body = call(api, "POST", "/v1/accounts", account)
    if status != 201:
        fail(f"registering the contract-check account answered {status}: {body}")
    print(login_token(api, sns, "residence_registration", username, password, phone))
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "sam-lint":
        return sam_lint(argv[1])
    if len(argv) == 3 and argv[0] == "staff-token":
        return staff_token(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "resident-token":
        return resident_token(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
