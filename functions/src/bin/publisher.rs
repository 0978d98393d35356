//! The event publisher's Lambda binary (`PublishEventsFunction`): the stream workers of
//! `functions::STREAM_WORKERS`, named by `PLATFORM_FUNCTION`. Apart from the platform binary so
//! that the HTTP functions carry no EventBridge client or stream-record code, and it no HTTP
//! handler (docs/benchmarks.md, "Lambda binaries").

fn main() -> std::process::ExitCode {
    functions::lambda::publisher_main()
}
