//! The platform's Lambda binary. Every function of `template.yaml` but the event publisher and the
//! two PDF functions runs it (`bootstrap` in its package); `PLATFORM_FUNCTION` says which
//! operation, queue worker or scheduled job it is. One binary instead of one per function: one
//! link instead of fifty (minutes instead of most of an hour), one artifact that every package
//! shares, and the same size per function, since the SDK and the runtime are most of any of them
//! (docs/benchmarks.md, "Lambda binaries"). The PDF operations are `pdf.rs`'s, the stream
//! workers `publisher.rs`'s.

fn main() -> std::process::ExitCode {
    functions::lambda::main()
}
