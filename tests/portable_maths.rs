//! The simulation path computes its elementary functions only through `stats::maths` (the
//! pinned, portable `libm`), never through the platform's maths library, whose last bits differ
//! between glibc, macOS and Windows (issue 10, goal 2).
//!
//! Scanned: every non-test line of `src/stats`, `src/model` and `src/sim` (the random streams,
//! the model as validated, the engine and the statistics written to result files). Allowed:
//! `src/stats/maths.rs` itself. Not scanned: `src/report`, `src/study` and `src/app`, which
//! compute no simulated number (they format, chart and file what the layers below computed; the
//! only elementary function there today is `log10` choosing how many digits a chart label
//! prints, in `src/study/analysis.rs`). `f64::sqrt` is correctly rounded everywhere and allowed.

use std::path::{Path, PathBuf};

/// Method calls and paths of the platform's functions that must not appear.
const FORBIDDEN: [&str; 27] = [
    ".exp()",
    ".exp2()",
    ".exp_m1()",
    ".ln()",
    ".ln_1p()",
    ".log(",
    ".log10()",
    ".log2()",
    ".powf(",
    ".powi(",
    ".cos()",
    ".sin()",
    ".tan()",
    ".sin_cos()",
    ".tanh()",
    ".sinh()",
    ".cosh()",
    ".atan(",
    ".atan2(",
    ".acos()",
    ".asin()",
    ".hypot(",
    ".cbrt()",
    ".mul_add(",
    "f64::exp",
    "f64::ln",
    "f64::pow",
];

/// The files allowed to call the platform's functions (relative to the crate root).
const ALLOWED: [&str; 1] = ["src/stats/maths.rs"];

/// The scanned folders.
const SCANNED: [&str; 3] = ["src/stats", "src/model", "src/sim"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The code lines of `text` (1-based line numbers) without `//` comments and without items
/// marked `#[cfg(test)]` (skipped by counting braces from the attribute to the item's end).
fn code_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut skipping = false;
    let mut depth: i64 = 0;
    let mut opened = false;
    for (n, line) in text.lines().enumerate() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        if !skipping && code.trim() == "#[cfg(test)]" {
            skipping = true;
            depth = 0;
            opened = false;
            continue;
        }
        if skipping {
            for c in code.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            // An item without a body (`use ...;`) or the closing brace of one with a body.
            if (opened && depth == 0) || (!opened && code.trim_end().ends_with(';')) {
                skipping = false;
            }
            continue;
        }
        out.push((n + 1, code.to_string()));
    }
    out
}

/// Every forbidden call in `text`: (line, the call).
fn violations(text: &str) -> Vec<(usize, &'static str)> {
    let mut v = Vec::new();
    for (n, line) in code_lines(text) {
        for f in FORBIDDEN {
            if line.contains(f) {
                v.push((n, f));
            }
        }
    }
    v
}

#[test]
fn the_simulation_path_uses_only_portable_maths() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for d in SCANNED {
        files(&root.join(d), &mut all);
    }
    assert!(all.len() > 20, "found only {} files", all.len());
    let mut bad = Vec::new();
    for p in &all {
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        if ALLOWED.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(p).unwrap();
        for (n, f) in violations(&text) {
            bad.push(format!("{rel}:{n}: {f} (use crate::stats::maths)"));
        }
    }
    assert!(
        bad.is_empty(),
        "platform maths on the simulation path:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scan_finds_calls_and_skips_comments_and_tests() {
    let text = "fn f(x: f64) -> f64 {\n    // x.exp() in a comment\n    x.ln() + 1.0\n}\n\
                #[cfg(test)]\nmod tests {\n    fn g(x: f64) -> f64 {\n        x.cos()\n    }\n}\n\
                fn h(x: f64) -> f64 {\n    x.powf(2.0) + f64::exp(x)\n}\n";
    assert_eq!(
        violations(text),
        vec![(3, ".ln()"), (12, ".powf("), (12, "f64::exp")]
    );
}
