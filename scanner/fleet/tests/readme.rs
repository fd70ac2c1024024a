//! README.md's fleet tables are the rendering of the profiles' tables: a new row, or a changed
//! description or expected row, must show in the README (this test prints the text to paste).

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

#[test]
fn the_readme_shows_each_profiles_table() {
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
