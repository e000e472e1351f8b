//! QR codes for join links and payments, as SVG data URIs the windows can show in an
//! `<img>` (so no markup is ever injected into the page), and as rows of modules for the
//! citizen page, which draws them itself.

use base64::Engine as _;
use qrcode::QrCode;
use qrcode::render::svg;

/// The QR code of `text` as a `data:image/svg+xml;base64,…` URI.
pub fn svg_data_uri(text: &str) -> Result<String, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(text, qrcode::EcLevel::M)?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// The QR code of `text` (level M, without quiet zone) as rows of `0` and `1`, top row
/// first: what the citizen page draws.
pub fn modules(text: &str) -> Result<Vec<String>, qrcode::types::QrError> {
    let code = QrCode::with_error_correction_level(text, qrcode::EcLevel::M)?;
    let width = code.width();
    let colors = code.to_colors();
    Ok(colors
        .chunks(width)
        .map(|row| {
            row.iter()
                .map(|c| if *c == qrcode::Color::Dark { '1' } else { '0' })
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn modules_are_a_square_of_bits_with_the_finder_patterns() {
        let rows =
            super::modules("https://www.mollie.com/checkout/select-method/7UhSN1zuXS").unwrap();
        let n = rows.len();
        assert!(n >= 21 && (n - 21).is_multiple_of(4), "{n}");
        assert!(rows.iter().all(|r| r.len() == n));
        // The top-left finder: a dark 7-module square ring with a dark 3x3 core.
        assert_eq!(&rows[0][..7], "1111111");
        assert_eq!(&rows[1][..7], "1000001");
        assert_eq!(&rows[3][..7], "1011101");
        assert_eq!(&rows[0][n - 7..], "1111111");
    }

    #[test]
    fn a_join_link_becomes_an_svg_data_uri() {
        let uri = super::svg_data_uri("http://127.0.0.1:4000/j/AAAAAAAAAAAAAAAAAAAAAA").unwrap();
        let b64 = uri.strip_prefix("data:image/svg+xml;base64,").unwrap();
        use base64::Engine as _;
        let svg = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.contains("<svg") && svg.contains("<path"), "{svg}");
    }
}
