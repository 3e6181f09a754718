//! The printable certificate: an A4 SVG in Chinese with the award's compact code as a QR code.
//!
//! Pure: the award's statement and its compact code in, SVG text out. The page is 210 × 297
//! user units (millimetres); the QR symbol is 70 mm wide, so even a version-30 symbol has
//! modules of about 0.5 mm, which phones read from arm's length. Text uses the CJK serif and sans
//! fonts commonly installed (Noto/Source Han, Songti, SimSun) with generic fallbacks.

use crate::qr::{self, QrError, QUIET_ZONE};
use crate::statement::{Kind, Statement};
use crate::time::date_cst;

const PAGE_W: f64 = 210.0;
const QR_MM: f64 = 70.0;
const SERIF: &str = "'Noto Serif CJK SC','Source Han Serif SC','Songti SC','SimSun',serif";
const SANS: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";

/// A certificate could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("a certificate is drawn for an award, not a {0} statement")]
    NotAnAward(&'static str),
    #[error(transparent)]
    Qr(#[from] QrError),
}

/// The A4 certificate of award `st`, whose compact code is `code`; `logged` is a short line
/// shown under the QR code, e.g. "登记于 demo.honors.example/registry 第 112 条".
pub fn svg(st: &Statement, code: &str, logged: &str) -> Result<String, CertificateError> {
    let Kind::Award {
        title,
        holder_name,
        sub_unit,
        uscc,
        batch_year,
        ..
    } = &st.kind
    else {
        return Err(CertificateError::NotAnAward(st.kind.type_name()));
    };
    let sym = qr::symbol(code)?;
    let n = (sym.width + 2 * QUIET_ZONE) as f64;
    let scale = QR_MM / n;
    let qr_x = (PAGE_W - QR_MM) / 2.0;
    let qr_y = 178.0;
    let holder = match sub_unit {
        Some(u) => format!("{holder_name}（{u}）"),
        None => holder_name.clone(),
    };
    let period = match st.valid_until {
        Some(u) => format!("有效期：{} 至 {}", date_cst(st.valid_from), date_cst(u)),
        None => format!("自 {} 起", date_cst(st.valid_from)),
    };
    let won = batch_year
        .map(|y| format!("{y}年度荣获"))
        .unwrap_or_else(|| "荣获".into());
    let title_size = fit(title, 150.0, 15.0);
    let holder_size = fit(&holder, 160.0, 9.0);
    let mut s = String::new();
    s.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"210mm\" height=\"297mm\" viewBox=\"0 0 210 297\">\n\
         <title>荣誉证书：{t}</title>\n\
         <rect width=\"210\" height=\"297\" fill=\"#fffdf6\"/>\n\
         <rect x=\"8\" y=\"8\" width=\"194\" height=\"281\" fill=\"none\" stroke=\"#b8860b\" stroke-width=\"2.2\"/>\n\
         <rect x=\"12\" y=\"12\" width=\"186\" height=\"273\" fill=\"none\" stroke=\"#b22222\" stroke-width=\"0.6\"/>\n",
        t = esc(title)
    ));
    let text = |s: &mut String,
                y: f64,
                size: f64,
                font: &str,
                fill: &str,
                weight: &str,
                body: &str| {
        s.push_str(&format!(
            "<text x=\"105\" y=\"{y:.1}\" text-anchor=\"middle\" font-family=\"{font}\" font-size=\"{size:.1}\" font-weight=\"{weight}\" fill=\"{fill}\">{}</text>\n",
            esc(body)
        ));
    };
    text(&mut s, 46.0, 17.0, SERIF, "#b22222", "bold", "荣 誉 证 书");
    text(&mut s, 78.0, holder_size, SERIF, "#222", "bold", &holder);
    text(
        &mut s,
        94.0,
        7.0,
        SERIF,
        "#444",
        "normal",
        &format!("统一社会信用代码 {uscc}"),
    );
    text(&mut s, 110.0, 8.0, SERIF, "#222", "normal", &won);
    text(
        &mut s,
        132.0,
        title_size,
        SERIF,
        "#b22222",
        "bold",
        &format!("「{title}」"),
    );
    text(
        &mut s,
        152.0,
        7.5,
        SERIF,
        "#222",
        "normal",
        &format!("授予单位：{}", st.issuer_name),
    );
    text(&mut s, 164.0, 6.5, SERIF, "#444", "normal", &period);
    s.push_str(&format!(
        "<g transform=\"translate({qr_x:.3} {qr_y:.3}) scale({scale:.5})\" shape-rendering=\"crispEdges\">\n\
         <rect width=\"{n}\" height=\"{n}\" fill=\"#fff\"/>\n\
         <path transform=\"translate({q} {q})\" fill=\"#000\" d=\"{d}\"/>\n\
         </g>\n",
        q = QUIET_ZONE,
        d = sym.path_data()
    ));
    let below = qr_y + QR_MM + 6.0;
    text(
        &mut s,
        below,
        5.0,
        SANS,
        "#222",
        "normal",
        "扫码核验：honors verify 〈扫描所得文本〉 --trust trust-roots.toml",
    );
    text(
        &mut s,
        below + 6.0,
        3.6,
        SANS,
        "#555",
        "normal",
        &format!("证书编号 {}　{logged}", st.id),
    );
    text(&mut s, below + 11.0, 3.2, SANS, "#777", "normal", &format!("二维码含经 eddsa-jcs-2022 签名的电子证书（QR 版本 {}，纠错等级 M）；授权链、登记与状态以证明包或登记系统核验为准", sym.version));
    s.push_str("</svg>\n");
    Ok(s)
}

/// A font size at which `text` (mostly CJK, one em a character) fits `width` mm, at most `max`.
fn fit(text: &str, width: f64, max: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| if c.is_ascii() { 0.55 } else { 1.0 })
        .sum();
    if ems == 0.0 {
        return max;
    }
    (width / ems).clamp(4.0, max)
}

/// XML text escaping.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_and_escapes() {
        assert_eq!(esc("a<b&\"c\""), "a&lt;b&amp;&quot;c&quot;");
        assert_eq!(fit("全国三八红旗集体", 150.0, 15.0), 15.0);
        assert_eq!(fit(&"长".repeat(20), 150.0, 15.0), 7.5);
        assert_eq!(fit(&"长".repeat(60), 150.0, 15.0), 4.0);
    }
}
