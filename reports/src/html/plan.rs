//! "Remediation plan": one step per fix, in the plan's order (see [`crate::plan`]), each with
//! its counts, the failing hosts it clears, and its hosts with their evidence.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::escape;
use crate::plan::{Plan, StepHost};

/// The section. `on_page` holds the ranks the page has details for (linked).
pub(super) fn plan_section(out: &mut String, plan: &Plan, on_page: &BTreeSet<usize>) {
    out.push_str(
        "<section aria-labelledby=\"plan-h\" id=\"plan\">\n\
         <h2 id=\"plan-h\">Remediation plan</h2>\n",
    );
    if plan.steps.is_empty() {
        out.push_str(
            "<p class=\"note\">No host raised any finding: nothing to fix.</p>\n</section>\n",
        );
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"note\">One step per fix, in the order that clears the most failing hosts \
         soonest: a failing host is cleared once every finding that makes it fail (its high \
         findings) is fixed. <span class=\"code\">remediation.csv</span> lists every host of \
         every step, for tickets. {} of {} failing {} cleared by the steps below.</p>",
        plan.steps.iter().map(|s| s.clears).sum::<usize>(),
        plan.failing,
        if plan.failing == 1 {
            "host is"
        } else {
            "hosts are"
        },
    );
    if plan.failing_without_cause > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} failing {} no high finding: no step clears {}.</p>",
            plan.failing_without_cause,
            if plan.failing_without_cause == 1 {
                "host has"
            } else {
                "hosts have"
            },
            if plan.failing_without_cause == 1 {
                "it"
            } else {
                "them"
            },
        );
    }
    if plan.untracked > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} failing hosts fail for combinations of findings beyond the \
             {} the plan follows: the order leaves them out.</p>",
            plan.untracked,
            crate::plan::CAUSES_KEPT
        );
    }
    out.push_str("<ol class=\"plan\">\n");
    let mut cleared = 0;
    for step in &plan.steps {
        cleared += step.clears;
        let sev = step.severity.as_str();
        let _ = writeln!(
            out,
            "<li class=\"step\" id=\"fix-{code}\">\n<h3><span class=\"code\">{code}</span> \
             <span class=\"level {sev}\">{sev}</span></h3>\n<p class=\"fix\">{fix}</p>",
            code = step.code,
            fix = escape(step.remediation),
        );
        let others = step.hosts - step.fails - step.warns;
        let _ = write!(
            out,
            "<p class=\"counts\"><strong>{} {}</strong>: {} {}, {} {}, {} other",
            step.hosts,
            if step.hosts == 1 { "host" } else { "hosts" },
            step.fails,
            if step.fails == 1 { "fails" } else { "fail" },
            step.warns,
            if step.warns == 1 { "warns" } else { "warn" },
            others,
        );
        if step.clears > 0 {
            let _ = write!(
                out,
                ". <strong>Clears {} failing {}</strong> ({cleared} of {} cleared after this step)",
                step.clears,
                if step.clears == 1 { "host" } else { "hosts" },
                plan.failing,
            );
        }
        out.push_str(".</p>\n");
        step_hosts(out, &step.sample, step.hosts, on_page);
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</section>\n");
}

/// A step's hosts, folded: rank (linked to its details), host, outcome, evidence.
fn step_hosts(out: &mut String, sample: &[StepHost], total: usize, on_page: &BTreeSet<usize>) {
    let _ = writeln!(
        out,
        "<details class=\"step-hosts\"><summary>The {} and the evidence</summary>\n\
         <div class=\"scroll short\"><table class=\"plan-hosts\">\n<thead><tr><th scope=\"col\">rank</th>\
         <th scope=\"col\">host</th><th scope=\"col\">client</th>\
         <th scope=\"col\">evidence</th></tr></thead>\n<tbody>",
        if total == 1 { "host".to_string() } else { format!("{total} hosts") }
    );
    for h in sample {
        let rank = if on_page.contains(&h.rank) {
            format!("<a href=\"#host-{0}\">{0}</a>", h.rank)
        } else {
            h.rank.to_string()
        };
        let mut host = escape(&endpoint(h)).into_owned();
        if let (Some(_), Some(name)) = (h.ip, &h.hostname) {
            let _ = write!(host, " {}", escape(name));
        }
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{rank}</td><td class=\"code\">{host}</td><td>{}</td>\
             <td>{}</td></tr>",
            h.outcome.map_or("", |o| o.as_str()),
            escape(&h.evidence),
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    if total > sample.len() {
        let _ = writeln!(
            out,
            "<p class=\"note\">The first {} of {total}: remediation.csv lists them all.</p>",
            sample.len()
        );
    }
    out.push_str("</details>\n");
}

/// `address:port`, `[v6]:port`, or `name:port` for a name that did not resolve.
fn endpoint(h: &StepHost) -> String {
    super::hosts::endpoint_of(h.ip, h.port, h.hostname.as_deref())
}
