//! `deterrence-sim plot DIR`: redraw a results directory's charts from its CSV files, for a run
//! or a study, after checking that the tables are the ones its `manifest.json` recorded.

use crate::input::{read_bytes, read_text, TABLE_LIMIT};
use crate::report::files::sha256_hex;
use crate::report::run_charts;
use crate::report::run_charts::chart_title;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// Read and parse a directory's `manifest.json`.
fn manifest(dir: &Path) -> Result<serde_json::Value> {
    let mp = dir.join("manifest.json");
    let text = read_text(&mp, TABLE_LIMIT, "manifest")?;
    serde_json::from_str(&text).map_err(|e| Error::Results {
        path: mp.clone(),
        message: format!("not a manifest: {e}"),
    })
}

/// Check that every table (`*.csv`) that `manifest.json` lists is there with the SHA-256 recorded:
/// charts drawn from tables edited or damaged since would not be the results the manifest
/// describes. The error names the first file that differs.
pub fn check_hashes(dir: &Path) -> Result<()> {
    let mp = dir.join("manifest.json");
    if !mp.exists() {
        return Err(Error::Results {
            path: dir.to_path_buf(),
            message: "has no manifest.json to check its tables against (unfinished?); pass --force to redraw anyway".into(),
        });
    }
    let m = manifest(dir)?;
    let files = m["files"].as_object().ok_or_else(|| Error::Results {
        path: mp.clone(),
        message: "field `files`: not a map of file names to SHA-256 hashes; the manifest is damaged".into(),
    })?;
    for (name, hash) in files {
        let plain =
            !name.is_empty() && Path::new(name).file_name().and_then(|n| n.to_str()) == Some(name.as_str());
        let Some(hash) = hash.as_str().filter(|_| plain) else {
            return Err(Error::Results {
                path: mp.clone(),
                message: format!("field `files`: entry `{name}` is not a file name with a SHA-256; the manifest is damaged"),
            });
        };
        if !name.ends_with(".csv") {
            continue; // charts are redrawn, not read
        }
        let f = dir.join(name);
        if !f.exists() {
            return Err(Error::Results {
                path: f,
                message: "is listed in manifest.json but missing; pass --force to redraw from the files that are there".into(),
            });
        }
        if sha256_hex(&read_bytes(&f, TABLE_LIMIT, "table")?) != hash {
            return Err(Error::Results {
                path: f,
                message: "differs from the SHA-256 that manifest.json recorded (changed or damaged since it was written); \
                          pass --force to redraw from it anyway"
                    .into(),
            });
        }
    }
    Ok(())
}

/// `deterrence-sim plot DIR`: redraw a run's charts from its CSV files.
pub fn plot_run(dir: &Path) -> Result<Vec<PathBuf>> {
    let m = manifest(dir)?;
    let name = m["config_name"].as_str().unwrap_or("?");
    let title = chart_title(name, &m["seed"].to_string(), &m["runs"].to_string());
    run_charts::draw_run_charts(dir, &title)
}

/// `plot DIR` for any results directory: a study (it has `sweep-state.json`) or a run. Unless
/// `force`, refuses tables that differ from the hashes in `manifest.json` ([`check_hashes`]).
pub fn plot(dir: &Path, force: bool) -> Result<Vec<PathBuf>> {
    // Redrawing writes charts into the directory: one writer at a time, as for a run.
    if dir.is_dir() {
        crate::report::files::lock_dir(dir)?;
    }
    if !force {
        check_hashes(dir)?;
    }
    if dir.join(crate::study::store::STATE).exists() {
        let sweep = crate::study::store::read_state(dir)?;
        if dir.join("points.csv").exists() {
            crate::study::store::check_points(dir, &sweep)?;
        }
        crate::study::finish::plot(dir)
    } else {
        plot_run(dir)
    }
}
