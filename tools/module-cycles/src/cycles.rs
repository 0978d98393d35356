//! Cycles among modules: the strongly connected components of the dependency graph with more
//! than one member (Tarjan's algorithm), each with the edges that close it.

use std::collections::BTreeMap;

use crate::graph::{Edges, Why};
use crate::modules::ModPath;

/// What was found in one crate.
#[derive(Debug)]
pub struct Report {
    /// How many modules (or units) were read.
    pub units: usize,
    /// How many dependencies between them.
    pub dependencies: usize,
    /// Each cycle: its members and the dependencies among them.
    pub cycles: Vec<Cycle>,
}

#[derive(Debug)]
pub struct Cycle {
    pub members: Vec<ModPath>,
    pub edges: Vec<(ModPath, ModPath, Why)>,
}

/// A module path as the report writes it (`services::permits`, the root as `crate`).
pub fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.cycles.is_empty() {
            return write!(
                f,
                "ok ({} modules, {} dependencies, no cycle)",
                self.units, self.dependencies
            );
        }
        write!(
            f,
            "FAILED: {} cycle(s) among {} modules",
            self.cycles.len(),
            self.units
        )?;
        for cycle in &self.cycles {
            let members: Vec<_> = cycle.members.iter().map(|m| name(m)).collect();
            write!(f, "\n  cycle: {}", members.join(", "))?;
            for (a, b, why) in &cycle.edges {
                write!(f, "\n    {} -> {}   ({why})", name(a), name(b))?;
            }
        }
        Ok(())
    }
}

/// The cycles of `edges` among `units` modules.
pub fn find(edges: Edges, units: usize) -> Report {
    let dependencies = edges.values().map(BTreeMap::len).sum();
    let mut tarjan = Tarjan {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: Default::default(),
        next: 0,
        components: Vec::new(),
    };
    let nodes: Vec<ModPath> = edges.keys().cloned().collect();
    for node in nodes {
        if !tarjan.index.contains_key(&node) {
            tarjan.connect(node);
        }
    }
    let cycles = tarjan
        .components
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|mut members| {
            members.sort();
            let mut inside = Vec::new();
            for a in &members {
                for (b, why) in edges.get(a).into_iter().flatten() {
                    if members.contains(b) {
                        inside.push((a.clone(), b.clone(), why.clone()));
                    }
                }
            }
            Cycle {
                members,
                edges: inside,
            }
        })
        .collect();
    Report {
        units,
        dependencies,
        cycles,
    }
}

struct Tarjan<'a> {
    edges: &'a Edges,
    index: BTreeMap<ModPath, usize>,
    low: BTreeMap<ModPath, usize>,
    stack: Vec<ModPath>,
    on_stack: std::collections::BTreeSet<ModPath>,
    next: usize,
    components: Vec<Vec<ModPath>>,
}

impl Tarjan<'_> {
    // Recursive: a crate's module graph is a few hundred nodes deep at most.
    fn connect(&mut self, v: ModPath) {
        self.index.insert(v.clone(), self.next);
        self.low.insert(v.clone(), self.next);
        self.next += 1;
        self.stack.push(v.clone());
        self.on_stack.insert(v.clone());
        let targets: Vec<ModPath> = self
            .edges
            .get(&v)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        for w in targets {
            if !self.index.contains_key(&w) {
                self.connect(w.clone());
                let low = self.low[&v].min(self.low[&w]);
                self.low.insert(v.clone(), low);
            } else if self.on_stack.contains(&w) {
                let low = self.low[&v].min(self.index[&w]);
                self.low.insert(v.clone(), low);
            }
        }
        if self.low[&v] == self.index[&v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack.remove(&w);
                let done = w == v;
                component.push(w);
                if done {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}
