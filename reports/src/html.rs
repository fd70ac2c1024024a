//! `report.html`: one self-contained page for an audit. STUB: being written by the HTML helper.

use crate::ranking::RankedHost;
use crate::summary::ScanInfo;

/// Renders the whole page: no external scripts, styles or fonts.
pub fn report_html(hosts: &[RankedHost], info: &ScanInfo) -> String {
    let _ = (hosts, info);
    String::from("<!doctype html><title>rdpsweep</title>")
}
