#!/usr/bin/env bash
# `make test`: every test. Starts its own DynamoDB Local and SNS emulator on free ports (so it
# runs beside `make run`), then the whole workspace's tests: unit tests beside the code, and the
# end-to-end tests under tests/, which serve the API in-process from template.yaml.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/local/stack.sh
source infra/local/stack.sh

stack_ensure_deps
# Compile first, so the emulators are not idling through a long build.
cargo test --workspace --no-run --quiet

stack_start_dynamodb "$(stack_free_port)"
stack_start_sns "$(stack_free_port)"
export DYNAMODB_ENDPOINT="$STACK_DYNAMODB_URL" SNS_ENDPOINT="$STACK_SNS_URL"

cargo test --workspace "$@"
