//! `module-cycles [--depth N] [CRATE…]`: checks each crate's modules for dependency cycles
//! (default: shared, functions, infra). A crate is a folder of the workspace with `src/lib.rs`.
//! Exits 1 if any crate has a cycle, 2 when one cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Fails when a crate's modules depend on each other in a circle")]
struct Args {
    /// Count each module N levels under the crate root as one unit (1 = the top-level modules:
    /// store, services, http…); 0 = every module on its own.
    #[arg(long, default_value_t = 0)]
    depth: usize,
    /// The crates' folders (relative to the current folder).
    crates: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let crates = if args.crates.is_empty() {
        ["shared", "functions", "infra"].map(PathBuf::from).to_vec()
    } else {
        args.crates
    };
    let mut failed = Vec::new();
    for krate in &crates {
        let name = krate.display();
        match module_cycles::check(&krate.join("src/lib.rs"), args.depth) {
            Ok(report) => {
                println!("module-cycles: {name}: {report}");
                if !report.cycles.is_empty() {
                    failed.push(name.to_string());
                }
            }
            Err(error) => {
                eprintln!("module-cycles: {name}: {error}");
                return ExitCode::from(2);
            }
        }
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("module-cycles: dependency cycles in: {}", failed.join(", "));
        ExitCode::FAILURE
    }
}
