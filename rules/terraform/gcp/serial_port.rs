use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_compute_instance` or `google_compute_instance_template` whose metadata sets
    /// `serial-port-enable` to `true` (the default is off).
    ///
    /// ## Why it matters
    /// The interactive serial console accepts connections from any IP address — firewall rules
    /// do not apply to it — so the VM's login prompt is exposed to anyone holding a project SSH key.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_compute_instance" "web" {
    ///   name         = "web"
    ///   machine_type = "e2-small"
    ///
    ///   metadata = {
    ///     serial-port-enable = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_compute_instance" "web" {
    ///   name         = "web"
    ///   machine_type = "e2-small"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-using-serial-console
    pub struct SerialPort {
        code: "TF-GCP-017",
        name: "serial-port",
        title: "VM interactive serial console is enabled",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "compute", "remote-access"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_35")],
            trivy: &[Peer::exact("GCP-0032")],
            kics: &[Peer::exact("Serial Ports Are Enabled For VM Instances")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 4.5", "NIST 800-53 AC-17"],
        references: &["https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-using-serial-console"],
    }
}

const SETTING: Setting = Setting {
    types: &[
        "google_compute_instance",
        "google_compute_instance_template",
    ],
    path: &["metadata", "serial-port-enable"],
    want: Want::Bool {
        want: false,
        default: false,
    },
    fix: None,
    skip: None,
};

impl Check for SerialPort {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `serial-port-enable = {}`: the interactive serial console accepts connections from anywhere", r.name, v.display()),
            None => format!("{} enables the serial console", r.name),
        });
    }
}
