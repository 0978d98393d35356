#!/usr/bin/env bash
# `make bench`: a benchmark through the local API on its own emulators. Results: docs/benchmarks.md.
#   make bench                                   the identity benchmark (registration, login, reads)
#   make bench ARGS="identity [accounts] [concurrency]"
#   make bench ARGS="address [houses] [requests] [concurrency]"
#                                                generate and load a data set of buildings and
#                                                houses (default 1,000,000 houses), then time the
#                                                address reads
#   make bench ARGS="receipt [renders] [out.pdf]"   render the sample receipt PDF (default 200
#                                                times) in release, in-process; no emulators
#   make bench ARGS="residents [declarations] [concurrency] [links] [publisher]"
#                                                a rush of move-ins (default 2000 at 8 concurrent
#                                                clients over 50 approved house links), then the
#                                                residents' reads and changes, receipt PDFs and
#                                                receipt checks, with the event publisher
#                                                delivering the rush's events to the consumers'
#                                                queues (publisher 0: without it); built in
#                                                release (the API runs in the benchmark's
#                                                process, so this is its build)
#   make bench ARGS="permits [due permits]"      what an eligibility check, an application and an
#                                                endorsement cost for a person with 10
#                                                registrations and 24 insurance months; then the
#                                                daily reminder run for a day with N due permits
#                                                (default 100,000), twice; release build
#   make bench ARGS="retries [requests]"         what an Idempotency-Key costs a change and a replay,
#                                                and what a refresh costs (default 300 each);
#                                                release build
#   make bench ARGS="signatures [runs]"          what signing and verifying a document costs (SM2/SM3,
#                                                ES256; default 2000 runs each); release build
#   make bench ARGS="cold [starts]"              cold starts of every function's Lambda binary
#                                                (make lambdas first; default 10 starts each)
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/local/stack.sh
source infra/local/stack.sh

if [[ ${1:-} == receipt ]]; then
    shift
    bash infra/fonts/fetch.sh
    cargo build --quiet --release -p receipt-pdf --bin bench-receipt
    exec "${CARGO_TARGET_DIR:-target}/release/bench-receipt" "$@"
fi

if [[ ${1:-} == signatures ]]; then
    shift
    cargo build --quiet --release -p benchmarks --bin bench-signatures
    exec "${CARGO_TARGET_DIR:-target}/release/bench-signatures" "$@"
fi

bench=identity
profile=debug
case ${1:-} in
    identity | address | cold)
        bench=$1
        shift
        ;;
    residents | permits | retries)
        bench=$1
        profile=release
        shift
        ;;
esac

stack_ensure_deps
if [[ $bench == cold ]]; then
    bash infra/lambda/build.sh
fi
if [[ $profile == release ]]; then
    bash infra/fonts/fetch.sh
    cargo build --quiet --release -p benchmarks --bin "bench-$bench"
else
    cargo build --quiet --workspace --bin "bench-$bench"
fi
stack_start_dynamodb "$(stack_free_port)"
if [[ $bench == permits || $bench == residents || $bench == cold ]]; then
    # The reminder run queues one SMS per due permit, and moto as released takes O(N) per
    # SendMessage; the residents' rush and the publisher's cold start put events on moto's bus,
    # and moto as released builds eight JSONPath parsers per event and target (see the script).
    # These benchmarks run a patched moto.
    stack_start_sns "$(stack_free_port)" infra/local/moto_for_benchmarks.py
else
    stack_start_sns "$(stack_free_port)"
fi
export DYNAMODB_ENDPOINT="$STACK_DYNAMODB_URL" SNS_ENDPOINT="$STACK_SNS_URL"
"${CARGO_TARGET_DIR:-target}/$profile/bench-$bench" "$@"
