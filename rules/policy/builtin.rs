//! The built-in rules written as rule files (`rules/**/*.yaml`): plain attribute checks that
//! need no Rust. They are compiled into the binary, loaded once when the registry is first
//! used, and take their place among the Rust rules by code.

use super::rule::PolicyRule;
use crate::rule::{Rule, RuleMeta};

/// (path, text) of every built-in rule file.
const FILES: &[(&str, &str)] = &[
    (
        "rules/terraform/aws/cloudtrail_log_validation.yaml",
        include_str!("../terraform/aws/cloudtrail_log_validation.yaml"),
    ),
    (
        "rules/terraform/aws/cloudtrail_multi_region.yaml",
        include_str!("../terraform/aws/cloudtrail_multi_region.yaml"),
    ),
    (
        "rules/terraform/aws/ecr_scan_on_push.yaml",
        include_str!("../terraform/aws/ecr_scan_on_push.yaml"),
    ),
    (
        "rules/terraform/aws/opensearch_encryption.yaml",
        include_str!("../terraform/aws/opensearch_encryption.yaml"),
    ),
    (
        "rules/terraform/aws/redshift_public.yaml",
        include_str!("../terraform/aws/redshift_public.yaml"),
    ),
    (
        "rules/terraform/azure/acr_admin_user.yaml",
        include_str!("../terraform/azure/acr_admin_user.yaml"),
    ),
    (
        "rules/terraform/azure/aks_private_cluster.yaml",
        include_str!("../terraform/azure/aks_private_cluster.yaml"),
    ),
    (
        "rules/terraform/azure/app_service_https_only.yaml",
        include_str!("../terraform/azure/app_service_https_only.yaml"),
    ),
    (
        "rules/terraform/azure/sql_public_network_access.yaml",
        include_str!("../terraform/azure/sql_public_network_access.yaml"),
    ),
    (
        "rules/terraform/gcp/gcs_uniform_access.yaml",
        include_str!("../terraform/gcp/gcs_uniform_access.yaml"),
    ),
    (
        "rules/terraform/gcp/gke_legacy_abac.yaml",
        include_str!("../terraform/gcp/gke_legacy_abac.yaml"),
    ),
    (
        "rules/terraform/gcp/gke_private_nodes.yaml",
        include_str!("../terraform/gcp/gke_private_nodes.yaml"),
    ),
];

/// The rules of the built-in rule files; `taken` are the Rust rules' metadata. An error is a
/// bug in a shipped file (a test loads them all): its rules are left out rather than stopping
/// every scan.
pub(crate) fn rules(taken: &[&'static RuleMeta]) -> Vec<&'static dyn Rule> {
    load(taken)
        .unwrap_or_default()
        .into_iter()
        .map(|r| &*Box::leak(Box::new(r)) as &'static dyn Rule)
        .collect()
}

/// Every built-in rule file read, or every problem in them.
pub(crate) fn load(
    taken: &[&'static RuleMeta],
) -> Result<Vec<PolicyRule>, Vec<super::load::LoadError>> {
    let mut rules: Vec<PolicyRule> = Vec::new();
    let mut errors = Vec::new();
    for (path, text) in FILES {
        let mut metas = taken.to_vec();
        metas.extend(rules.iter().map(|r| r.meta));
        let taken = super::load::Taken {
            metas: &metas,
            builtin: true,
        };
        match super::load::load_text(std::path::Path::new(path), text, &taken) {
            Ok(r) => rules.extend(r),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_rule_file_loads() {
        let rust: Vec<_> = crate::rules::RULES.iter().map(|r| r.meta()).collect();
        let rules = super::load(&rust).unwrap_or_else(|e| {
            panic!(
                "{}",
                e.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        assert_eq!(rules.len(), super::FILES.len());
    }
}
