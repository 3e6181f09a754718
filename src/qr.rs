//! QR codes of compact codes, as PNG or SVG: pure renderers (text in, bytes out).
//!
//! The compact code is all QR alphanumeric characters, so the encoder (`qrcode`, optimal
//! segmentation) packs it in alphanumeric mode. Error correction level M (15 %) is used: a
//! printed certificate behind glass on an honor wall gets glare and scuffs, and M keeps the
//! version, and so the module size at a given print size, reasonable. The quiet zone is the
//! four modules ISO/IEC 18004 asks for.

use qrcode::{Color, EcLevel, QrCode, Version};

/// Quiet zone around the symbol, in modules.
pub const QUIET_ZONE: usize = 4;

/// A QR code could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error("the text ({len} characters) does not fit any QR code version at error correction level M: {reason}")]
    TooLong { len: usize, reason: String },
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// A QR symbol: its version and its modules (`true` = dark), row by row.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// QR version 1..=40.
    pub version: i16,
    /// Modules per side (without quiet zone).
    pub width: usize,
    pub dark: Vec<bool>,
}

/// Encodes `text` at error correction level M.
pub fn symbol(text: &str) -> Result<Symbol, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        QrError::TooLong {
            len: text.len(),
            reason: e.to_string(),
        }
    })?;
    let version = match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    };
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Ok(Symbol {
        version,
        width,
        dark,
    })
}

impl Symbol {
    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// SVG path data for the dark modules, one unit per module, origin at the symbol's corner
    /// (runs of dark modules in a row are merged).
    pub fn path_data(&self) -> String {
        let mut d = String::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if !self.is_dark(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < self.width && self.is_dark(x, y) {
                    x += 1;
                }
                d.push_str(&format!("M{start} {y}h{}v1h-{}z", x - start, x - start));
            }
        }
        d
    }

    /// A standalone SVG document (quiet zone included, `scale` user units per module).
    pub fn svg(&self, scale: usize) -> String {
        let side = (self.width + 2 * QUIET_ZONE) * scale;
        let q = QUIET_ZONE;
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{side}\" height=\"{side}\" viewBox=\"0 0 {n} {n}\" shape-rendering=\"crispEdges\">\n\
             <rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/>\n\
             <path transform=\"translate({q} {q})\" fill=\"#000\" d=\"{d}\"/>\n\
             </svg>\n",
            n = self.width + 2 * q,
            d = self.path_data(),
        )
    }

    /// A grayscale PNG, `scale` pixels per module, quiet zone included.
    pub fn png(&self, scale: usize) -> Result<Vec<u8>, QrError> {
        let scale = scale.max(1);
        let side = (self.width + 2 * QUIET_ZONE) * scale;
        let mut pixels = vec![255u8; side * side];
        for y in 0..self.width {
            for x in 0..self.width {
                if self.is_dark(x, y) {
                    for dy in 0..scale {
                        let row = (y + QUIET_ZONE) * scale + dy;
                        let col = (x + QUIET_ZONE) * scale;
                        pixels[row * side + col..row * side + col + scale].fill(0);
                    }
                }
            }
        }
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, side as u32, side as u32);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc
                .write_header()
                .map_err(|e| QrError::Png(e.to_string()))?;
            w.write_image_data(&pixels)
                .map_err(|e| QrError::Png(e.to_string()))?;
            w.finish().map_err(|e| QrError::Png(e.to_string()))?;
        }
        Ok(out)
    }
}

/// The `qrcode` crate's own SVG rendering of `text` (level M, 4-module quiet zone).
pub fn svg(text: &str) -> Result<String, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        QrError::TooLong {
            len: text.len(),
            reason: e.to_string(),
        }
    })?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .quiet_zone(true)
        .module_dimensions(4, 4)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_alphanumeric_codes() {
        let s = symbol("HONORS1:%69 VD92EX0").unwrap();
        assert_eq!(s.width, 17 + 4 * s.version as usize);
        assert!(
            s.path_data().starts_with("M0 0h7v1h-7z"),
            "finder pattern first"
        );
        let png = s.png(4).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert!(s.svg(4).contains("<path"));
        assert!(svg("HONORS1:AB").unwrap().contains("<svg"));
        assert!(symbol(&"A".repeat(5000)).is_err());
    }
}
