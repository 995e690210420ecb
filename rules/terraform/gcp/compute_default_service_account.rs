use crate::model::{Node, Resource};
use crate::rule::{
    Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, RuleMeta, Severity,
};

crate::declare_rule! {
    /// ## What it flags
    /// Workloads that run as the project's default Compute Engine service account
    /// (`…-compute@developer.gserviceaccount.com`, which has the Editor role unless that was
    /// removed): a `google_compute_instance` or `google_compute_instance_template` whose
    /// `service_account` block leaves `email` unset or names the default account (also spelled
    /// with an interpolated project number, `"${data.google_project.p.number}-compute@…"`; the
    /// finding says
    /// so when the scopes include `cloud-platform`, full access to every API), and GKE node pools —
    /// `node_config` of `google_container_node_pool`, or of `google_container_cluster` unless it
    /// removes its default pool — that leave `service_account` unset. An instance without a
    /// `service_account` block runs with no account and is not flagged; neither are Autopilot
    /// clusters.
    ///
    /// ## Why it matters
    /// Every process on the VM or node — including a compromised container — can fetch the
    /// account's token from the metadata server and act as a project Editor: read and delete most
    /// resources of the project.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_compute_instance" "web" {
    ///   name         = "web"
    ///   machine_type = "e2-small"
    ///
    ///   service_account {
    ///     scopes = ["cloud-platform"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_compute_instance" "web" {
    ///   name         = "web"
    ///   machine_type = "e2-small"
    ///
    ///   service_account {
    ///     email  = google_service_account.web.email
    ///     scopes = ["cloud-platform"]
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/compute/docs/access/service-accounts#default_service_account
    pub struct ComputeDefaultServiceAccount {
        code: "TF-GCP-012",
        name: "compute-default-service-account",
        title: "VM or GKE nodes run as the default Compute Engine service account",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "compute", "least-privilege"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_30").about("instance"), Peer::partial("CKV_GCP_31", "full cloud-platform scope on the default account only").about("instance"), Peer::exact("CKV2_GCP_1").about("gke")],
            trivy: &[Peer::exact("GCP-0044").about("instance"), Peer::exact("GCP-0050").about("gke")],
            kics: &[Peer::exact("Using Default Service Account").about("instance"), Peer::exact("GKE Using Default Service Account").about("gke"), Peer::partial("VM With Full Cloud Access", "the default account with the cloud-platform scope only").about("instance")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 4.1", "CIS GCP Foundations 4.2", "NIST 800-53 AC-6"],
        references: &["https://cloud.google.com/compute/docs/access/service-accounts#default_service_account"],
    }
}

/// The default Compute Engine account: `default`, or `NUMBER-compute@developer…` (the
/// project number is often interpolated: the known suffix tells).
fn is_default(email: &Node) -> bool {
    email.ends_with("-compute@developer.gserviceaccount.com") || email.as_str() == Some("default")
}

fn full_scope(sa: &Node) -> bool {
    sa.get("scopes")
        .map(Node::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .any(|s| s == "cloud-platform" || s.ends_with("/auth/cloud-platform"))
}

/// A finding for a node pool configuration that leaves `service_account` unset.
fn node_pool(meta: &'static RuleMeta, r: &Resource, config: Option<&Node>) -> Option<Finding> {
    let Some(config) = config else {
        return Some(Finding::on(
            meta,
            r,
            r.head,
            format!("{} sets no `node_config`: its nodes run as the default Compute Engine service account", r.name),
        ));
    };
    match config.get("service_account") {
        Some(sa) if is_default(sa) => Some(
            Finding::on(meta, r, sa.span, format!("{}'s nodes run as the default Compute Engine service account", r.name))
                .with_origin(sa, r.file, "the account"),
        ),
        Some(_) => None,
        None => Some(Finding::on(
            meta,
            r,
            config.span,
            format!("{} leaves the nodes' `service_account` unset: they run as the default Compute Engine service account", r.name),
        )),
    }
}

impl Check for ComputeDefaultServiceAccount {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        for r in cx.resources {
            match r.tf_type() {
                Some((
                    "resource",
                    "google_compute_instance" | "google_compute_instance_template",
                )) => {
                    let Some(sa) = r
                        .body
                        .get("service_account")
                        .and_then(|s| s.as_list().first())
                    else {
                        continue;
                    };
                    let full = if full_scope(sa) {
                        " with full access to all Cloud APIs (`cloud-platform` scope)"
                    } else {
                        ""
                    };
                    match sa.get("email") {
                        Some(e) if is_default(e) => out.push(
                            Finding::on(&Self::META, r, e.span, format!("{} runs as the default Compute Engine service account{full}", r.name))
                                .with_origin(e, r.file, "the account"),
                        ),
                        Some(e) if !matches!(e.value, crate::model::Value::Null) => {}
                        _ => out.push(Finding::on(
                            &Self::META,
                            r,
                            sa.span,
                            format!("{} leaves `service_account.email` unset: it runs as the default Compute Engine service account{full}", r.name),
                        )),
                    }
                }
                Some(("resource", "google_container_node_pool")) => {
                    out.extend(node_pool(
                        &Self::META,
                        r,
                        r.body.get("node_config").and_then(|c| c.as_list().first()),
                    ));
                }
                Some(("resource", "google_container_cluster")) => {
                    let flag = |k: &str| r.body.get(k).and_then(Node::as_bool) == Some(true);
                    if flag("remove_default_node_pool") || flag("enable_autopilot") {
                        continue;
                    }
                    out.extend(node_pool(
                        &Self::META,
                        r,
                        r.body.get("node_config").and_then(|c| c.as_list().first()),
                    ));
                }
                _ => {}
            }
        }
        for f in &mut out[start..] {
            f.about_type(&[
                ("google_compute_instance", "instance"),
                ("google_compute_instance_template", "instance"),
                ("google_container_cluster", "gke"),
                ("google_container_node_pool", "gke"),
            ]);
        }
    }
}
