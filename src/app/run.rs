//! `deterrence-sim run`: every regime over the same seeded runs; the CSV tables, charts and
//! manifest in the output directory, and the summary table printed. Also the same run kept in
//! memory ([`collect`]: the tables as text with their column types, and the manifest), which the
//! Python package reads.

use crate::app::load::{resolve, resolve_loaded, Loaded, Overrides};
use crate::model::config::arm_name;
use crate::model::config::RawConfig;
use crate::model::validate::Model;
use crate::report::files::sha256_hex;
use crate::report::files::write_atomic;
use crate::report::manifest::{manifest_json, write_manifest};
use crate::report::run_charts::chart_title;
use crate::report::tables::Kind;
use crate::report::{files, run_charts, tables};
use crate::sim::aggregate::{BatchResult, ForceEffect, SummaryRow};
use crate::sim::batch::{self as runner, Progress};
use crate::Result;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What `run` produced.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The results directory.
    pub dir: PathBuf,
    /// One summary row per arm, regime and force (the printed table).
    pub summary: Vec<SummaryRow>,
    /// The paired effect of the force within each regime run with both arms (printed after
    /// the table).
    pub force_effects: Vec<ForceEffect>,
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// Wall time of the runs, seconds.
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
        .unwrap_or_else(|| PathBuf::from("output").join(model.name()));
    // Locked for the rest of the process; with --force the new set is built aside and swapped in
    // whole, so an interrupted run leaves the old results as they were.
    let work = files::begin(&dir, force, &RESULT_NAMES)?;
    let written = write_new(&work, &loaded.origin, &raw, &model, per_run, progress);
    let (batch, wall, written) = match written {
        Ok(w) => w,
        Err(e) => {
            files::abandon(&work);
            return Err(e);
        }
    };
    files::commit(&work)?;
    let files = written
        .iter()
        .filter_map(|f| f.file_name().map(|n| dir.join(n)))
        .collect();
    Ok(RunReport {
        dir,
        summary: batch.summary(),
        force_effects: batch.force_effects(),
        files,
        wall_seconds: wall,
    })
}

/// Names a results directory may hold besides the files its manifest lists (a run's or a
/// study's result markers, and a study's state and partial files): what `run` replaces.
pub const RESULT_NAMES: [&str; 7] = [
    "summary.csv",
    "points.csv",
    "point.csv",
    "runs.csv",
    crate::study::store::STATE,
    crate::study::store::PARTIAL,
    crate::study::store::RUNS_PARTIAL,
];

/// Run the batch and write its files into `dir`: (batch, wall seconds, files written).
fn write_new(
    dir: &Path,
    origin: &str,
    raw: &RawConfig,
    model: &Model,
    per_run: bool,
    progress: &dyn Progress,
) -> Result<(BatchResult, f64, Vec<PathBuf>)> {
    let pool = runner::pool(model.run().threads)?;
    let start = Instant::now();
    let mut runs_file = if per_run {
        Some(tables::RunsCsv::create(dir, model)?)
    } else {
        None
    };
    let mut failed = None;
    let batch = runner::run_batch_with(model, 0, &pool, progress, &mut |rep, records| {
        if let (Some(f), None) = (runs_file.as_mut(), failed.as_ref()) {
            failed = f.write(rep, records).err();
        }
    });
    let wall = start.elapsed().as_secs_f64();
    if let Some(e) = failed {
        return Err(e);
    }
    let mut done = Vec::new();
    if let Some(f) = runs_file {
        done.push(f.finish()?);
    }
    let mut files = write_run(
        dir,
        origin,
        raw,
        model,
        &batch,
        wall,
        "run",
        serde_json::Value::Null,
        &done,
    )?;
    files.retain(|f| !done.contains(f));
    files.extend(done);
    Ok((batch, wall, files))
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
        ("force_effect.csv", tables::force_effect_csv(batch)),
        ("guarantors.csv", tables::guarantors_csv(model, batch)),
        ("timeline.csv", tables::timeline_csv(model, batch)),
    ] {
        let p = dir.join(name);
        write_atomic(&p, text.as_bytes())?;
        files.push(p);
    }
    let title = chart_title(
        model.name(),
        &model.run().seed.to_string(),
        &model.run().runs.to_string(),
    );
    files.extend(run_charts::draw_run_charts(dir, &title)?);
    let extra = with_qre_capped(batch, extra);
    write_manifest(
        dir,
        origin,
        raw,
        model.force_design(),
        model.run().seed,
        model.run().threads,
        wall,
        command,
        &files,
        extra,
    )?;
    Ok(files)
}

/// The manifest's `extra` with `qre_capped` added: the crises whose separate-consultation
/// equilibrium hit its iteration cap (0 expected).
fn with_qre_capped(batch: &BatchResult, extra: serde_json::Value) -> serde_json::Value {
    let capped: u64 = batch.accumulators.iter().map(|a| a.qre_capped).sum();
    match extra {
        serde_json::Value::Object(mut m) => {
            m.insert("qre_capped".into(), capped.into());
            serde_json::Value::Object(m)
        }
        serde_json::Value::Null => serde_json::json!({ "qre_capped": capped }),
        other => serde_json::json!({ "qre_capped": capped, "run": other }),
    }
}

/// One table of a run kept in memory: its file name, the text the file would hold (the same
/// bytes `run` writes) and its columns with their kinds.
#[derive(Debug, Clone)]
pub struct TableText {
    /// The file `run` writes it to (`summary.csv`, ...).
    pub name: &'static str,
    /// The CSV text, header first.
    pub text: String,
    /// Every column in file order, with the type of its cells.
    pub columns: Vec<(String, Kind)>,
}

/// A run's results kept in memory ([`collect`]).
#[derive(Debug, Clone)]
pub struct Collected {
    /// `summary.csv`, `force_effect.csv`, `guarantors.csv`, `timeline.csv` and, when asked
    /// for, `runs.csv`, in that order.
    pub tables: Vec<TableText>,
    /// What `manifest.json` would hold, with the SHA-256 of each table's text under `files`.
    pub manifest: serde_json::Value,
}

/// `run` without a results directory: every regime over the same seeded runs, the tables built
/// by the writers `run` uses (so each is byte-identical to the file `run` writes for the same
/// config, seed and runs) and kept in memory with the manifest, without charts. `command`
/// labels the manifest. `per_run` also keeps `runs.csv` (one row per arm and run).
pub fn collect(
    loaded: Loaded,
    o: &Overrides,
    per_run: bool,
    command: &str,
    progress: &dyn Progress,
) -> Result<Collected> {
    let (loaded, raw, model) = resolve_loaded(loaded, o)?;
    let pool = runner::pool(model.run().threads)?;
    let start = Instant::now();
    let names: Vec<(String, bool)> = model
        .arms()
        .iter()
        .map(|a| (model.regimes()[a.regime].name.clone(), a.force))
        .collect();
    let mut runs = per_run.then(|| format!("{}\n", tables::run_header_with_force()));
    let batch = runner::run_batch_with(&model, 0, &pool, progress, &mut |rep, records| {
        if let Some(out) = runs.as_mut() {
            for ((name, force), r) in names.iter().zip(records) {
                tables::write_run_row_with_force(out, name, *force, rep, r);
            }
        }
    });
    let wall = start.elapsed().as_secs_f64();
    let kinds = |cols: &[tables::Column]| cols.iter().map(|c| (c.name.to_string(), c.kind)).collect();
    let mut out = vec![
        TableText {
            name: "summary.csv",
            text: tables::summary_csv(&batch),
            columns: tables::summary_columns(batch.baseline_name()),
        },
        TableText {
            name: "force_effect.csv",
            text: tables::force_effect_csv(&batch),
            columns: kinds(&tables::force_effect::COLUMNS),
        },
        TableText {
            name: "guarantors.csv",
            text: tables::guarantors_csv(&model, &batch),
            columns: tables::guarantors_columns(&model),
        },
        TableText {
            name: "timeline.csv",
            text: tables::timeline_csv(&model, &batch),
            columns: tables::timeline_columns(&model),
        },
    ];
    if let Some(text) = runs {
        out.push(TableText {
            name: "runs.csv",
            text,
            columns: kinds(&tables::run_columns_with_force()),
        });
    }
    let hashes = out
        .iter()
        .map(|t| (t.name.to_string(), sha256_hex(t.text.as_bytes()).into()))
        .collect();
    let manifest = manifest_json(
        &loaded.origin,
        &raw,
        model.force_design(),
        model.run().seed,
        model.run().threads,
        wall,
        command,
        hashes,
        with_qre_capped(&batch, serde_json::Value::Null),
    )?;
    Ok(Collected {
        tables: out,
        manifest,
    })
}

/// A readable table of summary rows; the difference column is named after the rows' baseline
/// regime ("diff vs none", or "diff vs <regime>" for a point of a difference study).
pub fn summary_table(rows: &[SummaryRow]) -> String {
    let base = rows
        .iter()
        .find_map(|r| r.diff.as_ref())
        .map(|d| d.baseline.as_str());
    let diff_head = match base {
        Some(b) => format!("diff vs {b} [95% CI]"),
        None => "diff [95% CI]".into(),
    };
    let mut s = format!(
        "{:<12} {:<7} {:>7} {:>8} {:>17} {:>22} {:>8} {:>7} {:>9} {:>8} {:>8}\n",
        "regime",
        "force",
        "runs",
        "success",
        "95% CI",
        diff_head,
        "median",
        "probes",
        "honoured",
        "resp h",
        "UA holds"
    );
    let f = |x: Option<f64>, d: usize| x.map(|v| format!("{v:.d$}")).unwrap_or_else(|| "-".into());
    for r in rows {
        let diff = match &r.diff {
            Some(d) => format!("{:+.3} [{:+.3},{:+.3}]", d.estimate, d.low, d.high),
            None => "-".into(),
        };
        let median = if r.median_censored {
            format!(">{}", r.median_months_to_offensive)
        } else {
            r.median_months_to_offensive.to_string()
        };
        s.push_str(&format!(
            "{:<12} {:<7} {:>7} {:>8.3} {:>17} {:>22} {:>8} {:>7.2} {:>9} {:>8} {:>8}\n",
            r.regime,
            arm_name(r.force),
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

/// A readable table of the force's paired effects (with minus without, within each regime);
/// empty when no regime ran both arms.
pub fn force_effect_table(effects: &[ForceEffect]) -> String {
    if effects.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "\n{:<12} {:>7} {:>28} {:>10} {:>12}\n",
        "force effect", "runs", "with - without [95% CI]", "with only", "without only"
    );
    for e in effects {
        s.push_str(&format!(
            "{:<12} {:>7} {:>28} {:>10} {:>12}\n",
            e.regime,
            e.runs,
            format!("{:+.3} [{:+.3},{:+.3}]", e.estimate, e.low, e.high),
            e.with_only,
            e.without_only
        ));
    }
    s
}
