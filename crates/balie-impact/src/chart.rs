//! An indicator's chart as SVG, drawn by `plotters` (a maintained charting library for
//! Rust). Chosen so that the cockpit's dashboard, the relay's admin page and the PDF
//! report show one and the same picture from one piece of code, with no script in the
//! page and text kept as text.
//!
//! Readable for colour-blind people: the two series are blue and orange from the
//! Okabe–Ito palette (told apart in every common colour-vision deficiency), the second
//! series' bars are striped and its line has triangles where the first has circles, every
//! bar carries its value, and the legend names the series. The same
//! numbers are in the indicator's table for screen readers.

use crate::present::{Chart, ChartKind};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Okabe–Ito blue.
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito orange, darkened to 5.5:1 against white (WCAG 1.4.11 asks 3:1 of a
/// graphic that carries meaning).
const ORANGE: RGBColor = RGBColor(0xB3, 0x6B, 0x00);
const INK: RGBColor = RGBColor(0x1D, 0x1D, 0x1B);
const GRID: RGBColor = RGBColor(0xD0, 0xD0, 0xD0);

/// The chart's width and height in SVG units.
pub const SIZE: (u32, u32) = (640, 300);

fn colour(series: usize) -> RGBColor {
    if series == 0 { BLUE } else { ORANGE }
}

/// The chart as a `data:image/svg+xml;base64,…` URI for an `<img>` (an image's SVG runs
/// no script), as the cockpit's dashboard and the relay's admin page show it.
pub fn data_uri(chart: &Chart) -> String {
    use base64::Engine as _;
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg(chart))
    )
}

/// `value` with at most one decimal, as labels show it.
fn label(value: f64) -> String {
    if (value - value.round()).abs() < 0.05 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// Shortens `text` to `max` characters with an ellipsis (the table has the whole name).
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The chart as an SVG document; an empty chart (no categories) draws its axes only.
pub fn svg(chart: &Chart) -> String {
    let mut out = String::new();
    if draw(chart, &mut out).is_err() {
        // Drawing into a string fails only on a bug; the table still tells it all.
        out.clear();
    }
    out
}

fn draw<'a>(chart: &Chart, out: &'a mut String) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let (width, height) = SIZE;
    let root = SVGBackend::with_string(out, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let n = chart.categories.len().max(1);
    let max = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let top = if max <= 0.0 { 1.0 } else { max * 1.18 };
    let font = ("sans-serif", 19).into_font().color(&INK);

    // The legend, above the plot.
    let legend_height = if chart.series.len() > 1 { 30 } else { 8 };
    let (legend, plot) = root.split_vertically(legend_height);
    if chart.series.len() > 1 {
        let mut x = 56;
        for (i, s) in chart.series.iter().enumerate() {
            legend.draw(&Rectangle::new([(x, 6), (x + 16, 22)], colour(i).filled()))?;
            if i > 0 {
                stripes(&legend, (x, 6), (x + 16, 22))?;
            }
            let name = fit(&s.name, 40);
            legend.draw_text(&name, &font, (x + 20, 8))?;
            x += 44 + 9 * i32::try_from(name.chars().count()).unwrap_or(20);
        }
    }

    let mut c = ChartBuilder::on(&plot)
        .margin_left(8)
        .margin_right(16)
        .margin_top(8)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0_f64..n as f64, 0.0_f64..top)?;
    c.configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(5)
        .y_desc(chart.unit.as_str())
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(INK)
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .y_label_formatter(&|v| label(*v))
        .draw()?;

    // Category labels, centred under their group (`backend_coord` is in the whole
    // picture's pixels, so these are drawn on `root`).
    let per_category = f64::from(width - 76) / n as f64;
    let max_chars = ((per_category / 9.0) as usize).max(4);
    let anchor = font.clone().pos(Pos::new(HPos::Center, VPos::Top));
    for (i, name) in chart.categories.iter().enumerate() {
        let (x, y) = c.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw_text(&fit(name, max_chars), &anchor, (x, y + 8))?;
    }

    let series = chart.series.len().max(1);
    match chart.kind {
        ChartKind::Bars => {
            let group = 0.8;
            let w = group / series as f64;
            let value_font = ("sans-serif", 18)
                .into_font()
                .color(&INK)
                .pos(Pos::new(HPos::Center, VPos::Bottom));
            for (s, data) in chart.series.iter().enumerate() {
                let colour = colour(s);
                for (i, v) in data.values.iter().enumerate() {
                    let Some(v) = v else { continue };
                    if *v == 0.0 {
                        // Nothing to draw; the table says 0.
                        continue;
                    }
                    let x0 = i as f64 + 0.1 + s as f64 * w;
                    let x1 = x0 + w * 0.92;
                    c.draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x1, *v)],
                        colour.filled(),
                    )))?;
                    if s > 0 {
                        stripes(
                            &root,
                            c.backend_coord(&(x0, *v)),
                            c.backend_coord(&(x1, 0.0)),
                        )?;
                    }
                    let (px, py) = c.backend_coord(&((x0 + x1) / 2.0, *v));
                    root.draw_text(&label(*v), &value_font, (px, py - 3))?;
                }
            }
        }
        ChartKind::Lines => {
            for (s, data) in chart.series.iter().enumerate() {
                let colour = colour(s);
                let points: Vec<(f64, f64)> = data
                    .values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (i as f64 + 0.5, v)))
                    .collect();
                c.draw_series(LineSeries::new(points.clone(), colour.stroke_width(3)))?;
                if s == 0 {
                    c.draw_series(points.iter().map(|p| Circle::new(*p, 5, colour.filled())))?;
                } else {
                    c.draw_series(
                        points
                            .iter()
                            .map(|p| TriangleMarker::new(*p, 6, colour.filled())),
                    )?;
                }
            }
        }
    }
    root.present()?;
    Ok(())
}

/// White stripes across the box from `top_left` to `bottom_right` (pixels): the second
/// series is told from the first without its colour.
fn stripes<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    top_left: (i32, i32),
    bottom_right: (i32, i32),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let mut y = top_left.1 + 3;
    while y < bottom_right.1 - 1 {
        area.draw(&PathElement::new(
            vec![(top_left.0 + 1, y), (bottom_right.0 - 1, y)],
            WHITE.stroke_width(2),
        ))?;
        y += 6;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::Series;

    fn two_series(kind: ChartKind) -> Chart {
        Chart {
            kind,
            unit: "aantal".into(),
            categories: vec!["Gesprekken".into(), "Afspraken".into()],
            series: vec![
                Series {
                    name: "Deze periode".into(),
                    values: vec![Some(12.0), Some(3.0)],
                },
                Series {
                    name: "Vorige periode".into(),
                    values: vec![Some(9.0), None],
                },
            ],
        }
    }

    #[test]
    fn bars_carry_their_values_labels_and_legend_as_text() {
        let svg = svg(&two_series(ChartKind::Bars));
        assert!(svg.starts_with("<svg"), "{svg}");
        let texts = texts(&svg);
        for text in [
            "Gesprekken",
            "Afspraken",
            "Deze periode",
            "Vorige periode",
            "12",
            "9",
            "3",
            "aantal",
        ] {
            assert!(
                texts.iter().any(|t| t == text),
                "{text} missing from {texts:?}"
            );
        }
        // Blue, and striped orange.
        assert!(svg.contains("#0072B2"));
        assert!(svg.contains("#B36B00"));
        assert!(svg.contains("stroke=\"#FFFFFF\""));
        assert!(!svg.contains("<script"));
    }

    /// The text nodes of `svg`, trimmed.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                Some(
                    t.split_once('>')?
                        .1
                        .split_once("</text>")?
                        .0
                        .trim()
                        .to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn lines_and_an_empty_chart_draw() {
        assert!(svg(&two_series(ChartKind::Lines)).contains("<polyline"));
        let empty = Chart {
            kind: ChartKind::Bars,
            unit: "%".into(),
            categories: vec![],
            series: vec![],
        };
        assert!(svg(&empty).starts_with("<svg"));
    }

    #[test]
    fn text_from_outside_cannot_break_out_of_the_svg() {
        let mut chart = two_series(ChartKind::Bars);
        chart.categories[0] = "<script>alert(1)</script>".into();
        let svg = svg(&chart);
        assert!(!svg.contains("<script>"), "{svg}");
    }
}
