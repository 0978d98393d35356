//! Which module depends on which: each path a module writes, resolved to the module that defines
//! what it names (through imports and re-exports, so `use crate::AppContext` counts as a use of
//! `context`, where `AppContext` is defined).

use std::collections::BTreeMap;

use crate::modules::{ModPath, Tree};

/// An edge's first witness: where the source module writes the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Why {
    pub file: String,
    pub line: usize,
    pub path: String,
    pub import: bool,
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.import { "imports" } else { "writes" };
        write!(f, "{}:{} {verb} {}", self.file, self.line, self.path)
    }
}

/// Module (or unit) → module (or unit) it depends on → the first place that shows it.
pub type Edges = BTreeMap<ModPath, BTreeMap<ModPath, Why>>;

/// How deep imports and re-exports are followed before a path is given up as unresolvable.
const MAX_HOPS: usize = 32;

/// The module that defines what `segments` names, written in module `from`; `None` for names
/// from outside the crate (other crates, the prelude, local variables, generics).
pub fn resolve(tree: &Tree, from: &[String], segments: &[String]) -> Option<ModPath> {
    locate(tree, from, segments, 0)
}

fn locate(tree: &Tree, from: &[String], segments: &[String], hops: usize) -> Option<ModPath> {
    if hops > MAX_HOPS {
        return None;
    }
    let (first, rest) = segments.split_first()?;
    match first.as_str() {
        "crate" => walk(tree, Vec::new(), rest, hops),
        "self" => walk(tree, from.to_vec(), rest, hops),
        "super" => {
            let parent = from.split_last().map(|(_, p)| p.to_vec())?;
            walk(tree, parent, rest, hops)
        }
        "Self" => None,
        name => {
            let module = tree.module(from)?;
            if module.children.contains(name) {
                let mut child = from.to_vec();
                child.push(name.to_owned());
                walk(tree, child, rest, hops)
            } else if module.items.contains(name) {
                Some(from.to_vec())
            } else if let Some(target) = module.imports.get(name) {
                let mut full = target.clone();
                full.extend_from_slice(rest);
                locate(tree, from, &full, hops + 1)
            } else {
                module.globs.iter().find_map(|glob| {
                    let origin = locate(tree, from, glob, hops + 1)?;
                    let exported = tree.module(&origin)?;
                    let known = exported.children.contains(name)
                        || exported.items.contains(name)
                        || exported.imports.contains_key(name);
                    known
                        .then(|| walk(tree, origin, segments, hops + 1))
                        .flatten()
                })
            }
        }
    }
}

/// Follows `rest` down from module `at`.
fn walk(tree: &Tree, mut at: ModPath, rest: &[String], hops: usize) -> Option<ModPath> {
    for (i, segment) in rest.iter().enumerate() {
        let module = tree.module(&at)?;
        if segment == "super" {
            at.pop()?;
        } else if segment == "self" {
            continue;
        } else if module.children.contains(segment) {
            at.push(segment.clone());
        } else if module.items.contains(segment) {
            return Some(at);
        } else if let Some(target) = module.imports.get(segment) {
            let mut full = target.clone();
            full.extend_from_slice(&rest[i + 1..]);
            return locate(tree, &at, &full, hops + 1);
        } else {
            // A name brought in by a glob re-export, or an associated item of a type: counted
            // as the module's own.
            return Some(at);
        }
    }
    Some(at)
}

/// The unit a module is counted in: itself at depth 0, else its ancestor `depth` levels under
/// the crate root.
pub fn unit(module: &[String], depth: usize) -> ModPath {
    if depth == 0 {
        module.to_vec()
    } else {
        module[..depth.min(module.len())].to_vec()
    }
}

fn related(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Every dependency between units (see [`unit`]). At depth 0 edges between a module and its
/// parent or children count like any other; at a greater depth a unit's edges to its own
/// ancestors (the crate root) are left out.
pub fn edges(tree: &Tree, depth: usize) -> Edges {
    let mut edges = Edges::new();
    for module in tree.modules.values() {
        for written in &module.written {
            let Some(target) = resolve(tree, &module.path, &written.segments) else {
                continue;
            };
            let (a, b) = (unit(&module.path, depth), unit(&target, depth));
            if a == b || (depth > 0 && related(&a, &b)) {
                continue;
            }
            edges.entry(a).or_default().entry(b).or_insert_with(|| Why {
                file: module.file.display().to_string(),
                line: written.line,
                path: written.segments.join("::"),
                import: written.import,
            });
        }
    }
    edges
}
