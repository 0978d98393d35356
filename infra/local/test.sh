#!/usr/bin/env bash
# `make test`: every test. Starts its own DynamoDB Local and SNS emulator on free ports (so it
# runs beside `make run`), then the whole workspace's tests: unit tests beside the code, and the
# end-to-end tests under tests/, which serve the API in-process from template.yaml.
#
# Without arguments it also runs the contract checks (infra/local/contract-checks.sh): cfn-lint
# over template.yaml and Redocly CLI and Spectral over functions/openapi.yaml (before compiling:
# they take seconds), and, once every cargo test has passed,
# schemathesis against `rpctl local up` on the same emulators, checked against GET /openapi.json.
# With arguments they go to `cargo test --workspace` and only those tests run, e.g.
#   bash infra/local/test.sh --test e2e -- sessions::    # one area of the end-to-end tests
# Before the cargo tests it builds the Lambda packages (`make lambdas`), which
# tests/e2e/lambda_binaries.rs starts under a Runtime API: on a full run, or when the arguments
# name `lambda_binaries`.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/local/stack.sh
source infra/local/stack.sh
# shellcheck source=infra/local/contract-checks.sh
source infra/local/contract-checks.sh

contract=0
if (($# == 0)); then contract=1; fi

stack_ensure_deps
# The Lambda packages that tests/e2e/lambda_binaries.rs starts (make lambdas): on a full run, and
# on a run of those tests.
if ((contract)) || [[ " $* " == *lambda_binaries* ]]; then
    bash infra/lambda/build.sh
fi
if ((contract)); then
    contract_lint_template template.yaml
    contract_lint_openapi functions/openapi.yaml
fi
# Compile first, so the emulators are not idling through a long build.
cargo test --workspace --no-run --quiet
# The API contract checks run the rpctl binary itself. `--tests` keeps the dependencies' features
# those of the test build above (shared's dev-dependency proptest adds some), so nothing is
# compiled a second time.
if ((contract)); then cargo build --workspace --tests --quiet --bin rpctl; fi

stack_start_dynamodb "$(stack_free_port)"
stack_start_sns "$(stack_free_port)"
stack_start_sqs "$(stack_free_port)"
export DYNAMODB_ENDPOINT="$STACK_DYNAMODB_URL" SNS_ENDPOINT="$STACK_SNS_URL" SQS_ENDPOINT="$STACK_SQS_URL"
# The venv's python, for the tests that read QR codes back (infra/local/qr_decode.py).
export STACK_PYTHON="$STACK_HOME/venv/bin/python"

if ((contract)); then
    # Every test process records what each function called (tests/e2e/least_privilege.rs).
    ACCESS_RECORD_DIR=$(mktemp -d)
    export ACCESS_RECORD_DIR
    # And every event their consumers received (tests/e2e/event_schemas.rs).
    EVENT_RECORD_DIR=$(mktemp -d)
    export EVENT_RECORD_DIR
fi
cargo test --workspace "$@"

if ((contract)); then
    # With the whole suite's record: each policy grants exactly what its function was seen calling.
    LEAST_PRIVILEGE_EXACT=1 cargo test --workspace --test e2e -- least_privilege::
    rm -rf "$ACCESS_RECORD_DIR"
    # With the whole suite's events: each valid by its schema, every type and view seen.
    EVENT_SCHEMAS_EXACT=1 cargo test --workspace --test e2e -- event_schemas::
    rm -rf "$EVENT_RECORD_DIR"
    contract_api_checks
fi
