//! Headless Chromium and `pdftotext` for the page tests that measure and print `report.html`:
//! dump a page's DOM, measure it in a frame of a given width, print it to PDF and read the
//! PDF's text.
//!
//! Needs Chromium (`apt-get install chromium`, or `RDPSWEEP_CHROMIUM` naming a Chromium or
//! Chrome binary) and, to read PDFs, `pdftotext` (`apt-get install poppler-utils`). Where one
//! is missing a test prints one line saying what to install and passes ([`available`]); under
//! `CI=true` (`.ci/run`, which installs both) it fails instead.

#![allow(dead_code)] // each test file uses its own part of this module

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(90);

/// True when Chromium (and `pdftotext` when `pdf`) can be run. Otherwise prints why `test`
/// is skipped and returns false; under `CI=true` panics instead, as CI must run it.
pub fn available(test: &str, pdf: bool) -> bool {
    let mut missing = Vec::new();
    if let Err(why) = find_chromium() {
        missing.push(format!(
            "{why}: install it with `apt-get install chromium` (Debian/Ubuntu) or set \
             RDPSWEEP_CHROMIUM to a Chromium/Chrome binary"
        ));
    }
    if pdf && on_path(&["pdftotext"]).is_none() {
        missing.push("pdftotext not found: apt-get install poppler-utils".into());
    }
    if missing.is_empty() {
        return true;
    }
    let line = format!("report.html: {test} skipped: {}", missing.join("; "));
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true, so the browser test must run, but: {line}");
    }
    // Straight to stderr, past the test harness's capture, so the skip is always seen.
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
    false
}

/// The Chromium binary: `RDPSWEEP_CHROMIUM` (which must name a file), else the first of the
/// usual names on `PATH`; or why there is none.
fn find_chromium() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("RDPSWEEP_CHROMIUM") {
        let path = PathBuf::from(path);
        return match path.is_file() {
            true => Ok(path),
            false => Err(format!(
                "RDPSWEEP_CHROMIUM={} is not a file",
                path.display()
            )),
        };
    }
    let names = ["chromium", "chromium-browser", "google-chrome", "chrome"];
    on_path(&names)
        .ok_or_else(|| format!("Chromium not found on PATH (tried {})", names.join(", ")))
}

/// The Chromium binary ([`available`] said there is one).
pub fn chromium() -> PathBuf {
    find_chromium().expect("Chromium (check `available` first)")
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// Runs `command` to its end (at most [`TIMEOUT`]), panicking with its stderr on failure.
fn run(mut command: Command) -> Output {
    let shown = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{shown} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    assert!(
        output.status.success(),
        "{shown} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Headless Chromium with a profile of its own, `extra` flags, loading `url`.
fn headless(profile: &Path, extra: &[String], url: &str) -> Command {
    let mut command = Command::new(chromium());
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url);
    command
}

/// `file://` URL of an absolute path, percent-encoding anything but unreserved bytes and `/`.
pub fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_str().expect("temp path is UTF-8").bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Prints the page at `page` to a PDF beside it (no header or footer) and returns the PDF.
pub fn print_to_pdf(page: &Path) -> PathBuf {
    let pdf = page.with_extension("pdf");
    let profile = tempfile::tempdir().unwrap();
    run(headless(
        profile.path(),
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &file_url(page),
    ));
    assert!(pdf.is_file(), "chromium wrote no {}", pdf.display());
    pdf
}

/// The PDF's text in the order it was drawn (`pdftotext -raw`): a table row's cells one after
/// another, words hyphenated at a line end kept whole, one string per page.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let pdftotext = on_path(&["pdftotext"]).expect("pdftotext (check `available` first)");
    let mut command = Command::new(pdftotext);
    command.arg("-raw").arg(pdf).arg("-");
    let text = String::from_utf8(run(command).stdout).expect("pdftotext writes UTF-8");
    // pdftotext ends each page with a form feed.
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// `text` without any whitespace: text wrapped inside a table cell compares equal to the
/// cell's text.
pub fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Loads `url` and returns the DOM once the page and its scripts are done.
pub fn dump_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = run(headless(
        profile.path(),
        &["--virtual-time-budget=10000".into(), "--dump-dom".into()],
        url,
    ));
    String::from_utf8(out.stdout).expect("the DOM is UTF-8")
}

/// Loads `page` (the report's own bytes, its CSP included) into a frame `width` × `height`
/// CSS px, as on a screen that size, runs `measure` (a function of the frame's `document`
/// returning a JSON-able value) in the outer test page once the frame has loaded, and returns
/// its result. The report is not changed: the measuring script belongs to the outer page,
/// which may read the frame because a `srcdoc` frame shares its origin.
pub fn measure_in_frame(page: &str, width: u32, height: u32, measure: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let srcdoc = page
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let outer = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\
         <iframe id=\"frame\" width=\"{width}\" height=\"{height}\" style=\"border:0;display:block\" \
         srcdoc=\"{srcdoc}\"></iframe>\
         <pre id=\"result\"></pre><script>\
         var measure = {measure};\
         document.getElementById('frame').addEventListener('load', function () {{\
           var doc = this.contentDocument;\
           var result;\
           try {{ result = measure(doc); }} catch (e) {{ result = {{ error: String(e) }}; }}\
           document.getElementById('result').textContent = JSON.stringify(result);\
         }});\
         </script></body></html>"
    );
    let path = dir.path().join("measure.html");
    std::fs::write(&path, outer).unwrap();
    let dom = dump_dom(&file_url(&path));
    let start = dom.find("<pre id=\"result\">").expect("the result element") + 17;
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    assert!(!json.is_empty(), "the frame was not measured: {dom}");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}
