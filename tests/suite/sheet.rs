//! The plot sheet (`/plots/{id}/sheet`, issue 16): headless Chromium prints it to PDF, and
//! the PDF has one A4 page whose text holds the identifier, the area and the A1 distance,
//! in Bulgarian and in English. Poppler's `pdfinfo`/`pdftotext` read the PDF; a missing
//! tool fails the test saying how to install it.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{spawn_app, spawn_app_with, test_config};

fn need(tool: &str, install: &str) {
    common::need_tool(tool, "to print and read the sheet", install);
}

fn chromium() -> String {
    let bin = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_string());
    need(
        &bin,
        "bash scripts/setup.sh browser (or set CHROMIUM to a Chromium binary)",
    );
    bin
}

fn print(chromium: &str, url: &str, pdf: &Path) {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success() && pdf.exists(),
        "chromium could not print {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn output(command: &mut Command) -> String {
    let out = command.output().expect("the reader runs");
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text without spaces, no-break spaces and thousands separators, so numbers compare
/// the same in both locales.
fn squeezed(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != ',')
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sheet_prints_to_one_a4_page_in_each_language() {
    let chromium = chromium();
    need("pdftotext", "bash scripts/setup.sh pdf");
    need("pdfinfo", "bash scripts/setup.sh pdf");
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, page) = app.get_json("/collections/plots/items?limit=100").await;
    // A Stage 1 and a Stage 2 plot (the longest texts are in Stage 2's cards).
    let features = page["features"].as_array().unwrap();
    let picks = [&features[0], features.last().unwrap()];
    for feature in picks {
        let id = feature["id"].as_str().unwrap();
        let card = &feature["properties"];
        let area = format!("{:.0}m²", card["area_m2"].as_f64().unwrap());
        let a1 = format!("{:.0}m", card["motorway_m"].as_f64().unwrap());
        for (lang, words) in [("bg", "Разстояния"), ("en", "Distances")] {
            let url = app.url(&format!("/plots/{id}/sheet?lang={lang}"));
            let pdf = dir.path().join(format!("{id}-{lang}.pdf"));
            // Blocking, off the runtime that serves the page (a current-thread runtime).
            let (bin, target) = (chromium.clone(), pdf.clone());
            tokio::task::spawn_blocking(move || print(&bin, &url, &target))
                .await
                .unwrap();
            let info = output(Command::new("pdfinfo").arg(&pdf));
            assert!(info.contains("Pages:           1"), "{id} {lang}: {info}");
            assert!(info.contains("(A4)"), "{id} {lang}: {info}");
            let text = output(Command::new("pdftotext").arg(&pdf).arg("-"));
            assert!(text.contains(id), "{id} {lang}: no identifier in {text}");
            assert!(text.contains(words), "{id} {lang}: not in {lang}: {text}");
            let flat = squeezed(&text);
            assert!(
                flat.contains(&area),
                "{id} {lang}: no area {area} in {text}"
            );
            assert!(
                flat.contains(&a1),
                "{id} {lang}: no A1 distance {a1} in {text}"
            );
        }
    }
}

#[tokio::test]
async fn the_sheet_has_its_parts_and_refuses_what_it_cannot_show() {
    let app = spawn_app().await;
    let (_, page) = app.get_json("/collections/plots/items?limit=1").await;
    let id = page["features"][0]["id"].as_str().unwrap();
    let resp = app.get(&format!("/plots/{id}/sheet?lang=en")).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = resp.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("class=\"map\""), "the map");
    assert!(html.contains("class=\"qr\""), "the QR code");
    assert!(
        html.contains(&format!("/map?plot={id}&amp;lang=en")),
        "the permalink"
    );
    for label in [
        "Maximum height",
        "Greenery (min.)",
        "Building density (max.)",
        "Building intensity",
        "Detailed plan (ПУП)",
    ] {
        assert!(html.contains(label), "{label}");
    }
    let (_, health) = app.get_json("/health").await;
    let version = health["data_version"]
        .as_str()
        .expect("/health names the data version");
    assert!(html.contains(version), "the data version {version}");
    for (path, status) in [
        ("/plots/68850.999.999/sheet".to_string(), 404),
        ("/plots/not-an-id/sheet".to_string(), 400),
        (format!("/plots/{id}/sheet?lang=fr"), 400),
        (format!("/plots/{id}/sheet?print=1"), 400),
    ] {
        assert_eq!(app.get(&path).await.status(), status, "{path}");
    }
}

#[tokio::test]
async fn markup_in_the_data_is_text_on_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(common::bundled_geodata()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let plots = dir.path().join("plots.geojson");
    let text = std::fs::read_to_string(&plots).unwrap();
    std::fs::write(
        &plots,
        text.replace(
            "\"investor\": null",
            "\"investor\": \"<script>alert(1)</script><img src=x onerror=alert(2)>\"",
        ),
    )
    .unwrap();
    let app = spawn_app_with(zagore::Config {
        data_dir: dir.path().to_path_buf(),
        ..test_config()
    })
    .await;
    let (_, page) = app.get_json("/collections/plots/items?limit=1").await;
    let id = page["features"][0]["id"].as_str().unwrap();
    let html = app
        .get(&format!("/plots/{id}/sheet"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img"));
    assert!(!html.contains("<script") && !html.contains("<img"));
}
