# The two commands a newcomer needs (see README.md):
#   make run   — DynamoDB Local + SNS emulator + every function behind the local API on :3000
#   make test  — every test, on a stack of its own (free ports), beside a running `make run`
.PHONY: run test lint bench lambdas template

run:
	@bash infra/local/run.sh

test:
	@bash infra/local/test.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	bash infra/local/module-cycles.sh
	bash infra/local/module-cycles.sh --depth 1 shared infra

bench:
	@bash infra/local/bench.sh $(ARGS)

# The Lambda binary and the packages template.yaml points to (build/lambda/); ARCH=x86_64|arm64.
lambdas:
	@ARCH=$(ARCH) bash infra/lambda/build.sh

# template.yaml's route functions, rewritten from the route table (functions/src/routes.rs).
template:
	@cargo build --workspace --quiet --bin rpctl
	@"$${CARGO_TARGET_DIR:-target}/debug/rpctl" template
