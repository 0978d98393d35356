//! A crate's module tree as written: every module (from `mod` items, inline or in files), what
//! each defines and imports, and every path its production code writes. `#[cfg(test)]` items
//! and modules are left out: tests may depend on anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's path from the crate root (the root is empty).
pub type ModPath = Vec<String>;

/// A path written in a module, as written (`super::permits::get` → `["super", "permits", "get"]`).
#[derive(Debug, Clone)]
pub struct Written {
    pub segments: Vec<String>,
    pub line: usize,
    /// Whether it is an import (`use …`) rather than a path in a signature or body.
    pub import: bool,
}

/// One module.
#[derive(Debug, Default)]
pub struct Module {
    pub path: ModPath,
    /// The file it is written in (relative to where the tree was read from).
    pub file: PathBuf,
    pub children: BTreeSet<String>,
    /// The names of the items it defines (types, functions, constants, traits, macros…).
    pub items: BTreeSet<String>,
    /// Each name a `use` brings in, and the path it names (as written, from this module).
    pub imports: BTreeMap<String, Vec<String>>,
    /// The modules whose every name a `use …::*` brings in, as written.
    pub globs: Vec<Vec<String>>,
    pub written: Vec<Written>,
}

/// Every module of a crate, by path.
#[derive(Debug, Default)]
pub struct Tree {
    pub modules: BTreeMap<ModPath, Module>,
}

/// Why a crate's tree could not be read.
#[derive(Debug)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Tree {
    /// Reads the crate whose root file is `root` (its `lib.rs`), following `mod` items.
    pub fn read(root: &Path) -> Result<Self, ReadError> {
        let mut tree = Tree::default();
        let dir = root.parent().unwrap_or(Path::new(".")).to_path_buf();
        tree.read_file(Vec::new(), root, dir)?;
        Ok(tree)
    }

    fn read_file(&mut self, path: ModPath, file: &Path, dir: PathBuf) -> Result<(), ReadError> {
        let text =
            fs::read_to_string(file).map_err(|e| ReadError(format!("{}: {e}", file.display())))?;
        let parsed =
            syn::parse_file(&text).map_err(|e| ReadError(format!("{}: {e}", file.display())))?;
        self.read_items(path, file, dir, &parsed.items)
    }

    fn read_items(
        &mut self,
        path: ModPath,
        file: &Path,
        dir: PathBuf,
        items: &[syn::Item],
    ) -> Result<(), ReadError> {
        let mut module = Module {
            path: path.clone(),
            file: file.to_path_buf(),
            ..Module::default()
        };
        let mut nested = Vec::new();
        for item in items {
            if is_test_only(item_attrs(item)) {
                continue;
            }
            match item {
                syn::Item::Mod(m) => {
                    let name = m.ident.to_string();
                    module.children.insert(name.clone());
                    nested.push((name, m));
                }
                syn::Item::Use(u) => {
                    let line = u.use_token.span.start().line;
                    let mut flat = Vec::new();
                    flatten_use(&u.tree, Vec::new(), &mut flat);
                    for imported in flat {
                        match imported {
                            Imported::Name(name, segments) => {
                                module.written.push(Written {
                                    segments: segments.clone(),
                                    line,
                                    import: true,
                                });
                                if name != "_" {
                                    module.imports.insert(name, segments);
                                }
                            }
                            Imported::Glob(segments) => {
                                module.written.push(Written {
                                    segments: segments.clone(),
                                    line,
                                    import: true,
                                });
                                module.globs.push(segments);
                            }
                        }
                    }
                }
                other => {
                    if let Some(name) = item_name(other) {
                        module.items.insert(name);
                    }
                    let mut collector = Collector::default();
                    collector.visit_item(other);
                    module.written.extend(collector.written);
                }
            }
        }
        self.modules.insert(path.clone(), module);
        for (name, m) in nested {
            let mut child = path.clone();
            child.push(name.clone());
            let child_dir = dir.join(&name);
            match &m.content {
                Some((_, items)) => self.read_items(child, file, child_dir, items)?,
                None => {
                    let flat = dir.join(format!("{name}.rs"));
                    let nested_mod = child_dir.join("mod.rs");
                    let (found, next_dir) = if flat.is_file() {
                        (flat, child_dir)
                    } else if nested_mod.is_file() {
                        (nested_mod, child_dir)
                    } else {
                        return Err(ReadError(format!(
                            "{}: `mod {name};` has no file ({} or {})",
                            file.display(),
                            flat.display(),
                            nested_mod.display()
                        )));
                    };
                    self.read_file(child, &found, next_dir)?;
                }
            }
        }
        Ok(())
    }

    pub fn module(&self, path: &[String]) -> Option<&Module> {
        self.modules.get(path)
    }
}

/// What one leaf of a `use` tree brings in.
enum Imported {
    /// A name (the last segment, or its rename) and the path it stands for.
    Name(String, Vec<String>),
    Glob(Vec<String>),
}

fn flatten_use(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<Imported>) {
    match tree {
        syn::UseTree::Path(p) => {
            let mut next = prefix;
            next.push(p.ident.to_string());
            flatten_use(&p.tree, next, out);
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    out.push(Imported::Name(last.clone(), prefix.clone()));
                }
            } else {
                let mut path = prefix;
                path.push(name.clone());
                out.push(Imported::Name(name, path));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix;
            let original = r.ident.to_string();
            if original != "self" {
                path.push(original);
            }
            out.push(Imported::Name(r.rename.to_string(), path));
        }
        syn::UseTree::Glob(_) => out.push(Imported::Glob(prefix)),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix.clone(), out);
            }
        }
    }
}

/// Every path written in an item: in signatures, fields, bodies and macro arguments.
#[derive(Default)]
struct Collector {
    written: Vec<Written>,
}

impl Collector {
    fn push(&mut self, segments: Vec<String>, line: usize) {
        if !segments.is_empty() {
            self.written.push(Written {
                segments,
                line,
                import: false,
            });
        }
    }

    /// Paths inside a macro's tokens (`format!`, `json!`, `matches!` …): each run of
    /// identifiers joined by `::`.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let mut run: Vec<String> = Vec::new();
        let mut line = 0;
        let mut colons = 0;
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Ident(ident) => {
                    if run.is_empty() || colons == 2 {
                        if run.is_empty() {
                            line = ident.span().start().line;
                        }
                        run.push(ident.to_string());
                    } else {
                        let done = std::mem::take(&mut run);
                        self.push(done, line);
                        line = ident.span().start().line;
                        run.push(ident.to_string());
                    }
                    colons = 0;
                }
                proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' && !run.is_empty() => {
                    colons += 1;
                }
                proc_macro2::TokenTree::Group(group) => {
                    let done = std::mem::take(&mut run);
                    self.push(done, line);
                    colons = 0;
                    self.tokens(group.stream());
                }
                _ => {
                    let done = std::mem::take(&mut run);
                    self.push(done, line);
                    colons = 0;
                }
            }
        }
        self.push(run, line);
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path
            .segments
            .first()
            .map(|s| s.ident.span().start().line)
            .unwrap_or(0);
        self.push(segments, line);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.tokens(mac.tokens.clone());
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Derives and attributes name macros and options, not the module's dependencies.
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(super)`, `pub(in crate::x)`: who may see an item, not what it uses.
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }
}

/// Whether the attributes make an item exist only in tests (`#[cfg(test)]`).
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Macro(i) => i.ident.as_ref()?,
        syn::Item::Static(i) => &i.ident,
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::TraitAlias(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Union(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}
