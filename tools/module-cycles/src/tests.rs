use std::path::{Path, PathBuf};

use super::*;

/// A crate written into a fresh folder: `(path under src/, text)`.
fn fixture(files: &[(&str, &str)]) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("module-cycles-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let file = dir.join("src").join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    dir
}

fn cycles_of(files: &[(&str, &str)], depth: usize) -> Vec<Vec<String>> {
    let dir = fixture(files);
    let report = check(&dir.join("src/lib.rs"), depth).expect("the fixture reads");
    let _ = std::fs::remove_dir_all(&dir);
    report
        .cycles
        .iter()
        .map(|c| c.members.iter().map(|m| cycles::name(m)).collect())
        .collect()
}

#[test]
fn a_call_written_in_a_body_closes_a_cycle_with_an_import() {
    let found = cycles_of(
        &[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            (
                "a.rs",
                "pub fn f() -> u8 { super::b::g() }\npub fn h() {}\n",
            ),
            ("b.rs", "use crate::a::h;\npub fn g() -> u8 { h(); 1 }\n"),
        ],
        0,
    );
    assert_eq!(found, vec![vec!["a".to_owned(), "b".to_owned()]]);
}

#[test]
fn a_layered_crate_has_no_cycle() {
    let found = cycles_of(
        &[
            ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\n"),
            (
                "a.rs",
                "use crate::b::B;\npub fn f(_: B) { crate::c::g() }\n",
            ),
            ("b.rs", "pub struct B(pub crate::c::C);\n"),
            ("c.rs", "pub struct C;\npub fn g() {}\n"),
        ],
        0,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_re_export_counts_as_the_module_that_defines_the_item() {
    // store uses `crate::Ctx`, defined in context and re-exported by the root; context uses
    // store: a cycle between the two, not with the root.
    let files = |open_in: &str| {
        vec![
            (
                "lib.rs".to_owned(),
                "pub mod context;\npub mod store;\npub use context::Ctx;\n".to_owned(),
            ),
            (
                "context.rs".to_owned(),
                "pub struct Ctx;\nimpl Ctx { pub fn new() -> Self { crate::store::open(); Ctx } }\n"
                    .to_owned(),
            ),
            (
                "store/mod.rs".to_owned(),
                format!("mod tables;\n{open_in}\npub fn read(_: &crate::Ctx) {{}}\n"),
            ),
            ("store/tables.rs".to_owned(), "pub fn open() {}\n".to_owned()),
        ]
    };
    let run = |open_in: &str| {
        let owned = files(open_in);
        let borrowed: Vec<(&str, &str)> = owned
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        cycles_of(&borrowed, 0)
    };
    assert_eq!(
        run("pub fn open() {}"),
        vec![vec!["context".to_owned(), "store".to_owned()]]
    );
    // Re-exported from store::tables, `open` is tables' own: context depends on store::tables,
    // which depends on nothing, so no cycle.
    assert!(run("pub use tables::open;").is_empty());
}

#[test]
fn test_only_code_may_depend_on_anything() {
    let found = cycles_of(
        &[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "pub fn f() { crate::b::g() }\n"),
            (
                "b.rs",
                "pub fn g() {}\n#[cfg(test)]\nfn check() { crate::a::f() }\n#[cfg(test)]\nmod tests { use crate::a::*; }\n",
            ),
        ],
        0,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn visibility_is_not_a_dependency() {
    let found = cycles_of(
        &[
            ("lib.rs", "pub mod a;\n"),
            ("a/mod.rs", "mod b;\npub fn f() { b::g() }\n"),
            (
                "a/b.rs",
                "pub(super) fn g() {}\npub(in crate::a) fn h() {}\n",
            ),
        ],
        0,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn paths_in_macro_arguments_count() {
    let found = cycles_of(
        &[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            (
                "a.rs",
                "pub const NAME: &str = \"a\";\npub fn f() -> String { format!(\"{}\", crate::b::LABEL) }\n",
            ),
            ("b.rs", "pub const LABEL: &str = super::a::NAME;\n"),
        ],
        0,
    );
    assert_eq!(found, vec![vec!["a".to_owned(), "b".to_owned()]]);
}

#[test]
fn at_depth_one_whole_subtrees_are_the_units() {
    let files = [
        ("lib.rs", "pub mod services;\npub mod store;\n"),
        ("services/mod.rs", "pub mod accounts;\npub mod rules;\n"),
        (
            "services/accounts.rs",
            "pub fn open() { crate::store::accounts::put() }\n",
        ),
        ("services/rules.rs", "pub const LIMIT: u32 = 3;\n"),
        ("store/mod.rs", "pub mod accounts;\n"),
        (
            "store/accounts.rs",
            "pub fn put() { let _ = crate::services::rules::LIMIT; }\n",
        ),
    ];
    assert!(cycles_of(&files, 0).is_empty(), "no cycle module by module");
    assert_eq!(
        cycles_of(&files, 1),
        vec![vec!["services".to_owned(), "store".to_owned()]],
        "store reaches back up into services"
    );
}

#[test]
fn a_missing_module_file_is_an_error() {
    let dir = fixture(&[("lib.rs", "pub mod gone;\n")]);
    let error = check(&dir.join("src/lib.rs"), 0).expect_err("no file for `gone`");
    assert!(error.0.contains("mod gone;"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The rule itself, on every `make test`: no cycle among the modules of the workspace's
/// production crates, nor among `shared`'s layers or `infra`'s three parts.
#[test]
fn the_workspace_has_no_module_cycles() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for (krate, depth) in [
        ("shared", 0),
        ("functions", 0),
        ("infra", 0),
        ("shared", 1),
        ("infra", 1),
    ] {
        let report = check(&workspace.join(krate).join("src/lib.rs"), depth).expect("reads");
        assert!(
            report.cycles.is_empty(),
            "{krate} (depth {depth}): {report}"
        );
        assert!(report.units > 3, "{krate}: the tree was read: {report}");
    }
}
