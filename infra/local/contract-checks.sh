#!/usr/bin/env bash
# infra/local/contract-checks.sh: the checks `make test` runs besides `cargo test`.
#
#   contract_lint_template   template.yaml through cfn-lint (which validates SAM resources against
#                            its own SAM schemas), then through the SAM transform (aws-sam-translator,
#                            what CloudFormation runs on deploy) with cfn-lint over the result.
#                            Needs only stack_ensure_deps.
#   contract_lint_openapi    functions/openapi.yaml through Redocly CLI (`recommended` rules, see
#                            redocly.yaml) and Spectral (`spectral:oas`, see .spectral.yaml), both
#                            from stack_ensure_deps' node_modules (package-lock.json); fails on any
#                            error of either (warnings are printed). Needs only stack_ensure_deps.
#   contract_api_checks      starts `rpctl local up` on a free port against the running emulators,
#                            logs the local staff account in (and registers and logs in a
#                            residence-registration account for the operations on one's own
#                            houses and registrations, a residence-permit account for one's
#                            own residence records, a unit administrator for the unit's
#                            sub-accounts, and a permit-platform unit administrator for the
#                            unit-agent routes), sets up fixtures (an approved house link with three
#                            residents; a unit with two sub-accounts; contract_checks.py
#                            fixtures) whose ids the residents, receipts and sub-account
#                            operations get as fixed path and query parameters, and runs
#                            schemathesis (stateless checks, settings in
#                            schemathesis.toml plus those fixed parameters) against
#                            GET /openapi.json; then stops the API. Needs the emulators
#                            (stack_start_dynamodb/_sns) and the rpctl binary (cargo build --workspace --bin rpctl).
#
# A library: source it after infra/local/stack.sh (test.sh does), from the repository root. Each
# function prints what failed and returns non-zero on any problem. The API is started, awaited and
# tracked like the emulators (stack.sh's own _stack_track, _stack_wait_ready, _stack_untrack_last),
# so the stack's EXIT/INT/TERM traps stop it too when a check fails or on Ctrl-C. Its log and
# schemathesis' scratch directories land in $STACK_RUN_DIR.
# Knobs: CONTRACT_SEED overrides the schemathesis seed (explore with other values; a failure prints
# the seed to reproduce it), CONTRACT_MAX_EXAMPLES the examples per operation and phase.

_CONTRACT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Operations that end the staff session the other operations are tested with: they run last, in a
# schemathesis run of their own (by operationId).
CONTRACT_SESSION_ENDING_OPS=(deleteSession)
# Operations on one's own houses and registrations: staff tokens are refused there (403) or see
# another side of them, so they run in passes of their own with a residence-registration
# account's token: first the registrations (on the fixtures' link), then the houses
# (schemathesis reuses link ids it has seen in answers, so deregisterHouseLink may well
# deregister the fixtures' link and move its residents out). (The staff residents routes,
# listLinkResidents and declareResidentAtCounter, and the public checkReceipt run in the main
# pass, with the staff token.)
CONTRACT_REGISTRATION_OPS=(listResidents declareResident getRegistration updateRegistration
    deregisterRegistration getRegistrationReceipt)
CONTRACT_RESIDENT_OPS=(listMyHouses createHouseLink deregisterHouseLink)
# Operations of residence-permit accounts only (and a citizen's own identity verification): a pass
# with such an account's token (verified at the counter by the fixtures).
CONTRACT_PERMIT_OPS=(listResidenceRecords verifyIdentity getPermitEligibility createPermitApplication
    listPermitApplications getPermitApplication withdrawPermitApplication getMyPermit getPermitCard
    endorsePermit consentPermitApplication)
# Operations of unit administrators only: a pass with the fixtures' administrator's token (who has
# replaced the initial password), on the fixtures' sub-accounts (one changed, one deactivated by
# the checks). The pass also runs CONTRACT_UNIT_SHARED_OPS, which the staff pass runs too, for
# what a unit administrator sees of them (an account with its unit; the unit's approved links).
CONTRACT_UNIT_OPS=(listSubAccounts createSubAccount updateSubAccount deactivateSubAccount)
CONTRACT_UNIT_SHARED_OPS=(getMe listMyHouses)
# Operations of unit agents (F25) only: a pass with the fixtures' permit-platform unit
# administrator's token.
CONTRACT_AGENT_OPS=(createUnitPermitApplication listUnitPermitApplications endorseUnitPermit)

_contract_log() { printf 'contract-checks: %s\n' "$*" >&2; }

# _contract_fixed OPERATION_ID KEY VALUE [KEY VALUE …]: a schemathesis.toml block that fixes
# parameters (`path.link_id`, `query.check_code`) of one operation to a fixture's value, so that
# it reaches real objects instead of answering 404 to every generated id.
_contract_fixed() {
    local op=$1 sep="" pairs=""
    shift
    while (($# >= 2)); do
        pairs+="$sep\"$1\" = \"$2\""
        sep=", "
        shift 2
    done
    printf '\n[[operations]]\ninclude-operation-id = "%s"\nparameters = { %s }\n' "$op" "$pairs"
}

# The cached venv's console scripts have a shebang naming the temp install dir (see stack.sh):
# run them through the venv's python.
_contract_venv_tool() {
    local tool=$1
    shift
    "$STACK_HOME/venv/bin/python" "$STACK_HOME/venv/bin/$tool" "$@"
}

contract_lint_template() {
    local template=${1:-template.yaml} started=$SECONDS
    _contract_log "cfn-lint $template"
    if ! _contract_venv_tool cfn-lint -- "$template"; then
        _contract_log "FAILED: cfn-lint found problems in $template (above)"
        return 1
    fi
    _contract_log "SAM transform of $template + cfn-lint of the result"
    if ! "$STACK_HOME/venv/bin/python" "$_CONTRACT_DIR/contract_checks.py" sam-lint "$template"; then
        _contract_log "FAILED: $template does not survive the SAM transform cleanly (above)"
        return 1
    fi
    # SAM CLI's own checks (no credentials needed; a region is): the transform as `sam deploy`
    # runs it, then its lint. No telemetry.
    _contract_log "sam validate $template (and --lint)"
    if ! SAM_CLI_TELEMETRY=0 _contract_venv_tool sam validate --region ap-southeast-1 --template-file "$template" ||
        ! SAM_CLI_TELEMETRY=0 _contract_venv_tool sam validate --lint --region ap-southeast-1 --template-file "$template"; then
        _contract_log "FAILED: sam validate found problems in $template (above)"
        return 1
    fi
    _contract_log "template checks passed in $((SECONDS - started)) s"
}

contract_lint_openapi() {
    local document=${1:-functions/openapi.yaml} started=$SECONDS rc=0 tool
    local bin="$STACK_HOME/node_modules/.bin"
    for tool in redocly spectral; do
        if [[ ! -x $bin/$tool ]]; then
            _contract_log "FAILED: $bin/$tool not found (stack_ensure_deps installs it from infra/local/package-lock.json)"
            return 1
        fi
    done
    _contract_log "Redocly CLI lint $document (infra/local/redocly.yaml)"
    # No usage telemetry, and no update check (a registry request on every run).
    if ! REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
        "$bin/redocly" lint --config "$_CONTRACT_DIR/redocly.yaml" "$document"; then
        _contract_log "FAILED: Redocly CLI found errors in $document (above)"
        rc=1
    fi
    _contract_log "Spectral lint $document (infra/local/.spectral.yaml)"
    if ! "$bin/spectral" lint --ruleset "$_CONTRACT_DIR/.spectral.yaml" --fail-severity error \
        "$document"; then
        _contract_log "FAILED: Spectral found errors in $document (above)"
        rc=1
    fi
    ((rc == 0)) || return 1
    _contract_log "OpenAPI checks passed in $((SECONDS - started)) s"
}

# Probe: GET /openapi.json answers 200.
_CONTRACT_PROBE_API='
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/openapi.json" % sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
'

# _contract_app_flow URL: generates the TypeScript client of the document the API at URL serves
# (openapi-typescript, for openapi-fetch), type-checks tests/typescript/app-flow.ts against it with
# tsc --strict, and runs it: an app's journeys (register, log in with the ticket, refresh, search,
# link, approval, a move-in whose answer is lost and retried with its Idempotency-Key, receipt,
# public check; a permit from verification to card and check; a forgotten password). A change of
# the server that its document does not follow fails here.
_contract_app_flow() {
    local url=$1 rpctl=$2 dir="$STACK_RUN_DIR/app-flow" bin="$STACK_HOME/node_modules/.bin"
    local person id_number photo
    local source="$_CONTRACT_DIR/../../tests/typescript"
    mkdir -p "$dir" || return 1
    cp "$source/app-flow.ts" "$source/tsconfig.json" "$source/package.json" "$dir/" || return 1
    ln -sfn "$STACK_HOME/node_modules" "$dir/node_modules" || return 1
    "$STACK_HOME/venv/bin/python" -c \
        'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' \
        "$url/openapi.json" >"$dir/openapi.json" || { _contract_log "cannot read $url/openapi.json"; return 1; }
    if ! "$bin/openapi-typescript" "$dir/openapi.json" -o "$dir/api.d.ts" >"$dir/generate.log" 2>&1; then
        cat "$dir/generate.log" >&2
        return 1
    fi
    (cd "$dir" && "$bin/tsc" -p tsconfig.json) || return 1
    # The permit holder of the flow had an ID photo taken at a studio (the local stand-in of the
    # photo-receipt service): a person of their own, and the photo's 图像号.
    person=$("$rpctl" identity generate --count 1 --seed "$((RANDOM * 32768 + RANDOM))" | tail -n 1) || return 1
    id_number=$(cut -d, -f3 <<<"$person")
    photo=$("$rpctl" identity photo --id-number "$id_number") || return 1
    (cd "$dir" && LOCAL_STAFF_PASSWORD="${LOCAL_STAFF_PASSWORD:-}" \
        node out/app-flow.js "$url" "$STACK_SNS_URL" "$id_number" "$photo")
}

contract_api_checks() {
    local started=$SECONDS port url log workdir token resident_token fixture_lines name value
    local config rc=0 op
    local rpctl="${CARGO_TARGET_DIR:-target}/debug/rpctl"
    local -a st others=() ending=() resident_ops=() registration_ops=() permit_ops=() unit_ops=() agent_ops=()
    local -A fixture=()
    if [[ ! -x $rpctl ]]; then
        _contract_log "FAILED: $rpctl not found: run cargo build --workspace --bin rpctl first"
        return 1
    fi
    port=$(stack_free_port)
    url="http://127.0.0.1:$port"
    log="$STACK_RUN_DIR/contract-api.log"
    # Scratch directories: schemathesis and Hypothesis keep caches in the current directory.
    workdir="$STACK_RUN_DIR/schemathesis"
    mkdir -p "$workdir/others" "$workdir/session-ending" || return 1

    _contract_log "starting the local API on $url (log: $log)"
    # schemathesis sends thousands of requests from one address: lift the public routes' per-client
    # budgets (address reads, receipt checks) so that it checks their answers instead of their 429s.
    DYNAMODB_ENDPOINT="$STACK_DYNAMODB_URL" SNS_ENDPOINT="$STACK_SNS_URL" \
        SQS_ENDPOINT="${STACK_SQS_URL:-$STACK_SNS_URL}" API_PORT="$port" \
        PUBLIC_READS_PER_MINUTE=1000000 PUBLIC_READS_PER_MINUTE_PER_ADDRESS=1000000 RECEIPT_CHECKS_PER_MINUTE=1000000 \
        "$rpctl" local up </dev/null >"$log" 2>&1 &
    _stack_track contract-api $!
    if ! _stack_wait_ready "the local API (rpctl local up)" "$!" "$log" "$_CONTRACT_PROBE_API" "$port"; then
        _stack_untrack_last
        return 1
    fi

    if ! token=$("$STACK_HOME/venv/bin/python" "$_CONTRACT_DIR/contract_checks.py" staff-token \
        "$url" "$STACK_SNS_URL"); then
        _contract_log "FAILED: could not log the local staff account in"
        _stack_untrack_last
        return 1
    fi

    if ! resident_token=$("$STACK_HOME/venv/bin/python" "$_CONTRACT_DIR/contract_checks.py" \
        resident-token "$url" "$STACK_SNS_URL"); then
        _contract_log "FAILED: could not register and log in a residence-registration account"
        _stack_untrack_last
        return 1
    fi

    # The permit account's and the unit administrator's tokens come with the fixtures (printed as
    # NAME=value lines; kept out of the log).
    if ! fixture_lines=$(RP_STAFF_TOKEN="$token" RP_RESIDENT_TOKEN="$resident_token" \
        "$STACK_HOME/venv/bin/python" "$_CONTRACT_DIR/contract_checks.py" fixtures \
        "$url" "$STACK_SNS_URL"); then
        _contract_log "FAILED: could not set up the fixtures (approved link, residents, permit account, unit and sub-accounts)"
        _stack_untrack_last
        return 1
    fi
    while IFS='=' read -r name value; do
        [[ -n $name ]] && fixture[$name]=$value
    done <<<"$fixture_lines"
    for name in PERMIT_TOKEN LINK_ID REGISTRATION_ID CHANGE_REGISTRATION_ID END_REGISTRATION_ID \
        RECEIPT_NO CHECK_CODE ADMIN_TOKEN SUB_ACCOUNT_ID END_SUB_ACCOUNT_ID AGENT_TOKEN; do
        if [[ -z ${fixture[$name]:-} ]]; then
            _contract_log "FAILED: the fixtures did not name $name"
            _stack_untrack_last
            return 1
        fi
    done
    # schemathesis.toml with the fixtures' ids as fixed parameters of the operations that take them
    # (each pass reads the whole file; a block only acts on its operation).
    config="$workdir/schemathesis.toml"
    {
        cat "$_CONTRACT_DIR/schemathesis.toml"
        printf '\n# Added by contract-checks.sh for this run: the ids of contract_checks.py fixtures.\n'
        for op in listResidents declareResident listLinkResidents declareResidentAtCounter; do
            _contract_fixed "$op" path.link_id "${fixture[LINK_ID]}"
        done
        for op in getRegistration getRegistrationReceipt; do
            _contract_fixed "$op" path.registration_id "${fixture[REGISTRATION_ID]}"
        done
        _contract_fixed updateRegistration path.registration_id "${fixture[CHANGE_REGISTRATION_ID]}"
        _contract_fixed deregisterRegistration path.registration_id "${fixture[END_REGISTRATION_ID]}"
        _contract_fixed checkReceipt path.receipt_no "${fixture[RECEIPT_NO]}" \
            query.check_code "${fixture[CHECK_CODE]}"
        _contract_fixed updateSubAccount path.account_id "${fixture[SUB_ACCOUNT_ID]}"
        _contract_fixed deactivateSubAccount path.account_id "${fixture[END_SUB_ACCOUNT_ID]}"
    } >"$config" || { _stack_untrack_last; return 1; }

    st=("$STACK_HOME/venv/bin/python" "$STACK_HOME/venv/bin/st"
        --config-file "$config" run "$url/openapi.json"
        --url "$url")
    [[ -n ${CONTRACT_SEED:-} ]] && st+=(--seed "$CONTRACT_SEED")
    [[ -n ${CONTRACT_MAX_EXAMPLES:-} ]] && st+=(--max-examples "$CONTRACT_MAX_EXAMPLES")
    for op in "${CONTRACT_SESSION_ENDING_OPS[@]}"; do
        others+=(--exclude-operation-id "$op")
        ending+=(--include-operation-id "$op")
    done
    for op in "${CONTRACT_RESIDENT_OPS[@]}"; do
        others+=(--exclude-operation-id "$op")
        resident_ops+=(--include-operation-id "$op")
    done
    for op in "${CONTRACT_REGISTRATION_OPS[@]}"; do
        others+=(--exclude-operation-id "$op")
        registration_ops+=(--include-operation-id "$op")
    done
    for op in "${CONTRACT_PERMIT_OPS[@]}"; do
        others+=(--exclude-operation-id "$op")
        permit_ops+=(--include-operation-id "$op")
    done
    for op in "${CONTRACT_UNIT_OPS[@]}"; do
        others+=(--exclude-operation-id "$op")
        unit_ops+=(--include-operation-id "$op")
    done
    for op in "${CONTRACT_UNIT_SHARED_OPS[@]}"; do
        unit_ops+=(--include-operation-id "$op")
    done
    for op in "${CONTRACT_AGENT_OPS[@]}"; do
        others+=(--exclude-operation-id "$op")
        agent_ops+=(--include-operation-id "$op")
    done
    # The token reaches schemathesis only (schemathesis.toml reads it); its output masks it.
    _contract_log "schemathesis: every other operation, with the staff token"
    (cd "$workdir/others" && RP_CONTRACT_TOKEN="$token" "${st[@]}" "${others[@]}") || rc=1
    _contract_log "schemathesis: a residence-registration account's own registrations (${CONTRACT_REGISTRATION_OPS[*]})"
    mkdir -p "$workdir/registrations" || return 1
    (cd "$workdir/registrations" && RP_CONTRACT_TOKEN="$resident_token" "${st[@]}" "${registration_ops[@]}") || rc=1
    _contract_log "schemathesis: a residence-permit account's own records (${CONTRACT_PERMIT_OPS[*]})"
    mkdir -p "$workdir/permit" || return 1
    (cd "$workdir/permit" && RP_CONTRACT_TOKEN="${fixture[PERMIT_TOKEN]}" "${st[@]}" "${permit_ops[@]}") || rc=1
    _contract_log "schemathesis: a residence-registration account's own houses (${CONTRACT_RESIDENT_OPS[*]})"
    mkdir -p "$workdir/resident" || return 1
    (cd "$workdir/resident" && RP_CONTRACT_TOKEN="$resident_token" "${st[@]}" "${resident_ops[@]}") || rc=1
    _contract_log "schemathesis: a unit administrator's sub-accounts (${CONTRACT_UNIT_OPS[*]}; ${CONTRACT_UNIT_SHARED_OPS[*]})"
    mkdir -p "$workdir/unit" || return 1
    (cd "$workdir/unit" && RP_CONTRACT_TOKEN="${fixture[ADMIN_TOKEN]}" "${st[@]}" "${unit_ops[@]}") || rc=1
    _contract_log "schemathesis: a unit agent's permit filings (${CONTRACT_AGENT_OPS[*]})"
    mkdir -p "$workdir/agent" || return 1
    (cd "$workdir/agent" && RP_CONTRACT_TOKEN="${fixture[AGENT_TOKEN]}" "${st[@]}" "${agent_ops[@]}") || rc=1
    _contract_log "schemathesis: the operations that end the session (${CONTRACT_SESSION_ENDING_OPS[*]})"
    (cd "$workdir/session-ending" && RP_CONTRACT_TOKEN="$token" "${st[@]}" "${ending[@]}") || rc=1

    # Last, as it logs the staff account in anew (one session per account).
    _contract_log "the TypeScript app flow: a client generated from $url/openapi.json, tsc --strict, run"
    _contract_app_flow "$url" "$rpctl" || rc=2

    _contract_log "stopping the local API"
    _stack_untrack_last
    if ((rc == 2)); then
        _contract_log "FAILED: the TypeScript app flow (above); its files: $STACK_RUN_DIR/app-flow;" \
            "the API's log: $log"
        return 1
    elif ((rc != 0)); then
        _contract_log "FAILED: schemathesis found problems (above, each with a curl command that" \
            "reproduces it against \`make run\`); the API's log: $log"
        return 1
    fi
    _contract_log "API contract checks passed in $((SECONDS - started)) s"
}
