//! `report.html`: one self-contained page for an audit. STUB: being written by the HTML helper.

use crate::ranking::RankedHost;
use crate::summary::Summary;

/// Renders the whole page: no external scripts, styles or fonts. `hosts` are the riskiest
/// hosts in rank order (possibly not all of them); `summary` counts every host.
pub fn report_html(hosts: &[RankedHost], summary: &Summary) -> String {
    let _ = (hosts, summary);
    String::from("<!doctype html><title>rdpsweep</title>")
}
