//! Charts, as PNG and SVG, drawn with plotters from plain data (which `plot` reads back from the
//! CSV files, so redrawn charts are the same as the run's).
//!
//! Text uses Noto Sans embedded in the binary (registered once), so charts render on a machine
//! with no system fonts. Colours are the Okabe-Ito palette, safe for colour-blind readers.

use crate::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Okabe & Ito (2008) colour-blind-safe palette.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(0, 0, 0),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
];

/// The colour of series `k`.
pub fn colour(k: usize) -> RGBColor {
    PALETTE[k % PALETTE.len()]
}

static FONT: Once = Once::new();

/// Register the embedded font under plotters' "sans-serif" family (once per process).
pub fn register_font() {
    FONT.call_once(|| {
        // The bytes are a valid TTF shipped by the crate; failure would leave text blank, not panic.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, ttf_noto_sans::REGULAR);
    });
}

/// A regime's success rate with its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The bar's label under the axis (a regime's name).
    pub label: String,
    /// The bar's height (a rate in [0, 1] in the deterrence chart).
    pub value: f64,
    /// Lower end of the interval drawn on the bar (the 95% Wilson bound).
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
}

/// A line with a band: x values, y values and the band's low and high.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend's name for the line (a regime, or a parameter's bin).
    pub label: String,
    /// x values, in drawing order.
    pub x: Vec<f64>,
    /// y values, one per x.
    pub y: Vec<f64>,
    /// The band's lower edge, one per x; the band is drawn only when `low` and `high` both
    /// have one value per x (leave them empty for a plain line).
    pub low: Vec<f64>,
    /// The band's upper edge, one per x.
    pub high: Vec<f64>,
}

/// A panel of several series (one regime's beliefs, or one parameter's effect).
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The panel's own title (a regime or a parameter path).
    pub title: String,
    /// Its lines, coloured by position with [`colour`].
    pub series: Vec<Series>,
}

type DrawResult = std::result::Result<(), String>;

/// A named series of (value, low, high).
pub type NamedIntervals = (String, Vec<(f64, f64, f64)>);

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A figure to draw: each variant is one kind of chart.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// Bars with 95% intervals (`deterrence.png`).
    Bars {
        /// Title across the top.
        title: String,
        /// The y axis's label (the metric and its unit).
        y_label: String,
        /// One bar per regime, left to right.
        bars: Vec<Bar>,
    },
    /// Bars grouped by category with 95% intervals, one bar per series in each group, coloured
    /// by series and named in a legend (`deterrence.png` with both arms of the force: one group
    /// per regime, without and with the force side by side).
    GroupedBars {
        /// Title across the top.
        title: String,
        /// The y axis's label (the metric and its unit).
        y_label: String,
        /// The x axis's label (what the groups are).
        x_label: String,
        /// The groups' labels under the axis, left to right.
        groups: Vec<String>,
        /// Per series, its legend name and one bar per group (`None` leaves a gap).
        series: Vec<(String, Vec<Option<Bar>>)>,
    },
    /// Lines with bands on one pair of axes.
    Lines {
        /// Title across the top.
        title: String,
        /// The x axis's label.
        x_label: String,
        /// The y axis's label.
        y_label: String,
        /// The y axis's (low, high); the x axis spans the series' x values.
        y_range: (f64, f64),
        /// The lines, coloured by position, named in a legend above the plot.
        series: Vec<Series>,
    },
    /// A grid of line panels.
    Panels {
        /// Title across the top of the whole figure.
        title: String,
        /// Every panel's x axis label.
        x_label: String,
        /// Every panel's y axis label.
        y_label: String,
        /// Every panel's y axis (low, high).
        y_range: (f64, f64),
        /// The panels, filled row by row.
        panels: Vec<Panel>,
        /// Panels per row.
        cols: usize,
    },
    /// Horizontal grouped bars with intervals: one row per category, one bar per series
    /// (value, low, high); a dashed vertical line at `reference` if given (a noise floor).
    HBars {
        /// Title across the top.
        title: String,
        /// The x axis's label (the index's name).
        x_label: String,
        /// One row per category (a parameter path), top to bottom.
        categories: Vec<String>,
        /// One bar per series in each row (S1 and ST): a name and, per category, (value, low,
        /// high).
        series: Vec<NamedIntervals>,
        /// The x axis's (low, high).
        x_range: (f64, f64),
        /// A dashed vertical line with its legend name, at the value given.
        reference: Option<(String, f64)>,
    },
    /// Labelled points (x, y), with an optional dashed vertical guide at `guide` (Morris mu*
    /// against sigma; the PRIM trajectory).
    Scatter {
        /// Title across the top.
        title: String,
        /// The x axis's label.
        x_label: String,
        /// The y axis's label.
        y_label: String,
        /// (label, x, y) per point; an empty label leaves the point unlabelled.
        points: Vec<(String, f64, f64)>,
        /// Index of a point drawn larger (the chosen PRIM box).
        highlight: Option<usize>,
        /// Join the points by a line in order (a trajectory).
        connect: bool,
        /// Horizontal intervals (low, high) per point, or empty.
        x_err: Vec<(f64, f64)>,
        /// A dashed vertical guide with its legend name (a noise floor).
        guide: Option<(String, f64)>,
    },
    /// Horizontal ranges within [0, 1] per category (a PRIM box relative to the full ranges),
    /// each labelled with its real bounds.
    Ranges {
        /// Title across the top.
        title: String,
        /// One row per category (a parameter path).
        categories: Vec<String>,
        /// Each row's (low, high) as shares of its full range, within [0, 1].
        ranges: Vec<(f64, f64)>,
        /// Each row's label (its bounds in the parameter's own unit).
        labels: Vec<String>,
    },
    /// Heatmaps side by side, sharing a colour range.
    Heatmaps {
        /// Title across the top of the whole figure.
        title: String,
        /// The x axis's label (the first parameter).
        x_label: String,
        /// The y axis's label (the second parameter).
        y_label: String,
        /// The columns' x values.
        xs: Vec<f64>,
        /// The rows' y values.
        ys: Vec<f64>,
        /// One map per panel: its title and `values[row][col]` (NaN leaves a cell blank).
        maps: Vec<(String, Vec<Vec<f64>>)>,
        /// The shared colour range (low, high); a range around 0 uses the diverging scale,
        /// otherwise viridis.
        range: (f64, f64),
        /// What the colours mean: the metric and its unit (the colour bar's label).
        bar_label: String,
    },
}

impl Figure {
    /// Draw on any plotters backend.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        match self {
            Figure::Bars {
                title,
                y_label,
                bars: b,
            } => bars(root, title, y_label, b),
            Figure::GroupedBars {
                title,
                y_label,
                x_label,
                groups,
                series,
            } => grouped_bars(root, title, y_label, x_label, groups, series),
            Figure::Lines {
                title,
                x_label,
                y_label,
                y_range,
                series,
            } => lines(root, title, x_label, y_label, *y_range, series, 20, true),
            Figure::Panels {
                title,
                x_label,
                y_label,
                y_range,
                panels: p,
                cols,
            } => panels(root, title, x_label, y_label, *y_range, p, *cols),
            Figure::HBars {
                title,
                x_label,
                categories,
                series,
                x_range,
                reference,
            } => hbars(
                root,
                title,
                x_label,
                categories,
                series,
                *x_range,
                reference.as_ref(),
            ),
            Figure::Scatter {
                title,
                x_label,
                y_label,
                points,
                highlight,
                connect,
                x_err,
                guide,
            } => scatter(
                root,
                title,
                x_label,
                y_label,
                points,
                *highlight,
                *connect,
                x_err,
                guide.as_ref(),
            ),
            Figure::Ranges {
                title,
                categories,
                ranges,
                labels,
            } => {
                let r: Vec<(f64, f64, f64)> = ranges.iter().map(|&(lo, hi)| (hi, lo, hi)).collect();
                range_bars(root, title, categories, &r, labels, categories.len())
            }
            Figure::Heatmaps {
                title,
                x_label,
                y_label,
                xs,
                ys,
                maps,
                range,
                bar_label,
            } => {
                let root = title_area(root, title, 22)?;
                let areas = root.split_evenly((1, maps.len().max(1)));
                for (area, (name, values)) in areas.iter().zip(maps) {
                    heatmap(area, name, x_label, y_label, xs, ys, values, *range, bar_label)?;
                }
                Ok(())
            }
        }
    }
}

/// Draw `figure` to `stem.png` and `stem.svg` in `dir`, each written atomically.
pub fn render(dir: &Path, stem: &str, size: (u32, u32), figure: &Figure) -> Result<Vec<PathBuf>> {
    register_font();
    let png = dir.join(format!("{stem}.png"));
    let tmp = crate::report::files::temp_path(&png);
    {
        let root = crate::report::text::FixedText::new(BitMapBackend::new(&tmp, size)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&png, e))?;
        figure.draw(&root).map_err(|e| chart_err(&png, e))?;
        root.present().map_err(|e| chart_err(&png, e))?;
    }
    crate::report::files::commit_written(&tmp, &png)?;
    let svg = dir.join(format!("{stem}.svg"));
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_err(&svg, e))?;
        figure.draw(&root).map_err(|e| chart_err(&svg, e))?;
        root.present().map_err(|e| chart_err(&svg, e))?;
    }
    crate::report::files::write_atomic(&svg, text.as_bytes())?;
    Ok(vec![png, svg])
}

/// What a legend entry shows beside its label.
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// A line of the series' colour.
    Line(RGBColor),
    /// A line over a band of the series' colour.
    Band(RGBColor),
    /// A filled swatch (bars).
    Swatch(RGBColor),
    /// A black dashed line (a reference or guide).
    Dashed,
}

const MARK_W: i32 = 28;

/// The largest font size up to `size` (and at least 11) at which `text` fits in `width` pixels.
fn fitted<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, size: u32, width: u32) -> u32 {
    let mut s = size;
    while s > 11 {
        match area.estimate_text_size(text, &TextStyle::from(("sans-serif", s))) {
            Ok((w, _)) if w <= width => break,
            _ => s -= 1,
        }
    }
    s
}

/// Draw `title` across the top of `area` (shrunk to fit its width) and return the area below.
fn title_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    size: u32,
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    let width = area.dim_in_pixel().0.saturating_sub(24);
    let size = fitted(area, title, size, width);
    area.titled(title, ("sans-serif", size)).map_err(err)
}

/// Draw a legend as centred rows of entries across the top of `area`, outside any plot, and
/// return the area below it (unchanged when there are no entries).
fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Mark)],
    size: u32,
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    if entries.is_empty() {
        return Ok(area.clone());
    }
    let font = ("sans-serif", size).into_font();
    let avail = area.dim_in_pixel().0 as i32 - 40;
    let (gap, pad) = (22, 6);
    let widths: Vec<i32> = entries
        .iter()
        .map(|(l, _)| {
            let w = area
                .estimate_text_size(l, &TextStyle::from(font.clone()))
                .map(|s| s.0)
                .unwrap_or(0) as i32;
            MARK_W + pad + w
        })
        .collect();
    // Greedy rows.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0;
    for (k, &w) in widths.iter().enumerate() {
        let row = rows.last_mut().expect("at least one row");
        let need = if row.is_empty() { w } else { used + gap + w };
        if !row.is_empty() && need > avail {
            rows.push(vec![k]);
            used = w;
        } else {
            row.push(k);
            used = need;
        }
    }
    let row_h = size as i32 + 8;
    let height = row_h * rows.len() as i32 + 8;
    let (strip, rest) = area.split_vertically(height);
    let centre_x = strip.dim_in_pixel().0 as i32 / 2;
    let style = font.color(&BLACK).pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Center,
    ));
    for (r, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|&k| widths[k]).sum::<i32>() + gap * (row.len() as i32 - 1);
        let mut x = centre_x - total / 2;
        let y = 4 + row_h * r as i32 + row_h / 2;
        for &k in row {
            let (label, mark) = &entries[k];
            match *mark {
                Mark::Line(c) => strip
                    .draw(&PathElement::new(
                        vec![(x, y), (x + MARK_W, y)],
                        c.stroke_width(3),
                    ))
                    .map_err(err)?,
                Mark::Band(c) => {
                    strip
                        .draw(&Rectangle::new(
                            [(x, y - 6), (x + MARK_W, y + 6)],
                            c.mix(0.18).filled(),
                        ))
                        .map_err(err)?;
                    strip
                        .draw(&PathElement::new(
                            vec![(x, y), (x + MARK_W, y)],
                            c.stroke_width(3),
                        ))
                        .map_err(err)?;
                }
                Mark::Swatch(c) => strip
                    .draw(&Rectangle::new(
                        [(x + 7, y - 6), (x + 21, y + 6)],
                        c.mix(0.85).filled(),
                    ))
                    .map_err(err)?,
                Mark::Dashed => {
                    for s in [0, 11, 22] {
                        strip
                            .draw(&PathElement::new(vec![(x + s, y), (x + s + 6, y)], BLACK))
                            .map_err(err)?;
                    }
                }
            }
            strip
                .draw_text(label, &style, (x + MARK_W + pad, y))
                .map_err(err)?;
            x += widths[k] + gap;
        }
    }
    Ok(rest)
}

/// The legend entries of line series: a band mark for series drawn with a band.
fn line_entries(series: &[Series]) -> Vec<(String, Mark)> {
    series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let banded = s.low.len() == s.x.len() && s.high.len() == s.x.len() && !s.x.is_empty();
            let c = colour(k);
            (
                s.label.clone(),
                if banded { Mark::Band(c) } else { Mark::Line(c) },
            )
        })
        .collect()
}

fn chart_err<E: std::fmt::Display>(path: &Path, e: E) -> Error {
    Error::Chart {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Bars with 95% intervals (the deterrence chart).
pub fn bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    bars: &[Bar],
) -> DrawResult {
    let n = bars.len().max(1) as f64;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let area = title_area(root, title, 22)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(2)
        .disable_x_mesh()
        .x_labels(bars.len().max(1))
        .x_label_formatter(&|x| {
            let k = x.round();
            if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < labels.len() {
                labels[k as usize].clone()
            } else {
                String::new()
            }
        })
        .y_desc(y_label)
        .x_desc("regime")
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(err)?;
    for (k, b) in bars.iter().enumerate() {
        let x = k as f64;
        let c = colour(k);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, b.value)],
                c.mix(0.85).filled(),
            )))
            .map_err(err)?;
        let whisker = BLACK.stroke_width(2);
        chart
            .draw_series([
                PathElement::new(vec![(x, b.low), (x, b.high)], whisker),
                PathElement::new(vec![(x - 0.08, b.low), (x + 0.08, b.low)], whisker),
                PathElement::new(vec![(x - 0.08, b.high), (x + 0.08, b.high)], whisker),
            ])
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{:.3}", b.value),
                (x + 0.1, (b.high + 0.03).min(0.97)),
                ("sans-serif", 15),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// Bars grouped by category with 95% intervals: in each group one bar per series, coloured by
/// series with [`colour`] and named in a legend above the plot.
pub fn grouped_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    x_label: &str,
    groups: &[String],
    series: &[(String, Vec<Option<Bar>>)],
) -> DrawResult {
    let n = groups.len().max(1) as f64;
    let area = title_area(root, title, 22)?;
    let entries: Vec<(String, Mark)> = series
        .iter()
        .enumerate()
        .map(|(k, (name, _))| (name.clone(), Mark::Swatch(colour(k))))
        .collect();
    let area = legend_strip(&area, &entries, 15)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .margin_top(6)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(2)
        .disable_x_mesh()
        .x_labels(groups.len().max(1))
        .x_label_formatter(&|x| {
            let k = x.round();
            if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < groups.len() {
                groups[k as usize].clone()
            } else {
                String::new()
            }
        })
        .y_desc(y_label)
        .x_desc(x_label)
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(err)?;
    let m = series.len().max(1) as f64;
    let width = 0.8 / m;
    for (s, (_, bars)) in series.iter().enumerate() {
        let c = colour(s);
        for (k, b) in bars.iter().enumerate() {
            let Some(b) = b else { continue };
            let x = k as f64 - 0.4 + width * (s as f64 + 0.5);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - width * 0.42, 0.0), (x + width * 0.42, b.value)],
                    c.mix(0.85).filled(),
                )))
                .map_err(err)?;
            let whisker = BLACK.stroke_width(2);
            let w = width * 0.12;
            chart
                .draw_series([
                    PathElement::new(vec![(x, b.low), (x, b.high)], whisker),
                    PathElement::new(vec![(x - w, b.low), (x + w, b.low)], whisker),
                    PathElement::new(vec![(x - w, b.high), (x + w, b.high)], whisker),
                ])
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{:.3}", b.value),
                    (x - width * 0.4, (b.high + 0.03).min(0.97)),
                    ("sans-serif", 14),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Lines with bands on one pair of axes, with a legend above the plot (never over the data).
/// All bands are drawn before any line, so every line keeps its legend colour.
#[allow(clippy::too_many_arguments)]
pub fn lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    y_range: (f64, f64),
    series: &[Series],
    caption_size: u32,
    legend: bool,
) -> DrawResult {
    let (xmin, xmax) = series
        .iter()
        .flat_map(|s| s.x.iter().copied())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    let (xmin, xmax) = if xmin.is_finite() && xmax > xmin {
        (xmin, xmax)
    } else {
        (0.0, 1.0)
    };
    let area = title_area(root, title, caption_size)?;
    let area = if legend {
        legend_strip(&area, &line_entries(series), 15)?
    } else {
        area
    };
    let mut chart = ChartBuilder::on(&area)
        .margin(14)
        .margin_top(6)
        .margin_right(34)
        .x_label_area_size(45)
        .y_label_area_size(65)
        .build_cartesian_2d(xmin..xmax, y_range.0..y_range.1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(2)
        .x_label_formatter(&|x| short(*x))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    for (k, s) in series.iter().enumerate() {
        if s.low.len() == s.x.len() && s.high.len() == s.x.len() {
            let mut poly: Vec<(f64, f64)> =
                s.x.iter()
                    .copied()
                    .zip(s.high.iter().copied())
                    .filter(|p| p.1.is_finite())
                    .collect();
            poly.extend(
                s.x.iter()
                    .copied()
                    .zip(s.low.iter().copied())
                    .filter(|p| p.1.is_finite())
                    .rev(),
            );
            if poly.len() > 2 {
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, colour(k).mix(0.18))))
                    .map_err(err)?;
            }
        }
    }
    for (k, s) in series.iter().enumerate() {
        let pts: Vec<(f64, f64)> =
            s.x.iter()
                .copied()
                .zip(s.y.iter().copied())
                .filter(|p| p.1.is_finite())
                .collect();
        chart
            .draw_series(LineSeries::new(pts, colour(k).stroke_width(3)))
            .map_err(err)?;
    }
    Ok(())
}

/// A grid of panels with a common title. When every panel shows the same series, one legend
/// under the title serves them all; otherwise each panel has its own above its plot.
#[allow(clippy::too_many_arguments)]
pub fn panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    y_range: (f64, f64),
    panels: &[Panel],
    cols: usize,
) -> DrawResult {
    let root = title_area(root, title, 22)?;
    let labels = |p: &Panel| p.series.iter().map(|s| s.label.clone()).collect::<Vec<_>>();
    let shared = panels.windows(2).all(|w| labels(&w[0]) == labels(&w[1]));
    let root = match (shared, panels.first()) {
        (true, Some(p)) => legend_strip(&root, &line_entries(&p.series), 15)?,
        _ => root,
    };
    let cols = cols.max(1);
    let rows = panels.len().div_ceil(cols).max(1);
    let areas = root.split_evenly((rows, cols));
    for (area, p) in areas.iter().zip(panels) {
        lines(area, &p.title, x_label, y_label, y_range, &p.series, 18, !shared)?;
    }
    Ok(())
}

/// A heatmap of `values[row][col]` over a grid of x (columns) and y (rows) values, with a
/// colour bar labelled `bar_label`; NaN cells are left blank.
#[allow(clippy::too_many_arguments)]
pub fn heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    xs: &[f64],
    ys: &[f64],
    values: &[Vec<f64>],
    range: (f64, f64),
    bar_label: &str,
) -> DrawResult {
    // A diverging scale for ranges around zero (differences), viridis otherwise.
    let scale = if range.0 < 0.0 && range.1 > 0.0 {
        diverging
    } else {
        viridis
    };
    let (main, bar) = root.split_horizontally(root.dim_in_pixel().0.saturating_sub(130));
    let nx = xs.len().max(1);
    let ny = ys.len().max(1);
    let xl: Vec<String> = xs.iter().map(|x| short(*x)).collect();
    let yl: Vec<String> = ys.iter().map(|y| short(*y)).collect();
    let main = title_area(&main, title, 18)?;
    let mut chart = ChartBuilder::on(&main)
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..nx as f64 - 0.5, -0.5..ny as f64 - 0.5)
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(2)
        .disable_mesh()
        .x_labels(nx + 1)
        .y_labels(ny + 1)
        .x_label_formatter(&|x| label_at(&xl, *x))
        .y_label_formatter(&|y| label_at(&yl, *y))
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .draw()
        .map_err(err)?;
    for (r, row) in values.iter().enumerate() {
        for (c, &v) in row.iter().enumerate() {
            if !v.is_finite() {
                continue;
            }
            let t = ((v - range.0) / (range.1 - range.0)).clamp(0.0, 1.0);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(c as f64 - 0.5, r as f64 - 0.5), (c as f64 + 0.5, r as f64 + 0.5)],
                    scale(t).filled(),
                )))
                .map_err(err)?;
        }
    }
    let mut cb = ChartBuilder::on(&bar)
        .margin_top(40)
        .margin_bottom(57)
        .margin_right(4)
        .margin_left(12)
        .right_y_label_area_size(68)
        .build_cartesian_2d(0.0..1.0, range.0..range.1)
        .map_err(err)?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(9)
        .y_label_formatter(&|y| {
            let s = format!("{y:.2}");
            if s == "-0.00" {
                "0.00".into()
            } else {
                s
            }
        })
        .y_desc(bar_label)
        .label_style(("sans-serif", 13))
        .axis_desc_style((
            "sans-serif",
            fitted(
                &bar,
                bar_label,
                15,
                440.min(bar.dim_in_pixel().1.saturating_sub(100)),
            ),
        ))
        .draw()
        .map_err(err)?;
    let steps = 50;
    for k in 0..steps {
        let a = range.0 + (range.1 - range.0) * k as f64 / steps as f64;
        let b = range.0 + (range.1 - range.0) * (k + 1) as f64 / steps as f64;
        cb.draw_series(std::iter::once(Rectangle::new(
            [(0.0, a), (1.0, b)],
            scale((k as f64 + 0.5) / steps as f64).filled(),
        )))
        .map_err(err)?;
    }
    Ok(())
}

fn hbars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    categories: &[String],
    series: &[NamedIntervals],
    x_range: (f64, f64),
    reference: Option<&(String, f64)>,
) -> DrawResult {
    let n = categories.len().max(1);
    let k = series.len().max(1);
    let cats = categories.to_vec();
    let area = title_area(root, title, 20)?;
    let mut entries: Vec<(String, Mark)> = series
        .iter()
        .enumerate()
        .map(|(j, (name, _))| (name.clone(), Mark::Swatch(colour(j))))
        .collect();
    if let Some((name, _)) = reference {
        entries.push((name.clone(), Mark::Dashed));
    }
    let area = legend_strip(&area, &entries, 14)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .margin_top(4)
        .x_label_area_size(45)
        .y_label_area_size(260)
        .build_cartesian_2d(x_range.0..x_range.1, -0.5..n as f64 - 0.5)
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(2)
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|y| label_at(&cats, *y))
        .x_desc(x_label)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    let h = 0.8 / k as f64;
    for (j, (_, vals)) in series.iter().enumerate() {
        let c = colour(j);
        for (i, &(v, lo, hi)) in vals.iter().enumerate() {
            let y0 = i as f64 - 0.4 + h * j as f64;
            let y1 = y0 + h * 0.9;
            let ym = 0.5 * (y0 + y1);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0_f64.max(x_range.0), y0), (v, y1)],
                    c.mix(0.85).filled(),
                )))
                .map_err(err)?;
            if lo.is_finite() && hi.is_finite() {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(lo, ym), (hi, ym)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(err)?;
            }
        }
    }
    if let Some((_, r)) = reference {
        let r = *r;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(r, -0.5), (r, n as f64 - 0.5)],
                6,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// A pixel rectangle (x0, y0, x1, y1), x1 and y1 exclusive.
type Rect = (i32, i32, i32, i32);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Thin rectangles along the segment from `a` to `b`, so that labels can avoid lines.
fn segment_rects(a: (i32, i32), b: (i32, i32)) -> Vec<Rect> {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let steps = (dx.abs().max(dy.abs()) / 3.0).ceil().max(1.0) as i32;
    (0..=steps)
        .map(|k| {
            let t = k as f64 / steps as f64;
            let (x, y) = (a.0 + (dx * t) as i32, a.1 + (dy * t) as i32);
            (x - 1, y - 1, x + 2, y + 2)
        })
        .collect()
}

/// Where to put each label (top-left corner, in pixels): greedily, in order, the first spot
/// near its marker (right, left, above, below, then nudged further up or down) that stays in
/// `bounds` and covers no earlier label and no obstacle (markers, interval and guide lines);
/// if none is free, the spot that covers least. `sizes` are the labels' text sizes.
fn place_labels(
    anchors: &[(i32, i32, i32)],
    sizes: &[(u32, u32)],
    obstacles: &[Rect],
    bounds: Rect,
) -> Vec<(i32, i32)> {
    let mut placed: Vec<Rect> = Vec::new();
    let mut out = Vec::new();
    for (&(px, py, r), &(w, h)) in anchors.iter().zip(sizes) {
        let (w, h) = (w as i32, h as i32);
        let gap = r + 3;
        let mut spots = vec![
            (px + gap, py - r - h),
            (px - gap - w, py - r - h),
            (px + gap, py + r),
            (px - gap - w, py + r),
            (px - w / 2, py - gap - h),
            (px - w / 2, py + gap),
        ];
        for k in 1..=10 {
            for s in [-1, 1] {
                let dy = s * k * (h / 2 + 2);
                spots.push((px + gap, py - r - h + dy));
                spots.push((px - gap - w, py - r - h + dy));
            }
        }
        let rect = |&(x, y): &(i32, i32)| (x - 1, y - 1, x + w + 1, y + h + 1);
        let inside = |b: Rect| b.0 >= bounds.0 && b.1 >= bounds.1 && b.2 <= bounds.2 && b.3 <= bounds.3;
        let cost = |b: Rect| {
            placed.iter().filter(|p| overlaps(**p, b)).count() * 10
                + obstacles.iter().filter(|o| overlaps(**o, b)).count()
        };
        let best = spots
            .iter()
            .filter(|s| inside(rect(s)))
            .min_by_key(|s| cost(rect(s)))
            .copied()
            .unwrap_or(spots[0]);
        // Prefer the first free spot (nearest in the order above) over a later free one.
        let best = spots
            .iter()
            .find(|s| inside(rect(s)) && cost(rect(s)) == 0)
            .copied()
            .unwrap_or(best);
        placed.push(rect(&best));
        out.push(best);
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[(String, f64, f64)],
    highlight: Option<usize>,
    connect: bool,
    x_err: &[(f64, f64)],
    guide: Option<&(String, f64)>,
) -> DrawResult {
    let fin = |v: f64| if v.is_finite() { v } else { 0.0 };
    let mut xmax = points.iter().map(|p| fin(p.1)).fold(1e-9_f64, f64::max);
    xmax = x_err.iter().map(|e| fin(e.1)).fold(xmax, f64::max);
    if let Some((_, g)) = guide {
        xmax = xmax.max(fin(*g));
    }
    let xmax = xmax * 1.08;
    // Room above the top point for its label.
    let ymax = points.iter().map(|p| fin(p.2)).fold(1e-9_f64, f64::max) * 1.12;
    let xmin = points.iter().map(|p| fin(p.1)).fold(0.0_f64, f64::min);
    let ymin = points.iter().map(|p| fin(p.2)).fold(0.0_f64, f64::min);
    let area = title_area(root, title, 18)?;
    let entries: Vec<(String, Mark)> = guide.iter().map(|(n, _)| (n.clone(), Mark::Dashed)).collect();
    let area = legend_strip(&area, &entries, 14)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .margin_top(4)
        .margin_right(24)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(xmin..xmax, ymin..ymax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(2)
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    let px = |x: f64, y: f64| chart.backend_coord(&(x, y));
    let radius = |i: usize| if highlight == Some(i) { 8 } else { 5 };
    // What labels must not cover.
    let mut obstacles: Vec<Rect> = Vec::new();
    for (i, (_, x, y)) in points.iter().enumerate() {
        let (cx, cy) = px(*x, *y);
        let r = radius(i) + 1;
        obstacles.push((cx - r, cy - r, cx + r + 1, cy + r + 1));
    }
    for ((_, _, y), (lo, hi)) in points.iter().zip(x_err) {
        if lo.is_finite() && hi.is_finite() {
            obstacles.extend(segment_rects(px(*lo, *y), px(*hi, *y)));
        }
    }
    if connect {
        for w in points.windows(2) {
            obstacles.extend(segment_rects(px(w[0].1, w[0].2), px(w[1].1, w[1].2)));
        }
    }
    if let Some((_, g)) = guide {
        let (top, bottom) = (px(*g, ymax), px(*g, ymin));
        obstacles.push((top.0 - 1, top.1, top.0 + 2, bottom.1));
    }
    let labelled: Vec<usize> = (0..points.len()).filter(|&i| !points[i].0.is_empty()).collect();
    let anchors: Vec<(i32, i32, i32)> = labelled
        .iter()
        .map(|&i| {
            let (x, y) = px(points[i].1, points[i].2);
            (x, y, radius(i))
        })
        .collect();
    if connect {
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.1, p.2)),
                colour(0).stroke_width(2),
            ))
            .map_err(err)?;
    }
    for ((_, _, y), (lo, hi)) in points.iter().zip(x_err) {
        if lo.is_finite() && hi.is_finite() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*lo, *y), (*hi, *y)],
                    BLACK.stroke_width(1),
                )))
                .map_err(err)?;
        }
    }
    if let Some((_, g)) = guide {
        let g = *g;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(g, ymin), (g, ymax)],
                6,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(err)?;
    }
    for (i, (_, x, y)) in points.iter().enumerate() {
        let c = if highlight == Some(i) {
            colour(1)
        } else {
            colour(0)
        };
        chart
            .draw_series(std::iter::once(Circle::new((*x, *y), radius(i), c.filled())))
            .map_err(err)?;
    }
    // Labels, placed clear of each other and of the data, in pixels of `area`.
    let font = TextStyle::from(("sans-serif", 14)).color(&BLACK);
    let base = area.get_base_pixel();
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let bounds = (xr.start, yr.start, xr.end, yr.end);
    let sizes: Vec<(u32, u32)> = labelled
        .iter()
        .map(|&i| area.estimate_text_size(&points[i].0, &font).map_err(err))
        .collect::<std::result::Result<_, _>>()?;
    let spots = place_labels(&anchors, &sizes, &obstacles, bounds);
    for ((&i, &(ax, ay, r)), (&(x, y), &(w, h))) in
        labelled.iter().zip(&anchors).zip(spots.iter().zip(&sizes))
    {
        let (w, h) = (w as i32, h as i32);
        // A leader line when the label had to move away from its marker.
        let (nx, ny) = (ax.clamp(x, x + w), ay.clamp(y, y + h));
        if (nx - ax).pow(2) + (ny - ay).pow(2) > (r + 8).pow(2) {
            area.draw(&PathElement::new(
                vec![(ax - base.0, ay - base.1), (nx - base.0, ny - base.1)],
                RGBColor(120, 120, 120),
            ))
            .map_err(err)?;
        }
        area.draw_text(&points[i].0, &font, (x - base.0, y - base.1))
            .map_err(err)?;
    }
    Ok(())
}

fn range_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    categories: &[String],
    ranges: &[(f64, f64, f64)],
    labels: &[String],
    n: usize,
) -> DrawResult {
    let cats = categories.to_vec();
    let area = title_area(root, title, 20)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(16)
        .margin_right(24)
        .x_label_area_size(45)
        .y_label_area_size(260)
        .build_cartesian_2d(0.0..1.0, -0.5..n.max(1) as f64 - 0.5)
        .map_err(err)?;
    chart
        .configure_mesh()
        .max_light_lines(2)
        .disable_y_mesh()
        .y_labels(n.max(1))
        .y_label_formatter(&|y| label_at(&cats, *y))
        .x_desc("share of the parameter's sampled range")
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(err)?;
    for (i, &(_, lo, hi)) in ranges.iter().enumerate() {
        let y = i as f64;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.3), (1.0, y + 0.3)],
                RGBColor(220, 220, 220).filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(lo, y - 0.3), (hi, y + 0.3)],
                colour(1).mix(0.85).filled(),
            )))
            .map_err(err)?;
        if let Some(l) = labels.get(i) {
            chart
                .draw_series(std::iter::once(Text::new(
                    l.clone(),
                    (0.02, y + 0.05),
                    ("sans-serif", 14),
                )))
                .map_err(err)?;
        }
    }
    Ok(())
}

fn label_at(labels: &[String], x: f64) -> String {
    let k = x.round();
    if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < labels.len() {
        labels[k as usize].clone()
    } else {
        String::new()
    }
}

/// A number formatted compactly for axis labels.
pub fn short(x: f64) -> String {
    if (x == x.round() && x.abs() < 1e7) || x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// A colour-blind-safe diverging scale (ColorBrewer PuOr, purple below the middle, orange above).
pub fn diverging(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (94.0, 60.0, 153.0),
        (178.0, 171.0, 210.0),
        (247.0, 247.0, 247.0),
        (253.0, 184.0, 99.0),
        (230.0, 97.0, 1.0),
    ];
    interpolate(&STOPS, t)
}

fn interpolate(stops: &[(f64, f64, f64); 5], t: f64) -> RGBColor {
    let x = t.clamp(0.0, 1.0) * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let m = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// A perceptually uniform, colour-blind-safe sequential scale (viridis, piecewise linear).
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    interpolate(&STOPS, t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::text::FixedText;

    /// Draw `fig` as the PNG path does (the fixed-text bitmap backend) into an RGB buffer.
    fn bitmap(fig: &Figure, size: (u32, u32)) -> Vec<u8> {
        register_font();
        let mut buf = vec![0u8; (size.0 * size.1 * 3) as usize];
        {
            let root = FixedText::new(BitMapBackend::with_buffer(&mut buf, size)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            fig.draw(&root).unwrap();
            root.present().unwrap();
        }
        buf
    }

    fn svg(fig: &Figure, size: (u32, u32)) -> String {
        register_font();
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
            root.fill(&WHITE).unwrap();
            fig.draw(&root).unwrap();
            root.present().unwrap();
        }
        text
    }

    /// Every `<text>` of an SVG: (x, y, font size, anchor, content).
    fn texts(svg: &str) -> Vec<(f64, f64, f64, String, String)> {
        let attr = |tag: &str, name: &str| -> String {
            let key = format!(" {name}=\"");
            tag.find(&key)
                .map(|i| {
                    let rest = &tag[i + key.len()..];
                    rest[..rest.find('"').unwrap_or(0)].to_string()
                })
                .unwrap_or_default()
        };
        svg.split("<text")
            .skip(1)
            .map(|chunk| {
                let end = chunk.find('>').unwrap();
                let tag = &chunk[..end];
                let body = &chunk[end + 1..chunk.find("</text>").unwrap()];
                (
                    attr(tag, "x").parse().unwrap(),
                    attr(tag, "y").parse().unwrap(),
                    attr(tag, "font-size").parse().unwrap(),
                    attr(tag, "text-anchor"),
                    body.trim().to_string(),
                )
            })
            .collect()
    }

    fn pixel(buf: &[u8], w: u32, x: u32, y: u32) -> (u8, u8, u8) {
        let i = ((y * w + x) * 3) as usize;
        (buf[i], buf[i + 1], buf[i + 2])
    }

    fn flat(x: &[f64], y: f64, label: &str, band: Option<(f64, f64)>) -> Series {
        Series {
            label: label.into(),
            x: x.to_vec(),
            y: vec![y; x.len()],
            low: band.map(|b| vec![b.0; x.len()]).unwrap_or_default(),
            high: band.map(|b| vec![b.1; x.len()]).unwrap_or_default(),
        }
    }

    #[test]
    fn chart_letters_share_one_baseline() {
        // "artide5" / "1 0000": x-height letters sat a pixel off the baseline at odd sizes.
        register_font();
        let (w, h) = (400u32, 100u32);
        for size in [13, 15, 17] {
            let mut buf = vec![0u8; (w * h * 3) as usize];
            {
                let root = FixedText::new(BitMapBackend::with_buffer(&mut buf, (w, h))).into_drawing_area();
                root.fill(&WHITE).unwrap();
                for (k, s) in ["n", "l", "1", "c", "t"].iter().enumerate() {
                    root.draw(&Text::new(*s, (20 + 60 * k as i32, 30), ("sans-serif", size)))
                        .unwrap();
                }
                root.present().unwrap();
            }
            let bottoms: Vec<u32> = (0..5)
                .map(|k| {
                    (0..h)
                        .rev()
                        .find(|&y| {
                            // At least half a pixel of ink in the row.
                            let ink: u32 = (10 + 60 * k..60 + 60 * k)
                                .map(|x| 255 - pixel(&buf, w, x, y).0 as u32)
                                .sum();
                            ink >= 128
                        })
                        .unwrap()
                })
                .collect();
            assert!(
                bottoms.iter().all(|&b| b == bottoms[0]),
                "size {size}: {bottoms:?}"
            );
        }
    }

    #[test]
    fn bands_never_cover_another_series_line() {
        let x: Vec<f64> = (0..=10).map(f64::from).collect();
        // The second series' band covers the whole first line.
        let fig = Figure::Lines {
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            y_range: (0.0, 1.0),
            series: vec![flat(&x, 0.5, "a", None), flat(&x, 0.2, "b", Some((0.1, 0.9)))],
        };
        let (w, h) = (800, 500);
        let buf = bitmap(&fig, (w, h));
        let c = colour(0);
        let pure = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| pixel(&buf, w, x, y) == (c.0, c.1, c.2))
            .count();
        // A 3-pixel line across the ~650-pixel plot keeps its colour.
        assert!(
            pure > 1500,
            "only {pure} pixels of the first line keep its colour"
        );
    }

    #[test]
    fn legend_covers_no_line() {
        let x: Vec<f64> = (0..=10).map(f64::from).collect();
        let long = |s: &str| format!("{s} with a rather long legend label");
        // Lines along the bottom and the top edge pass through every corner of the plot.
        let series = vec![
            flat(&x, 0.01, &long("bottom"), None),
            flat(&x, 0.99, &long("top"), None),
            flat(&x, 0.5, &long("middle"), None),
        ];
        let fig = Figure::Lines {
            title: "t".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            y_range: (0.0, 1.0),
            series,
        };
        let (w, h) = (1000, 600);
        let buf = bitmap(&fig, (w, h));
        for k in 0..2 {
            let c = colour(k);
            let is = |x: u32, y: u32| pixel(&buf, w, x, y) == (c.0, c.1, c.2);
            // The line's row: the row with the most pixels of its colour.
            let row = (0..h)
                .max_by_key(|&y| (0..w).filter(|&x| is(x, y)).count())
                .unwrap();
            let n = (0..w).filter(|&x| is(x, row)).count();
            assert!(n > 850, "series {k}: only {n} pixels of its line are visible");
        }
    }

    #[test]
    fn scatter_labels_do_not_overlap() {
        // The Morris study of the Article 5 - NATO-light gap (sens_gap_morris): mu*, its interval
        // and sigma per parameter.
        let rows = [
            ("russia.lambda", 0.027750, 0.017559, 0.040447, 0.040364),
            ("russia.offensive_gain", 0.025000, 0.012309, 0.042012, 0.046016),
            ("russia.war_cost", 0.022375, 0.016309, 0.029506, 0.027162),
            (
                "regimes.article5.audience_cost",
                0.013250,
                0.007434,
                0.020322,
                0.019983,
            ),
            (
                "regimes.nato_light.audience_cost",
                0.040000,
                0.024678,
                0.059506,
                0.047692,
            ),
            (
                "guarantors.USA.public_support",
                0.024750,
                0.015309,
                0.036191,
                0.029622,
            ),
            (
                "guarantors.USA.audience_sensitivity",
                0.015000,
                0.008494,
                0.023941,
                0.025856,
            ),
            (
                "modifiers.reassurance_troops",
                0.032875,
                0.017125,
                0.052656,
                0.051831,
            ),
            (
                "crisis.support_half_life_hours",
                0.009375,
                0.005934,
                0.013375,
                0.014287,
            ),
            (
                "ukraine.defence_multiplier",
                0.011375,
                0.007250,
                0.016256,
                0.017425,
            ),
        ];
        let fig = Figure::Scatter {
            title: "Morris".into(),
            x_label: "mu*".into(),
            y_label: "sigma".into(),
            points: rows.iter().map(|r| (r.0.to_string(), r.1, r.4)).collect(),
            highlight: None,
            connect: false,
            x_err: rows.iter().map(|r| (r.2, r.3)).collect(),
            guide: Some(("noise floor".into(), 0.012)),
        };
        let s = svg(&fig, (1200, 750));
        let boxes: Vec<(f64, f64, f64, f64)> = texts(&s)
            .into_iter()
            .filter(|t| rows.iter().any(|r| r.0 == t.4))
            .map(|(x, y, size, anchor, body)| {
                let width = crate::report::text::rasterise(&body, size as f32, 0.0).width as f64;
                let x0 = match anchor.as_str() {
                    "end" => x - width,
                    "middle" => x - width / 2.0,
                    _ => x,
                };
                (x0, y, x0 + width, y + size)
            })
            .collect();
        assert_eq!(boxes.len(), rows.len(), "every point is labelled");
        // Markers and the intervals' horizontal lines must stay readable too.
        let num = |tag: &str, name: &str| -> f64 {
            let key = format!(" {name}=\"");
            let i = tag.find(&key).unwrap() + key.len();
            tag[i..i + tag[i..].find('"').unwrap()].parse().unwrap()
        };
        let mut obstacles: Vec<(f64, f64, f64, f64)> = s
            .split("<circle")
            .skip(1)
            .map(|t| {
                let (cx, cy, r) = (num(t, "cx"), num(t, "cy"), num(t, "r"));
                (cx - r, cy - r, cx + r, cy + r)
            })
            .collect();
        for t in s.split("<polyline").skip(1) {
            let t = &t[..t.find("/>").unwrap()];
            if !t.contains("stroke=\"#000000\"") {
                continue;
            }
            let i = t.find("points=\"").unwrap() + 8;
            let pts: Vec<(f64, f64)> = t[i..i + t[i..].find('"').unwrap()]
                .split_whitespace()
                .map(|p| {
                    let (a, b) = p.split_once(',').unwrap();
                    (a.parse().unwrap(), b.parse().unwrap())
                })
                .collect();
            if let [a, b] = pts[..] {
                if a.1 == b.1 && (a.0 - b.0).abs() > 20.0 {
                    obstacles.push((a.0.min(b.0), a.1 - 0.5, a.0.max(b.0), a.1 + 0.5));
                }
            }
        }
        assert!(obstacles.len() >= 2 * rows.len());
        let overlap = |a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)| {
            !(a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1)
        };
        for (i, a) in boxes.iter().enumerate() {
            for o in &obstacles {
                assert!(
                    !overlap(*a, *o),
                    "label {i} {a:?} covers a marker or interval {o:?}"
                );
            }
        }
        for i in 0..boxes.len() {
            for j in i + 1..boxes.len() {
                let (a, b) = (boxes[i], boxes[j]);
                assert!(!overlap(a, b), "labels {i} {a:?} and {j} {b:?} overlap");
            }
        }
    }
}
