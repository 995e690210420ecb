use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `shielded_instance_config` of a `google_compute_instance` or
    /// `google_compute_instance_template` with `enable_vtpm = false` or `enable_integrity_monitoring
    /// = false` (both default to `true`), and `google_container_cluster` with `enable_shielded_nodes
    /// = false` (the default is `true`).
    ///
    /// ## Why it matters
    /// The virtual TPM and integrity monitoring are what detect a tampered boot chain — a
    /// rootkit or a modified kernel — and Shielded GKE nodes stop a compromised pod from
    /// impersonating a node to the control plane.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_compute_instance" "web" {
    ///   name         = "web"
    ///   machine_type = "e2-small"
    ///
    ///   shielded_instance_config {
    ///     enable_vtpm = false
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
    ///   shielded_instance_config {
    ///     enable_secure_boot          = true
    ///     enable_vtpm                 = true
    ///     enable_integrity_monitoring = true
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: the instance must be stopped to change its Shielded VM options, and a GKE cluster's nodes are recreated.
    ///
    /// ## References
    /// - https://cloud.google.com/compute/shielded-vm/docs/shielded-vm
    pub struct ShieldedVm {
        code: "TF-GCP-018",
        name: "shielded-vm",
        title: "Shielded VM protection turned off",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "compute", "integrity"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_GCP_39", "also requires secure boot").about("instance"), Peer::exact("CKV_GCP_71").about("gke")],
            trivy: &[Peer::exact("GCP-0041").about("vtpm"), Peer::exact("GCP-0045").about("integrity-monitoring"), Peer::exact("GCP-0055").about("gke"), Peer::partial("GCP-0067", "secure boot, which this rule does not require").about("instance")],
            kics: &[Peer::partial("Shielded VM Disabled", "requires the shielded_instance_config block with every option on").about("instance"), Peer::exact("Shielded GKE Nodes Disabled").about("gke")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 4.8", "NIST 800-53 SI-7"],
        references: &["https://cloud.google.com/compute/shielded-vm/docs/shielded-vm"],
    }
}

impl Check for ShieldedVm {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        for r in cx.resources {
            let found: Vec<(&str, &Node)> = match r.tf_type() {
                Some((
                    "resource",
                    "google_compute_instance" | "google_compute_instance_template",
                )) => r
                    .body
                    .get("shielded_instance_config")
                    .and_then(|c| c.as_list().first())
                    .map(|c| {
                        ["enable_vtpm", "enable_integrity_monitoring"]
                            .into_iter()
                            .filter_map(|k| Some((k, c.get(k)?)))
                            .collect()
                    })
                    .unwrap_or_default(),
                Some(("resource", "google_container_cluster")) => r
                    .body
                    .get("enable_shielded_nodes")
                    .map(|v| ("enable_shielded_nodes", v))
                    .into_iter()
                    .collect(),
                _ => continue,
            };
            for (key, v) in found
                .into_iter()
                .filter(|(_, v)| v.as_bool() == Some(false))
            {
                let fix = replace_scalar(cx.text(r.file), v, "true").map(|e| {
                    Fix::new(
                        format!("Set `{key} = true`"),
                        Applicability::Unsafe,
                        vec![e],
                    )
                });
                out.push(
                    Finding::on(
                        &Self::META,
                        r,
                        v.span,
                        format!("{} sets `{key} = false`", r.name),
                    )
                    .with_origin(v, r.file, "the value")
                    .with_fix(fix)
                    .about(match key {
                        "enable_vtpm" => "vtpm",
                        "enable_integrity_monitoring" => "integrity-monitoring",
                        _ => "gke",
                    }),
                );
            }
        }
        // Instances and templates are also the subject of the peers that judge their whole
        // `shielded_instance_config`.
        for f in &mut out[start..] {
            f.about_type(&[
                ("google_compute_instance", "instance"),
                ("google_compute_instance_template", "instance"),
            ]);
        }
    }
}
