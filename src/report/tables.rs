//! The CSV tables of a run (`summary.csv`, `guarantors.csv`, `timeline.csv`, `runs.csv`): their
//! columns, how a number is printed in a cell, and reading a table back ([`Table`]).

use crate::model::validate::Model;
use crate::sim::aggregate::BatchResult;
use crate::{Error, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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
    for r in model.responses() {
        let _ = write!(out, ",resp_{}", r.name);
    }
    out.push_str(",cost_usd_bn_per_run,cost_share_of_regime,cost_per_gdp_ppm,mean_hours_to_support\n");
    for (k, (name, acc)) in batch.regimes.iter().zip(&batch.accumulators).enumerate() {
        let regime = &model.regimes()[k];
        let total_cost: f64 = acc.cost.iter().sum();
        let runs = acc.runs.max(1) as f64;
        for (i, g) in model.guarantors().iter().enumerate() {
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
    for g in model.guarantors() {
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
        let tmp = crate::report::files::temp_path(&path);
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut out = std::io::BufWriter::new(f);
        out.write_all(format!("{RUN_COLUMNS}\n").as_bytes())
            .map_err(|e| Error::io(&tmp, e))?;
        Ok(RunsCsv {
            tmp,
            path,
            out,
            regimes: model.regimes().iter().map(|r| r.name.clone()).collect(),
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

    /// Flush, sync and rename into place (then sync the directory).
    pub fn finish(self) -> Result<PathBuf> {
        let f = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        crate::report::files::commit_temp(f, &self.tmp, &self.path)?;
        Ok(self.path)
    }
}
