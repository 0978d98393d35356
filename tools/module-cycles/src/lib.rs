//! Module dependency cycles: whether the modules of a crate depend on each other in a circle
//! (a → b → a). `make lint` runs it over `shared`, `functions` and `infra`, and a test below
//! holds the same over the workspace on every `make test`.
//!
//! The crate is read with `syn` as written: the module tree from its `mod` items, each module's
//! imports, and every path in its production code (signatures, fields, bodies, macro
//! arguments). A path is resolved to the module that defines what it names, through imports
//! and re-exports, so `use crate::AppContext` counts as a use of `context`. Paths from other
//! crates, the prelude and local names are left out, and so are `#[cfg(test)]` items: test
//! modules may depend on anything. Method calls (`x.method()`) name no module and are not seen.

pub mod cycles;
pub mod graph;
pub mod modules;

use std::path::Path;

pub use cycles::Report;

/// Reads the crate rooted at `root` (its `lib.rs`) and finds the cycles among its modules (or
/// among the units `depth` levels under its root, see [`graph::unit`]).
pub fn check(root: &Path, depth: usize) -> Result<Report, modules::ReadError> {
    let tree = modules::Tree::read(root)?;
    let edges = graph::edges(&tree, depth);
    let units = tree
        .modules
        .keys()
        .map(|m| graph::unit(m, depth))
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    Ok(cycles::find(edges, units))
}

#[cfg(test)]
mod tests;
