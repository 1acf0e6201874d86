//! Files in a results directory: checking and preparing the directory, atomic writes (temporary
//! name in the same directory, then rename), SHA-256 hashes, and removing stale temporary files of
//! interrupted runs.

use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::Path;

/// Files whose presence marks a directory as holding results.
pub const RESULT_MARKERS: [&str; 3] = ["manifest.json", "summary.csv", "points.csv"];

/// Create `dir` for new results. Refuses a directory that already holds results unless `force`,
/// and with `force` removes this tool's old result files (see [`check_dir`] and [`clear_own`]).
pub fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    check_dir(dir, force)?;
    if force {
        clear_own(dir);
    }
    Ok(())
}

/// Check that `dir` can take new results and create it: a path that is not a directory is a usage
/// error, and a directory that holds results is refused unless `force`. Temporary files left by an
/// interrupted run of this tool (`.NAME.tmpPID`, where process PID is gone) are removed; nothing
/// else is touched, so `run --force` keeps the old results until the new ones are written.
pub fn check_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage {
            option: "--out".into(),
            message: format!("{} exists and is not a directory", dir.display()),
        });
    }
    if !force && RESULT_MARKERS.iter().any(|f| dir.join(f).exists()) {
        return Err(Error::OutputExists(dir.to_path_buf()));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Usage {
        option: "--out".into(),
        message: format!("cannot create the output directory {}: {e}", dir.display()),
    })?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name();
            if let Some(pid) = name.to_str().and_then(stale_temp_pid) {
                if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
    Ok(())
}

/// The process id in the name of one of this tool's temporary files (`.NAME.tmpPID`, NAME one of
/// the files or charts it writes), if `name` is one.
fn stale_temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (file, pid) = rest.rsplit_once(".tmp")?;
    let own = OWN_FILES.contains(&file)
        || OWN_CHARTS
            .iter()
            .any(|c| file == format!("{c}.png") || file == format!("{c}.svg"));
    if own {
        pid.parse().ok()
    } else {
        None
    }
}

/// Remove the files this tool writes, so no stale result survives; nothing else.
pub fn clear_own(dir: &Path) {
    for f in OWN_FILES {
        let _ = std::fs::remove_file(dir.join(f));
    }
    for stem in OWN_CHARTS {
        let _ = std::fs::remove_file(dir.join(format!("{stem}.png")));
        let _ = std::fs::remove_file(dir.join(format!("{stem}.svg")));
    }
}

/// Every table this tool writes into a results directory.
const OWN_FILES: [&str; 12] = [
    "runs.csv",
    "runs.partial.csv",
    "manifest.json",
    "summary.csv",
    "guarantors.csv",
    "timeline.csv",
    "points.csv",
    "points.partial.csv",
    "point.csv",
    "indices.csv",
    "boxes.csv",
    "sweep-state.json",
];

/// Every chart this tool writes (as .png and .svg).
const OWN_CHARTS: [&str; 9] = [
    "deterrence",
    "survival",
    "beliefs",
    "sweep",
    "sweep_diff",
    "sobol",
    "morris",
    "prim_trajectory",
    "prim_box",
];

/// Write `bytes` to `path` atomically (temporary file in the same directory, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
