#!/usr/bin/env bash
# `make run`: DynamoDB Local + the SNS emulator + every function behind the local API.
# Ports: API_PORT (3000), DYNAMODB_PORT (8000), SNS_PORT (5000). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/local/stack.sh
source infra/local/stack.sh

: "${API_PORT:=3000}" "${DYNAMODB_PORT:=8000}" "${SNS_PORT:=5000}"
if ! _stack_port_is_free "$API_PORT"; then
  echo "run: port $API_PORT is in use; set API_PORT to another port" >&2
  exit 1
fi

stack_ensure_deps
echo "run: building the local API (first time: several minutes)…" >&2
# The whole workspace, so the dependencies are built once for `make run` and `make test` alike.
cargo build --quiet --workspace --bin rpctl
stack_start_dynamodb "$DYNAMODB_PORT"
stack_start_sns "$SNS_PORT"

export DYNAMODB_ENDPOINT="$STACK_DYNAMODB_URL" SNS_ENDPOINT="$STACK_SNS_URL" API_PORT
# Not exec: the stack's traps must stop the emulators when the API stops.
"${CARGO_TARGET_DIR:-target}/debug/rpctl" local up
