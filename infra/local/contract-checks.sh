#!/usr/bin/env bash
# infra/local/contract-checks.sh: the checks `make test` runs besides `cargo test`.
#
#   contract_lint_template   template.yaml through cfn-lint (which validates SAM resources against
#                            its own SAM schemas), then through the SAM transform (aws-sam-translator,
#                            what CloudFormation runs on deploy) with cfn-lint over the result.
#                            Needs only stack_ensure_deps.
#   contract_api_checks      starts `rpctl local up` on a free port against the running emulators,
#                            logs the local staff account in (and registers and logs in a
#                            residence-registration account for the operations on one's own
#                            houses), and runs schemathesis (stateless
#                            checks, settings in schemathesis.toml) against GET /openapi.json; then
#                            stops the API. Needs the emulators (stack_start_dynamodb/_sns) and the
#                            rpctl binary (cargo build --workspace).
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
# Operations on one's own houses: staff tokens are refused there (403), so they run in a pass of
# their own with a residence-registration account's token.
CONTRACT_RESIDENT_OPS=(listMyHouses createHouseLink deregisterHouseLink)

_contract_log() { printf 'contract-checks: %s\n' "$*" >&2; }

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
    _contract_log "template checks passed in $((SECONDS - started)) s"
}

# Probe: GET /openapi.json answers 200.
_CONTRACT_PROBE_API='
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/openapi.json" % sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
'

contract_api_checks() {
    local started=$SECONDS port url log workdir token resident_token rc=0 op
    local rpctl="${CARGO_TARGET_DIR:-target}/debug/rpctl"
    local -a st others=() ending=() resident_ops=()
    if [[ ! -x $rpctl ]]; then
        _contract_log "FAILED: $rpctl not found: run cargo build --workspace first"
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
    # budget so that it checks their answers instead of their 429s.
    DYNAMODB_ENDPOINT="$STACK_DYNAMODB_URL" SNS_ENDPOINT="$STACK_SNS_URL" API_PORT="$port" \
        PUBLIC_READS_PER_MINUTE=1000000 "$rpctl" local up </dev/null >"$log" 2>&1 &
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

    st=("$STACK_HOME/venv/bin/python" "$STACK_HOME/venv/bin/st"
        --config-file "$_CONTRACT_DIR/schemathesis.toml" run "$url/openapi.json"
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
    # The token reaches schemathesis only (schemathesis.toml reads it); its output masks it.
    _contract_log "schemathesis: every operation but those that end the session"
    (cd "$workdir/others" && RP_CONTRACT_TOKEN="$token" "${st[@]}" "${others[@]}") || rc=1
    _contract_log "schemathesis: a residence-registration account's own houses (${CONTRACT_RESIDENT_OPS[*]})"
    mkdir -p "$workdir/resident" || return 1
    (cd "$workdir/resident" && RP_CONTRACT_TOKEN="$resident_token" "${st[@]}" "${resident_ops[@]}") || rc=1
    _contract_log "schemathesis: the operations that end the session (${CONTRACT_SESSION_ENDING_OPS[*]})"
    (cd "$workdir/session-ending" && RP_CONTRACT_TOKEN="$token" "${st[@]}" "${ending[@]}") || rc=1

    _contract_log "stopping the local API"
    _stack_untrack_last
    if ((rc != 0)); then
        _contract_log "FAILED: schemathesis found problems (above, each with a curl command that" \
            "reproduces it against \`make run\`); the API's log: $log"
        return 1
    fi
    _contract_log "API contract checks passed in $((SECONDS - started)) s"
}
