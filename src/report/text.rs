//! Correct text rasterisation for plotters' bitmap output.
//!
//! plotters 0.3.7's `ab_glyph` font path (`plotters/src/style/font/ab_glyph.rs`, `FontData::draw`)
//! places glyphs wrongly:
//!
//! * horizontally, `OutlinedGlyph::draw` yields pixels relative to the glyph's pixel bounding box,
//!   but plotters adds only the (truncated) pen position and drops `px_bounds().min.x`, the
//!   glyph's left side bearing. Every glyph is pushed left by its own bearing, so spacing becomes
//!   uneven ("1 0000", "artide");
//! * vertically, it uses `(size / 2.0 + px_bounds().min.y) as i32`; `as` truncates toward zero,
//!   so when `size` is odd the half pixel is rounded down for glyphs whose top is below `size / 2`
//!   (x-height letters) and up for taller ones (ascenders, digits): letters hop 1 px off the
//!   baseline;
//! * the glyph is outlined at x = 0 and the pen position truncated, so sub-pixel advances are lost.
//!
//! [`FixedText`] wraps any [`DrawingBackend`] and replaces only `draw_text`: it lays out the text
//! with the same font, scale and layout box as plotters (so chart layout does not move), but puts
//! every glyph on one integer baseline at its exact (fractional) pen position, accumulates the
//! coverage of the whole string and then blends it through the wrapped backend's `draw_pixel`.
//! Everything else (lines, rectangles, bitmaps, text size estimates) is delegated unchanged, so
//! all text plotters draws — captions, axis descriptions, tick labels, legends, `Text` elements —
//! goes through the fixed path once the chart is built on a `FixedText<BitMapBackend>`.
//!
//! SVG output is not affected by the bug (plotters writes `<text>` elements that the viewer
//! renders), so only wrap the bitmap backend.
//!
//! Dependencies: `plotters-backend` and `ab_glyph` (both already used by plotters) and
//! `ttf-noto-sans` (the embedded font).

use ab_glyph::{point, Font, FontRef, Glyph, PxScale, ScaleFont};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use std::sync::OnceLock;

/// The embedded font (the same bytes registered with plotters as "sans-serif").
fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        FontRef::try_from_slice(ttf_noto_sans::REGULAR).expect("embedded Noto Sans is a valid font")
    })
}

/// A drawing backend that draws text correctly and delegates everything else to `DB`.
pub struct FixedText<DB> {
    inner: DB,
}

impl<DB: DrawingBackend> FixedText<DB> {
    /// Wrap `inner` (typically a `BitMapBackend`).
    pub fn new(inner: DB) -> Self {
        FixedText { inner }
    }

    /// The wrapped backend.
    pub fn into_inner(self) -> DB {
        self.inner
    }
}

/// The coverage of a string rasterised in its own frame: the baseline starts at (0, `baseline`),
/// y grows downwards, and (`x0`, `y0`) is the frame position of `cov[0]`.
pub struct Coverage {
    /// Frame x of the first column.
    pub x0: i32,
    /// Frame y of the first row.
    pub y0: i32,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Coverage in [0, 1], row by row (`width * height` cells).
    pub cov: Vec<f32>,
}

/// Rasterise `text` at `size` (plotters' size: ascent − descent in pixels) with its baseline at
/// y = `baseline` and its pen starting at x = 0. Glyphs keep their fractional pen positions and
/// bearings; coverage of overlapping glyphs is summed and clamped to 1.
pub fn rasterise(text: &str, size: f32, baseline: f32) -> Coverage {
    let font = font();
    let scaled = font.as_scaled(PxScale::from(size));
    let mut outlines = Vec::new();
    let mut pen = 0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        prev = Some(id);
        let glyph: Glyph = id.with_scale_and_position(scaled.scale(), point(pen, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            outlines.push(outline);
        }
        pen += scaled.h_advance(id);
    }
    if outlines.is_empty() {
        return Coverage {
            x0: 0,
            y0: 0,
            width: 0,
            height: 0,
            cov: Vec::new(),
        };
    }
    let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
    for o in &outlines {
        let b = o.px_bounds();
        x0 = x0.min(b.min.x as i32);
        y0 = y0.min(b.min.y as i32);
        x1 = x1.max(b.max.x as i32);
        y1 = y1.max(b.max.y as i32);
    }
    let (width, height) = ((x1 - x0).max(0) as usize, (y1 - y0).max(0) as usize);
    let mut cov = vec![0f32; width * height];
    for o in &outlines {
        let b = o.px_bounds();
        let (bx, by) = (b.min.x as i32 - x0, b.min.y as i32 - y0);
        o.draw(|gx, gy, c| {
            let (x, y) = (bx + gx as i32, by + gy as i32);
            if x >= 0 && y >= 0 && (x as usize) < width && (y as usize) < height {
                let cell = &mut cov[y as usize * width + x as usize];
                *cell = (*cell + c).min(1.0);
            }
        });
    }
    Coverage {
        x0,
        y0,
        width,
        height,
        cov,
    }
}

/// The baseline's offset below the top of plotters' layout box. plotters puts it at `size / 2`
/// (its layout box is `size / 1.24` high, and the cap height of Noto Sans is about `size / 2`, so
/// capitals fill the top of the box); we keep that convention, rounded to a whole pixel so that
/// every glyph shares the same baseline row.
pub fn baseline_offset(size: f64) -> f32 {
    (size as f32 / 2.0).round()
}

impl<DB: DrawingBackend> DrawingBackend for FixedText<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.inner.estimate_text_size(text, style)
    }

    /// Same anchoring as plotters' default `draw_text` (its layout box, anchor and rotation),
    /// correct glyph placement.
    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let raster = rasterise(text, style.size() as f32, baseline_offset(style.size()));
        let (w, h) = self.inner.get_size();
        for row in 0..raster.height {
            for col in 0..raster.width {
                let c = raster.cov[row * raster.width + col];
                if c <= 0.0 {
                    continue;
                }
                let (fx, fy) = (raster.x0 + col as i32, raster.y0 + row as i32);
                let (x, y) = trans.transform(fx + dx - min_x, fy + dy - min_y);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if x >= 0 && y >= 0 && x < w as i32 && y < h as i32 {
                    let pixel = BackendColor {
                        alpha: color.alpha * c as f64,
                        rgb: color.rgb,
                    };
                    self.inner.draw_pixel((x, y), pixel)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lowest row (frame y) holding at least half a pixel of ink.
    fn bottom(c: &Coverage) -> i32 {
        let row = |r: usize| c.cov[r * c.width..(r + 1) * c.width].iter().sum::<f32>();
        c.y0 + (0..c.height).rev().find(|&r| row(r) >= 0.5).unwrap() as i32
    }

    #[test]
    fn letters_share_the_baseline_at_every_size() {
        for size in 11..=24 {
            let base = baseline_offset(size as f64);
            let rows: Vec<i32> = ["n", "l", "1", "r", "t"]
                .iter()
                .map(|s| bottom(&rasterise(s, size as f32, base)))
                .collect();
            assert!(
                rows.iter().all(|&r| r == base as i32 - 1),
                "size {size}: {rows:?}"
            );
        }
    }

    #[test]
    fn left_bearing_is_kept() {
        // '1' and '0' are tabular in Noto Sans: '1' has a wide left bearing, so its ink starts later.
        let (one, zero) = (rasterise("1", 16.0, 8.0), rasterise("0", 16.0, 8.0));
        assert!(one.x0 > zero.x0, "{} vs {}", one.x0, zero.x0);
        // and the digits of "10000" sit one advance apart
        let s = font().as_scaled(16.0);
        let adv = s.h_advance(s.glyph_id('0'));
        let two = rasterise("00", 16.0, 8.0);
        assert!((two.width as f32 - (zero.width as f32 + adv)).abs() <= 1.0);
    }
}
