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

    RP_STAFF_TOKEN=… RP_RESIDENT_TOKEN=… python contract_checks.py fixtures API_URL SNS_URL
        What the residents routes need to answer more than 404: the resident account links a
        house of the reference data, the staff account approves the link, a fresh
        residence-permit account is registered, logged in and verified by the staff account, and the resident account declares
        three residents under the link (the first one the permit holder). Then the staff account
        opens a unit with one house of the reference data; its administrator logs in (role
        `admin`), replaces the initial password (a `change_password` code, PUT /v1/me/password)
        and adds two sub-accounts with the unit's link. Prints `NAME=value` lines: PERMIT_TOKEN,
        LINK_ID, REGISTRATION_ID (the permit holder's: read, printed, checked),
        CHANGE_REGISTRATION_ID (changed by the checks), END_REGISTRATION_ID (deregistered by the
        checks), RECEIPT_NO and CHECK_CODE (REGISTRATION_ID's receipt), ADMIN_TOKEN (the unit
        administrator's), SUB_ACCOUNT_ID (changed by the checks) and END_SUB_ACCOUNT_ID
        (deactivated by the checks).

Only the standard library, cfn-lint and aws-sam-translator; no network beyond the local URLs.
"""

from __future__ import annotations

import datetime
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
    # SAM writes the value of a parameter an HttpApi's CorsConfiguration names into the API's
    # OpenAPI body at transform time (on deploy, CloudFormation runs the transform with the
    # stack's own values), so that parameter looks unused afterwards.
    inlined = {"CorsAllowedOrigins"}
    matches = [
        m
        for m in lint(json.dumps(transformed, default=str))
        if not (m.rule.id == "W2001" and inlined & {str(p) for p in (getattr(m, "path", None) or [])})
    ]
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


def sms_code(api: str, sns: str, phone: str, purpose: str, token: str | None = None,
             ticket: str | None = None) -> str:
    """Asks for a code (with the caller's token for change_password, the login ticket of the
    SMS_CODE_REQUIRED answer for login) and reads it from the SNS emulator."""
    before = len(sms_to(sns, phone))
    ask = {"phone": phone, "purpose": purpose}
    if ticket:
        ask["login_ticket"] = ticket
    status, body = call(api, "POST", "/v1/sms-codes", ask, token=token)
    # Against a long-running `make run` the 60 s resend interval may still be running.
    retry_after = body.get("retry_after") if isinstance(body, dict) else None
    if status == 429 and isinstance(retry_after, int) and retry_after <= 65:
        time.sleep(retry_after + 0.5)
        status, body = call(api, "POST", "/v1/sms-codes", ask, token=token)
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


def login_token(api: str, sns: str, platform: str, username: str, password: str, phone: str,
                role: str | None = None) -> str:
    """Logs in on a new device (answering SMS_CODE_REQUIRED with a code); checks the token.
    `role`: a unit account's (admin or sub_account)."""
    login = {"platform": platform, "username": username, "password": password,
             "device_id": secrets.token_hex(16)}
    if role:
        login["role"] = role
    status, body = call(api, "POST", "/v1/sessions", login)
    if status == 401 and isinstance(body, dict) and body.get("code") == "SMS_CODE_REQUIRED":
        login.update(phone=phone, sms_code=sms_code(api, sns, phone, "login",
                                                    ticket=body.get("login_ticket")))
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


def random_phone() -> str:
    return "13" + "%09d" % secrets.randbelow(10**9)


def register_and_login(api: str, sns: str, account_type: str, real_name: str,
                       id_number: str) -> str:
    """Registers a fresh individual account of `account_type`; returns its access token."""
    phone = random_phone()
    username = "contract" + secrets.token_hex(6)
    password = "Contract-Check-" + secrets.token_hex(6)
    account = {
        "account_type": account_type, "username": username, "password": password,
        "real_name": real_name, "id_type": "resident_id", "id_number": id_number,
        "phone": phone, "sms_code": sms_code(api, sns, phone, "register"),
    }
    status, body = call(api, "POST", "/v1/accounts", account)
    if status != 201:
        fail(f"registering a {account_type} contract-check account answered {status}: {body}")
    return login_token(api, sns, account_type, username, password, phone)


def resident_token(api: str, sns: str) -> int:
    """Registers a fresh residence-registration account and logs it in; prints the token."""
    api, sns = api.rstrip("/"), sns.rstrip("/")
    print(register_and_login(api, sns, "residence_registration", "契约检查", resident_id_number()))
    return 0


# ------------------------------------------------------------------------------------- fixtures
FIXTURE_STREET = "440303001"  # 桂园街道: the reference data loaded by `rpctl local up`
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code() -> str:
    """A random unified social credit code (GB 32100 check character), of a Shenzhen company."""
    first17 = "91440300" + "".join(secrets.choice(CREDIT_ALPHABET) for _ in range(9))
    total = sum(CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


def random_house(api: str, expect) -> str:
    """A random house of a random building of FIXTURE_STREET."""
    buildings = expect("GET /v1/buildings", call(
        api, "GET", f"/v1/buildings?street={FIXTURE_STREET}&limit=20"), 200)["items"]
    if not buildings:
        fail(f"fixtures: no buildings in street {FIXTURE_STREET}: is the reference data loaded?")
    building = buildings[secrets.randbelow(len(buildings))]["building_id"]
    houses = expect("GET /v1/buildings/{id}/houses", call(
        api, "GET", f"/v1/buildings/{building}/houses?limit=100"), 200)["items"]
    if not houses:
        fail(f"fixtures: building {building} has no houses")
    return houses[secrets.randbelow(len(houses))]["house_id"]


def admin_session(api: str, sns: str, platform: str, username: str, initial: str,
                  phone: str) -> str:
    """A unit administrator's session, the initial password replaced by one of their own (it
    must go before anything but GET /v1/me and the password change)."""
    admin = login_token(api, sns, platform, username, initial, phone, role="admin")
    code = sms_code(api, sns, phone, "change_password", token=admin)
    status, body = call(api, "PUT", "/v1/me/password", {
        "old_password": initial, "new_password": "Contract-Check-" + secrets.token_hex(6),
        "sms_code": code}, token=admin)
    if status != 204:
        fail(f"fixtures: the {platform} administrator's password change answered {status}: {body}")
    return admin


def unit_fixtures(api: str, sns: str, staff: str, expect) -> dict:
    """A unit opened by staff with one house, its administrator logged in with a password of
    their own, and two sub-accounts with the unit's link."""
    admin_phone = random_phone()
    admin_username = "contract" + secrets.token_hex(6)
    initial = "Contract-Initial-" + secrets.token_hex(6)
    unit = expect("POST /v1/staff/units", call(api, "POST", "/v1/staff/units", {
        "name": "深圳市契约检查科技有限公司", "uscc": credit_code(), "contact_name": "契约管理",
        "admin": {"username": admin_username, "phone": admin_phone, "initial_password": initial},
        "houses": [{"house_id": random_house(api, expect), "declarant_type": "employer_or_school"}],
    }, token=staff), 201)
    link = unit["houses"][0]["link_id"]
    if unit["houses"][0].get("status") != "approved":
        fail(f"fixtures: the unit's link is not approved: {unit['houses'][0]}")
    admin = admin_session(api, sns, "residence_registration", admin_username, initial,
                          admin_phone)
    sub_accounts = []
    for name in ("契约子号", "契约停用"):
        # The sub-account's phone is proven by a code its holder reads out to the administrator.
        phone = random_phone()
        code = sms_code(api, sns, phone, "sub_account_phone", token=admin)
        sub_accounts.append(expect("POST /v1/unit/sub-accounts", call(
            api, "POST", "/v1/unit/sub-accounts", {
                "username": "contract" + secrets.token_hex(6), "real_name": name,
                "phone": phone, "password": "Contract-Check-" + secrets.token_hex(6),
                "link_ids": [link], "sms_code": code}, token=admin), 201)["account_id"])
    return {"ADMIN_TOKEN": admin, "SUB_ACCOUNT_ID": sub_accounts[0],
            "END_SUB_ACCOUNT_ID": sub_accounts[1]}


def agent_fixtures(api: str, sns: str, staff: str, expect) -> dict:
    """A unit agent (F25): a unit opened on the residence-permit platform, its administrator
    logged in with a password of their own."""
    admin_phone = random_phone()
    admin_username = "contract" + secrets.token_hex(6)
    initial = "Contract-Initial-" + secrets.token_hex(6)
    expect("POST /v1/staff/units (permit platform)", call(api, "POST", "/v1/staff/units", {
        "platform": "residence_permit", "name": "深圳市契约代办服务有限公司", "uscc": credit_code(),
        "contact_name": "契约代办",
        "admin": {"username": admin_username, "phone": admin_phone, "initial_password": initial},
    }, token=staff), 201)
    return {"AGENT_TOKEN": admin_session(api, sns, "residence_permit", admin_username, initial,
                                         admin_phone)}


def move_in(id_number: str, name: str) -> dict:
    """A valid move-in body for the holder of a resident ID number: birth date and sex agree."""
    birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
    return {
        "name": name, "sex": "1" if int(id_number[16]) % 2 else "2", "ethnicity": "01",
        "birth_date": birth, "id_type": "resident_id", "id_number": id_number,
        "household_address": "广东省梅州市梅江区江南路8号", "marital_status": "20",
        "education": "30", "occupation": "软件工程师", "workplace": "深圳市某科技有限公司",
        "relationship": "租客",
        # Three days ago: within a lessor's 7 days, and not in the future in China either.
        "moved_in_on": (datetime.date.today() - datetime.timedelta(days=3)).isoformat(),
    }


def fixtures(api: str, sns: str) -> int:
    api, sns = api.rstrip("/"), sns.rstrip("/")
    staff = os.environ.get("RP_STAFF_TOKEN") or fail("RP_STAFF_TOKEN is not set")
    resident = os.environ.get("RP_RESIDENT_TOKEN") or fail("RP_RESIDENT_TOKEN is not set")

    def expect(what: str, answer, status: int) -> dict:
        if answer[0] != status or not isinstance(answer[1], dict):
            fail(f"fixtures: {what} answered {answer[0]}: {answer[1]}")
        return answer[1]

    house = random_house(api, expect)
    link = expect("POST /v1/me/houses", call(
        api, "POST", "/v1/me/houses", {"house_id": house, "declarant_type": "lessor"},
        token=resident), 201)["link_id"]
    expect("the staff decision", call(
        api, "POST", f"/v1/staff/house-links/{link}/decision", {"approve": True}, token=staff),
        200)

    holder = resident_id_number()
    permit = register_and_login(api, sns, "residence_permit", "契约住户", holder)
    # Its identity verified at the counter, so that its residence records answer 200.
    permit_id = expect("GET /v1/me (permit)", call(api, "GET", "/v1/me", token=permit),
                       200)["account_id"]
    expect("the staff identity verification", call(
        api, "POST", f"/v1/staff/accounts/{permit_id}/identity-verification", {}, token=staff),
        200)
    registrations = []
    for id_number, name in ((holder, "契约住户"), (resident_id_number(), "契约改动"),
                            (resident_id_number(), "契约搬离")):
        registrations.append(expect("a move-in declaration", call(
            api, "POST", f"/v1/me/houses/{link}/residents", move_in(id_number, name),
            token=resident), 201))
    first = registrations[0]
    values = {
        "PERMIT_TOKEN": permit, "LINK_ID": link,
        "REGISTRATION_ID": first["registration_id"],
        "CHANGE_REGISTRATION_ID": registrations[1]["registration_id"],
        "END_REGISTRATION_ID": registrations[2]["registration_id"],
        "RECEIPT_NO": first["receipt_no"], "CHECK_CODE": first["check_code"],
    }
    values.update(unit_fixtures(api, sns, staff, expect))
    values.update(agent_fixtures(api, sns, staff, expect))
    for name, value in values.items():
        print(f"{name}={value}")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "sam-lint":
        return sam_lint(argv[1])
    if len(argv) == 3 and argv[0] == "staff-token":
        return staff_token(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "resident-token":
        return resident_token(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "fixtures":
        return fixtures(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
