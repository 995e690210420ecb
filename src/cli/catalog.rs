//! `rampart rules` and `rampart explain`: the rule catalogue.

use crate::rule::RuleMeta;
use crate::rules;

pub(crate) fn rules_json() -> String {
    let list: Vec<serde_json::Value> = rules::metas()
        .into_iter()
        .map(|m| {
            let equivalents: serde_json::Map<String, serde_json::Value> = m
                .equivalents
                .iter()
                .map(|(k, peers)| (k.to_string(), peers.iter().map(peer_json).collect()))
                .collect();
            serde_json::json!({
                "code": m.code,
                "name": m.name,
                "aliases": m.aliases,
                "title": m.title,
                "severity": m.severity,
                "domain": m.domain,
                "tags": m.tags,
                "fixable": m.fix != crate::rule::FixAvailability::None,
                "fix": m.fix,
                "enabled_by_default": m.enabled_by_default,
                "status": m.status,
                "added": m.added,
                "equivalents": equivalents,
                "compliance": m.compliance,
                "references": m.references,
                "help_uri": m.help_uri(),
                "source": crate::policy::source_of(m.code)
                    .map(|p| crate::report::display_path(&p)),
            })
        })
        .collect();
    crate::text::pretty_json(&list) + "\n"
}

/// One equivalent: its ID, how closely it matches (`exact`, `split`, `partial`), the note of a
/// split or partial match, and the subject of the findings that carry it.
fn peer_json(p: &crate::rule::Peer) -> serde_json::Value {
    let mut v = serde_json::json!({ "id": p.id, "match": p.fit.as_str() });
    if let Some(note) = p.fit.note() {
        v["note"] = note.into();
    }
    if !p.about.is_empty() {
        v["about"] = p.about.into();
    }
    v
}

pub(crate) fn rules_table() -> String {
    let mut out = String::new();
    let metas = rules::metas();
    let code_width = metas.iter().map(|m| m.code.len()).max().unwrap_or(0);
    let name_width = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
    for m in metas {
        let source = crate::policy::source_of(m.code)
            .map(|p| format!(" (from {})", crate::report::display_path(&p)))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:<code_width$} {:<name_width$} {:<9} {}{}{source}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            m.title,
            if m.enabled_by_default {
                ""
            } else {
                " (off by default)"
            }
        ));
    }
    out
}

pub(crate) fn explain(m: &RuleMeta) -> String {
    crate::docs::page(m)
}
