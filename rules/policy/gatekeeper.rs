//! Gatekeeper policies evaluated offline, as `gator` does: the `ConstraintTemplate`s
//! (templates.gatekeeper.sh) and constraints (constraints.gatekeeper.sh) found under the policy
//! paths. Each constraint becomes a rule `GK.<Kind>.<name>`; its template's `violation` rule
//! runs on every scanned object the constraint's `spec.match` selects, with
//! `input.review.object`, `input.review.kind` and `input.parameters`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value as Json};

use super::load::LoadError;
use super::rego::{add_policy, engine, to_json, PolicySet, TerraformInput};
use crate::model::{Resource, ResourceKind};
use crate::rule::{Context, Domain, Finding, Rule, RuleMeta, Severity};
use crate::source::Span;

/// Is this YAML text a Gatekeeper template or constraint (and so not a rule file)?
pub(crate) fn is_gatekeeper(text: &str) -> bool {
    text.contains("templates.gatekeeper.sh") || text.contains("constraints.gatekeeper.sh")
}

/// What a constraint's `spec.match` selects.
#[derive(Debug, Default)]
struct Match {
    /// (API groups, kinds); empty: every object.
    kinds: Vec<(Vec<String>, Vec<String>)>,
    namespaces: Vec<String>,
    excluded: Vec<String>,
    labels: Vec<(String, String)>,
    /// (key, operator, values) of `labelSelector.matchExpressions`.
    expressions: Vec<(String, String, Vec<String>)>,
}

fn strings(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Match {
    fn read(spec: &Json) -> Match {
        let m = &spec["match"];
        let kinds = m["kinds"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|k| (strings(k.get("apiGroups")), strings(k.get("kinds"))))
                    .collect()
            })
            .unwrap_or_default();
        let sel = &m["labelSelector"];
        let labels = sel["matchLabels"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let expressions = sel["matchExpressions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["key"].as_str().unwrap_or_default().to_string(),
                            e["operator"].as_str().unwrap_or_default().to_string(),
                            strings(e.get("values")),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Match {
            kinds,
            namespaces: strings(m.get("namespaces")),
            excluded: strings(m.get("excludedNamespaces")),
            labels,
            expressions,
        }
    }

    fn admits(&self, object: &Json, api_version: &str, kind: &str) -> bool {
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let any = |l: &[String], x: &str| l.iter().any(|i| i == "*" || i == x);
        if !self.kinds.is_empty()
            && !self
                .kinds
                .iter()
                .any(|(groups, kinds)| any(groups, group) && any(kinds, kind))
        {
            return false;
        }
        let ns = object["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default");
        let glob = |p: &String| match p.strip_suffix('*') {
            Some(prefix) => ns.starts_with(prefix),
            None => p == ns,
        };
        if !self.namespaces.is_empty() && !self.namespaces.iter().any(glob) {
            return false;
        }
        if self.excluded.iter().any(glob) {
            return false;
        }
        let labels = &object["metadata"]["labels"];
        let label = |k: &str| labels.get(k).and_then(Json::as_str);
        if !self
            .labels
            .iter()
            .all(|(k, v)| label(k) == Some(v.as_str()))
        {
            return false;
        }
        self.expressions.iter().all(|(k, op, values)| {
            let v = label(k);
            match op.as_str() {
                "In" => v.is_some_and(|v| values.iter().any(|x| x == v)),
                "NotIn" => v.is_none_or(|v| !values.iter().any(|x| x == v)),
                "Exists" => v.is_some(),
                "DoesNotExist" => v.is_none(),
                _ => false,
            }
        })
    }
}

/// One constraint, with its template's compiled policy.
pub(crate) struct ConstraintRule {
    pub meta: &'static RuleMeta,
    set: Arc<PolicySet>,
    /// `data.k8srequiredlabels.violation`.
    path: String,
    parameters: Json,
    matching: Match,
}

impl Rule for ConstraintRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            if let ResourceKind::Kubernetes { api_version, kind } = &r.kind {
                let object = to_json(&r.body);
                if self.matching.admits(&object, api_version, kind) {
                    self.review(r, object, api_version, kind, out);
                }
            }
        }
    }
}

impl ConstraintRule {
    fn review(
        &self,
        r: &Resource,
        object: Json,
        api_version: &str,
        kind: &str,
        out: &mut Vec<Finding>,
    ) {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let input = json!({
            "review": {
                "kind": {"group": group, "version": version, "kind": kind},
                "name": object["metadata"]["name"],
                "namespace": object["metadata"]["namespace"],
                "operation": "CREATE",
                "object": object,
            },
            "parameters": self.parameters,
        });
        match self.set.eval(&self.path, &input) {
            Ok(Some(Json::Array(items))) => {
                for v in items {
                    let msg = match v.get("msg") {
                        Some(Json::String(s)) => s.clone(),
                        _ => v.to_string(),
                    };
                    out.push(Finding::on(self.meta, r, r.head, msg));
                }
            }
            Ok(_) => {}
            Err(e) => out.push(Finding::on(
                &crate::rules::EvaluationBudgetExceeded::META,
                r,
                r.head,
                format!(
                    "Gatekeeper constraint {} on {} was not decided: {e}",
                    self.meta.code, r.name
                ),
            )),
        }
    }
}

/// A template read from a file: its constraint kind and compiled policy.
struct Template {
    kind: String,
    set: Arc<PolicySet>,
    package: String,
}

fn problem(file: &Path, message: String) -> LoadError {
    LoadError {
        file: file.to_path_buf(),
        line: 1,
        column: 1,
        span: Span::empty(0),
        message,
    }
}

/// The Gatekeeper documents of the YAML files of `paths`.
fn documents(paths: &[PathBuf]) -> Vec<(PathBuf, String, Json)> {
    let limits = crate::parse::yaml::Limits {
        max_depth: 64,
        max_alias_nodes: 10_000,
        max_nodes: 200_000,
    };
    let mut out = Vec::new();
    for path in paths {
        for file in super::rule::rule_files(path).unwrap_or_default() {
            let Ok(text) = super::rule::read_bounded(&file) else {
                continue;
            };
            if !is_gatekeeper(&text) {
                continue;
            }
            let (docs, _) = crate::parse::yaml::parse_stream(&text, limits);
            for d in docs {
                out.push((file.clone(), text.clone(), to_json(&d.root)));
            }
        }
    }
    out
}

fn template(file: &Path, doc: &Json) -> Result<Template, LoadError> {
    let kind = doc["spec"]["crd"]["spec"]["names"]["kind"]
        .as_str()
        .ok_or_else(|| {
            problem(
                file,
                "a ConstraintTemplate names no `spec.crd.spec.names.kind`".into(),
            )
        })?
        .to_string();
    let target = &doc["spec"]["targets"][0];
    let rego = target["rego"].as_str().ok_or_else(|| {
        problem(
            file,
            format!("ConstraintTemplate {kind} has no `targets[0].rego`"),
        )
    })?;
    let mut e = engine(false);
    // The Rego of a template is reported at the template file (its lines are the block's).
    let name = PathBuf::from(format!("{}#{kind}", file.display()));
    let package = add_policy(&mut e, &name, rego)?;
    for (i, lib) in strings(target.get("libs")).iter().enumerate() {
        let lib_name = PathBuf::from(format!("{}#{kind}.libs[{i}]", file.display()));
        add_policy(&mut e, &lib_name, lib)?;
    }
    Ok(Template {
        kind,
        set: Arc::new(PolicySet::new(e, TerraformInput::Resource)),
        package,
    })
}

fn meta(kind: &str, name: &str, action: &str, file: &Path) -> &'static RuleMeta {
    let severity = match action {
        "warn" => Severity::Medium,
        "dryrun" => Severity::Low,
        _ => Severity::High,
    };
    let leak = |s: String| &*Box::leak(s.into_boxed_str());
    Box::leak(Box::new(RuleMeta {
        code: leak(format!("GK.{kind}.{name}")),
        name: leak(format!("gk-{}-{}", kind.to_ascii_lowercase(), name.to_ascii_lowercase())),
        title: leak(format!("Gatekeeper constraint {kind} {name}")),
        doc: leak(format!(
            " ## What it flags\n\n The violations of the Gatekeeper constraint {kind} `{name}` ({}).\n",
            file.display()
        )),
        domain: Domain::Kubernetes,
        tags: &["gatekeeper"],
        severity,
        ..RuleMeta::DEFAULT
    }))
}

/// The constraints of `paths`, each with its template compiled once.
pub(crate) fn load(paths: &[PathBuf]) -> Result<Vec<ConstraintRule>, Vec<LoadError>> {
    let docs = documents(paths);
    let mut templates = Vec::new();
    let mut errors = Vec::new();
    for (file, _, doc) in &docs {
        if doc["kind"] == "ConstraintTemplate" {
            match template(file, doc) {
                Ok(t) => templates.push(t),
                Err(e) => errors.push(e),
            }
        }
    }
    let mut rules = Vec::new();
    for (file, _, doc) in &docs {
        let api = doc["apiVersion"].as_str().unwrap_or_default();
        if !api.starts_with("constraints.gatekeeper.sh") {
            continue;
        }
        let kind = doc["kind"].as_str().unwrap_or_default();
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        let Some(t) = templates.iter().find(|t| t.kind == kind) else {
            errors.push(problem(
                file,
                format!("constraint {kind} {name}: no ConstraintTemplate defines {kind}"),
            ));
            continue;
        };
        let spec = &doc["spec"];
        let action = spec["enforcementAction"].as_str().unwrap_or("deny");
        rules.push(ConstraintRule {
            meta: meta(kind, name, action, file),
            set: t.set.clone(),
            path: format!("data.{}.violation", t.package),
            parameters: spec.get("parameters").cloned().unwrap_or(json!({})),
            matching: Match::read(spec),
        });
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

static INSTALLED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Load the Gatekeeper constraints of `paths` into the registry (once per path).
pub(crate) fn install(paths: &[PathBuf]) -> Result<usize, Vec<LoadError>> {
    let fresh: Vec<PathBuf> = match INSTALLED.lock() {
        Ok(mut done) => {
            let fresh: Vec<PathBuf> = paths
                .iter()
                .filter(|p| !done.contains(p))
                .cloned()
                .collect();
            done.extend(fresh.iter().cloned());
            fresh
        }
        Err(_) => paths.to_vec(),
    };
    let rules = load(&fresh)?;
    let n = rules.len();
    crate::rules::install(
        rules
            .into_iter()
            .map(|r| &*Box::leak(Box::new(r)) as &'static dyn Rule),
    );
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_by_kind_namespace_and_labels() {
        let spec = json!({"match": {
            "kinds": [{"apiGroups": ["apps"], "kinds": ["Deployment"]}],
            "excludedNamespaces": ["kube-*"],
            "labelSelector": {"matchLabels": {"tier": "web"},
                "matchExpressions": [{"key": "exempt", "operator": "DoesNotExist"}]}
        }});
        let m = Match::read(&spec);
        let obj = |ns: &str, labels: Json| json!({"metadata": {"namespace": ns, "labels": labels}});
        assert!(m.admits(
            &obj("shop", json!({"tier": "web"})),
            "apps/v1",
            "Deployment"
        ));
        assert!(!m.admits(&obj("shop", json!({"tier": "web"})), "v1", "Deployment"));
        assert!(!m.admits(
            &obj("kube-system", json!({"tier": "web"})),
            "apps/v1",
            "Deployment"
        ));
        assert!(!m.admits(&obj("shop", json!({"tier": "db"})), "apps/v1", "Deployment"));
        assert!(!m.admits(
            &obj("shop", json!({"tier": "web", "exempt": "y"})),
            "apps/v1",
            "Deployment"
        ));
        assert!(Match::default().admits(&obj("a", json!({})), "v1", "Pod"));
    }
}
