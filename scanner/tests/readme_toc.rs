//! README.md's table of contents (between `<!-- toc -->` and `<!-- /toc -->`) lists every `##`
//! section, with its `###` sections under it, in order, each linked to the anchor GitHub gives
//! the heading: a section added, renamed or removed must show there. On failure the test
//! prints the block to paste; with `RDPSWEEP_BLESS=1` it rewrites the block itself.

const README: &str = include_str!("../../README.md");
const START: &str = "<!-- toc -->\n";
const END: &str = "<!-- /toc -->";

/// The `##` and `###` headings outside code blocks: (depth, title).
fn headings(readme: &str) -> Vec<(usize, &str)> {
    let mut in_code = false;
    let mut found = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if let Some(title) = line.strip_prefix("### ") {
            found.push((3, title.trim()));
        } else if let Some(title) = line.strip_prefix("## ") {
            found.push((2, title.trim()));
        }
    }
    found
}

/// The anchor GitHub gives a heading: lowercase; letters, digits, `-` and `_` kept; spaces
/// become `-`; everything else (backticks, dots, colons, commas, parentheses) dropped; a
/// repeated anchor gets `-1`, `-2`...
fn anchor(title: &str, seen: &mut Vec<String>) -> String {
    let base: String = title
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect();
    let repeats = seen.iter().filter(|s| **s == base).count();
    seen.push(base.clone());
    match repeats {
        0 => base,
        n => format!("{base}-{n}"),
    }
}

/// The table of contents the headings call for.
fn expected_toc(readme: &str) -> String {
    let mut seen = Vec::new();
    let mut toc = String::new();
    for (depth, title) in headings(readme) {
        let indent = if depth == 3 { "  " } else { "" };
        let link = anchor(title, &mut seen);
        toc.push_str(&format!("{indent}- [{title}](#{link})\n"));
    }
    toc
}

#[test]
fn the_table_of_contents_lists_every_section() {
    let expected = expected_toc(README);
    if std::env::var_os("RDPSWEEP_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
        let now = std::fs::read_to_string(path).expect("read README.md");
        if let (Some(from), Some(to)) = (now.find(START), now.find(END)) {
            let blessed = format!("{}{expected}{}", &now[..from + START.len()], &now[to..]);
            std::fs::write(path, blessed).expect("write README.md");
        }
        return;
    }
    let found = README
        .find(START)
        .and_then(|from| {
            let from = from + START.len();
            README[from..].find(END).map(|to| &README[from..from + to])
        })
        .unwrap_or_else(|| {
            panic!("README.md has no {START:?} ... {END:?} block; it should hold:\n\n{expected}")
        });
    assert_eq!(
        found, expected,
        "README.md's table of contents does not match its sections; it should read:\n\n{expected}"
    );
}

#[test]
fn anchors_are_githubs() {
    let mut seen = Vec::new();
    assert_eq!(
        anchor("From cron, in Docker", &mut seen),
        "from-cron-in-docker"
    );
    assert_eq!(
        anchor(
            "`hosts.csv` columns (stable names: read them by header)",
            &mut seen
        ),
        "hostscsv-columns-stable-names-read-them-by-header"
    );
    assert_eq!(anchor("Exit codes", &mut seen), "exit-codes");
    assert_eq!(anchor("Exit codes", &mut seen), "exit-codes-1");
    let headings = headings("## A\n```sh\n## not a heading\n```\n### B\n#### C\n");
    assert_eq!(headings, [(2, "A"), (3, "B")]);
}
