//! `rampart rules` and `rampart explain`: the rule catalogue.

use rampart::rule::RuleMeta;
use rampart::rules;

pub(crate) fn rules_json() -> String {
    let list: Vec<serde_json::Value> = rules::metas()
        .into_iter()
        .map(|m| {
            let equivalents: serde_json::Map<String, serde_json::Value> = m
                .equivalents
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
                .collect();
            serde_json::json!({
                "code": m.code,
                "name": m.name,
                "aliases": m.aliases,
                "title": m.title,
                "severity": m.severity,
                "domain": m.domain,
                "tags": m.tags,
                "fixable": m.fix != rampart::rule::FixAvailability::None,
                "fix": m.fix,
                "enabled_by_default": m.enabled_by_default,
                "status": m.status,
                "added": m.added,
                "equivalents": equivalents,
                "compliance": m.compliance,
                "references": m.references,
                "help_uri": m.help_uri(),
                "source": rampart::policy::source_of(m.code)
                    .map(|p| rampart::report::display_path(&p)),
            })
        })
        .collect();
    rampart::text::pretty_json(&list) + "\n"
}

pub(crate) fn rules_table() -> String {
    let mut out = String::new();
    let metas = rules::metas();
    let code_width = metas.iter().map(|m| m.code.len()).max().unwrap_or(0);
    let name_width = metas.iter().map(|m| m.name.len()).max().unwrap_or(0);
    for m in metas {
        let source = rampart::policy::source_of(m.code)
            .map(|p| format!(" (from {})", rampart::report::display_path(&p)))
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
    rampart::docs::page(m)
}
