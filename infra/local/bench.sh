#!/usr/bin/env bash
# `make bench`: the identity benchmark (registration, login, authenticated reads) through the
# local API on its own emulators. Arguments: [accounts] [concurrency]. Results: BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/local/stack.sh
source infra/local/stack.sh

stack_ensure_deps
cargo build --quiet --workspace
stack_start_dynamodb "$(stack_free_port)"
stack_start_sns "$(stack_free_port)"
export DYNAMODB_ENDPOINT="$STACK_DYNAMODB_URL" SNS_ENDPOINT="$STACK_SNS_URL"
"${CARGO_TARGET_DIR:-target}/debug/bench-identity" "$@"
