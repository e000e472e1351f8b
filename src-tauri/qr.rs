//! QR codes for join links, as SVG data URIs the windows can show in an `<img>` (so no
//! markup is ever injected into the page).

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

#[cfg(test)]
mod tests {
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
