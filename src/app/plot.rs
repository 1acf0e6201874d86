//! `deterrence-sim plot DIR`: redraw a results directory's charts from its CSV files, for a run
//! or a study.

use crate::report::run_charts;
use crate::report::run_charts::chart_title;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// `deterrence-sim plot DIR`: redraw a run's charts from its CSV files.
pub fn plot_run(dir: &Path) -> Result<Vec<PathBuf>> {
    let mp = dir.join("manifest.json");
    let text = std::fs::read_to_string(&mp).map_err(|e| Error::Read {
        path: mp.clone(),
        source: e,
    })?;
    let m: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::Results {
        path: mp.clone(),
        message: format!("not a manifest: {e}"),
    })?;
    let name = m["config_name"].as_str().unwrap_or("?");
    let title = chart_title(name, &m["seed"].to_string(), &m["runs"].to_string());
    run_charts::draw_run_charts(dir, &title)
}

/// `plot DIR` for any results directory: a study (it has `sweep-state.json`) or a run.
pub fn plot(dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.join(crate::study::store::STATE).exists() {
        crate::study::finish::plot(dir)
    } else {
        plot_run(dir)
    }
}
