#!/usr/bin/env bash
# Module dependency cycles: fails when the modules of a crate's library depend on each other in a
# circle (a -> b -> a). Checks shared, functions and infra by default; name crates to check others:
#   bash infra/local/module-cycles.sh                  # shared, functions, infra
#   bash infra/local/module-cycles.sh shared           # one crate
#   bash infra/local/module-cycles.sh --depth 1 shared # whole top-level subtrees (store, services…)
#
# The checker is the workspace's own `module-cycles` binary (tools/module-cycles: the crate read
# with syn, every path resolved to the module that defines what it names; its crate docs say
# exactly what counts). It replaced cargo-modules, which cost a 15-minute tool build on every
# fresh machine for a graph this check needs only a parser for. The same check runs as a test
# (`the_workspace_has_no_module_cycles`) on every `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Built beside the tests (`--tests`: the same dependency features as `make test`'s build, so
# nothing is compiled again after it).
cargo build --workspace --tests --quiet --bin module-cycles
exec "${CARGO_TARGET_DIR:-target}/debug/module-cycles" "$@"
