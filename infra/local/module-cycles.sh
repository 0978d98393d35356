#!/usr/bin/env bash
# Module dependency cycles: fails when the modules of a crate's library depend on each other in a
# circle (a -> b -> a). Checks shared, functions and infra by default; name crates to check others:
#   bash infra/local/module-cycles.sh                  # shared, functions, infra
#   bash infra/local/module-cycles.sh shared           # one crate
#   bash infra/local/module-cycles.sh --depth 1 shared # whole top-level subtrees (store, services…)
#
# The graph comes from cargo-modules (crates.io, pinned below; it reads the crate with
# rust-analyzer's libraries). It is installed once into "${RP_CACHE_DIR:-~/.cache/residence-platform}/tools"
# (about 15 minutes of compiling on two cores) and reused by later runs.
#
# Why not `cargo modules dependencies --acyclic`: that flag checks the graph of *items*, where a
# type owns its methods and a method uses the types in its signature, so every `fn new() -> Self`,
# every `&self` method and every serde derive is a "cycle" (it also stops at the first one). Instead
# this script takes cargo-modules' item graph (`--layout dot`), attributes each item to its module,
# and looks for cycles among modules. An edge a -> b means module a (or an item in it) imports,
# or has in a signature or field, something defined in module b; re-exports are followed to where
# the item is defined, so `use crate::AppContext` counts as a use of `context`. Edges between a
# module and its own parent or children count too.
# cargo-modules does not look inside function bodies, so a call written with a full path and no
# `use` (`crate::services::registrations::move_out_with_house(..)`) would be invisible; this script
# also scans the production source for `crate::`/`super::`/`self::` paths and resolves them against
# the same graph (`--no-body-paths` turns that off). `#[cfg(test)]` code is not analysed: test
# modules (and their `use super::*`) may depend on anything.
#
# cargo-modules runs `cargo check --compile-time-deps` for the workspace first (build scripts and
# proc macros, in $CARGO_TARGET_DIR like any cargo command), and rust-analyzer adds the toolchain's
# rust-src component with rustup if it is missing (std's types are needed to see through
# Option<T>, Arc<T> and the like).
#
# Options:
#   --depth N        treat each module at depth N under the crate root as one unit (1 = the
#                    crate's top-level modules); edges between a unit and its own ancestors are
#                    then left out. Default 0: every module is its own unit.
#   --no-body-paths  only cargo-modules' own edges (imports, signatures, fields).
#   --item-level     run cargo-modules' own `--acyclic` check instead (noisy, see above).
# Quiet on success apart from one line per crate; exits 1 if any crate has a cycle, 2 on errors.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO_MODULES_VERSION=0.27.0 # 0.28 needs Rust 1.98
cache="${RP_CACHE_DIR:-$HOME/.cache/residence-platform}"
tools="$cache/tools"
cargo_modules="$tools/bin/cargo-modules"

depth=0
body_paths=1
item_level=0
crates=()
while (($#)); do
    case "$1" in
        --depth) depth="${2:?--depth needs a number}"; shift 2 ;;
        --no-body-paths) body_paths=0; shift ;;
        --item-level) item_level=1; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "module-cycles: unknown option $1" >&2; exit 2 ;;
        *) crates+=("$1"); shift ;;
    esac
done
((${#crates[@]})) || crates=(shared functions infra)

if ! "$cargo_modules" --version 2>/dev/null | grep -qx "cargo-modules $CARGO_MODULES_VERSION"; then
    echo "module-cycles: installing cargo-modules $CARGO_MODULES_VERSION into $tools (once; a long compile)" >&2
    mkdir -p "$tools"
    log="$(mktemp)"
    if ! CARGO_TARGET_DIR="$cache/tools-target" cargo install cargo-modules --locked \
        --version "$CARGO_MODULES_VERSION" --root "$tools" >"$log" 2>&1; then
        cat "$log" >&2
        echo "module-cycles: installing cargo-modules failed" >&2
        exit 2
    fi
    rm -f "$log"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export RUST_BACKTRACE=0 NO_COLOR=1

cargo metadata --no-deps --format-version 1 >"$work/metadata.json"

failed=()
for crate in "${crates[@]}"; do
    if ((item_level)); then
        if "$cargo_modules" dependencies --package "$crate" --lib --acyclic --layout none \
            >"$work/out" 2>&1; then
            echo "module-cycles: $crate: ok (no item-level cycle)"
        else
            echo "module-cycles: $crate: FAILED"
            sed 's/^/    /' "$work/out"
            failed+=("$crate")
        fi
        continue
    fi
    if ! "$cargo_modules" dependencies --package "$crate" --lib --layout dot \
        >"$work/$crate.dot" 2>"$work/$crate.err"; then
        echo "module-cycles: $crate: cargo-modules failed:" >&2
        cat "$work/$crate.err" >&2
        exit 2
    fi
    status=0
    python3 - "$work/metadata.json" "$crate" "$work/$crate.dot" "$depth" "$body_paths" <<'PY' || status=$?
import collections, json, os, re, sys

metadata_path, package, dot_path, depth, body_paths = sys.argv[1:]
depth, body_paths = int(depth), body_paths == "1"

lib = None
for pkg in json.load(open(metadata_path))["packages"]:
    if pkg["name"] == package:
        lib = next((t for t in pkg["targets"] if "lib" in t["kind"] or "rlib" in t["kind"]), None)
if lib is None:
    print(f"module-cycles: {package}: no library target", file=sys.stderr)
    sys.exit(2)
krate = lib["name"].replace("-", "_")

# --- cargo-modules' item graph ----------------------------------------------------------------
node_re = re.compile(r'^\s*"([^"]+)" \[label=.*// "([^"]+)" node$')
edge_re = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[label="(owns|uses)"')
kind, parents = {}, collections.defaultdict(set)
owns, uses = collections.defaultdict(set), collections.defaultdict(set)
for line in open(dot_path):
    m = node_re.match(line)
    if m:
        kind[m.group(1)] = m.group(2)
        continue
    m = edge_re.match(line)
    if m:
        source, target, label = m.groups()
        if label == "owns":
            owns[source].add(target)
            parents[target].add(source)
        else:
            uses[source].add(target)

def internal(path):
    return path == krate or path.startswith(krate + "::")

modules = {n for n, k in kind.items() if k in ("mod", "crate") and internal(n)}
if krate not in modules:
    print(f"module-cycles: {package}: no crate root in cargo-modules' graph", file=sys.stderr)
    sys.exit(2)

module_cache = {}
def module_of(node, seen=()):
    """The module an item belongs to: up its `owns` edges (a method belongs to its type)."""
    if node in module_cache:
        return module_cache[node]
    found = node if node in modules else None
    if found is None:
        for parent in sorted(parents.get(node, ())):
            if parent not in seen and (found := module_of(parent, seen + (node,))):
                break
    module_cache[node] = found
    return found

def unit(module):
    """The unit a module is counted in (its ancestor at `depth`, or itself)."""
    if depth <= 0:
        return module
    parts = module.split("::")
    return "::".join(parts[: 1 + depth])

def related(a, b):
    return a == b or b.startswith(a + "::") or a.startswith(b + "::")

edges = collections.defaultdict(dict)  # unit -> unit -> one example of why
def add_edge(source_module, target_module, why):
    a, b = unit(source_module), unit(target_module)
    if a == b or (depth > 0 and related(a, b)):
        return
    edges[a].setdefault(b, why)

for source, targets in uses.items():
    source_module = module_of(source)
    if source_module is None:
        continue  # e.g. our `impl From<X> for String`: owned by std's String
    for target in targets:
        target_module = module_of(target)
        if target_module and target_module != source_module:
            add_edge(source_module, target_module, f"{source} uses {target}")

# --- paths written out in the source (function bodies are invisible to cargo-modules) ---------
def strip_comments_and_literals(text):
    out, i, n = [], 0, len(text)
    char_re = re.compile(r"'(?:\\u\{[0-9a-fA-F]+\}|\\.|[^\\'\n])'")
    raw_re = re.compile(r'b?r(#*)"')
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            level, i = 1, i + 2
            while i < n and level:
                if text.startswith("/*", i):
                    level, i = level + 1, i + 2
                elif text.startswith("*/", i):
                    level, i = level - 1, i + 2
                else:
                    out.append("\n" if text[i] == "\n" else "")
                    i += 1
            out.append(" ")
        elif (m := raw_re.match(text, i)) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = text.find('"' + m.group(1), m.end())
            end = n if end < 0 else end + 1 + len(m.group(1))
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j + 1
        elif c == "'" and (m := char_re.match(text, i)):
            out.append("' '")
            i = m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)

def strip_cfg_test(text):
    """Drops items under `#[cfg(test)]`: up to their `;` or their matching `}`."""
    while (m := re.search(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]", text)):
        i, level = m.end(), 0
        while i < len(text):
            ch = text[i]
            if ch == ";" and level == 0:
                i += 1
                break
            if ch == "{":
                level += 1
            elif ch == "}":
                level -= 1
                if level == 0:
                    i += 1
                    break
            i += 1
        text = text[: m.start()] + "\n" * text.count("\n", m.start(), i) + text[i:]
    return text

children = collections.defaultdict(dict)  # module -> name -> child module
for module in modules:
    if module != krate:
        parent, _, name = module.rpartition("::")
        children[parent][name] = module
owned_names = collections.defaultdict(set)
for module in modules:
    for item in owns.get(module, ()):
        owned_names[module].add(item.rsplit("::", 1)[-1])
imported = collections.defaultdict(dict)  # module -> name -> module the name is defined in
for module in modules:
    for target in sorted(uses.get(module, ())):
        target_module = module_of(target)
        if target_module:
            imported[module].setdefault(target.rsplit("::", 1)[-1], target_module)

def resolve(start, segments):
    """The module a path `segments` (written in module `start`) refers into, or None."""
    current = start
    head, rest = segments[0], segments[1:]
    if head == "crate":
        current = krate
    elif head == "super":
        rest = segments
    while rest and rest[0] in ("super", "self"):
        if rest[0] == "super":
            if current == krate:
                return None
            current = current.rpartition("::")[0]
        rest = rest[1:]
    for name in rest:
        if name in children[current]:
            current = children[current][name]
        elif name in owned_names[current]:
            return current
        elif name in imported[current]:
            return imported[current][name]
        else:
            return None  # a macro or something cargo-modules does not list
    return current

if body_paths:
    src_root = os.path.dirname(lib["src_path"])
    root_file = os.path.basename(lib["src_path"])
    path_re = re.compile(r"(?<![A-Za-z0-9_])(crate|super|self)((?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)+)")
    for directory, _, files in os.walk(src_root):
        for file in sorted(files):
            if not file.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(directory, file), src_root)[:-3].split(os.sep)
            if rel == [root_file[:-3]]:
                rel = []
            elif rel[-1] == "mod":
                rel = rel[:-1]
            module = "::".join([krate] + rel)
            if module not in modules:
                continue  # a binary, a test-only module, or an orphan file
            text = strip_cfg_test(strip_comments_and_literals(open(os.path.join(directory, file)).read()))
            for m in path_re.finditer(text):
                segments = [m.group(1)] + [s.strip() for s in m.group(2).split("::") if s.strip()]
                target = resolve(module, segments)
                if target and target != module:
                    line = text.count("\n", 0, m.start()) + 1
                    written = "::".join(segments)
                    add_edge(module, target, f"{os.path.relpath(os.path.join(directory, file))}:{line} writes {written}")

# --- cycles: strongly connected components (Tarjan) -------------------------------------------
units = sorted({unit(m) for m in modules})
index, low, on_stack, stack, components, counter = {}, {}, set(), [], [], [0]
sys.setrecursionlimit(100000)
def connect(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on_stack.add(v)
    for w in sorted(edges.get(v, ())):
        if w not in index:
            connect(w)
            low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            component.append(w)
            if w == v:
                break
        if len(component) > 1:
            components.append(sorted(component))
for v in units:
    if v not in index:
        connect(v)

def short(path):
    return path[len(krate) + 2:] if path.startswith(krate + "::") else path

edge_count = sum(len(t) for t in edges.values())
what = f"{len(units)} modules" if depth <= 0 else f"{len(units)} units at depth {depth}"
if not components:
    print(f"module-cycles: {package}: ok ({what}, {edge_count} dependencies, no cycle)")
    sys.exit(0)
print(f"module-cycles: {package}: FAILED: {len(components)} cycle(s) among {what}")
for component in components:
    members = set(component)
    print(f"  cycle: {', '.join(short(m) for m in component)}")
    for a in component:
        for b in sorted(set(edges[a]) & members):
            print(f"    {short(a)} -> {short(b)}   ({edges[a][b]})")
sys.exit(1)
PY
    case "$status" in
        0) ;;
        1) failed+=("$crate") ;;
        *) exit 2 ;;
    esac
done

if ((${#failed[@]})); then
    echo "module-cycles: dependency cycles in: ${failed[*]}" >&2
    exit 1
fi
