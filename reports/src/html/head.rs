//! The top of the page: the scan's parameters and the risk policy, what clients get, the
//! totals by level.

use std::fmt::Write;

use super::escape;
use crate::page::PageExtras;
use crate::risk::RiskLevel;
use crate::summary::{ScanInfo, Summary, NO_PREDICTION};
use crate::timestamp;

/// How many scan targets the header lists before summarising the rest.
const TARGETS_SHOWN: usize = 50;

/// The title, a banner when the report is partial, and what was scanned and how: targets,
/// ports, settings, the risk policy, how the page was built.
pub(super) fn header(out: &mut String, info: &ScanInfo, summary: &Summary, extras: &PageExtras) {
    out.push_str("<header>\n<h1>rdpsweep 0x904 risk report</h1>\n");
    if let Some(reason) = &info.partial {
        let _ = writeln!(
            out,
            "<p class=\"banner\" id=\"interrupted\">This report is partial: {}.</p>",
            escape(reason)
        );
    } else if info.interrupted {
        out.push_str(
            "<p class=\"banner\" id=\"interrupted\">This scan was interrupted: the report covers \
             only the targets it finished.</p>\n",
        );
    }
    out.push_str("<dl class=\"meta\">\n");
    let mut item = |term: &str, value: &str| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(value));
    };
    let time = |at: Option<time::OffsetDateTime>| {
        at.map_or_else(|| "not recorded".to_string(), timestamp::rfc3339)
    };
    item("Started", &time(info.started_at));
    item("Finished", &time(info.finished_at));
    if let Some(targets) = &info.targets {
        item("Targets", &list(targets, TARGETS_SHOWN));
    }
    if let Some(files) = &info.input_files {
        item("Input files", &list(files, TARGETS_SHOWN));
    }
    if let Some(excludes) = &info.excludes {
        if !excludes.is_empty() {
            item("Excluded", &list(excludes, TARGETS_SHOWN));
        }
    }
    if let Some(ports) = &info.ports {
        let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
        item("Ports", &ports.join(", "));
    }
    let mut settings = Vec::new();
    if let Some(rate) = info.rate {
        settings.push(format!("rate {rate}/s"));
    }
    if let Some(c) = info.concurrency {
        settings.push(format!("concurrency {c}"));
    }
    if let Some(t) = &info.connect_timeout {
        settings.push(format!("connect timeout {t}"));
    }
    if let Some(t) = &info.timeout {
        settings.push(format!("timeout {t}"));
    }
    if let Some(r) = info.retries {
        settings.push(format!("retries {r}"));
    }
    if let Some(seed) = info.seed {
        settings.push(format!("seed {seed}"));
    }
    if let Some(shard) = info.shard.as_deref().filter(|s| *s != "1/1") {
        settings.push(format!("shard {shard}"));
    }
    if let Some(deep) = &summary.deep {
        settings.push(format!("--deep ({} hosts probed deep)", deep.hosts));
    }
    if !settings.is_empty() {
        item("Settings", &settings.join(", "));
    }
    if let Some(source) = &info.source {
        item("Rebuilt from", source);
    }
    if let Some(policy) = &info.risk_policy {
        let levels = ["high", "medium", "low"]
            .iter()
            .map(|l| format!("{l} from {}", policy.levels.get(*l).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ");
        item(
            "Risk policy",
            &format!(
                "{} (clients: {}; {levels}; expiry window {} days; slow above {} ms)",
                policy.source, policy.client_policy, policy.expiring_days, policy.slow_ms
            ),
        );
        let weights = |map: &std::collections::BTreeMap<String, u32>| {
            map.iter()
                .map(|(k, w)| format!("{k} {w}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Severities most serious first, not in the map's alphabetical order.
        let severity = crate::findings::Severity::ALL
            .iter()
            .filter_map(|s| {
                let w = policy.severity_weights.get(s.as_str())?;
                Some(format!("{s} {w}"))
            })
            .collect::<Vec<_>>()
            .join(", ");
        if !severity.is_empty() {
            item("Severity weights", &severity);
        }
        if !policy.code_weights.is_empty() {
            item("Code weights", &weights(&policy.code_weights));
        }
    }
    let unlisted = if extras.options.list_dead {
        "listed"
    } else {
        "counted, not listed"
    };
    item(
        "Page",
        &format!(
            "subnets by /{} (IPv4) and /{} (IPv6); targets nothing listened on {unlisted}",
            extras.options.prefix.v4, extras.options.prefix.v6
        ),
    );
    item("Hosts", &summary.hosts.to_string());
    if !info.version.is_empty() {
        item("rdpsweep", &info.version);
    }
    out.push_str("</dl>\n</header>\n");
}

/// The first `max` items, comma-separated, then how many more there were.
pub(super) fn list(items: &[String], max: usize) -> String {
    let mut text = items
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        let _ = write!(text, " … and {} more", items.len() - max);
    }
    if text.is_empty() {
        text.push_str("none");
    }
    text
}

/// The page's contents, linked (not printed).
pub(super) fn contents(out: &mut String, summary: &Summary, hosts: bool) {
    let mut links = vec![("client-outcome", "What clients get")];
    if summary.history.is_some() {
        links.push(("history", "Night to night"));
    }
    links.extend([
        ("plan", "Remediation plan"),
        ("findings-h", "Findings"),
        ("patterns", "Fleet-wide patterns"),
    ]);
    if summary.deep.is_some() {
        links.push(("deep", "Deep probe"));
    }
    links.push(("riskiest-h", "Riskiest hosts"));
    links.push(("all", "All hosts"));
    if hosts {
        links.push(("details", "Host details"));
    }
    out.push_str("<nav class=\"contents no-print\" aria-label=\"Contents\"><ul>");
    for (id, text) in links {
        let _ = write!(out, "<li><a href=\"#{id}\">{text}</a></li>");
    }
    out.push_str("</ul></nav>\n");
}

/// The headline: how many hosts a client fails on now, connects to after a warning, connects
/// to; and how many had nothing to predict (no TCP answer).
pub(super) fn client_headline(out: &mut String, summary: &Summary) {
    let count = |key: &str| summary.by_client_outcome.get(key).copied().unwrap_or(0);
    let strict = summary
        .scan
        .risk_policy
        .as_ref()
        .map(|p| p.client_policy.as_str());
    let policy = if strict == Some("strict") {
        " that enforce server authentication"
    } else {
        " with default settings (the user accepts certificate warnings)"
    };
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"outcome-h\" id=\"client-outcome\">\n<h2 id=\"outcome-h\">What \
         clients get</h2>\n<p class=\"note\">For current Remote Desktop clients{policy}.</p>\n\
         <div class=\"cards\">"
    );
    for (key, label) in [
        ("fails", "fail now (0x904)"),
        ("warns", "connect after a warning"),
        ("connects", "connect"),
    ] {
        let _ = writeln!(
            out,
            "<div class=\"card outcome-{key}\" id=\"outcome-{key}\"><span class=\"count\">{}</span>\
             <span class=\"label\">{label}</span></div>",
            count(key)
        );
    }
    out.push_str("</div>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\" id=\"outcome-none\">{} {} accepted no TCP connection (refused, \
         filtered or unreachable): nothing to predict there.</p>\n</section>",
        count(NO_PREDICTION),
        if count(NO_PREDICTION) == 1 {
            "target"
        } else {
            "targets"
        }
    );
}

pub(super) fn level_totals(out: &mut String, summary: &Summary) {
    out.push_str("<section aria-labelledby=\"totals-h\">\n<h2 id=\"totals-h\">Hosts by risk level</h2>\n<div class=\"cards\">\n");
    for level in RiskLevel::ALL {
        let word = level.as_str();
        let count = summary.by_level.get(word).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "<div class=\"card {word}\" id=\"total-{word}\"><span class=\"count\">{count}</span>\
             <span class=\"label\">{word}</span></div>"
        );
    }
    out.push_str("</div>\n");
    if !summary.by_status.is_empty() {
        out.push_str(
            "<h3>Hosts by outcome of the last stage</h3>\n<table class=\"status\">\n<thead><tr>\
             <th scope=\"col\">outcome</th><th scope=\"col\">hosts</th></tr></thead>\n<tbody>\n",
        );
        for (status, count) in &summary.by_status {
            let _ = writeln!(
                out,
                "<tr><td class=\"code\">{}</td><td class=\"num\">{count}</td></tr>",
                escape(status)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}
