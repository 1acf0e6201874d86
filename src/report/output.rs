//! Result files: atomic writes, the run's CSV tables, the manifest, and reading tables back.
//!
//! Every file is written to a temporary name in the same directory and renamed into place, so a
//! reader (or a crash) never sees half a file. An output directory that already holds results is
//! not touched without `--force`.

use crate::model::validate::Model;
use crate::report::charts::{self, Bar, Figure, Panel, Series};
use crate::sim::aggregate::BatchResult;
use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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

/// A number for a CSV cell: six decimals, or empty when undefined.
pub fn cell(x: Option<f64>) -> String {
    match x {
        // Adding 0.0 turns -0.0 into 0.0; a tiny negative still prints as -0.000000, so fix that too.
        Some(v) if v.is_finite() => match format!("{:.6}", v + 0.0) {
            s if s == "-0.000000" => "0.000000".to_string(),
            s => s,
        },
        _ => String::new(),
    }
}

/// The columns of `summary.csv` after `regime`.
pub const SUMMARY_COLUMNS: &str = "runs,successes,success_rate,ci_low,ci_high,diff_vs_none,diff_ci_low,diff_ci_high,median_months_to_offensive,median_censored,probes_per_run,honoured_share,mean_response_hours,mean_support,p_hold_given_offensive";

/// The summary columns with the paired difference named after its baseline regime
/// (`diff_vs_none` in runs and sweeps; `diff_vs_<regime>` in a difference study).
pub fn summary_columns(baseline: &str) -> String {
    SUMMARY_COLUMNS.replacen("diff_vs_none", &format!("diff_vs_{baseline}"), 1)
}

/// The summary cells of one regime, in [`SUMMARY_COLUMNS`] order.
pub fn summary_cells(s: &crate::sim::aggregate::SummaryRow) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        s.runs,
        s.successes,
        cell(Some(s.success_rate)),
        cell(Some(s.ci_low)),
        cell(Some(s.ci_high)),
        cell(s.diff_vs_none),
        cell(s.diff_ci_low),
        cell(s.diff_ci_high),
        s.median_months_to_offensive,
        s.median_censored,
        cell(Some(s.probes_per_run)),
        cell(s.honoured_share),
        cell(s.mean_response_hours),
        cell(s.mean_support),
        cell(s.p_hold_given_offensive),
    )
}

/// `summary.csv`: one row per regime.
pub fn summary_csv(batch: &BatchResult) -> String {
    let mut out = format!("regime,{SUMMARY_COLUMNS}\n");
    for s in batch.summary() {
        let _ = writeln!(out, "{},{}", s.regime, summary_cells(&s));
    }
    out
}

/// `guarantors.csv`: one row per regime and guarantor (burden sharing and free-riding).
pub fn guarantors_csv(model: &Model, batch: &BatchResult) -> String {
    let mut out = String::from("regime,guarantor,name,bound,called,honoured,honoured_share,nothing_share");
    let _ = write!(out, ",resp_nothing");
    for r in &model.responses {
        let _ = write!(out, ",resp_{}", r.name);
    }
    out.push_str(",cost_usd_bn_per_run,cost_share_of_regime,cost_per_gdp_ppm,mean_hours_to_support\n");
    for (k, (name, acc)) in batch.regimes.iter().zip(&batch.accumulators).enumerate() {
        let regime = &model.regimes[k];
        let total_cost: f64 = acc.cost.iter().sum();
        let runs = acc.runs.max(1) as f64;
        for (i, g) in model.guarantors.iter().enumerate() {
            let called = acc.called[i];
            let share = |x: u64| {
                if called == 0 {
                    None
                } else {
                    Some(x as f64 / called as f64)
                }
            };
            let _ = write!(
                out,
                "{name},{},{},{},{},{},{},{}",
                g.id,
                g.name,
                regime.binds(&g.id, g.bilateral),
                called,
                acc.honoured[i],
                cell(share(acc.honoured[i])),
                cell(share(acc.responses[i * acc.options]))
            );
            for o in 0..acc.options {
                let _ = write!(out, ",{}", acc.responses[i * acc.options + o]);
            }
            let cost_share = if total_cost > 0.0 {
                Some(acc.cost[i] / total_cost)
            } else {
                None
            };
            let wait = (acc.honoured[i] > 0).then(|| acc.arrival_hours[i] / acc.honoured[i] as f64);
            let _ = writeln!(
                out,
                ",{},{},{},{}",
                cell(Some(acc.cost[i] / runs)),
                cell(cost_share),
                cell(Some(acc.cost[i] / runs / g.gdp_usd_bn * 1e6)),
                cell(wait)
            );
        }
    }
    out
}

/// `timeline.csv`: one row per regime and month.
pub fn timeline_csv(model: &Model, batch: &BatchResult) -> String {
    let mut out = String::from("regime,month,survival,survival_ci_low,survival_ci_high,probe_rate");
    for g in &model.guarantors {
        let _ = write!(out, ",belief_{0}_mean,belief_{0}_p10,belief_{0}_p90", g.id);
    }
    out.push('\n');
    for (name, acc) in batch.regimes.iter().zip(&batch.accumulators) {
        for t in 0..acc.periods {
            let (s, lo, hi) = acc.survival(t);
            let probe_rate = acc.probes_by_month[t] as f64 / acc.runs.max(1) as f64;
            let _ = write!(
                out,
                "{name},{},{},{},{},{}",
                t + 1,
                cell(Some(s)),
                cell(Some(lo)),
                cell(Some(hi)),
                cell(Some(probe_rate))
            );
            for i in 0..acc.guarantors {
                let (m, p10, p90) = acc.belief(t, i);
                let _ = write!(out, ",{},{},{}", cell(Some(m)), cell(Some(p10)), cell(Some(p90)));
            }
            out.push('\n');
        }
    }
    out
}

/// A CSV table read back: header and rows of cells (our files never quote).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Parse CSV text written by this crate; every row must have as many cells as the header.
    pub fn parse(text: &str, path: &Path) -> Result<Table> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let header: Vec<String> = match lines.next() {
            Some((_, h)) => h.split(',').map(|s| s.trim().to_string()).collect(),
            None => {
                return Err(Error::Results {
                    path: path.to_path_buf(),
                    message: "is empty (no header line)".into(),
                })
            }
        };
        let mut rows = Vec::new();
        for (k, l) in lines {
            let row: Vec<String> = l.split(',').map(|s| s.trim().to_string()).collect();
            if row.len() != header.len() {
                return Err(Error::Results {
                    path: path.to_path_buf(),
                    message: format!(
                        "line {}: {} cells where the header has {}; the file is damaged",
                        k + 1,
                        row.len(),
                        header.len()
                    ),
                });
            }
            rows.push(row);
        }
        Ok(Table { header, rows })
    }

    /// Read and parse a file.
    pub fn read(path: &Path) -> Result<Table> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Read {
            path: path.to_path_buf(),
            source: e,
        })?;
        Table::parse(&text, path)
    }

    /// Index of a column, or an error naming the file.
    pub fn col(&self, name: &str, path: &Path) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::Results {
                path: path.to_path_buf(),
                message: format!("no column `{name}`"),
            })
    }

    /// A numeric cell (NaN when empty or unparsable).
    pub fn num(&self, row: usize, col: usize) -> f64 {
        self.rows[row]
            .get(col)
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN)
    }
}

/// The columns of a per-run row after its identifying columns.
pub const RUN_COLUMNS: &str = "regime,run,success,offensive_month,ukraine_held,probes,crises,commitments,commitments_honoured,mean_response_hours,mean_support";

/// One per-run row (regime, run and what happened), without a line end.
pub fn run_row(regime: &str, run: u64, r: &crate::sim::state::RunRecord) -> String {
    let ratio = |a: f64, b: u32| if b == 0 { None } else { Some(a / f64::from(b)) };
    format!(
        "{regime},{run},{},{},{},{},{},{},{},{},{}",
        r.offensive_month.is_none(),
        r.offensive_month.map(|t| (t + 1).to_string()).unwrap_or_default(),
        r.offensive_month.map(|_| r.held.to_string()).unwrap_or_default(),
        r.probes,
        r.crises,
        r.commitments,
        r.commitments_honoured,
        cell(ratio(r.response_hours, r.responses_timed)),
        cell(ratio(r.support, r.crises)),
    )
}

/// `runs.csv` (with `run --per-run`): one row per regime and run, streamed to a temporary file
/// in run order and renamed into place when the batch is complete.
pub struct RunsCsv {
    tmp: PathBuf,
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    regimes: Vec<String>,
}

impl RunsCsv {
    pub fn create(dir: &Path, model: &Model) -> Result<RunsCsv> {
        use std::io::Write as _;
        let path = dir.join("runs.csv");
        let tmp = dir.join(format!(".runs.csv.tmp{}", std::process::id()));
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut out = std::io::BufWriter::new(f);
        out.write_all(format!("{RUN_COLUMNS}\n").as_bytes())
            .map_err(|e| Error::io(&tmp, e))?;
        Ok(RunsCsv {
            tmp,
            path,
            out,
            regimes: model.regimes.iter().map(|r| r.name.clone()).collect(),
        })
    }

    /// Write run `run`'s records (one per regime, in regime order).
    pub fn write(&mut self, run: u64, records: &[crate::sim::state::RunRecord]) -> Result<()> {
        use std::io::Write as _;
        for (name, r) in self.regimes.iter().zip(records) {
            writeln!(self.out, "{}", run_row(name, run, r)).map_err(|e| Error::io(&self.tmp, e))?;
        }
        Ok(())
    }

    /// Flush and rename into place.
    pub fn finish(self) -> Result<PathBuf> {
        let f = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        Ok(self.path)
    }
}

/// Title shared by a run's charts.
pub fn chart_title(name: &str, seed: &str, runs: &str) -> String {
    format!("{name} · seed {seed} · {runs} runs per regime")
}

/// Draw the run's three charts from the CSV files in `dir`. `title` is [`chart_title`].
pub fn draw_run_charts(dir: &Path, title: &str) -> Result<Vec<PathBuf>> {
    let sp = dir.join("summary.csv");
    let summary = Table::read(&sp)?;
    let (cr, cv, cl, ch) = (
        summary.col("regime", &sp)?,
        summary.col("success_rate", &sp)?,
        summary.col("ci_low", &sp)?,
        summary.col("ci_high", &sp)?,
    );
    let bars: Vec<Bar> = (0..summary.rows.len())
        .map(|r| Bar {
            label: summary.rows[r][cr].clone(),
            value: summary.num(r, cv),
            low: summary.num(r, cl),
            high: summary.num(r, ch),
        })
        .collect();
    let tp = dir.join("timeline.csv");
    let timeline = Table::read(&tp)?;
    let (tr, tm, ts, tl, th) = (
        timeline.col("regime", &tp)?,
        timeline.col("month", &tp)?,
        timeline.col("survival", &tp)?,
        timeline.col("survival_ci_low", &tp)?,
        timeline.col("survival_ci_high", &tp)?,
    );
    let regimes: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let rows_of = |name: &str| -> Vec<usize> {
        (0..timeline.rows.len())
            .filter(|&r| timeline.rows[r][tr] == name)
            .collect()
    };
    let column = |rows: &[usize], c: usize| -> Vec<f64> {
        let mut v = vec![0.0];
        v.extend(rows.iter().map(|&r| timeline.num(r, c)));
        v
    };
    let survival: Vec<Series> = regimes
        .iter()
        .map(|name| {
            let rows = rows_of(name);
            let mut x = vec![0.0];
            x.extend(rows.iter().map(|&r| timeline.num(r, tm)));
            let mut s = column(&rows, ts);
            s[0] = 1.0;
            let mut lo = column(&rows, tl);
            lo[0] = 1.0;
            let mut hi = column(&rows, th);
            hi[0] = 1.0;
            Series {
                label: name.clone(),
                x,
                y: s,
                low: lo,
                high: hi,
            }
        })
        .collect();
    // Beliefs: the first six guarantors of the config (all are in timeline.csv), one panel per
    // regime.
    let ids: Vec<String> = timeline
        .header
        .iter()
        .filter_map(|h| {
            h.strip_prefix("belief_")
                .and_then(|h| h.strip_suffix("_mean"))
                .map(str::to_string)
        })
        .take(6)
        .collect();
    let mut belief_panels = Vec::new();
    for name in &regimes {
        let rows = rows_of(name);
        let mut series = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            let m = timeline.col(&format!("belief_{id}_mean"), &tp)?;
            let lo = timeline.col(&format!("belief_{id}_p10"), &tp)?;
            let hi = timeline.col(&format!("belief_{id}_p90"), &tp)?;
            let x: Vec<f64> = rows.iter().map(|&r| timeline.num(r, tm)).collect();
            let band = k == 0;
            series.push(Series {
                label: id.clone(),
                y: rows.iter().map(|&r| timeline.num(r, m)).collect(),
                low: if band {
                    rows.iter().map(|&r| timeline.num(r, lo)).collect()
                } else {
                    Vec::new()
                },
                high: if band {
                    rows.iter().map(|&r| timeline.num(r, hi)).collect()
                } else {
                    Vec::new()
                },
                x,
            });
        }
        // One alliance-wide belief shows as one line: say so.
        let shared = series.windows(2).all(|w| w[0].y == w[1].y);
        let band = ids.first().map(String::as_str).unwrap_or("");
        belief_panels.push(Panel {
            title: if shared {
                format!("{name}: one alliance-wide belief (band: 10th-90th percentile)")
            } else {
                format!(
                    "{name}: the first {} guarantors of the config (band: {band} 10th-90th percentile)",
                    ids.len()
                )
            },
            series,
        });
    }

    let mut files = Vec::new();
    let det = Figure::Bars {
        title: format!("Deterrence success by regime — {title}"),
        y_label: "share of runs with no major offensive (95% Wilson CI)".into(),
        bars,
    };
    files.extend(charts::render(dir, "deterrence", (1000, 650), &det)?);
    let surv = Figure::Lines {
        title: format!("No offensive yet, by month — {title}"),
        x_label: "month".into(),
        y_label: "share of runs with no major offensive".into(),
        y_range: (0.0, 1.0),
        series: survival,
    };
    files.extend(charts::render(dir, "survival", (1000, 650), &surv)?);
    let bel = Figure::Panels {
        title: format!("Russia's belief in each guarantor's resolve — {title}"),
        x_label: "month".into(),
        y_label: "mean belief (Beta posterior mean)".into(),
        y_range: (0.0, 1.0),
        panels: belief_panels,
        cols: 2,
    };
    files.extend(charts::render(dir, "beliefs", (1400, 1000), &bel)?);
    Ok(files)
}
