//! The charts of a run (`deterrence`, `survival`, `beliefs`), drawn from its CSV files.

use crate::report::charts::{self, Bar, Figure, Panel, Series};
use crate::report::tables::{summary as sum_cols, timeline as time_cols, Table};
use crate::Result;
use std::path::{Path, PathBuf};

/// Title shared by a run's charts.
pub fn chart_title(name: &str, seed: &str, runs: &str) -> String {
    format!("{name} · seed {seed} · {runs} runs per regime")
}

/// Draw the run's three charts from the CSV files in `dir`. `title` is [`chart_title`].
pub fn draw_run_charts(dir: &Path, title: &str) -> Result<Vec<PathBuf>> {
    let sp = dir.join("summary.csv");
    let summary = Table::read(&sp)?;
    let (cr, cv, cl, ch) = (
        summary.column(&sum_cols::REGIME, "", &sp)?,
        summary.column(&sum_cols::SUCCESS_RATE, "", &sp)?,
        summary.column(&sum_cols::CI_LOW, "", &sp)?,
        summary.column(&sum_cols::CI_HIGH, "", &sp)?,
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
        timeline.column(&time_cols::REGIME, "", &tp)?,
        timeline.column(&time_cols::MONTH, "", &tp)?,
        timeline.column(&time_cols::SURVIVAL, "", &tp)?,
        timeline.column(&time_cols::SURVIVAL_CI_LOW, "", &tp)?,
        timeline.column(&time_cols::SURVIVAL_CI_HIGH, "", &tp)?,
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
    let ids: Vec<String> = time_cols::belief_ids(&timeline.header)
        .into_iter()
        .take(6)
        .collect();
    let mut belief_panels = Vec::new();
    for name in &regimes {
        let rows = rows_of(name);
        let mut series = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            let m = timeline.column(&time_cols::BELIEF_MEAN, id, &tp)?;
            let lo = timeline.column(&time_cols::BELIEF_P10, id, &tp)?;
            let hi = timeline.column(&time_cols::BELIEF_P90, id, &tp)?;
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
