//! Helpers shared by the integration tests: the binary, fresh temporary directories, running a
//! command and reading its output, reading CSV rows. Each test file uses it with `mod util;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_deterrence-sim");

/// The shipped default config.
pub const DEFAULT: &str = include_str!("../../configs/default.toml");

/// `text` (a config) with the value of `key` in the table `[section]` replaced by `value`
/// (comments kept). Panics when the key is not there, so an edit never silently does nothing.
pub fn with_value(text: &str, section: &str, key: &str, value: &str) -> String {
    let header = format!("[{section}]");
    let mut inside = false;
    let mut done = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            inside = t.starts_with(&header);
        }
        let is_key = t
            .strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with('='));
        if inside && !done && is_key {
            let comment = line.find('#').map(|i| &line[i..]).unwrap_or("");
            out.push(format!("{key} = {value} {comment}"));
            done = true;
        } else {
            out.push(line.to_string());
        }
    }
    assert!(done, "no `{key}` in [{section}]");
    out.join("\n") + "\n"
}

/// A number of the default config (`[section] key`), for tests that must use the default's own
/// values (they change when the default is recalibrated).
pub fn default_value(section: &str, key: &str) -> f64 {
    let v: toml::Value = toml::from_str(DEFAULT).unwrap();
    v[section][key].as_float().unwrap()
}

/// A fresh, empty temporary directory unique to this process and call.
pub fn tmp(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "dsim-{}-{}-{}",
        name,
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run the binary with `args` (in `cwd` if given) and wait for it.
pub fn run_in(args: &[&str], cwd: Option<&Path>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    c.output().unwrap()
}

/// Run the binary with `args` in the current directory.
pub fn run(args: &[&str]) -> Output {
    run_in(args, None)
}

/// Standard output and standard error of a finished command, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The rows of a CSV file (header included), split on commas.
pub fn rows(p: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}
