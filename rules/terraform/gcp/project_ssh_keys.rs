use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_compute_instance` or `google_compute_instance_template` whose metadata does not
    /// set `block-project-ssh-keys` to `true` (unset means project-wide keys are accepted). Instances
    /// with OS Login (`enable-oslogin = "TRUE"` in their metadata) ignore metadata keys and are not
    /// flagged.
    ///
    /// ## Why it matters
    /// A key in project metadata opens every VM of the project: one lost laptop with such a key
    /// reaches all of them, and nobody reviewing one instance sees that access.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_compute_instance" "web" {
    ///   name         = "web"
    ///   machine_type = "e2-small"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_compute_instance" "web" {
    ///   name         = "web"
    ///   machine_type = "e2-small"
    ///
    ///   metadata = {
    ///     block-project-ssh-keys = true
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/compute/docs/connect/restrict-ssh-keys#block-keys
    pub struct ProjectSshKeys {
        code: "TF-GCP-016",
        name: "project-ssh-keys",
        title: "VM accepts project-wide SSH keys",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "compute", "authentication"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_32")],
            trivy: &[Peer::exact("GCP-0030")],
            kics: &[Peer::exact("Project-wide SSH Keys Are Enabled In VM Instances")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 4.3", "NIST 800-53 AC-2"],
        references: &["https://cloud.google.com/compute/docs/connect/restrict-ssh-keys#block-keys"],
    }
}

const SETTING: Setting = Setting {
    types: &[
        "google_compute_instance",
        "google_compute_instance_template",
    ],
    path: &["metadata", "block-project-ssh-keys"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: None,
    skip: Some(os_login),
};

fn os_login(r: &Resource) -> bool {
    crate::rules::terraform::setting::lookup(&r.body, &["metadata", "enable-oslogin"])
        .map(|v| v.display().to_ascii_lowercase())
        .is_some_and(|v| v == "true" || v == "\"true\"")
}

impl Check for ProjectSshKeys {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!(
                "{} sets `block-project-ssh-keys = {}`: project-wide SSH keys are accepted",
                r.name,
                v.display()
            ),
            None => format!(
                "{} accepts project-wide SSH keys (`block-project-ssh-keys` unset in its metadata)",
                r.name
            ),
        });
    }
}
