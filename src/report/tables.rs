//! The CSV tables of a run (`summary.csv`, `force_effect.csv`, `guarantors.csv`,
//! `timeline.csv`, `runs.csv`) and
//! the schema every table of the tool is written and read with: each column is a [`Column`]
//! (name and [`Kind`]) defined once here (or, for a study's `indices.csv`, in its module), and
//! the writer prints and the readers find cells through those definitions. Every column has
//! one type in every row: integers without a decimal point, real numbers always with one,
//! booleans `true`/`false`; an empty cell only means "undefined" in a real-number (or
//! optional integer) column, which pandas and polars read as a missing float or integer.
//! Columns that would be empty in every row (a paired difference with no baseline) are left
//! out.

use crate::model::config::arm_name;
use crate::model::validate::Model;
use crate::sim::aggregate::BatchResult;
use crate::sim::state::RunRecord;
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

/// A design value (a parameter's value at a point) for a CSV cell: the shortest text that
/// reads back as the same `f64`, always with a decimal point (`25312.0`, not `25312`), so a
/// column of them is read as floats whatever its first rows hold. Non-finite values (never in
/// a validated design) print empty.
pub fn exact_cell(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let s = format!("{}", x + 0.0);
    if s.contains('.') {
        s
    } else {
        s + ".0"
    }
}

/// The type of a column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A name; never empty.
    Text,
    /// A whole number without a decimal point; never empty.
    Int,
    /// A whole number, or empty where undefined.
    OptInt,
    /// `true` or `false`; never empty.
    Bool,
    /// A real number with six decimals ([`cell`]), or empty where undefined.
    Float,
    /// A design value in shortest round-trip form with a decimal point ([`exact_cell`]).
    Exact,
}

/// One column of a table: its name and the type of its cells. A name holding `{}` is a
/// template filled in per table (`diff_vs_{}` becomes `diff_vs_none`), see [`Column::named`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The column's name in the header (or its template).
    pub name: &'static str,
    /// The type of its cells.
    pub kind: Kind,
}

impl Column {
    /// A column definition.
    pub const fn new(name: &'static str, kind: Kind) -> Column {
        Column { name, kind }
    }

    /// The column's name with its `{}` filled by `arg` (the name itself if it has none).
    pub fn named(&self, arg: &str) -> String {
        self.name.replacen("{}", arg, 1)
    }
}

/// One cell's value, typed like its column's [`Kind`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A [`Kind::Text`] cell.
    Text(&'a str),
    /// A [`Kind::Int`] cell.
    Int(u64),
    /// A [`Kind::OptInt`] cell.
    OptInt(Option<u64>),
    /// A [`Kind::Bool`] cell.
    Bool(bool),
    /// A [`Kind::Float`] cell.
    Float(Option<f64>),
    /// A [`Kind::Exact`] cell.
    Exact(f64),
}

impl Value<'_> {
    /// The kind of column this value belongs in.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Text(_) => Kind::Text,
            Value::Int(_) => Kind::Int,
            Value::OptInt(_) => Kind::OptInt,
            Value::Bool(_) => Kind::Bool,
            Value::Float(_) => Kind::Float,
            Value::Exact(_) => Kind::Exact,
        }
    }

    /// Append the cell's text to `out`.
    pub fn write_to(&self, out: &mut String) {
        match *self {
            Value::Text(s) => out.push_str(s),
            Value::Int(v) | Value::OptInt(Some(v)) => {
                let _ = write!(out, "{v}");
            }
            Value::OptInt(None) => {}
            Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
            Value::Float(x) => out.push_str(&cell(x)),
            Value::Exact(x) => out.push_str(&exact_cell(x)),
        }
    }
}

/// A header line (with its line end) from column names.
pub fn header_line<S: AsRef<str>>(names: &[S]) -> String {
    let mut s = names.iter().map(|n| n.as_ref()).collect::<Vec<_>>().join(",");
    s.push('\n');
    s
}

/// Append one row of cells (comma-separated, with its line end) to `out`.
pub fn write_row(out: &mut String, cells: &[Value]) {
    for (k, c) in cells.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        c.write_to(out);
    }
    out.push('\n');
}

/// The columns of `summary.csv` (after `regime`, which [`REGIME`] names) and of `points.csv`
/// (after the point's own columns): defined once, with how each is printed.
pub mod summary {
    use super::{Column, Kind, Value};
    use crate::sim::aggregate::SummaryRow;

    /// The regime's name (the first column of `summary.csv`).
    pub const REGIME: Column = Column::new("regime", Kind::Text);
    /// The arm of the reassurance-force factor, `with` or `without` (the second column of
    /// `summary.csv`; not in a study's `points.csv`, which runs one arm).
    pub const FORCE: Column = Column::new("force", Kind::Text);
    /// Runs of the regime.
    pub const RUNS: Column = Column::new("runs", Kind::Int);
    /// Runs with no major offensive.
    pub const SUCCESSES: Column = Column::new("successes", Kind::Int);
    /// Share of runs with no major offensive.
    pub const SUCCESS_RATE: Column = Column::new("success_rate", Kind::Float);
    /// 95% Wilson interval of the success rate: lower end.
    pub const CI_LOW: Column = Column::new("ci_low", Kind::Float);
    /// 95% Wilson interval of the success rate: upper end.
    pub const CI_HIGH: Column = Column::new("ci_high", Kind::Float);
    /// Success rate minus the baseline regime's over the same runs (`diff_vs_<baseline>`).
    pub const DIFF: Column = Column::new("diff_vs_{}", Kind::Float);
    /// 95% Tango score interval of that paired difference: lower end.
    pub const DIFF_CI_LOW: Column = Column::new("diff_ci_low", Kind::Float);
    /// 95% Tango score interval of that paired difference: upper end.
    pub const DIFF_CI_HIGH: Column = Column::new("diff_ci_high", Kind::Float);
    /// Runs where this regime succeeded and the baseline failed (`better_than_<baseline>`).
    pub const BETTER: Column = Column::new("better_than_{}", Kind::Int);
    /// Runs where the baseline succeeded and this regime failed (`worse_than_<baseline>`).
    pub const WORSE: Column = Column::new("worse_than_{}", Kind::Int);
    /// First month by which half the runs saw an offensive (the horizon if censored).
    pub const MEDIAN_MONTHS: Column = Column::new("median_months_to_offensive", Kind::Int);
    /// Fewer than half the runs saw an offensive within the horizon.
    pub const MEDIAN_CENSORED: Column = Column::new("median_censored", Kind::Bool);
    /// Mean probes per run.
    pub const PROBES_PER_RUN: Column = Column::new("probes_per_run", Kind::Float);
    /// Share of commitments honoured (empty without commitments).
    pub const HONOURED_SHARE: Column = Column::new("honoured_share", Kind::Float);
    /// Mean hours until a response (empty without timed responses).
    pub const MEAN_RESPONSE_HOURS: Column = Column::new("mean_response_hours", Kind::Float);
    /// Mean support per crisis (empty without crises).
    pub const MEAN_SUPPORT: Column = Column::new("mean_support", Kind::Float);
    /// Share of offensives Ukraine held (empty without offensives).
    pub const P_HOLD: Column = Column::new("p_hold_given_offensive", Kind::Float);

    type Get = for<'a> fn(&'a SummaryRow) -> Value<'a>;

    /// Every column after the regime, in file order: (column, present only with a baseline,
    /// the cell of a row).
    const FIELDS: [(Column, bool, Get); 17] = [
        (RUNS, false, |s| Value::Int(s.runs)),
        (SUCCESSES, false, |s| Value::Int(s.successes)),
        (SUCCESS_RATE, false, |s| Value::Float(Some(s.success_rate))),
        (CI_LOW, false, |s| Value::Float(Some(s.ci_low))),
        (CI_HIGH, false, |s| Value::Float(Some(s.ci_high))),
        (DIFF, true, |s| Value::Float(s.diff.as_ref().map(|d| d.estimate))),
        (DIFF_CI_LOW, true, |s| {
            Value::Float(s.diff.as_ref().map(|d| d.low))
        }),
        (DIFF_CI_HIGH, true, |s| {
            Value::Float(s.diff.as_ref().map(|d| d.high))
        }),
        (BETTER, true, |s| {
            Value::Int(s.diff.as_ref().map_or(0, |d| d.better))
        }),
        (WORSE, true, |s| {
            Value::Int(s.diff.as_ref().map_or(0, |d| d.worse))
        }),
        (MEDIAN_MONTHS, false, |s| {
            Value::Int(u64::from(s.median_months_to_offensive))
        }),
        (MEDIAN_CENSORED, false, |s| Value::Bool(s.median_censored)),
        (PROBES_PER_RUN, false, |s| Value::Float(Some(s.probes_per_run))),
        (HONOURED_SHARE, false, |s| Value::Float(s.honoured_share)),
        (MEAN_RESPONSE_HOURS, false, |s| {
            Value::Float(s.mean_response_hours)
        }),
        (MEAN_SUPPORT, false, |s| Value::Float(s.mean_support)),
        (P_HOLD, false, |s| Value::Float(s.p_hold_given_offensive)),
    ];

    /// The columns after the regime, with their names: the paired-difference columns only with
    /// a baseline, named after it.
    pub fn columns(baseline: Option<&str>) -> Vec<(String, Kind)> {
        FIELDS
            .iter()
            .filter(|f| baseline.is_some() || !f.1)
            .map(|(c, _, _)| (c.named(baseline.unwrap_or("")), c.kind))
            .collect()
    }

    /// The cells of one row after the regime, in [`columns`] order (the paired-difference cells
    /// only when the row has a difference, that is, the batch has a baseline).
    pub fn cells(s: &SummaryRow) -> Vec<Value<'_>> {
        let paired = s.diff.is_some();
        FIELDS
            .iter()
            .filter(|f| paired || !f.1)
            .map(|(_, _, get)| get(s))
            .collect()
    }

    /// The numeric columns a sensitivity study can analyse (`[output] metric`).
    pub const METRICS: [Column; 7] = [
        SUCCESS_RATE,
        P_HOLD,
        HONOURED_SHARE,
        PROBES_PER_RUN,
        MEAN_RESPONSE_HOURS,
        MEAN_SUPPORT,
        MEDIAN_MONTHS,
    ];

    /// The metric column called `name`, if a study can analyse it.
    pub fn metric(name: &str) -> Option<Column> {
        METRICS.into_iter().find(|c| c.name == name)
    }
}

/// Every column of `summary.csv` with its kind: `regime`, `force`, then [`summary::columns`].
pub fn summary_columns(baseline: Option<&str>) -> Vec<(String, Kind)> {
    let mut cols = vec![
        (summary::REGIME.name.to_string(), summary::REGIME.kind),
        (summary::FORCE.name.to_string(), summary::FORCE.kind),
    ];
    cols.extend(summary::columns(baseline));
    cols
}

/// `summary.csv`: one row per arm (regime, then `force` = `without`/`with`, in that order
/// within a regime); the paired difference columns only when the batch has a baseline regime,
/// named after it (`diff_vs_none`, or `diff_vs_<regime>` for a point of a difference study),
/// the difference taken within the same force arm.
pub fn summary_csv(batch: &BatchResult) -> String {
    let names: Vec<String> = summary_columns(batch.baseline_name())
        .into_iter()
        .map(|c| c.0)
        .collect();
    let mut out = header_line(&names);
    for s in batch.summary() {
        let mut cells = vec![Value::Text(&s.regime), Value::Text(arm_name(s.force))];
        cells.extend(summary::cells(&s));
        write_row(&mut out, &cells);
    }
    out
}

/// The columns of `force_effect.csv`: per regime run with both arms, the paired effect of the
/// reassurance force on deterrence success (with minus without, over the same runs).
pub mod force_effect {
    use super::{Column, Kind, Value};
    use crate::sim::aggregate::ForceEffect;

    /// The regime's name.
    pub const REGIME: Column = Column::new("regime", Kind::Text);
    /// Runs of each arm (paired run by run).
    pub const RUNS: Column = Column::new("runs", Kind::Int);
    /// Success rate with the force minus without: the mean of the per-run differences.
    pub const DIFF: Column = Column::new("diff", Kind::Float);
    /// 95% Tango score interval of that paired difference: lower end.
    pub const LO: Column = Column::new("lo", Kind::Float);
    /// 95% Tango score interval of that paired difference: upper end.
    pub const HI: Column = Column::new("hi", Kind::Float);
    /// Runs that succeeded with the force and failed without it.
    pub const WITH_ONLY: Column = Column::new("with_only", Kind::Int);
    /// Runs that succeeded without the force and failed with it.
    pub const WITHOUT_ONLY: Column = Column::new("without_only", Kind::Int);

    /// Every column, in file order.
    pub const COLUMNS: [Column; 7] = [REGIME, RUNS, DIFF, LO, HI, WITH_ONLY, WITHOUT_ONLY];

    /// The cells of one row, in [`COLUMNS`] order.
    pub fn cells(e: &ForceEffect) -> [Value<'_>; 7] {
        [
            Value::Text(&e.regime),
            Value::Int(e.runs),
            Value::Float(Some(e.estimate)),
            Value::Float(Some(e.low)),
            Value::Float(Some(e.high)),
            Value::Int(e.with_only),
            Value::Int(e.without_only),
        ]
    }
}

/// `force_effect.csv`: one row per regime run with both force arms (none when the design runs
/// one arm; the header is written anyway).
pub fn force_effect_csv(batch: &BatchResult) -> String {
    let names: Vec<&str> = force_effect::COLUMNS.iter().map(|c| c.name).collect();
    let mut out = header_line(&names);
    for e in batch.force_effects() {
        write_row(&mut out, &force_effect::cells(&e));
    }
    out
}

/// The columns of `guarantors.csv`.
pub mod guarantors {
    use super::{Column, Kind};
    /// The regime's name.
    pub const REGIME: Column = Column::new("regime", Kind::Text);
    /// The arm of the reassurance-force factor, `with` or `without`.
    pub const FORCE: Column = Column::new("force", Kind::Text);
    /// The guarantor's id.
    pub const GUARANTOR: Column = Column::new("guarantor", Kind::Text);
    /// The guarantor's name.
    pub const NAME: Column = Column::new("name", Kind::Text);
    /// Whether the regime binds this guarantor.
    pub const BOUND: Column = Column::new("bound", Kind::Bool);
    /// Crises in which it was called on.
    pub const CALLED: Column = Column::new("called", Kind::Int);
    /// Calls in which the tripwire forced it into the troops response (no decision taken).
    pub const FORCED: Column = Column::new("forced", Kind::Int);
    /// Calls it answered with a response of the regime's honouring set (`regimes.NAME.honouring`;
    /// forced troops included when the set has them).
    pub const HONOURED: Column = Column::new("honoured", Kind::Int);
    /// Share of calls honoured (empty if never called).
    pub const HONOURED_SHARE: Column = Column::new("honoured_share", Kind::Float);
    /// Share of calls answered with nothing (empty if never called).
    pub const NOTHING_SHARE: Column = Column::new("nothing_share", Kind::Float);
    /// Calls answered with nothing.
    pub const RESP_NOTHING: Column = Column::new("resp_nothing", Kind::Int);
    /// Calls answered with response `{}` (one column per response of the config).
    pub const RESP: Column = Column::new("resp_{}", Kind::Int);
    /// Mean cost per run, USD bn.
    pub const COST: Column = Column::new("cost_usd_bn_per_run", Kind::Float);
    /// Share of the regime's total cost (empty if the regime cost nothing).
    pub const COST_SHARE: Column = Column::new("cost_share_of_regime", Kind::Float);
    /// Mean cost per run per GDP, parts per million.
    pub const COST_PER_GDP: Column = Column::new("cost_per_gdp_ppm", Kind::Float);
    /// Mean hours until its honouring support arrived (empty if it never honoured).
    pub const HOURS_TO_SUPPORT: Column = Column::new("mean_hours_to_support", Kind::Float);
}

/// Every column of `guarantors.csv` with its kind (a `resp_<response>` column per response of
/// the model).
pub fn guarantors_columns(model: &Model) -> Vec<(String, Kind)> {
    use guarantors as g;
    let own = |c: &Column| (c.name.to_string(), c.kind);
    let mut cols: Vec<(String, Kind)> = [
        g::REGIME,
        g::FORCE,
        g::GUARANTOR,
        g::NAME,
        g::BOUND,
        g::CALLED,
        g::FORCED,
        g::HONOURED,
        g::HONOURED_SHARE,
        g::NOTHING_SHARE,
        g::RESP_NOTHING,
    ]
    .iter()
    .map(own)
    .collect();
    cols.extend(
        model
            .responses()
            .iter()
            .map(|r| (g::RESP.named(&r.name), g::RESP.kind)),
    );
    cols.extend(
        [g::COST, g::COST_SHARE, g::COST_PER_GDP, g::HOURS_TO_SUPPORT]
            .iter()
            .map(own),
    );
    cols
}

/// `guarantors.csv`: one row per arm (regime and force) and guarantor (burden sharing and
/// free-riding).
pub fn guarantors_csv(model: &Model, batch: &BatchResult) -> String {
    let names: Vec<String> = guarantors_columns(model).into_iter().map(|c| c.0).collect();
    let mut out = header_line(&names);
    for (k, (name, acc)) in batch.regimes.iter().zip(&batch.accumulators).enumerate() {
        let arm = batch.arms[k];
        let regime = &model.regimes()[arm.regime];
        let total_cost: f64 = acc.cost.iter().sum();
        let runs = acc.runs.max(1) as f64;
        for (i, gu) in model.guarantors().iter().enumerate() {
            let called = acc.called[i];
            let share = |x: u64| (called > 0).then(|| x as f64 / called as f64);
            let mut cells = vec![
                Value::Text(name),
                Value::Text(arm_name(arm.force)),
                Value::Text(&gu.id),
                Value::Text(&gu.name),
                Value::Bool(regime.binds(&gu.id, gu.bilateral)),
                Value::Int(called),
                Value::Int(acc.forced[i]),
                Value::Int(acc.honoured[i]),
                Value::Float(share(acc.honoured[i])),
                Value::Float(share(acc.responses[i * acc.options])),
            ];
            cells.extend((0..acc.options).map(|o| Value::Int(acc.responses[i * acc.options + o])));
            let cost_share = (total_cost > 0.0).then(|| acc.cost[i] / total_cost);
            let wait = (acc.honoured[i] > 0).then(|| acc.arrival_hours[i] / acc.honoured[i] as f64);
            cells.extend([
                Value::Float(Some(acc.cost[i] / runs)),
                Value::Float(cost_share),
                Value::Float(Some(acc.cost[i] / runs / gu.gdp_usd_bn * 1e6)),
                Value::Float(wait),
            ]);
            write_row(&mut out, &cells);
        }
    }
    out
}

/// The columns of `timeline.csv`.
pub mod timeline {
    use super::{Column, Kind};
    /// The regime's name.
    pub const REGIME: Column = Column::new("regime", Kind::Text);
    /// The arm of the reassurance-force factor, `with` or `without`.
    pub const FORCE: Column = Column::new("force", Kind::Text);
    /// The month, from 1.
    pub const MONTH: Column = Column::new("month", Kind::Int);
    /// Share of runs with no offensive by the end of the month.
    pub const SURVIVAL: Column = Column::new("survival", Kind::Float);
    /// 95% Wilson interval of that share: lower end.
    pub const SURVIVAL_CI_LOW: Column = Column::new("survival_ci_low", Kind::Float);
    /// 95% Wilson interval of that share: upper end.
    pub const SURVIVAL_CI_HIGH: Column = Column::new("survival_ci_high", Kind::Float);
    /// Probes per run in the month.
    pub const PROBE_RATE: Column = Column::new("probe_rate", Kind::Float);
    /// Mean of Russia's belief in guarantor `{}`'s resolve.
    pub const BELIEF_MEAN: Column = Column::new("belief_{}_mean", Kind::Float);
    /// 10th percentile of that belief.
    pub const BELIEF_P10: Column = Column::new("belief_{}_p10", Kind::Float);
    /// 90th percentile of that belief.
    pub const BELIEF_P90: Column = Column::new("belief_{}_p90", Kind::Float);

    /// The guarantor ids of the belief columns in a header, in order.
    pub fn belief_ids(header: &[String]) -> Vec<String> {
        let (pre, post) = BELIEF_MEAN
            .name
            .split_once("{}")
            .unwrap_or((BELIEF_MEAN.name, ""));
        header
            .iter()
            .filter_map(|h| h.strip_prefix(pre).and_then(|h| h.strip_suffix(post)))
            .map(str::to_string)
            .collect()
    }
}

/// Every column of `timeline.csv` with its kind (three belief columns per guarantor).
pub fn timeline_columns(model: &Model) -> Vec<(String, Kind)> {
    use timeline as t;
    let mut cols: Vec<(String, Kind)> = [
        t::REGIME,
        t::FORCE,
        t::MONTH,
        t::SURVIVAL,
        t::SURVIVAL_CI_LOW,
        t::SURVIVAL_CI_HIGH,
        t::PROBE_RATE,
    ]
    .iter()
    .map(|c| (c.name.to_string(), c.kind))
    .collect();
    for g in model.guarantors() {
        cols.extend(
            [t::BELIEF_MEAN, t::BELIEF_P10, t::BELIEF_P90]
                .iter()
                .map(|c| (c.named(&g.id), c.kind)),
        );
    }
    cols
}

/// `timeline.csv`: one row per arm (regime and force) and month.
pub fn timeline_csv(model: &Model, batch: &BatchResult) -> String {
    let names: Vec<String> = timeline_columns(model).into_iter().map(|c| c.0).collect();
    let mut out = header_line(&names);
    for ((name, acc), arm) in batch.regimes.iter().zip(&batch.accumulators).zip(&batch.arms) {
        for m in 0..acc.periods {
            let (s, lo, hi) = acc.survival(m);
            let probe_rate = acc.probes_by_month[m] as f64 / acc.runs.max(1) as f64;
            let mut cells = vec![
                Value::Text(name),
                Value::Text(arm_name(arm.force)),
                Value::Int(m as u64 + 1),
                Value::Float(Some(s)),
                Value::Float(Some(lo)),
                Value::Float(Some(hi)),
                Value::Float(Some(probe_rate)),
            ];
            for i in 0..acc.guarantors {
                let (mean, p10, p90) = acc.belief(m, i);
                cells.extend([
                    Value::Float(Some(mean)),
                    Value::Float(Some(p10)),
                    Value::Float(Some(p90)),
                ]);
            }
            write_row(&mut out, &cells);
        }
    }
    out
}

/// A CSV table read back: header and rows of cells (our files never quote).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The header's column names.
    pub header: Vec<String>,
    /// The rows' cells, as many per row as the header has names.
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
        let text = crate::input::read_text(path, crate::input::TABLE_LIMIT, "table")?;
        Table::parse(&text, path)
    }

    /// Index of a column by name, or an error naming the file.
    pub fn col(&self, name: &str, path: &Path) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::Results {
                path: path.to_path_buf(),
                message: format!("no column `{name}`"),
            })
    }

    /// Index of the column `c` (its template filled with `arg`), after checking that every cell
    /// of it has the column's type; an error names the file, the column and the line.
    pub fn column(&self, c: &Column, arg: &str, path: &Path) -> Result<usize> {
        let name = c.named(arg);
        let k = self.col(&name, path)?;
        for (r, row) in self.rows.iter().enumerate() {
            let v = row[k].as_str();
            let ok = match c.kind {
                Kind::Text => !v.is_empty(),
                Kind::Int => v.parse::<u64>().is_ok(),
                Kind::OptInt => v.is_empty() || v.parse::<u64>().is_ok(),
                Kind::Bool => v == "true" || v == "false",
                Kind::Float => v.is_empty() || v.parse::<f64>().is_ok_and(f64::is_finite),
                Kind::Exact => v.parse::<f64>().is_ok_and(f64::is_finite),
            };
            if !ok {
                return Err(Error::Results {
                    path: path.to_path_buf(),
                    message: format!(
                        "line {}, column `{name}`: `{}` is not {}",
                        r + 2,
                        excerpt(v),
                        match c.kind {
                            Kind::Text => "a name",
                            Kind::Int => "a whole number",
                            Kind::OptInt => "a whole number or empty",
                            Kind::Bool => "true or false",
                            Kind::Float => "a number or empty",
                            Kind::Exact => "a number",
                        }
                    ),
                });
            }
        }
        Ok(k)
    }

    /// A numeric cell (NaN when empty or unparsable).
    pub fn num(&self, row: usize, col: usize) -> f64 {
        self.rows[row]
            .get(col)
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN)
    }
}

/// At most 40 characters of a cell, for a message.
fn excerpt(v: &str) -> String {
    match v.char_indices().nth(40) {
        Some((k, _)) => format!("{}...", &v[..k]),
        None => v.to_string(),
    }
}

/// The columns of `runs.csv` (after a study's point columns). A run's `runs.csv` has
/// [`runs::FORCE`] after the regime; a study's, which runs one arm, does not.
pub mod runs {
    use super::{Column, Kind};
    /// The regime's name.
    pub const REGIME: Column = Column::new("regime", Kind::Text);
    /// The arm of the reassurance-force factor, `with` or `without` (a run's `runs.csv` only).
    pub const FORCE: Column = Column::new("force", Kind::Text);
    /// The run's index.
    pub const RUN: Column = Column::new("run", Kind::Int);
    /// No major offensive within the horizon.
    pub const SUCCESS: Column = Column::new("success", Kind::Bool);
    /// The month of the first offensive, from 1 (empty when there was none).
    pub const OFFENSIVE_MONTH: Column = Column::new("offensive_month", Kind::OptInt);
    /// An offensive came and Ukraine held (false when there was no offensive: see `success`).
    pub const OFFENSIVE_HELD: Column = Column::new("offensive_held", Kind::Bool);
    /// Probes in the run.
    pub const PROBES: Column = Column::new("probes", Kind::Int);
    /// Crises in the run.
    pub const CRISES: Column = Column::new("crises", Kind::Int);
    /// Commitments made.
    pub const COMMITMENTS: Column = Column::new("commitments", Kind::Int);
    /// Commitments honoured.
    pub const COMMITMENTS_HONOURED: Column = Column::new("commitments_honoured", Kind::Int);
    /// Mean hours until a response (empty without timed responses).
    pub const MEAN_RESPONSE_HOURS: Column = Column::new("mean_response_hours", Kind::Float);
    /// Mean support per crisis (empty without crises).
    pub const MEAN_SUPPORT: Column = Column::new("mean_support", Kind::Float);

    /// Every column of a per-run row, in file order.
    pub const COLUMNS: [Column; 11] = [
        REGIME,
        RUN,
        SUCCESS,
        OFFENSIVE_MONTH,
        OFFENSIVE_HELD,
        PROBES,
        CRISES,
        COMMITMENTS,
        COMMITMENTS_HONOURED,
        MEAN_RESPONSE_HOURS,
        MEAN_SUPPORT,
    ];
}

/// The header of a per-run row ([`runs::COLUMNS`] joined by commas; a unit test checks it).
pub const RUN_COLUMNS: &str = "regime,run,success,offensive_month,offensive_held,probes,crises,commitments,commitments_honoured,mean_response_hours,mean_support";

/// The cells of one per-run row, in [`runs::COLUMNS`] order.
pub fn run_cells<'a>(regime: &'a str, run: u64, r: &RunRecord) -> [Value<'a>; 11] {
    let ratio = |a: f64, b: u32| (b > 0).then(|| a / f64::from(b));
    [
        Value::Text(regime),
        Value::Int(run),
        Value::Bool(r.offensive_month.is_none()),
        Value::OptInt(r.offensive_month.map(|t| u64::from(t) + 1)),
        Value::Bool(r.offensive_month.is_some() && r.held),
        Value::Int(u64::from(r.probes)),
        Value::Int(u64::from(r.crises)),
        Value::Int(u64::from(r.commitments)),
        Value::Int(u64::from(r.commitments_honoured)),
        Value::Float(ratio(r.response_hours, r.responses_timed)),
        Value::Float(ratio(r.support, r.crises)),
    ]
}

/// One per-run row (regime, run and what happened), without a line end.
pub fn run_row(regime: &str, run: u64, r: &RunRecord) -> String {
    let mut out = String::with_capacity(96);
    write_row(&mut out, &run_cells(regime, run, r));
    out.pop();
    out
}

/// The columns of a run's `runs.csv`: [`runs::COLUMNS`] with [`runs::FORCE`] after the regime.
pub fn run_columns_with_force() -> Vec<Column> {
    let mut cols = runs::COLUMNS.to_vec();
    cols.insert(1, runs::FORCE);
    cols
}

/// The header of a run's `runs.csv` ([`run_columns_with_force`]), without a line end.
pub fn run_header_with_force() -> String {
    let names: Vec<&str> = run_columns_with_force().iter().map(|c| c.name).collect();
    names.join(",")
}

/// Append one row of a run's `runs.csv` (with its line end): run `run` of the arm `regime`,
/// `force`.
pub fn write_run_row_with_force(out: &mut String, regime: &str, force: bool, run: u64, r: &RunRecord) {
    let cells = run_cells(regime, run, r);
    let mut with_force = Vec::with_capacity(cells.len() + 1);
    with_force.push(cells[0]);
    with_force.push(Value::Text(arm_name(force)));
    with_force.extend_from_slice(&cells[1..]);
    write_row(out, &with_force);
}

/// `runs.csv` (with `run --per-run`): one row per arm (regime and force) and run, streamed to a
/// temporary file in run order and renamed into place when the batch is complete.
pub struct RunsCsv {
    tmp: PathBuf,
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    arms: Vec<(String, bool)>,
}

impl RunsCsv {
    /// Start `runs.csv` in `dir` (under a temporary name until [`RunsCsv::finish`]) with its header.
    pub fn create(dir: &Path, model: &Model) -> Result<RunsCsv> {
        use std::io::Write as _;
        let path = dir.join("runs.csv");
        let tmp = crate::report::files::temp_path(&path);
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut out = std::io::BufWriter::new(f);
        out.write_all(format!("{}\n", run_header_with_force()).as_bytes())
            .map_err(|e| Error::io(&tmp, e))?;
        Ok(RunsCsv {
            tmp,
            path,
            out,
            arms: model
                .arms()
                .iter()
                .map(|a| (model.regimes()[a.regime].name.clone(), a.force))
                .collect(),
        })
    }

    /// Write run `run`'s records (one per arm, in [`Model::arms`] order).
    pub fn write(&mut self, run: u64, records: &[crate::sim::state::RunRecord]) -> Result<()> {
        use std::io::Write as _;
        let mut line = String::with_capacity(112);
        for ((name, force), r) in self.arms.iter().zip(records) {
            line.clear();
            write_run_row_with_force(&mut line, name, *force, run, r);
            self.out
                .write_all(line.as_bytes())
                .map_err(|e| Error::io(&self.tmp, e))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_header_is_the_schema() {
        let names: Vec<&str> = runs::COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(RUN_COLUMNS, names.join(","));
        let r = RunRecord {
            offensive_month: Some(2),
            held: true,
            probes: 1,
            probe_months: vec![],
            beliefs: vec![],
            called: vec![],
            honoured: vec![],
            forced: vec![],
            responses: vec![],
            cost: vec![],
            arrival_hours: vec![],
            commitments: 0,
            commitments_honoured: 0,
            crises: 2,
            response_hours: 0.0,
            responses_timed: 0,
            support: 1.0,
            decisions: 0,
            qre_capped: 0,
            qre_iterations: 0,
        };
        let cells = run_cells("none", 3, &r);
        for (c, v) in runs::COLUMNS.iter().zip(&cells) {
            assert_eq!(c.kind, v.kind(), "{}", c.name);
        }
        assert_eq!(run_row("none", 3, &r), "none,3,false,3,true,1,2,0,0,,0.500000");
    }

    #[test]
    fn cells_print_one_type_per_kind() {
        assert_eq!(exact_cell(25312.0), "25312.0");
        assert_eq!(exact_cell(25312.5), "25312.5");
        assert_eq!(exact_cell(-0.0), "0.0");
        assert_eq!(exact_cell(0.1), "0.1");
        assert_eq!(exact_cell(1e-7).parse::<f64>().unwrap(), 1e-7);
        let mut s = String::new();
        write_row(
            &mut s,
            &[
                Value::Bool(false),
                Value::OptInt(None),
                Value::Float(Some(2.0)),
                Value::Int(4),
            ],
        );
        assert_eq!(s, "false,,2.000000,4\n");
    }
}
