//! The charts of a run (`deterrence`, `survival`, `beliefs`), drawn from its CSV files.

use crate::report::charts::{self, Bar, Figure, Panel, Series};
use crate::report::tables::{summary as sum_cols, timeline as time_cols, Column, Table};
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
    let belief_panels = beliefs(&timeline, &tp, &regimes)?;

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

/// Guarantors whose belief columns (mean, 10th and 90th percentile) are identical in every month
/// of `rows` share one belief slot (under an alliance-wide reputation all bound guarantors do):
/// groups of guarantor ids in config order.
fn shared_slots(timeline: &Table, tp: &Path, rows: &[usize], ids: &[String]) -> Result<Vec<Vec<String>>> {
    let mut groups: Vec<(Vec<&str>, Vec<String>)> = Vec::new();
    for id in ids {
        let mut key = Vec::new();
        for stat in [
            &time_cols::BELIEF_MEAN,
            &time_cols::BELIEF_P10,
            &time_cols::BELIEF_P90,
        ] {
            let c = timeline.column(stat, id, tp)?;
            key.extend(rows.iter().map(|&r| timeline.rows[r][c].as_str()));
        }
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(id.clone()),
            None => groups.push((key, vec![id.clone()])),
        }
    }
    Ok(groups.into_iter().map(|g| g.1).collect())
}

/// The beliefs panels, one per regime: one line per belief slot (a slot shared by several
/// guarantors is drawn once and labelled as shared), the first six slots in config order, the
/// first with its 10th-90th percentile band.
fn beliefs(timeline: &Table, tp: &Path, regimes: &[String]) -> Result<Vec<Panel>> {
    let (tr, tm) = (
        timeline.column(&time_cols::REGIME, "", tp)?,
        timeline.column(&time_cols::MONTH, "", tp)?,
    );
    let ids: Vec<String> = time_cols::belief_ids(&timeline.header);
    let mut panels = Vec::new();
    for name in regimes {
        let rows: Vec<usize> = (0..timeline.rows.len())
            .filter(|&r| timeline.rows[r][tr] == *name)
            .collect();
        let slots = shared_slots(timeline, tp, &rows, &ids)?;
        let label = |g: &[String]| -> String {
            match g.len() {
                1 => g[0].clone(),
                n if n == ids.len() => format!("alliance-wide: all {n} guarantors"),
                n => {
                    let first: Vec<&str> = g.iter().take(3).map(String::as_str).collect();
                    let more = if n > 3 {
                        format!(" +{}", n - 3)
                    } else {
                        String::new()
                    };
                    format!("shared by {n}: {}{more}", first.join(", "))
                }
            }
        };
        let x: Vec<f64> = rows.iter().map(|&r| timeline.num(r, tm)).collect();
        let mut series = Vec::new();
        for (k, g) in slots.iter().take(6).enumerate() {
            let id = &g[0];
            let column = |stat: &Column| -> Result<Vec<f64>> {
                let c = timeline.column(stat, id, tp)?;
                Ok(rows.iter().map(|&r| timeline.num(r, c)).collect())
            };
            let band = k == 0;
            series.push(Series {
                label: label(g),
                x: x.clone(),
                y: column(&time_cols::BELIEF_MEAN)?,
                low: if band {
                    column(&time_cols::BELIEF_P10)?
                } else {
                    Vec::new()
                },
                high: if band {
                    column(&time_cols::BELIEF_P90)?
                } else {
                    Vec::new()
                },
            });
        }
        let title = if slots.len() == 1 {
            format!("{name}: one alliance-wide belief (band: 10th-90th percentile)")
        } else {
            let band = series.first().map(|s| s.label.as_str()).unwrap_or("");
            let what = if slots.len() == ids.len() {
                "guarantors"
            } else {
                "belief slots"
            };
            let shown = if slots.len() > 6 {
                format!("the first 6 of {} {what}", slots.len())
            } else {
                format!("{} belief slots", slots.len())
            };
            format!("{name}: {shown} (band: {band}, 10th-90th percentile)")
        };
        panels.push(Panel { title, series });
    }
    Ok(panels)
}
