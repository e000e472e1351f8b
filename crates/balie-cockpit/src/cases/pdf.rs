//! A small PDF writer for case summaries: A4 pages of text in Helvetica (the standard
//! font every PDF reader has, so nothing is embedded), headings in Helvetica-Bold, lines
//! wrapped to the page and pages added as needed. Text is written in WinAnsiEncoding, which
//! covers Dutch, French and English; other characters become `?`.

/// One line of a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The document's title.
    Title(String),
    /// A section heading.
    Heading(String),
    /// Ordinary text, wrapped.
    Text(String),
    /// Vertical space.
    Gap,
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;

/// The WinAnsi byte for `c`, or `?`.
fn win_ansi(c: char) -> u8 {
    let code = c as u32;
    match code {
        0x20..=0x7e | 0xa0..=0xff => code as u8,
        0x20ac => 0x80, // €
        0x201a => 0x82,
        0x201e => 0x84,
        0x2026 => 0x85, // …
        0x2018 => 0x91,
        0x2019 => 0x92, // ’
        0x201c => 0x93,
        0x201d => 0x94,
        0x2022 => 0x95, // •
        0x2013 => 0x96, // –
        0x2014 => 0x97, // —
        0x202f | 0x2009 => b' ',
        _ => b'?',
    }
}

/// A PDF string literal of `text` in WinAnsi, with `(`, `)` and `\` escaped.
fn literal(text: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for c in text.chars() {
        match win_ansi(c) {
            b'(' => out.extend_from_slice(b"\\("),
            b')' => out.extend_from_slice(b"\\)"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            byte => out.push(byte),
        }
    }
    out.push(b')');
    out
}

/// Splits `text` into lines of at most `width` characters at spaces (longer words are cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            while word.chars().count() > width {
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(head);
            }
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        lines.push(line);
    }
    lines
}

/// The PDF document for `lines`, with `title` in its metadata.
pub fn document(title: &str, lines: &[Line]) -> Vec<u8> {
    // Lay out: (font, size, text) per printed line, pages split by height.
    let mut pages: Vec<Vec<u8>> = Vec::new();
    let mut page = Vec::new();
    let mut y = PAGE_HEIGHT - MARGIN;
    let mut put = |page: &mut Vec<u8>, y: &mut f32, font: &str, size: f32, text: &str| {
        let leading = size * 1.4;
        if *y - leading < MARGIN {
            pages.push(std::mem::take(page));
            *y = PAGE_HEIGHT - MARGIN;
        }
        *y -= leading;
        page.extend_from_slice(format!("BT /{font} {size} Tf {MARGIN} {y:.1} Td ").as_bytes());
        page.extend_from_slice(&literal(text));
        page.extend_from_slice(b" Tj ET\n");
    };
    for line in lines {
        match line {
            Line::Title(text) => {
                for part in wrap(text, 48) {
                    put(&mut page, &mut y, "F2", 18.0, &part);
                }
            }
            Line::Heading(text) => {
                y -= 6.0;
                for part in wrap(text, 70) {
                    put(&mut page, &mut y, "F2", 12.0, &part);
                }
            }
            Line::Text(text) => {
                for part in wrap(text, 92) {
                    put(&mut page, &mut y, "F1", 10.0, &part);
                }
            }
            Line::Gap => y -= 8.0,
        }
    }
    pages.push(page);

    // Objects: 1 catalog, 2 pages, 3 and 4 fonts, 5 info, then per page a page and its
    // content stream.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 6 + 2 * i))
        .collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    let mut info = b"<< /Producer (Balie) /Title ".to_vec();
    info.extend_from_slice(&literal(title));
    info.extend_from_slice(b" >>");
    objects.push(info);
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
                 /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"endstream");
        objects.push(stream);
    }

    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(object);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_encoded_in_win_ansi() {
        assert_eq!(literal("a(b)c\\"), b"(a\\(b\\)c\\\\)".to_vec());
        assert_eq!(
            literal("€ 45,00 – één"),
            b"(\x80 45,00 \x96 \xe9\xe9n)".to_vec()
        );
        assert_eq!(literal("漢"), b"(?)".to_vec());
    }

    #[test]
    fn lines_wrap_at_spaces_and_long_words_are_cut() {
        assert_eq!(wrap("een twee drie", 8), ["een twee", "drie"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
    }

    #[test]
    fn the_cross_reference_table_points_at_every_object() {
        let lines: Vec<Line> = (0..200).map(|i| Line::Text(format!("Regel {i}"))).collect();
        let pdf = document("Dossier 2026-000001", &lines);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        let count: usize = text
            .split("/Count ")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(count >= 3, "200 lines need several pages, got {count}");
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!(&pdf[xref_at..xref_at + 4], b"xref");
        let table = String::from_utf8_lossy(&pdf[xref_at..]).to_string();
        for (i, entry) in table.lines().skip(3).take(5 + 2 * count).enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            let expected = format!("{} 0 obj", i + 1);
            assert_eq!(&pdf[offset..offset + expected.len()], expected.as_bytes());
        }
    }
}
