//! `manifest.json`: what was run (command, config and its hash, seed, runs, version, RNG,
//! threads, wall time, the design's arms of the reassurance force) and the SHA-256 of every
//! file written. It is written last.

use crate::model::config::{arm_name, ForceDesign, RawConfig};
use crate::report::files::{sha256_file, sha256_hex, write_atomic};
use crate::{Error, Result};
use serde_json::json;
use std::path::{Path, PathBuf};

/// Write `manifest.json`: what was run, with what (including `design`, the arms of the
/// reassurance-force factor that were run), and the SHA-256 of every file written.
#[allow(clippy::too_many_arguments)]
pub fn write_manifest(
    dir: &Path,
    origin: &str,
    raw: &RawConfig,
    design: ForceDesign,
    seed: u64,
    threads: usize,
    wall: f64,
    command: &str,
    files: &[PathBuf],
    extra: serde_json::Value,
) -> Result<()> {
    let mut hashes = serde_json::Map::new();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        hashes.insert(name, json!(sha256_file(f)?));
    }
    let manifest = manifest_json(origin, raw, design, seed, threads, wall, command, hashes, extra)?;
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::io(dir.join("manifest.json"), std::io::Error::other(e)))?;
    write_atomic(&dir.join("manifest.json"), text.as_bytes())
}

/// The manifest as JSON: what [`write_manifest`] writes, with `files` the SHA-256 (hex) of each
/// table by file name (for results kept in memory, the hash of the text the file would hold).
#[allow(clippy::too_many_arguments)]
pub fn manifest_json(
    origin: &str,
    raw: &RawConfig,
    design: ForceDesign,
    seed: u64,
    threads: usize,
    wall: f64,
    command: &str,
    files: serde_json::Map<String, serde_json::Value>,
    extra: serde_json::Value,
) -> Result<serde_json::Value> {
    let canonical = raw.to_toml()?;
    Ok(json!({
        "tool": "deterrence-sim",
        "version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "config_file": origin,
        "config_name": raw.name,
        "seed": seed,
        "runs": raw.run.runs,
        "periods": raw.run.periods,
        "threads": crate::sim::batch::thread_count(threads),
        "rng": "ChaCha8 (rand_chacha 0.10.0), stream (point << 32) | replicate, month offset 8192 words",
        "config_sha256": sha256_hex(canonical.as_bytes()),
        "design": {
            "reassurance_force": design.name(),
            "arms": design.arms().iter().map(|&f| arm_name(f)).collect::<Vec<_>>(),
        },
        "config": raw,
        "wall_seconds": wall,
        "files": files,
        "extra": extra,
    }))
}
