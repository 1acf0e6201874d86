//! Sweep charts, drawn from `points.csv` (so `plot DIR` redraws them without rerunning):
//! one varied parameter: success against it, a line per regime with its 95% band (`sweep.png`);
//! two: a heatmap per regime (`sweep.png`) and one of the difference between the two compared
//! regimes (`sweep_diff.png`); more: one panel per parameter with its marginal effect (binned,
//! pooled success rates with Wilson intervals).

use crate::report::charts::{self, Figure, Panel, Series};
use crate::report::tables::{summary, Table};
use crate::stats::intervals::{wilson, Z95};
use crate::study::spec::Sweep;
use crate::study::spec::PARAMETER;
use crate::Result;
use std::path::{Path, PathBuf};

/// Bins for a parameter's values: its distinct values if there are at most `max`, else `max`
/// equal-width bins. Returns the bin centres and each value's bin.
fn bins(values: &[f64], max: usize) -> (Vec<f64>, Vec<usize>) {
    let mut distinct: Vec<f64> = values.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() <= max {
        let idx = values
            .iter()
            .map(|v| distinct.iter().position(|d| d == v).unwrap_or(0))
            .collect();
        return (distinct, idx);
    }
    let (lo, hi) = (distinct[0], distinct[distinct.len() - 1]);
    let w = (hi - lo) / max as f64;
    let centres = (0..max).map(|k| lo + w * (k as f64 + 0.5)).collect();
    let idx = values
        .iter()
        .map(|v| (((v - lo) / w) as usize).min(max - 1))
        .collect();
    (centres, idx)
}

struct Rows {
    regimes: Vec<String>,
    /// Per row: parameter values, regime index, successes, runs.
    rows: Vec<(Vec<f64>, usize, u64, u64)>,
}

fn read(dir: &Path, sweep: &Sweep) -> Result<Rows> {
    let path = dir.join("points.csv");
    let t = Table::read(&path)?;
    let pc: Vec<usize> = sweep
        .params
        .iter()
        .map(|p| t.column(&PARAMETER, p, &path))
        .collect::<Result<_>>()?;
    let (rc, sc, nc) = (
        t.column(&summary::REGIME, "", &path)?,
        t.column(&summary::SUCCESSES, "", &path)?,
        t.column(&summary::RUNS, "", &path)?,
    );
    let mut regimes: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for r in 0..t.rows.len() {
        let name = &t.rows[r][rc];
        let k = match regimes.iter().position(|x| x == name) {
            Some(k) => k,
            None => {
                regimes.push(name.clone());
                regimes.len() - 1
            }
        };
        let vals = pc.iter().map(|&c| t.num(r, c)).collect();
        rows.push((vals, k, t.num(r, sc) as u64, t.num(r, nc) as u64));
    }
    Ok(Rows { regimes, rows })
}

/// Pooled success and Wilson interval per (regime, bin) of parameter `j`.
fn marginal(rows: &Rows, j: usize, max_bins: usize) -> Vec<Series> {
    let values: Vec<f64> = rows.rows.iter().map(|r| r.0[j]).collect();
    let (centres, idx) = bins(&values, max_bins);
    rows.regimes
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let mut s = vec![0u64; centres.len()];
            let mut n = vec![0u64; centres.len()];
            for (r, &b) in rows.rows.iter().zip(&idx) {
                if r.1 == k {
                    s[b] += r.2;
                    n[b] += r.3;
                }
            }
            let keep: Vec<usize> = (0..centres.len()).filter(|&b| n[b] > 0).collect();
            Series {
                label: name.clone(),
                x: keep.iter().map(|&b| centres[b]).collect(),
                y: keep.iter().map(|&b| s[b] as f64 / n[b] as f64).collect(),
                low: keep.iter().map(|&b| wilson(s[b], n[b], Z95).0).collect(),
                high: keep.iter().map(|&b| wilson(s[b], n[b], Z95).1).collect(),
            }
        })
        .collect()
}

/// Mean success per (y bin, x bin) cell of parameters 0 and 1 for regime `k`.
fn cells(rows: &Rows, k: usize, xi: &[usize], yi: &[usize], nx: usize, ny: usize) -> Vec<Vec<f64>> {
    let mut s = vec![vec![0u64; nx]; ny];
    let mut n = vec![vec![0u64; nx]; ny];
    for ((r, &x), &y) in rows.rows.iter().zip(xi).zip(yi) {
        if r.1 == k {
            s[y][x] += r.2;
            n[y][x] += r.3;
        }
    }
    (0..ny)
        .map(|y| {
            (0..nx)
                .map(|x| {
                    if n[y][x] == 0 {
                        f64::NAN
                    } else {
                        s[y][x] as f64 / n[y][x] as f64
                    }
                })
                .collect()
        })
        .collect()
}

/// Draw a sweep's charts into `dir`.
pub fn draw(dir: &Path, sweep: &Sweep) -> Result<Vec<PathBuf>> {
    let rows = read(dir, sweep)?;
    let title = format!(
        "{} · seed {} · {} replicates x {} points",
        sweep.name,
        sweep.seed,
        sweep.replicates,
        sweep.points.len()
    );
    let mut files = Vec::new();
    let ylab = "deterrence success (95% CI)";
    match sweep.params.len() {
        1 => {
            let fig = Figure::Lines {
                title: format!("Success by {} — {title}", sweep.params[0]),
                x_label: sweep.params[0].clone(),
                y_label: ylab.into(),
                y_range: (0.0, 1.0),
                series: marginal(&rows, 0, 40),
            };
            files.extend(charts::render(dir, "sweep", (1000, 650), &fig)?);
        }
        2 => {
            let xs: Vec<f64> = rows.rows.iter().map(|r| r.0[0]).collect();
            let ys: Vec<f64> = rows.rows.iter().map(|r| r.0[1]).collect();
            let (xc, xi) = bins(&xs, 12);
            let (yc, yi) = bins(&ys, 12);
            let maps: Vec<(String, Vec<Vec<f64>>)> = rows
                .regimes
                .iter()
                .enumerate()
                .map(|(k, n)| (n.clone(), cells(&rows, k, &xi, &yi, xc.len(), yc.len())))
                .collect();
            let fig = Figure::Heatmaps {
                title: format!("Deterrence success — {title}"),
                x_label: sweep.params[0].clone(),
                y_label: sweep.params[1].clone(),
                xs: xc.clone(),
                ys: yc.clone(),
                maps: maps.clone(),
                range: (0.0, 1.0),
                bar_label: "deterrence success (share of runs)".into(),
            };
            let w = 520 * maps.len().max(1) as u32;
            files.extend(charts::render(dir, "sweep", (w, 560), &fig)?);
            let pair = sweep.compare.clone().unwrap_or_else(|| {
                rows.regimes
                    .iter()
                    .filter(|r| *r != "none")
                    .take(2)
                    .cloned()
                    .collect()
            });
            let pos = |n: &String| rows.regimes.iter().position(|r| r == n);
            if let (Some(a), Some(b)) = (pair.first().and_then(pos), pair.get(1).and_then(pos)) {
                let diff: Vec<Vec<f64>> = maps[a]
                    .1
                    .iter()
                    .zip(&maps[b].1)
                    .map(|(ra, rb)| ra.iter().zip(rb).map(|(x, y)| x - y).collect())
                    .collect();
                let m = diff
                    .iter()
                    .flatten()
                    .filter(|v| v.is_finite())
                    .fold(0.01_f64, |a, v| a.max(v.abs()));
                let fig = Figure::Heatmaps {
                    title: format!("Success of {} minus {} — {title}", pair[0], pair[1]),
                    x_label: sweep.params[0].clone(),
                    y_label: sweep.params[1].clone(),
                    xs: xc,
                    ys: yc,
                    maps: vec![(format!("{} - {}", pair[0], pair[1]), diff)],
                    range: (-m, m),
                    bar_label: format!("difference in success, {} - {} (share of runs)", pair[0], pair[1]),
                };
                files.extend(charts::render(dir, "sweep_diff", (1000, 650), &fig)?);
            }
        }
        _ => {
            let panels: Vec<Panel> = sweep
                .params
                .iter()
                .enumerate()
                .map(|(j, p)| Panel {
                    title: p.clone(),
                    series: marginal(&rows, j, 8),
                })
                .collect();
            let cols = if panels.len() > 4 { 3 } else { 2 };
            let h = 420 * panels.len().div_ceil(cols) as u32 + 60;
            let fig = Figure::Panels {
                title: format!("Marginal effects (binned, pooled) — {title}"),
                x_label: "parameter value".into(),
                y_label: ylab.into(),
                y_range: (0.0, 1.0),
                panels,
                cols,
            };
            files.extend(charts::render(dir, "sweep", (600 * cols as u32, h), &fig)?);
        }
    }
    Ok(files)
}
