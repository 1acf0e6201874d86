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
    pub label: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// A line with a band: x values, y values and the band's low and high.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

/// A panel of several series (one regime's beliefs, or one parameter's effect).
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
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
    /// Bars with 95% intervals.
    Bars {
        title: String,
        y_label: String,
        bars: Vec<Bar>,
    },
    /// Lines with bands on one pair of axes.
    Lines {
        title: String,
        x_label: String,
        y_label: String,
        y_range: (f64, f64),
        series: Vec<Series>,
    },
    /// A grid of line panels.
    Panels {
        title: String,
        x_label: String,
        y_label: String,
        y_range: (f64, f64),
        panels: Vec<Panel>,
        cols: usize,
    },
    /// Horizontal grouped bars with intervals: one row per category, one bar per series
    /// (value, low, high); a dashed vertical line at `reference` if given (a noise floor).
    HBars {
        title: String,
        x_label: String,
        categories: Vec<String>,
        series: Vec<NamedIntervals>,
        x_range: (f64, f64),
        reference: Option<(String, f64)>,
    },
    /// Labelled points (x, y), with an optional dashed horizontal/vertical guide at `guide`.
    Scatter {
        title: String,
        x_label: String,
        y_label: String,
        points: Vec<(String, f64, f64)>,
        highlight: Option<usize>,
        connect: bool,
        /// Horizontal intervals (low, high) per point, or empty.
        x_err: Vec<(f64, f64)>,
        /// A dashed vertical guide with its legend name (a noise floor).
        guide: Option<(String, f64)>,
    },
    /// Horizontal ranges within [0, 1] per category (a PRIM box relative to the full ranges),
    /// each labelled with its real bounds.
    Ranges {
        title: String,
        categories: Vec<String>,
        ranges: Vec<(f64, f64)>,
        labels: Vec<String>,
    },
    /// Heatmaps side by side, sharing a colour range.
    Heatmaps {
        title: String,
        x_label: String,
        y_label: String,
        xs: Vec<f64>,
        ys: Vec<f64>,
        maps: Vec<(String, Vec<Vec<f64>>)>,
        range: (f64, f64),
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
            } => {
                let root = root.titled(title, ("sans-serif", 22)).map_err(err)?;
                let areas = root.split_evenly((1, maps.len().max(1)));
                for (area, (name, values)) in areas.iter().zip(maps) {
                    heatmap(area, name, x_label, y_label, xs, ys, values, *range)?;
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
        let root = BitMapBackend::new(&tmp, size).into_drawing_area();
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
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 22))
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

/// Lines with bands on one pair of axes, with a legend.
#[allow(clippy::too_many_arguments)]
pub fn lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    y_range: (f64, f64),
    series: &[Series],
    caption_size: u32,
    legend_lower: bool,
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
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", caption_size))
        .margin(14)
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
        let c = colour(k);
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
                    .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.18))))
                    .map_err(err)?;
            }
        }
        let pts: Vec<(f64, f64)> =
            s.x.iter()
                .copied()
                .zip(s.y.iter().copied())
                .filter(|p| p.1.is_finite())
                .collect();
        chart
            .draw_series(LineSeries::new(pts, c.stroke_width(3)))
            .map_err(err)?
            .label(s.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(if legend_lower {
            SeriesLabelPosition::LowerLeft
        } else {
            SeriesLabelPosition::UpperRight
        })
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(err)?;
    Ok(())
}

/// A grid of panels with a common title.
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
    let root = root.titled(title, ("sans-serif", 22)).map_err(err)?;
    let cols = cols.max(1);
    let rows = panels.len().div_ceil(cols).max(1);
    let areas = root.split_evenly((rows, cols));
    for (area, p) in areas.iter().zip(panels) {
        lines(area, &p.title, x_label, y_label, y_range, &p.series, 18, true)?;
    }
    Ok(())
}

/// A heatmap of `values[row][col]` over a grid of x (columns) and y (rows) values, with a
/// colour bar; NaN cells are left blank.
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
) -> DrawResult {
    // A diverging scale for ranges around zero (differences), viridis otherwise.
    let scale = if range.0 < 0.0 && range.1 > 0.0 {
        diverging
    } else {
        viridis
    };
    let (main, bar) = root.split_horizontally(root.dim_in_pixel().0.saturating_sub(125));
    let nx = xs.len().max(1);
    let ny = ys.len().max(1);
    let xl: Vec<String> = xs.iter().map(|x| short(*x)).collect();
    let yl: Vec<String> = ys.iter().map(|y| short(*y)).collect();
    let mut chart = ChartBuilder::on(&main)
        .caption(title, ("sans-serif", 18))
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
        .margin_bottom(50)
        .margin_right(16)
        .margin_left(6)
        .y_label_area_size(62)
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
        .label_style(("sans-serif", 13))
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
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(16)
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
    for (j, (name, vals)) in series.iter().enumerate() {
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
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(err)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], c.filled()));
    }
    if let Some((name, r)) = reference {
        let r = *r;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(r, -0.5), (r, n as f64 - 0.5)],
                6,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(err)?
            .label(name.clone())
            .legend(|(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (5, 0)], BLACK)
                    + PathElement::new(vec![(9, 0), (14, 0)], BLACK)
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    Ok(())
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
    // Room on the right for the labels of the rightmost points.
    let xmax = xmax * 1.35;
    let ymax = points.iter().map(|p| fin(p.2)).fold(1e-9_f64, f64::max) * 1.15;
    let xmin = points.iter().map(|p| fin(p.1)).fold(0.0_f64, f64::min);
    let ymin = points.iter().map(|p| fin(p.2)).fold(0.0_f64, f64::min);
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(16)
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
    if connect {
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.1, p.2)),
                colour(0).stroke_width(2),
            ))
            .map_err(err)?;
    }
    for ((_, x, y), (lo, hi)) in points.iter().zip(x_err) {
        if lo.is_finite() && hi.is_finite() {
            let _ = x;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*lo, *y), (*hi, *y)],
                    BLACK.stroke_width(1),
                )))
                .map_err(err)?;
        }
    }
    if let Some((name, g)) = guide {
        let g = *g;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(g, ymin), (g, ymax)],
                6,
                4,
                BLACK.stroke_width(1),
            ))
            .map_err(err)?
            .label(name.clone())
            .legend(|(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (5, 0)], BLACK)
                    + PathElement::new(vec![(9, 0), (14, 0)], BLACK)
            });
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(err)?;
    }
    for (i, (label, x, y)) in points.iter().enumerate() {
        let hl = highlight == Some(i);
        let c = if hl { colour(1) } else { colour(0) };
        chart
            .draw_series(std::iter::once(Circle::new(
                (*x, *y),
                if hl { 8 } else { 5 },
                c.filled(),
            )))
            .map_err(err)?;
        if !label.is_empty() {
            // Offset the label from its marker by a few pixels.
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((*x, *y)) + Text::new(label.clone(), (9, -16), ("sans-serif", 14)),
                ))
                .map_err(err)?;
        }
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
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(16)
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
