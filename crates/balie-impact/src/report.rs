//! The *Impactrapport*: a period's report as a PDF the municipality can hand in (A4, the
//! charts as vector graphics, DejaVu Sans embedded, text selectable) and as CSV for a
//! spreadsheet. Built from [`crate::present::Report`], so it says what the dashboard
//! says.
//!
//! The PDF is written by `krilla` (a maintained PDF library) with its SVG extension for
//! the charts. Lines are laid out here first (a list of pages of drawing operations, with
//! text measured by the font's own advance widths through `ttf-parser`), then drawn.

use crate::present::{Indicator, Report};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};
use std::sync::Arc;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
const INK: (u8, u8, u8) = (0x1d, 0x1d, 0x1b);
const GREY: (u8, u8, u8) = (0x4a, 0x4a, 0x48);
const ACCENT: (u8, u8, u8) = (0x00, 0x54, 0x6b);
const RULE: (u8, u8, u8) = (0x9a, 0x9a, 0x98);

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The embedded font could not be read (a build defect).
    #[error("the report's font could not be read")]
    Font,
    /// The PDF writer failed.
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    /// The CSV writer failed.
    #[error("the CSV could not be written: {0}")]
    Csv(String),
}

/// What the report says about itself on its first page.
#[derive(Debug, Clone)]
pub struct Cover {
    /// The municipality (`Gemeente Zonnedorp`).
    pub municipality: String,
    /// Whose figures: one clerk's, or the whole municipality's, in words.
    pub scope: String,
    /// When it was made, in words.
    pub made: String,
    /// The report's language (`nl-BE`), for the PDF's metadata.
    pub language: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        colour: (u8, u8, u8),
        text: String,
    },
    Chart {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        index: usize,
    },
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
    },
}

/// The two faces, measured.
struct Faces {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

impl Faces {
    fn load() -> Result<Self, ReportError> {
        Ok(Self {
            regular: ttf_parser::Face::parse(dejavu::sans::regular(), 0)
                .map_err(|_| ReportError::Font)?,
            bold: ttf_parser::Face::parse(dejavu::sans::bold(), 0)
                .map_err(|_| ReportError::Font)?,
        })
    }

    fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let face = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        let per_unit = size / f32::from(face.units_per_em());
        text.chars()
            .map(|c| {
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .map_or(size * 0.6, |a| f32::from(a) * per_unit)
            })
            .sum()
    }

    /// `text` broken into lines no wider than `max` (a word longer than a line is broken
    /// inside).
    fn wrap(&self, text: &str, size: f32, weight: Weight, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size, weight) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if self.width(&piece, size, weight) > max && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

/// Lays the report out on pages.
struct Layout<'f> {
    faces: &'f Faces,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(faces: &'f Faces) -> Self {
        Self {
            faces,
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Makes sure `height` fits below; else a new page.
    fn room(&mut self, height: f32) {
        if self.y + height > PAGE_H - MARGIN && self.y > MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
    }

    fn text(&mut self, text: &str, size: f32, weight: Weight, colour: (u8, u8, u8)) {
        self.text_at(MARGIN, WIDTH, text, size, weight, colour);
    }

    fn text_at(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        size: f32,
        weight: Weight,
        colour: (u8, u8, u8),
    ) {
        let line_height = size * 1.35;
        for line in self.faces.wrap(text, size, weight, width) {
            self.room(line_height);
            self.y += line_height;
            let baseline = self.y - size * 0.3;
            self.ops().push(Op::Text {
                x,
                baseline,
                size,
                weight,
                colour,
                text: line,
            });
        }
    }

    fn gap(&mut self, height: f32) {
        self.y += height;
    }

    fn rule(&mut self) {
        let y = self.y;
        self.ops().push(Op::Rule {
            x1: MARGIN,
            x2: MARGIN + WIDTH,
            y,
        });
    }

    fn chart(&mut self, index: usize) {
        let (w, h) = crate::chart::SIZE;
        let width = WIDTH;
        let height = width * h as f32 / w as f32;
        self.room(height + 6.0);
        let y = self.y + 3.0;
        self.ops().push(Op::Chart {
            x: MARGIN,
            y,
            w: width,
            h: height,
            index,
        });
        self.y += height + 6.0;
    }

    fn table(&mut self, indicator: &Indicator) {
        let columns = indicator.table.columns.len().max(1);
        let first = if columns == 1 { WIDTH } else { WIDTH * 0.42 };
        let rest = if columns > 1 {
            (WIDTH - first) / (columns - 1) as f32
        } else {
            0.0
        };
        let x_of = |i: usize| {
            if i == 0 {
                MARGIN
            } else {
                MARGIN + first + rest * (i - 1) as f32
            }
        };
        let width_of = |i: usize| if i == 0 { first } else { rest } - 6.0;
        let size = 8.5;
        let line_height = size * 1.35;
        let rows = std::iter::once((&indicator.table.columns, Weight::Bold))
            .chain(indicator.table.rows.iter().map(|r| (r, Weight::Regular)));
        for (row, weight) in rows {
            let wrapped: Vec<Vec<String>> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| {
                    let w = if i == 0 { Weight::Bold } else { weight };
                    self.faces.wrap(cell, size, w, width_of(i))
                })
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = lines as f32 * line_height + 4.0;
            self.room(height);
            let top = self.y;
            for (i, cell) in wrapped.iter().enumerate() {
                for (n, line) in cell.iter().enumerate() {
                    let w = if i == 0 { Weight::Bold } else { weight };
                    self.ops().push(Op::Text {
                        x: x_of(i),
                        baseline: top + (n + 1) as f32 * line_height - size * 0.3 + 2.0,
                        size,
                        weight: w,
                        colour: INK,
                        text: line.clone(),
                    });
                }
            }
            self.y = top + height;
            self.rule();
        }
    }
}

fn lay_out(report: &Report, cover: &Cover, faces: &Faces) -> Vec<Vec<Op>> {
    let mut l = Layout::new(faces);
    l.text(&report.title, 22.0, Weight::Bold, ACCENT);
    l.text(&cover.municipality, 14.0, Weight::Bold, INK);
    l.gap(4.0);
    l.text(&report.period, 12.0, Weight::Regular, INK);
    l.text(&cover.scope, 10.0, Weight::Regular, GREY);
    l.text(&cover.made, 10.0, Weight::Regular, GREY);
    l.gap(10.0);
    for (i, indicator) in report.indicators.iter().enumerate() {
        // A heading never ends a page: keep it with its first lines.
        l.room(80.0);
        l.gap(10.0);
        l.text(
            &format!("{}. {}", indicator.number, indicator.title),
            13.0,
            Weight::Bold,
            ACCENT,
        );
        l.text(&indicator.headline, 10.5, Weight::Bold, INK);
        l.text(
            &crate::present::text(locale_of(&cover.language), "report.previous")
                .replace("{text}", &indicator.previous),
            9.5,
            Weight::Regular,
            GREY,
        );
        if let Some(missing) = &indicator.missing {
            l.text(missing, 9.5, Weight::Regular, INK);
        }
        l.chart(i);
        l.table(indicator);
        l.gap(4.0);
        l.text(&indicator.definition, 9.0, Weight::Regular, GREY);
    }
    l.room(60.0);
    l.gap(12.0);
    l.text(
        &crate::present::text(locale_of(&cover.language), "report.assumptions"),
        13.0,
        Weight::Bold,
        ACCENT,
    );
    for a in &report.assumptions {
        l.text(&format!("• {a}"), 9.5, Weight::Regular, INK);
    }
    l.pages
}

fn locale_of(language: &str) -> balie_domain::Locale {
    language
        .get(..2)
        .and_then(|code| code.parse().ok())
        .unwrap_or(balie_domain::Locale::Nl)
}

fn fill(colour: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// The report as a PDF, with its charts (`charts[i]` is indicator `i`'s SVG).
pub fn pdf(report: &Report, charts: &[String], cover: &Cover) -> Result<Vec<u8>, ReportError> {
    let faces = Faces::load()?;
    let pages = lay_out(report, cover, &faces);
    let regular = Font::new(dejavu::sans::regular().into(), 0).ok_or(ReportError::Font)?;
    let bold = Font::new(dejavu::sans::bold().into(), 0).ok_or(ReportError::Font)?;
    let mut fonts = usvg::fontdb::Database::new();
    fonts.load_font_data(dejavu::sans::regular().to_vec());
    fonts.load_font_data(dejavu::sans::bold().to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let options = usvg::Options {
        fontdb: Arc::new(fonts),
        font_family: "DejaVu Sans".into(),
        ..usvg::Options::default()
    };
    // A chart that does not parse is left out (the table beside it says the same).
    let trees: Vec<Option<usvg::Tree>> = charts
        .iter()
        .map(|svg| usvg::Tree::from_str(svg, &options).ok())
        .collect();

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} – {}", report.title, report.period))
            .language(cover.language.clone())
            .creator("Balie".into()),
    );
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(ReportError::Pdf("page size".into()))?;
    for ops in &pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    baseline,
                    size,
                    weight,
                    colour,
                    text,
                } => {
                    surface.set_fill(Some(fill(*colour)));
                    let font = match weight {
                        Weight::Regular => regular.clone(),
                        Weight::Bold => bold.clone(),
                    };
                    surface.draw_text(
                        Point::from_xy(*x, *baseline),
                        font,
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Chart { x, y, w, h, index } => {
                    let Some(Some(tree)) = trees.get(*index) else {
                        continue;
                    };
                    let Some(size) = Size::from_wh(*w, *h) else {
                        continue;
                    };
                    surface.push_transform(&Transform::from_translate(*x, *y));
                    surface.draw_svg(tree, size, SvgSettings::default());
                    surface.pop();
                }
                Op::Rule { x1, x2, y } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y);
                    path.line_to(*x2, *y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(RULE.0, RULE.1, RULE.2).into(),
                            width: 0.5,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

/// The report as CSV for a spreadsheet: `;`-separated (as Belgian spreadsheets read it),
/// UTF-8 with a byte-order mark, one line per table cell: indicator, its title, the row,
/// the column, the value — and each indicator's headline and definition.
pub fn csv(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        let err = |e: csv::Error| ReportError::Csv(e.to_string());
        w.write_record(["indicator", "title", "row", "column", "value"])
            .map_err(err)?;
        w.write_record(["", &report.title, "", "", &report.period])
            .map_err(err)?;
        for i in &report.indicators {
            let n = i.number.to_string();
            w.write_record([n.as_str(), &i.title, "", "headline", &i.headline])
                .map_err(err)?;
            w.write_record([n.as_str(), &i.title, "", "definition", &i.definition])
                .map_err(err)?;
            for row in &i.table.rows {
                let head = row.first().map(String::as_str).unwrap_or("");
                for (column, value) in i.table.columns.iter().zip(row).skip(1) {
                    w.write_record([n.as_str(), &i.title, head, column, value])
                        .map_err(err)?;
                }
            }
        }
        w.flush().map_err(|e| ReportError::Csv(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_wrapped_by_the_fonts_own_widths() {
        let faces = Faces::load().unwrap();
        let narrow = faces.width("iiii", 10.0, Weight::Regular);
        let wide = faces.width("WWWW", 10.0, Weight::Regular);
        assert!(wide > 2.0 * narrow, "{narrow} {wide}");
        let lines = faces.wrap(
            "Elk gesprek waarin de burger werd binnengelaten telt als één vermeden heen-en-terugrit",
            10.0,
            Weight::Regular,
            150.0,
        );
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| faces.width(l, 10.0, Weight::Regular) <= 150.0)
        );
        let long = faces.wrap(&"x".repeat(200), 10.0, Weight::Regular, 100.0);
        assert!(
            long.len() > 1
                && long
                    .iter()
                    .all(|l| faces.width(l, 10.0, Weight::Regular) <= 100.0)
        );
    }
}
