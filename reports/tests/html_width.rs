//! `report.html` on a phone (390 px) and a wide desktop (1400 px), measured in headless
//! Chromium: the page never scrolls sideways and nothing sticks out of it; the host table
//! scrolls inside its own box, whose scrollbar is drawn and on screen; the charts' text stays
//! readable. The report is measured as written, its CSP included (see `chromium/mod.rs`).

mod chromium;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use chromium::measure_in_frame;
use rdpsweep_reports::{write_reports, PageOptions, RiskPolicy, ScanInfo};
use serde_json::Value;

/// The report of the saved run `name` (see `html_print.rs`), as `rdpsweep report` writes it;
/// with `history`, the same run reported once before, as last night's, given to `--history`.
fn page(name: &str, history: bool) -> String {
    let results = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let root = tempfile::tempdir().unwrap();
    let info = ScanInfo {
        version: "test".into(),
        ..ScanInfo::default()
    };
    let stop = AtomicBool::new(false);
    let policy = RiskPolicy::default();
    let mut page = PageOptions::default();
    if history {
        let night = root.path().join("last-night-of-a-long-directory-name");
        std::fs::create_dir_all(&night).unwrap();
        write_reports(&night, &results, &policy, &info, &page, &stop).expect("last night");
        page.history = vec![night];
    }
    let dir = root.path().join("tonight");
    std::fs::create_dir_all(&dir).unwrap();
    write_reports(&dir, &results, &policy, &info, &page, &stop).expect("reports");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert_eq!(html.contains("id=\"history\""), history);
    html
}

/// What a person sees of the page's width, in CSS px: the document's scroll width and its
/// viewport, the elements outside a scrolling box that stick out to the right, the host
/// table's box, and the drawn size of the smallest chart text.
const MEASURE: &str = r##"function (doc) {
  var root = doc.documentElement, win = doc.defaultView;
  var sticking = [];
  doc.querySelectorAll("body *").forEach(function (e) {
    if (e.closest(".scroll")) return;
    var r = e.getBoundingClientRect();
    if (r.right > root.clientWidth + 1) sticking.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : ""));
  });
  var box = doc.getElementById("hosts").closest(".scroll");
  var r = box.getBoundingClientRect();
  // A chart's text is drawn at its font size times the chart's scale (drawn width / viewBox).
  var texts = Array.prototype.map.call(doc.querySelectorAll("svg.chart text"), function (t) {
    var svg = t.ownerSVGElement;
    var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(win.getComputedStyle(t).fontSize) * scale;
  });
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    viewportHeight: win.innerHeight,
    sticking: sticking.slice(0, 10),
    box: {
      overflowX: win.getComputedStyle(box).overflowX,
      left: r.left, right: r.right, height: r.height,
      clientWidth: box.clientWidth, scrollWidth: box.scrollWidth,
      scrollbarHeight: box.offsetHeight - box.clientHeight
    },
    smallestChartText: Math.min.apply(null, texts)
  };
}"##;

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The checks that hold at every width.
fn assert_fits(m: &Value, what: &str) {
    assert!(
        num(&m["scrollWidth"]) <= num(&m["clientWidth"]),
        "{what}: the page scrolls sideways: {m}"
    );
    assert_eq!(m["sticking"], serde_json::json!([]), "{what}: {m}");
    let b = &m["box"];
    assert_eq!(b["overflowX"], "auto", "{what}: {m}");
    assert!(num(&b["left"]) >= 0.0 && num(&b["right"]) <= num(&m["clientWidth"]) + 0.5);
    // The box is no taller than the screen, so its bottom scrollbar is in view.
    assert!(
        num(&b["height"]) <= num(&m["viewportHeight"]),
        "{what}: the table's box is taller than the screen: {m}"
    );
}

#[test]
fn on_a_phone_the_page_fits_and_the_host_table_scrolls_in_its_box() {
    if !chromium::available(
        "on_a_phone_the_page_fits_and_the_host_table_scrolls_in_its_box",
        false,
    ) {
        return;
    }
    for (name, history) in [
        ("demo-results.jsonl", false),
        ("deep-results.jsonl", false),
        ("demo-results.jsonl", true),
    ] {
        let m = measure_in_frame(&page(name, history), 390, 844, MEASURE);
        assert!(m.get("error").is_none(), "{m}");
        assert_fits(&m, name);
        eprintln!("{name} at 390 px: {m}");
        let b = &m["box"];
        // The table is wider than the phone: it scrolls sideways inside its box, whose
        // scrollbar is drawn (it takes room at the bottom of the box).
        assert!(
            num(&b["scrollWidth"]) > num(&b["clientWidth"]),
            "{name}: {m}"
        );
        assert!(num(&b["scrollbarHeight"]) >= 10.0, "{name}: {m}");
        // The charts' text is drawn at 11 px or more (a 13–14 px font shrunk to the screen).
        assert!(num(&m["smallestChartText"]) >= 11.0, "{name}: {m}");
    }
}

#[test]
fn on_a_wide_screen_nothing_is_clipped_and_the_table_scrollbar_is_in_view() {
    if !chromium::available(
        "on_a_wide_screen_nothing_is_clipped_and_the_table_scrollbar_is_in_view",
        false,
    ) {
        return;
    }
    for name in ["demo-results.jsonl", "deep-results.jsonl"] {
        let m = measure_in_frame(&page(name, false), 1400, 900, MEASURE);
        assert!(m.get("error").is_none(), "{m}");
        assert_fits(&m, name);
        let b = &m["box"];
        if name.starts_with("demo") {
            // The 16 columns of an ordinary scan fit: the last one is not cut off.
            assert!(
                num(&b["scrollWidth"]) <= num(&b["clientWidth"]),
                "{name}: {m}"
            );
        } else {
            // The 21 of a deep scan do not: the table scrolls in its box, the scrollbar drawn
            // on screen rather than below the last row.
            assert!(
                num(&b["scrollWidth"]) > num(&b["clientWidth"]),
                "{name}: {m}"
            );
            assert!(num(&b["scrollbarHeight"]) >= 10.0, "{name}: {m}");
        }
        assert!(num(&m["smallestChartText"]) >= 13.0, "{name}: {m}");
        eprintln!("{name} at 1400 px: {m}");
    }
}
