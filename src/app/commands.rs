//! The jobs behind the command-line commands, as library functions taking plain option structs
//! (the binary only parses arguments and calls these).

use crate::model::config::{RawConfig, DEFAULT_TOML};
use crate::model::validate::Model;
use crate::report::files::write_atomic;
use crate::report::manifest::write_manifest;
use crate::report::run_charts::chart_title;
use crate::report::{files, run_charts, tables};
use crate::sim::aggregate::{BatchResult, SummaryRow};
use crate::sim::batch::{self as runner, Progress};
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A config as loaded: the raw TOML value (for dotted-path edits), where it came from and its text.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub value: toml::Value,
    pub origin: String,
}

impl Loaded {
    /// Load `path`, or `configs/default.toml` if it exists here, or the built-in default.
    pub fn from(path: Option<&Path>) -> Result<Loaded> {
        let local = Path::new("configs/default.toml");
        let (text, origin) = match path {
            Some(p) => (
                std::fs::read_to_string(p).map_err(|e| Error::Read {
                    path: p.to_path_buf(),
                    source: e,
                })?,
                p.display().to_string(),
            ),
            None if local.is_file() => (
                std::fs::read_to_string(local).map_err(|e| Error::Read {
                    path: local.to_path_buf(),
                    source: e,
                })?,
                local.display().to_string(),
            ),
            None => (DEFAULT_TOML.to_string(), "<built-in default>".to_string()),
        };
        let value = toml::from_str(&text).map_err(|e| Error::Parse {
            file: origin.clone(),
            message: e.to_string(),
        })?;
        // Shape errors (a wrong type, an unknown field) are reported from the text, with the line
        // and the entry they are in: "in `guarantors`" alone would not say which of 16.
        if let Err(e) = toml::from_str::<RawConfig>(&text) {
            return Err(Error::Parse {
                file: origin,
                message: e.to_string(),
            });
        }
        Ok(Loaded { value, origin })
    }

    /// The raw config and the validated model.
    pub fn model(&self) -> Result<(RawConfig, Model)> {
        let raw = RawConfig::from_value(self.value.clone(), &self.origin)?;
        let model = Model::from_raw(&raw, &self.origin)?;
        Ok((raw, model))
    }
}

/// Command-line overrides of the `[run]` table, and `--set PATH=VALUE` edits of any parameter.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub seed: Option<u64>,
    pub runs: Option<u64>,
    pub periods: Option<u64>,
    pub threads: Option<usize>,
    pub sets: Vec<(String, f64)>,
}

/// Parse a `--set PATH=VALUE` argument.
pub fn parse_set(s: &str) -> std::result::Result<(String, f64), String> {
    let (path, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected PATH=VALUE, e.g. russia.lambda=3 (got `{s}`)"))?;
    let x = match value.trim() {
        "true" => 1.0,
        "false" => 0.0,
        v => v
            .parse::<f64>()
            .map_err(|_| format!("`{v}` is not a number (or true/false)"))?,
    };
    Ok((path.trim().to_string(), x))
}

impl Overrides {
    /// Apply to a raw config before validation (so the limits are checked as for a file).
    pub fn apply(&self, raw: &mut RawConfig) {
        if let Some(x) = self.seed {
            raw.run.seed = x;
        }
        if let Some(x) = self.runs {
            raw.run.runs = x;
        }
        if let Some(x) = self.periods {
            raw.run.periods = x;
        }
        if let Some(x) = self.threads {
            raw.run.threads = x as u64;
        }
    }
}

/// Load, override and validate.
pub fn resolve(config: Option<&Path>, o: &Overrides) -> Result<(Loaded, RawConfig, Model)> {
    let mut loaded = Loaded::from(config)?;
    if !o.sets.is_empty() {
        loaded.origin = format!("{} with --set", loaded.origin);
    }
    for (path, x) in &o.sets {
        crate::model::params::set(&mut loaded.value, path, *x, &loaded.origin)?;
    }
    let mut raw = RawConfig::from_value(loaded.value.clone(), &loaded.origin)?;
    o.apply(&mut raw);
    let model = Model::from_raw(&raw, &loaded.origin)?;
    Ok((loaded, raw, model))
}

/// What `run` produced.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub dir: PathBuf,
    pub summary: Vec<SummaryRow>,
    pub files: Vec<PathBuf>,
    pub wall_seconds: f64,
}

/// `deterrence-sim run`: every regime over the same seeded runs; results and charts in `out`.
pub fn run(
    config: Option<&Path>,
    o: &Overrides,
    out: Option<&Path>,
    force: bool,
    per_run: bool,
    progress: &dyn Progress,
) -> Result<RunReport> {
    let (loaded, raw, model) = resolve(config, o)?;
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("output").join(&model.name));
    // Old results stay until the new ones are complete: an interrupted `--force` loses nothing.
    files::check_dir(&dir, force)?;
    let pool = runner::pool(model.run.threads)?;
    let start = Instant::now();
    let mut runs_file = if per_run {
        Some(tables::RunsCsv::create(&dir, &model)?)
    } else {
        None
    };
    let mut failed = None;
    let batch = runner::run_batch_with(&model, 0, &pool, progress, &mut |rep, records| {
        if let (Some(f), None) = (runs_file.as_mut(), failed.as_ref()) {
            failed = f.write(rep, records).err();
        }
    });
    let wall = start.elapsed().as_secs_f64();
    if let Some(e) = failed {
        return Err(e);
    }
    if force {
        files::clear_own(&dir);
    }
    let mut done = Vec::new();
    if let Some(f) = runs_file {
        done.push(f.finish()?);
    }
    let mut files = write_run(
        &dir,
        &loaded.origin,
        &raw,
        &model,
        &batch,
        wall,
        "run",
        serde_json::Value::Null,
        &done,
    )?;
    files.retain(|f| !done.contains(f));
    files.extend(done);
    Ok(RunReport {
        dir,
        summary: batch.summary(),
        files,
        wall_seconds: wall,
    })
}

/// Write a batch's tables, charts and manifest (the manifest last: it marks a complete run).
#[allow(clippy::too_many_arguments)]
pub fn write_run(
    dir: &Path,
    origin: &str,
    raw: &RawConfig,
    model: &Model,
    batch: &BatchResult,
    wall: f64,
    command: &str,
    extra: serde_json::Value,
    written: &[PathBuf],
) -> Result<Vec<PathBuf>> {
    let mut files = written.to_vec();
    for (name, text) in [
        ("summary.csv", tables::summary_csv(batch)),
        ("guarantors.csv", tables::guarantors_csv(model, batch)),
        ("timeline.csv", tables::timeline_csv(model, batch)),
    ] {
        let p = dir.join(name);
        write_atomic(&p, text.as_bytes())?;
        files.push(p);
    }
    let title = chart_title(
        &model.name,
        &model.run.seed.to_string(),
        &model.run.runs.to_string(),
    );
    files.extend(run_charts::draw_run_charts(dir, &title)?);
    write_manifest(
        dir,
        origin,
        raw,
        model.run.seed,
        model.run.threads,
        wall,
        command,
        &files,
        extra,
    )?;
    Ok(files)
}

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

/// `deterrence-sim init DIR`: write the default config as a starting point.
pub fn init(dir: &Path, force: bool) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let p = dir.join("default.toml");
    if p.exists() && !force {
        return Err(Error::OutputExists(p));
    }
    // Name the study after its directory, so its results do not land in output/default.
    let name: String = dir
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .collect()
        })
        .filter(|n: &String| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| "default".into());
    let text = DEFAULT_TOML.replacen("name = \"default\"", &format!("name = \"{name}\""), 1);
    write_atomic(&p, text.as_bytes())?;
    Ok(p)
}

/// A readable table of summary rows.
pub fn summary_table(rows: &[SummaryRow]) -> String {
    let mut s = format!(
        "{:<12} {:>7} {:>8} {:>17} {:>22} {:>8} {:>7} {:>9} {:>8} {:>8}\n",
        "regime",
        "runs",
        "success",
        "95% CI",
        "diff vs none [95% CI]",
        "median",
        "probes",
        "honoured",
        "resp h",
        "UA holds"
    );
    let f = |x: Option<f64>, d: usize| x.map(|v| format!("{v:.d$}")).unwrap_or_else(|| "-".into());
    for r in rows {
        let diff = match (r.diff_vs_none, r.diff_ci_low, r.diff_ci_high) {
            (Some(d), Some(l), Some(h)) => format!("{d:+.3} [{l:+.3},{h:+.3}]"),
            _ => "-".into(),
        };
        let median = if r.median_censored {
            format!(">{}", r.median_months_to_offensive)
        } else {
            r.median_months_to_offensive.to_string()
        };
        s.push_str(&format!(
            "{:<12} {:>7} {:>8.3} {:>17} {:>22} {:>8} {:>7.2} {:>9} {:>8} {:>8}\n",
            r.regime,
            r.runs,
            r.success_rate,
            format!("[{:.3},{:.3}]", r.ci_low, r.ci_high),
            diff,
            median,
            r.probes_per_run,
            f(r.honoured_share, 3),
            f(r.mean_response_hours, 0),
            f(r.p_hold_given_offensive, 3),
        ));
    }
    s
}
