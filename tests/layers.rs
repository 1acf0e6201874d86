//! The architecture as a test: `src/` is layered as folders, each importing only the layers
//! below it, and no module imports another that (directly or through others) imports it back.
//!
//! Layers, bottom to top: the base (`error`, `input`: typed errors and size-limited reading of
//! input files) < `stats` < `model` < `sim` < `report` < `study` < `app`; the
//! binary (`main.rs`) may use all of them. Imports are read from `crate::`, `super::` and
//! `deterrence_sim::` paths in code (comments are skipped), the same reading as
//! `../shared/tools/layers.py`, so this test needs no Python.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const LAYERS: [&str; 7] = ["base", "stats", "model", "sim", "report", "study", "app"];

/// The base layer: top-level leaf files every layer may use.
const BASE: [&str; 2] = ["error", "input"];

/// Module path (e.g. `sim::engine`) -> source text, for every file under `src/` but `main.rs`.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().to_string();
            let path = e.path();
            if path.is_dir() {
                walk(&path, &format!("{prefix}{name}::"), out);
            } else if let Some(stem) = name.strip_suffix(".rs") {
                let module = match stem {
                    "mod" => prefix.trim_end_matches("::").to_string(),
                    "lib" | "main" if prefix.is_empty() => continue,
                    s => format!("{prefix}{s}"),
                };
                out.insert(module, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), "", &mut out);
    out
}

/// Code without `//` comments (doc comments included) and without string literals' contents.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !in_str && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            }
            if !in_str {
                kept.push(c);
            }
            prev = c;
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// The modules that `module`'s code names, resolved against the known modules (longest prefix).
fn imports(module: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let code = code(text);
    let mut paths: Vec<Vec<String>> = Vec::new();
    let toks: Vec<char> = code.chars().collect();
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut i = 0;
    while i < toks.len() {
        if is_ident(toks[i]) && (i == 0 || !is_ident(toks[i - 1])) {
            let start = i;
            while i < toks.len() && is_ident(toks[i]) {
                i += 1;
            }
            let word: String = toks[start..i].iter().collect();
            if !matches!(word.as_str(), "crate" | "super" | "deterrence_sim") {
                continue;
            }
            let base: Vec<String> = match word.as_str() {
                "super" => {
                    let mut p: Vec<String> = module.split("::").map(String::from).collect();
                    p.pop();
                    p
                }
                _ => Vec::new(),
            };
            // Read `::a::b` segments and an optional `::{x, y::z}` group (one level).
            let mut segs = base.clone();
            loop {
                if toks.get(i) == Some(&':') && toks.get(i + 1) == Some(&':') {
                    i += 2;
                    if toks.get(i) == Some(&'{') {
                        let close = (i..toks.len()).find(|&k| toks[k] == '}').unwrap_or(toks.len());
                        let group: String = toks[i + 1..close].iter().collect();
                        for item in group.split(',') {
                            let item = item.trim().split(" as ").next().unwrap_or("").trim();
                            let mut p = segs.clone();
                            p.extend(
                                item.split("::")
                                    .filter(|s| !s.is_empty() && *s != "self")
                                    .map(String::from),
                            );
                            paths.push(p);
                        }
                        i = close;
                        break;
                    }
                    let s = i;
                    while i < toks.len() && is_ident(toks[i]) {
                        i += 1;
                    }
                    segs.push(toks[s..i].iter().collect());
                } else {
                    paths.push(segs);
                    break;
                }
            }
        } else {
            i += 1;
        }
    }
    let mut out = BTreeSet::new();
    for p in paths {
        for k in (1..=p.len()).rev() {
            let cand = p[..k].join("::");
            if known.contains(&cand) {
                // A module's own ancestors (its folder's mod.rs) are not imports of interest.
                if cand != module && !module.starts_with(&format!("{cand}::")) {
                    out.insert(cand);
                }
                break;
            }
        }
    }
    out
}

fn layer_of(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or("");
    if BASE.contains(&top) {
        return 0;
    }
    LAYERS
        .iter()
        .position(|l| *l == top)
        .unwrap_or_else(|| panic!("module `{module}` is in no layer; layers are {LAYERS:?}"))
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let known: BTreeSet<String> = mods.keys().cloned().collect();
    mods.iter()
        .map(|(m, t)| (m.clone(), imports(m, t, &known)))
        .collect()
}

#[test]
fn every_module_is_in_a_layer_folder_and_imports_only_layers_below() {
    let g = graph();
    assert!(g.len() > 20, "found only {} modules", g.len());
    let mut bad = Vec::new();
    for (m, deps) in &g {
        let lm = layer_of(m);
        let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join(m)
            .join("mod.rs");
        if lm > 0 && !m.contains("::") && !folder.exists() {
            bad.push(format!("`{m}` is a top-level file, not in a layer folder"));
        }
        for d in deps {
            if layer_of(d) > lm {
                bad.push(format!(
                    "`{m}` ({}) imports `{d}` ({}), a layer above",
                    LAYERS[lm],
                    LAYERS[layer_of(d)]
                ));
            }
        }
    }
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
}

/// The modules that lie on an import cycle (that reach themselves).
fn on_cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut cycles = Vec::new();
    for start in g.keys() {
        let mut stack: Vec<&String> = g[start].iter().collect();
        let mut seen = BTreeSet::new();
        while let Some(m) = stack.pop() {
            if m == start {
                cycles.push(start.clone());
                break;
            }
            if seen.insert(m) {
                stack.extend(g.get(m).into_iter().flatten());
            }
        }
    }
    cycles
}

#[test]
fn no_import_cycles() {
    let cycles = on_cycles(&graph());
    assert!(cycles.is_empty(), "modules on an import cycle: {cycles:?}");
}

#[test]
fn the_checker_sees_imports_and_cycles() {
    // The reader itself: a grouped import, a renamed import, a super path and a comment.
    let known: BTreeSet<String> = ["sim::engine", "sim::state", "stats::rng", "report::files"]
        .into_iter()
        .map(String::from)
        .collect();
    let text = "use crate::sim::{state::RunState, engine as e};\n// use crate::report::files;\n\
                fn f() { super::engine::run(); let s = \"crate::report::files\"; crate::stats::rng::Draws::new(); }";
    let got = imports("sim::state", text, &known);
    let want: BTreeSet<String> = ["sim::engine", "stats::rng"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(got, want);
    assert_eq!(layer_of("report::files"), 4);
    let edge = |a: &str, b: &str| {
        (
            a.to_string(),
            [b.to_string()].into_iter().collect::<BTreeSet<_>>(),
        )
    };
    let ring: BTreeMap<_, _> = [edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("d", "a")]
        .into_iter()
        .collect();
    assert_eq!(on_cycles(&ring), ["a", "b", "c"]);
}
