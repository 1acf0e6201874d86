//! The charts of a run (`deterrence`, `survival`, `beliefs`), drawn from its CSV files.

use crate::report::charts::{self, Bar, Figure, Panel, Series};
use crate::report::tables::{summary as sum_cols, timeline as time_cols, Column, Table};
use crate::Result;
use std::path::{Path, PathBuf};

/// Title shared by a run's charts.
pub fn chart_title(name: &str, seed: &str, runs: &str) -> String {
    format!("{name} · seed {seed} · {runs} runs per regime and arm")
}

/// The arm label of a row's `force` cell, for titles and legends.
fn arm_title(force: &str) -> String {
    match force {
        "" => String::new(),
        f => format!("{f} the reassurance force"),
    }
}

/// The `force` column of a table, if it has one (results written before the force became a
/// factor have none: every row is then one arm, labelled "").
fn force_column(t: &Table, c: &Column, path: &Path) -> Result<Option<usize>> {
    if t.header.iter().any(|h| h == c.name) {
        Ok(Some(t.column(c, "", path)?))
    } else {
        Ok(None)
    }
}

/// Draw the run's three charts from the CSV files in `dir`. `title` is [`chart_title`]. With
/// both arms of the reassurance force, the deterrence bars are grouped by regime (without and
/// with side by side), the survival chart has one panel per arm and the beliefs one panel per
/// regime and arm.
pub fn draw_run_charts(dir: &Path, title: &str) -> Result<Vec<PathBuf>> {
    let sp = dir.join("summary.csv");
    let summary = Table::read(&sp)?;
    let (cr, cv, cl, ch) = (
        summary.column(&sum_cols::REGIME, "", &sp)?,
        summary.column(&sum_cols::SUCCESS_RATE, "", &sp)?,
        summary.column(&sum_cols::CI_LOW, "", &sp)?,
        summary.column(&sum_cols::CI_HIGH, "", &sp)?,
    );
    let cf = force_column(&summary, &sum_cols::FORCE, &sp)?;
    let cell = |r: usize, c: Option<usize>| c.map(|c| summary.rows[r][c].clone()).unwrap_or_default();
    // Regimes and arms in the order the rows first name them.
    let mut regimes: Vec<String> = Vec::new();
    let mut arms: Vec<String> = Vec::new();
    for r in 0..summary.rows.len() {
        let (g, f) = (summary.rows[r][cr].clone(), cell(r, cf));
        if !regimes.contains(&g) {
            regimes.push(g);
        }
        if !arms.contains(&f) {
            arms.push(f);
        }
    }
    let bar = |r: usize| Bar {
        label: summary.rows[r][cr].clone(),
        value: summary.num(r, cv),
        low: summary.num(r, cl),
        high: summary.num(r, ch),
    };
    let tp = dir.join("timeline.csv");
    let timeline = Table::read(&tp)?;
    let (tr, tm, ts, tl, th) = (
        timeline.column(&time_cols::REGIME, "", &tp)?,
        timeline.column(&time_cols::MONTH, "", &tp)?,
        timeline.column(&time_cols::SURVIVAL, "", &tp)?,
        timeline.column(&time_cols::SURVIVAL_CI_LOW, "", &tp)?,
        timeline.column(&time_cols::SURVIVAL_CI_HIGH, "", &tp)?,
    );
    let tf = force_column(&timeline, &time_cols::FORCE, &tp)?;
    let rows_of = |name: &str, arm: &str| -> Vec<usize> {
        (0..timeline.rows.len())
            .filter(|&r| {
                timeline.rows[r][tr] == name && tf.map_or("", |c| timeline.rows[r][c].as_str()) == arm
            })
            .collect()
    };
    let column = |rows: &[usize], c: usize| -> Vec<f64> {
        let mut v = vec![0.0];
        v.extend(rows.iter().map(|&r| timeline.num(r, c)));
        v
    };
    let survival = |arm: &str| -> Vec<Series> {
        regimes
            .iter()
            .filter_map(|name| {
                let rows = rows_of(name, arm);
                if rows.is_empty() {
                    return None;
                }
                let mut x = vec![0.0];
                x.extend(rows.iter().map(|&r| timeline.num(r, tm)));
                let mut s = column(&rows, ts);
                s[0] = 1.0;
                let mut lo = column(&rows, tl);
                lo[0] = 1.0;
                let mut hi = column(&rows, th);
                hi[0] = 1.0;
                Some(Series {
                    label: name.clone(),
                    x,
                    y: s,
                    low: lo,
                    high: hi,
                })
            })
            .collect()
    };
    let belief_panels = beliefs(&timeline, &tp, &regimes, &arms, tf)?;

    let mut files = Vec::new();
    let y_label = "share of runs with no major offensive (95% Wilson CI)".to_string();
    let det = if arms.len() > 1 {
        let series = arms
            .iter()
            .map(|a| {
                let bars = regimes
                    .iter()
                    .map(|g| {
                        (0..summary.rows.len())
                            .find(|&r| summary.rows[r][cr] == *g && cell(r, cf) == *a)
                            .map(bar)
                    })
                    .collect();
                (arm_title(a), bars)
            })
            .collect();
        Figure::GroupedBars {
            title: format!("Deterrence success by regime, without and with the reassurance force — {title}"),
            y_label,
            x_label: "regime".into(),
            groups: regimes.clone(),
            series,
        }
    } else {
        Figure::Bars {
            title: format!("Deterrence success by regime — {title}"),
            y_label,
            bars: (0..summary.rows.len()).map(bar).collect(),
        }
    };
    files.extend(charts::render(dir, "deterrence", (1000, 650), &det)?);
    let surv_title = format!("No offensive yet, by month — {title}");
    let surv = if arms.len() > 1 {
        Figure::Panels {
            title: surv_title,
            x_label: "month".into(),
            y_label: "share of runs with no major offensive".into(),
            y_range: (0.0, 1.0),
            panels: arms
                .iter()
                .map(|a| Panel {
                    title: arm_title(a),
                    series: survival(a),
                })
                .collect(),
            cols: arms.len(),
        }
    } else {
        Figure::Lines {
            title: surv_title,
            x_label: "month".into(),
            y_label: "share of runs with no major offensive".into(),
            y_range: (0.0, 1.0),
            series: survival(arms.first().map_or("", String::as_str)),
        }
    };
    let surv_size = if arms.len() > 1 { (1500, 650) } else { (1000, 650) };
    files.extend(charts::render(dir, "survival", surv_size, &surv)?);
    let bel = Figure::Panels {
        title: format!("Russia's belief in each guarantor's resolve — {title}"),
        x_label: "month".into(),
        y_label: "mean belief (Beta posterior mean)".into(),
        y_range: (0.0, 1.0),
        panels: belief_panels,
        cols: 2,
    };
    let rows = (regimes.len() * arms.len()).div_ceil(2).max(1) as u32;
    files.extend(charts::render(dir, "beliefs", (1400, 500 * rows.max(2)), &bel)?);
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

/// The beliefs panels, one per regime and arm of the force (without, then with, side by side):
/// one line per belief slot (a slot shared by several
/// guarantors is drawn once and labelled as shared), the first six slots in config order, the
/// first with its 10th-90th percentile band.
fn beliefs(
    timeline: &Table,
    tp: &Path,
    regimes: &[String],
    arms: &[String],
    tf: Option<usize>,
) -> Result<Vec<Panel>> {
    let (tr, tm) = (
        timeline.column(&time_cols::REGIME, "", tp)?,
        timeline.column(&time_cols::MONTH, "", tp)?,
    );
    let ids: Vec<String> = time_cols::belief_ids(&timeline.header);
    let mut panels = Vec::new();
    for (name, arm) in regimes.iter().flat_map(|g| arms.iter().map(move |a| (g, a))) {
        let rows: Vec<usize> = (0..timeline.rows.len())
            .filter(|&r| {
                timeline.rows[r][tr] == *name && tf.map_or("", |c| timeline.rows[r][c].as_str()) == arm
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let name = &match arm.as_str() {
            "" => name.clone(),
            a => format!("{name}, {a} force"),
        };
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
