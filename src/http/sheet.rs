//! The plot sheet, `GET /plots/{id}/sheet` (`?lang=en` for English, Bulgarian by default):
//! one printable A4 page for an investor's board — a map of the plot and its neighbours
//! (`sheet_map`, inline SVG), the card, the zoning limits with their labels, the distances
//! and the drive time to the A1 interchange with the roads of the route, a QR code of the
//! viewer's permalink, the date and the data version. Every value from the data is escaped
//! text; the page needs nothing but itself (no scripts, no tiles), so it prints offline.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{Map, Value};

use super::api_doc::escape;
use super::base_url::PublicBase;
use super::openapi::{one_of, params_type, query, ReadErrors};
use super::{blocking, sheet_map, ApiError, ApiPath, AppState, QueryPairs};
use crate::features::params::Params;
use crate::geodata::CadastralId;
use crate::register::Status;
use crate::tiles::style::OTHER_STATUS_COLOUR;
use crate::zone::Zone;

pub fn routes() -> Router<AppState> {
    Router::new().route("/plots/{id}/sheet", get(sheet))
}

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    Bg,
    En,
}

/// The sheet's texts, Bulgarian and English (the viewer's words where it has them).
fn t(lang: Lang, key: &str) -> &'static str {
    let (bg, en) = match key {
        "title" => ("Индустриална зона „Загоре“ — лист на имот", "Industrial Zone Zagore — plot sheet"),
        "map" => ("Карта на имота и съседните имоти", "Map of the plot and its neighbours"),
        "pi" => ("ПИ (поземлен имот)", "Land plot (ПИ)"),
        "upi" => ("УПИ", "Regulated plot (УПИ)"),
        "stage" => ("Етап", "Stage"),
        "status" => ("Статус", "Status"),
        "area" => ("Площ", "Area"),
        "declared" => ("по документ", "declared"),
        "zoning" => ("Устройствена зона", "Zoning"),
        "use" => ("Предназначение", "Permitted use"),
        "utilities" => ("Комуникации", "Utilities"),
        "access_road" => ("Достъп", "Access"),
        "price" => ("Цена", "Price"),
        "restrictions" => ("Ограничения", "Restrictions"),
        "investor" => ("Инвеститор", "Investor"),
        "limits" => ("Устройствени показатели", "Zoning limits"),
        "max_height_m" => ("Максимална височина", "Maximum height"),
        "max_density_pct" => ("Плътност на застрояване (макс.)", "Building density (max.)"),
        "max_intensity" => ("Интензивност на застрояване, Кинт (макс.)", "Building intensity, Kint (max.)"),
        "min_greenery_pct" => ("Озеленяване (мин.)", "Greenery (min.)"),
        "pup_ref" => ("ПУП", "Detailed plan (ПУП)"),
        "distances" => ("Разстояния и време за път", "Distances and drive time"),
        "to_motorway" => ("до АМ „Тракия“ (A1)", "to the Trakia motorway (A1)"),
        "to_interchange" => ("до пътен възел на A1 (по права)", "to the A1 interchange (straight)"),
        "to_interchange_road" => ("до пътен възел на A1 (по пътя)", "to the A1 interchange (by road)"),
        "drive_time" => ("време за път до възела", "drive time to the interchange"),
        "route" => ("Маршрут", "Route"),
        "to_ring_road" => ("до околовръстния път", "to the ring road"),
        "to_rail" => ("до железопътната линия", "to the railway"),
        "to_station" => ("до гара", "to a station"),
        "no_route" => ("няма маршрут", "no route"),
        "none" => ("няма", "none"),
        "permalink" => ("Имотът на картата", "The plot on the map"),
        "date" => ("Дата", "Date"),
        "version" => ("Версия на данните", "Data version"),
        "provenance" => (
            "Геометрията е приблизителна, по публични описания; не е заснемане. Времето за път е долна граница (без спирки и движение).",
            "Geometry is approximate, from public descriptions; not surveyed. The drive time is a lower bound (no stops or traffic).",
        ),
        "status.available" => ("свободен", "available"),
        "status.reserved" => ("резервиран", "reserved"),
        "status.pre-contracted" => ("с предварителен договор", "pre-contracted"),
        "status.sold" => ("продаден", "sold"),
        "util.power" => ("ток", "power"),
        "util.water" => ("вода", "water"),
        "util.sewer" => ("канализация", "sewer"),
        "util.gas" => ("газ", "gas"),
        "util.fibre" => ("оптика", "fibre"),
        "decares" => ("дка", "decares"),
        "min" => ("мин", "min"),
        _ => ("", ""),
    };
    match lang {
        Lang::Bg => bg,
        Lang::En => en,
    }
}

/// A number for the locale: Bulgarian `11 842,5`, English `11,842.5`.
fn number(value: f64, decimals: usize, lang: Lang) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (group, point) = match lang {
        Lang::Bg => ('\u{a0}', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && text.trim_matches(['0', '.']).is_empty() {
        ""
    } else if value < 0.0 {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{frac}")
    }
}

fn metres(value: Option<f64>, lang: Lang) -> String {
    value.map_or(String::new(), |m| format!("{}\u{a0}m", number(m, 0, lang)))
}

/// A card value in the language: `{key}_en` in English where the data has it.
fn text_of(card: &Map<String, Value>, key: &str, lang: Lang) -> String {
    let english = (lang == Lang::En)
        .then(|| card.get(&format!("{key}_en")))
        .flatten();
    match english.or_else(|| card.get(key)) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn f64_of(card: &Map<String, Value>, key: &str) -> Option<f64> {
    card.get(key).and_then(Value::as_f64)
}

/// `<tr><th>label</th><td>value</td></tr>`, both escaped; nothing when the value is empty.
fn row(label: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    format!(
        "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
        escape(label),
        escape(value)
    )
}

fn area(card: &Map<String, Value>, lang: Lang) -> String {
    let Some(computed) = f64_of(card, "area_m2") else {
        return String::new();
    };
    let mut text = format!(
        "{}\u{a0}m² ({}\u{a0}{})",
        number(computed, 0, lang),
        number(computed / 1000.0, 2, lang),
        t(lang, "decares")
    );
    if let Some(declared) = f64_of(card, "declared_area_m2") {
        if (declared - computed).abs() > 0.01 * computed {
            text.push_str(&format!(
                "; {}: {}\u{a0}m²",
                t(lang, "declared"),
                number(declared, 0, lang)
            ));
        }
    }
    text
}

fn utilities(card: &Map<String, Value>, lang: Lang) -> String {
    let have: Vec<&str> = ["power", "water", "sewer", "gas", "fibre"]
        .into_iter()
        .filter(|u| card.get(&format!("has_{u}")) == Some(&Value::Bool(true)))
        .map(|u| t(lang, &format!("util.{u}")))
        .collect();
    let list = if have.is_empty() {
        t(lang, "none").to_string()
    } else {
        have.join(", ")
    };
    let note = text_of(card, "utilities_note", lang);
    if note.is_empty() {
        list
    } else {
        format!("{list} — {note}")
    }
}

fn price(card: &Map<String, Value>, lang: Lang) -> String {
    let note = text_of(card, "price_note", lang);
    match f64_of(card, "price_eur_m2") {
        Some(p) if note.is_empty() => format!("{} EUR/m²", number(p, 2, lang)),
        Some(p) => format!("{} EUR/m² — {note}", number(p, 2, lang)),
        None => note,
    }
}

fn zoning(card: &Map<String, Value>, lang: Lang) -> String {
    let code = text_of(card, "zoning", Lang::Bg);
    let name = match lang {
        Lang::En => text_of(card, "zoning_name_en", lang),
        Lang::Bg => text_of(card, "zoning_name", lang),
    };
    match (code.is_empty(), name.is_empty()) {
        (false, false) => format!("{code} — {name}"),
        (false, true) => code,
        _ => name,
    }
}

fn limits(card: &Map<String, Value>, lang: Lang) -> String {
    let value = |key: &str, unit: &str, decimals: usize| {
        f64_of(card, key).map_or(String::new(), |v| {
            format!("{}{unit}", number(v, decimals, lang))
        })
    };
    [
        row(
            t(lang, "max_height_m"),
            &value("max_height_m", "\u{a0}m", 1),
        ),
        row(
            t(lang, "max_density_pct"),
            &value("max_density_pct", "\u{a0}%", 0),
        ),
        row(t(lang, "max_intensity"), &value("max_intensity", "", 1)),
        row(
            t(lang, "min_greenery_pct"),
            &value("min_greenery_pct", "\u{a0}%", 0),
        ),
        row(t(lang, "pup_ref"), &text_of(card, "pup_ref", lang)),
    ]
    .concat()
}

/// The distances rows, and the route's lon/lat path for the map.
fn distances(d: &Value, lang: Lang) -> (String, Option<Vec<(f64, f64)>>) {
    let hit = |target: &str| d[target]["distance_m"].as_f64();
    let i = &d["interchange"];
    let road = match i["road_distance_m"].as_f64() {
        Some(m) => metres(Some(m), lang),
        None => format!(
            "{}: {}",
            t(lang, "no_route"),
            i["road_reason"].as_str().unwrap_or_default()
        ),
    };
    let drive = i["drive_time_s"].as_f64().map_or(String::new(), |s| {
        format!("{}\u{a0}{}", number(s / 60.0, 1, lang), t(lang, "min"))
    });
    let name_key = if lang == Lang::En { "name_en" } else { "name" };
    let roads: Vec<String> = i["roads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let name = r[name_key]
                .as_str()
                .or(r["name"].as_str())
                .or(r["ref"].as_str())?;
            Some(format!("{name} ({})", metres(r["length_m"].as_f64(), lang)))
        })
        .collect();
    let station = match (
        hit("station"),
        d["station"][name_key]
            .as_str()
            .or(d["station"]["name"].as_str()),
    ) {
        (Some(m), Some(name)) => format!("{} ({name})", metres(Some(m), lang)),
        (m, _) => metres(m, lang),
    };
    let rows = [
        row(t(lang, "to_motorway"), &metres(hit("motorway"), lang)),
        row(t(lang, "to_interchange"), &metres(hit("interchange"), lang)),
        row(t(lang, "to_interchange_road"), &road),
        row(t(lang, "drive_time"), &drive),
        row(t(lang, "route"), &roads.join(" → ")),
        row(t(lang, "to_ring_road"), &metres(hit("ring_road"), lang)),
        row(t(lang, "to_rail"), &metres(hit("rail"), lang)),
        row(t(lang, "to_station"), &station),
    ]
    .concat();
    let route = i["route"]["coordinates"].as_array().map(|cs| {
        cs.iter()
            .filter_map(|c| Some((c[0].as_f64()?, c[1].as_f64()?)))
            .collect()
    });
    (rows, route)
}

/// The permalink's QR code as SVG squares (dark modules only), with a quiet zone.
fn qr_svg(text: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        return String::new();
    };
    let width = code.width();
    let colours = code.to_colors();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut d = String::new();
    for (i, colour) in colours.iter().enumerate() {
        if *colour == qrcode::Color::Dark {
            let (x, y) = (i % width + quiet, i / width + quiet);
            d.push_str(&format!("M{x},{y}h1v1h-1z"));
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {size} {size}\" role=\"img\" aria-label=\"QR\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#ffffff\"/><path d=\"{d}\" fill=\"#000000\"/></svg>"
    )
}

const STYLE: &str = "@page{size:A4;margin:12mm}\
*{box-sizing:border-box}\
html,body{margin:0;padding:0}\
body{font-family:'DejaVu Sans','Noto Sans',Arial,sans-serif;font-size:8pt;line-height:1.25;color:#000;max-width:186mm;margin:0 auto}\
header{display:flex;justify-content:space-between;align-items:baseline;border-bottom:1.5pt solid #000;margin-bottom:2mm}\
h1{font-size:15pt;margin:0}h2{font-size:10pt;margin:2mm 0 1mm}\
.sub{font-size:9pt}\
.status{display:inline-block;padding:0 2mm;border-radius:2mm;font-weight:bold}\
svg.map{width:100%;height:auto;max-height:84mm;border:0.5pt solid #555;display:block}\
.cols{display:flex;gap:5mm}.cols>section{flex:1;min-width:0}\
table{border-collapse:collapse;width:100%}\
th,td{text-align:left;vertical-align:top;padding:0.6mm 1mm;border-bottom:0.3pt solid #bbb}\
th{font-weight:bold;width:34%}\
footer{display:flex;gap:4mm;align-items:center;margin-top:2mm;border-top:1pt solid #000;padding-top:2mm;font-size:7.5pt}\
svg.qr{width:22mm;height:22mm;flex:none}\
footer a{color:#000;word-break:break-all}\
@media screen{body{margin:1rem auto;padding:0 1rem}}";

/// The whole page.
fn page(zone: &Zone, base: &str, id: &CadastralId, lang: Lang) -> Result<String, ApiError> {
    let plot = zone
        .dataset
        .plot(id)
        .ok_or_else(|| ApiError::not_found(format!("no plot {id} in the zone")))?;
    let card = zone.plot_card(plot);
    let d = zone.plot_distances(plot).distances.to_json();
    let (distance_rows, route) = distances(&d, lang);
    let plot_id = plot.id.as_str();
    let permalink = format!(
        "{base}/map?plot={}{}",
        crate::features::negotiate::encode(plot_id),
        if lang == Lang::En { "&lang=en" } else { "" }
    );
    let status = text_of(&card, "status", Lang::Bg);
    let colour = Status::colour_of(&status).unwrap_or(OTHER_STATUS_COLOUR);
    let text_colour = text_on(colour);
    let status_label = match t(lang, &format!("status.{status}")) {
        "" => status.clone(),
        label => label.to_string(),
    };
    let stage = card
        .get("stage")
        .and_then(Value::as_i64)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let card_rows = [
        row(t(lang, "pi"), plot_id),
        row(t(lang, "upi"), &text_of(&card, "upi", lang)),
        row(t(lang, "stage"), &stage),
        row(t(lang, "status"), &status_label),
        row(t(lang, "area"), &area(&card, lang)),
        row(t(lang, "zoning"), &zoning(&card, lang)),
        row(t(lang, "use"), &text_of(&card, "permitted_use", lang)),
        row(t(lang, "utilities"), &utilities(&card, lang)),
        row(t(lang, "access_road"), &text_of(&card, "access_road", lang)),
        row(t(lang, "price"), &price(&card, lang)),
        row(
            t(lang, "restrictions"),
            &text_of(&card, "restrictions", lang),
        ),
        row(t(lang, "investor"), &text_of(&card, "investor", lang)),
    ]
    .concat();
    let map = sheet_map::svg(
        zone,
        plot,
        route.as_deref(),
        &format!("{} {plot_id}", t(lang, "map")),
    );
    let today = time::OffsetDateTime::now_utc().date();
    let date = match lang {
        Lang::Bg => format!(
            "{:02}.{:02}.{}",
            today.day(),
            u8::from(today.month()),
            today.year()
        ),
        Lang::En => format!(
            "{}-{:02}-{:02}",
            today.year(),
            u8::from(today.month()),
            today.day()
        ),
    };
    let html_lang = if lang == Lang::En { "en" } else { "bg" };
    Ok(format!(
        "<!doctype html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{plot_title} — {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
<header><h1>{plot_title}</h1><span class=\"sub\">{title} · <span class=\"status\" style=\"background:{colour};color:{text_colour}\">{status_label}</span></span></header>\n\
{map}\n<div class=\"cols\">\n<section aria-labelledby=\"card-h\"><h2 id=\"card-h\">{upi_heading}</h2><table>{card_rows}</table></section>\n\
<section><h2 id=\"limits-h\">{limits_h}</h2><table aria-labelledby=\"limits-h\">{limit_rows}</table>\n\
<h2 id=\"distances-h\">{distances_h}</h2><table aria-labelledby=\"distances-h\">{distance_rows}</table></section>\n</div>\n\
<footer>{qr}<div><div>{permalink_label}: <a href=\"{permalink_href}\">{permalink_text}</a></div>\
<div>{date_label}: {date} · {version_label}: {version}</div><div>{provenance}</div></div></footer>\n\
</main>\n</body>\n</html>\n",
        plot_title = escape(plot_id),
        title = escape(t(lang, "title")),
        colour = colour,
        status_label = escape(&status_label),
        upi_heading = escape(&text_of(&card, "upi", lang)),
        limits_h = escape(t(lang, "limits")),
        limit_rows = limits(&card, lang),
        distances_h = escape(t(lang, "distances")),
        qr = qr_svg(&permalink),
        permalink_label = escape(t(lang, "permalink")),
        permalink_href = escape(&permalink),
        permalink_text = escape(&permalink),
        date_label = escape(t(lang, "date")),
        version_label = escape(t(lang, "version")),
        version = escape(zone.version()),
        provenance = escape(t(lang, "provenance")),
    ))
}

/// A plot's printable A4 sheet (HTML): a map of the plot and its neighbours, the card, the zoning limits, distances and drive time to the A1 interchange, a QR code of the permalink, the date and the data version
#[utoipa::path(get, path = "/plots/{plotId}/sheet", operation_id = "plotSheet",
    params(
        ("plotId" = String, Path, description = "Cadastral identifier, e.g. 27214.33.1"),
        SheetLanguage),
    responses(
        (status = 200, description = "The sheet", content_type = "text/html", body = String),
        ReadErrors))]
pub(super) async fn sheet(
    State(state): State<AppState>,
    base: PublicBase,
    ApiPath(id): ApiPath<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, ApiError> {
    let mut params = Params::new(pairs);
    let lang = match params.take("lang")?.as_deref() {
        None | Some("bg") => Lang::Bg,
        Some("en") => Lang::En,
        Some(other) => {
            return Err(ApiError::bad_parameter(
                "lang",
                format!("{other:?} is not a language of the sheet; use bg or en"),
            ))
        }
    };
    params.finish(&["lang"])?;
    let id: CadastralId = id.parse().map_err(|e| ApiError::bad_parameter("id", e))?;
    let zone = state.zone();
    let url = base.url.clone();
    let html = blocking(move || page(&zone, &url, &id, lang)).await?;
    Ok((
        base,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response())
}

/// Black or white, whichever contrasts more with `#rrggbb` (WCAG 2 relative luminance), as
/// the viewer's pills: always at least 4.5:1.
fn text_on(hex: &str) -> &'static str {
    let channel = |i: usize| {
        let c = hex
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.5, |v| f64::from(v) / 255.0);
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    // Contrast with black (L + 0.05) / 0.05 against with white 1.05 / (L + 0.05).
    if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) {
        "#000000"
    } else {
        "#ffffff"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_locale() {
        assert_eq!(number(11842.46, 1, Lang::Bg), "11\u{a0}842,5");
        assert_eq!(number(11842.46, 1, Lang::En), "11,842.5");
        assert_eq!(number(842.0, 0, Lang::En), "842");
        assert_eq!(number(1234567.0, 0, Lang::En), "1,234,567");
    }

    #[test]
    fn the_status_pill_is_readable_on_every_status_colour() {
        // Regression: the sheet wrote white on the green of "available" (3.4:1).
        let luminance = |hex: &str| {
            let c = |i: usize| {
                let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
        };
        for status in Status::ALL {
            let (a, b) = (
                luminance(status.colour()),
                luminance(text_on(status.colour())),
            );
            let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
            assert!(ratio >= 4.5, "{status:?}: {ratio:.2}:1");
        }
        assert_eq!(text_on(Status::Available.colour()), "#000000");
    }

    #[test]
    fn every_value_is_escaped() {
        assert_eq!(
            row("<i>", "<script>x</script>"),
            "<tr><th scope=\"row\">&lt;i&gt;</th><td>&lt;script&gt;x&lt;/script&gt;</td></tr>"
        );
    }
}

params_type! {
    /// The sheet's `lang` parameter.
    SheetLanguage => vec![query(
        "lang",
        "The sheet's language: bg (the default) or en",
        one_of(["bg", "en"]).default(Some("bg".into())),
    )
    .build()];
}
