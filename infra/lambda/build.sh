#!/usr/bin/env bash
# `make lambdas`: the platform's three Lambda binaries (functions/src/bin/platform.rs for every
# function but the three below, functions/src/bin/pdf.rs for the two that render PDFs,
# functions/src/bin/publisher.rs for the event publisher), built in one cargo build with
# cargo-lambda (Zig links them against Amazon Linux 2023's glibc), then laid out as the three
# packages template.yaml points to:
#
#   build/lambda/platform/bootstrap                     every function but the three below
#   build/lambda/platform-pdf/bootstrap                 the receipt and permit-card functions:
#   build/lambda/platform-pdf/fonts/wqy-microhei.ttc    the PDF binary, and the font it renders with
#   build/lambda/publisher/bootstrap                    the event publisher (publish-events)
#
# `sam build` then copies a package into each function's directory (the package's Makefile: no
# compiling of its own).
#   make lambdas                     x86_64 (what this machine can build)
#   make lambdas ARCH=arm64          the template's default architecture (needs the aarch64 std)
# Profile `lambda` (Cargo.toml): what each setting does to size and start-up is in
# docs/decisions/0001-one-function-per-operation-three-binaries.md (today's numbers:
# docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=infra/local/stack.sh
source infra/local/stack.sh

arch=${ARCH:-x86_64}
case $arch in
    x86_64) flag=--x86-64 ;;
    arm64) flag=--arm64 ;;
    *)
        echo "lambdas: ARCH must be x86_64 or arm64, not $arch" >&2
        exit 2
        ;;
esac

stack_ensure_deps
export PATH="$STACK_HOME/venv/bin:$PATH"
# AWS-LC gathers CPU-jitter entropy at start-up unless built without it (tens of ms per cold
# start); the kernel's getrandom is the entropy source in Lambda.
export AWS_LC_SYS_NO_JITTER_ENTROPY=1
started=$SECONDS
cargo lambda build --quiet --profile lambda "$flag" -p functions --bin platform --bin pdf --bin publisher
target=${CARGO_TARGET_DIR:-target}
built="$target/lambda/platform/bootstrap"
pdf="$target/lambda/pdf/bootstrap"
publisher="$target/lambda/publisher/bootstrap"
for binary in "$built" "$pdf" "$publisher"; do
    [[ -x $binary ]] || { echo "lambdas: cargo lambda left no $binary" >&2; exit 1; }
done

out=build/lambda
rm -rf "$out.tmp"
mkdir -p "$out.tmp/platform" "$out.tmp/platform-pdf/fonts" "$out.tmp/publisher"
cp "$built" "$out.tmp/platform/bootstrap"
cp "$pdf" "$out.tmp/platform-pdf/bootstrap"
cp "$publisher" "$out.tmp/publisher/bootstrap"
cp assets/fonts/wqy-microhei.ttc assets/fonts/LICENSE-wqy-microhei "$out.tmp/platform-pdf/fonts/"
# What `sam build` runs in a package (its makefile builder, `make build-<LogicalId>`): the
# package's files into the function's artifact directory, nothing compiled.
for package in platform platform-pdf publisher; do
    files=bootstrap
    [[ $package == platform-pdf ]] && files="bootstrap fonts"
    printf '# Written by make lambdas (infra/lambda/build.sh) for sam build.\nbuild-%%:\n\tcp -R %s "$(ARTIFACTS_DIR)/"\n' \
        "$files" >"$out.tmp/$package/Makefile"
done
rm -rf "$out"
mv "$out.tmp" "$out"
printf 'lambdas: %s built in %d s: bootstrap bytes: platform %s, pdf %s, publisher %s (%s)\n' \
    "$arch" $((SECONDS - started)) "$(stat -c %s "$out/platform/bootstrap")" \
    "$(stat -c %s "$out/platform-pdf/bootstrap")" "$(stat -c %s "$out/publisher/bootstrap")" "$out/"
