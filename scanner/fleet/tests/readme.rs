//! README.md's fleet tables are the rendering of the profiles' tables: a new row, or a changed
//! description or expected row, must show in the README. This test prints the text to paste;
//! with `RDPSWEEP_BLESS=1` it rewrites the README's sections itself (then review the diff).

use rdpsweep_fleet::readme::{end_marker, markdown, start_marker};
use rdpsweep_fleet::Profile;

const README: &str = include_str!("../../../README.md");

/// The text between a profile's markers (after the start marker's line break).
fn section(profile: Profile) -> Option<&'static str> {
    let start = start_marker(profile) + "\n";
    let from = README.find(&start)? + start.len();
    let to = from + README[from..].find(&end_marker(profile))?;
    Some(&README[from..to])
}

/// README.md with every profile's section replaced by its rendering.
fn blessed(readme: &str) -> String {
    let mut text = readme.to_string();
    for profile in Profile::ALL {
        let start = start_marker(profile) + "\n";
        let (Some(from), Some(to)) = (text.find(&start), text.find(&end_marker(profile))) else {
            continue;
        };
        text.replace_range(from + start.len()..to, &markdown(profile));
    }
    text
}

#[test]
fn the_readme_shows_each_profiles_table() {
    if std::env::var_os("RDPSWEEP_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
        let now = std::fs::read_to_string(path).expect("read README.md");
        std::fs::write(path, blessed(&now)).expect("write README.md");
        return;
    }
    let mut stale = Vec::new();
    for profile in Profile::ALL {
        let expected = markdown(profile);
        match section(profile) {
            Some(found) if found == expected => {}
            Some(_) => stale.push(format!(
                "README.md's {profile} fleet table is stale; between {} and {} it should read:\n\n{expected}",
                start_marker(profile),
                end_marker(profile)
            )),
            None => stale.push(format!(
                "README.md has no {} ... {} section; it should hold:\n\n{expected}",
                start_marker(profile),
                end_marker(profile)
            )),
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}
