use crate::model::Node;
use crate::rule::{
    Context, Domain, Equivalents, Finding, FixAvailability, Rule, RuleMeta, Severity,
};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_project_iam_member` / `_iam_binding`, or the folder and organization
    /// equivalents, that grants `roles/owner`, `roles/editor` or `roles/viewer`.
    ///
    /// ## Why it matters
    /// Basic roles predate IAM's fine-grained roles: Editor can change almost every resource
    /// of the project, Owner can also grant access, and even Viewer reads data such as logs and
    /// bucket listings across every service. Predefined or custom roles limit the grant to what the
    /// principal does.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_project_iam_member" "ci" {
    ///   project = var.project
    ///   role    = "roles/editor"
    ///   member  = "serviceAccount:ci@example.iam.gserviceaccount.com"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_project_iam_member" "ci" {
    ///   project = var.project
    ///   role    = "roles/run.developer"
    ///   member  = "serviceAccount:ci@example.iam.gserviceaccount.com"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/iam/docs/understanding-roles#basic
    pub struct IamBasicRole {
        code: "TF-GCP-013",
        name: "iam-basic-role",
        title: "Basic role (Owner, Editor, Viewer) granted on a project, folder or organization",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "iam", "least-privilege"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &["CKV_GCP_115", "CKV_GCP_116", "CKV_GCP_117"],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-6"],
        references: &["https://cloud.google.com/iam/docs/understanding-roles#basic"],
    }
}

pub const GRANTS: &[&str] = &[
    "google_project_iam_member",
    "google_project_iam_binding",
    "google_folder_iam_member",
    "google_folder_iam_binding",
    "google_organization_iam_member",
    "google_organization_iam_binding",
];

const BASIC: &[&str] = &["roles/owner", "roles/editor", "roles/viewer"];

impl Rule for IamBasicRole {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| matches!(r.tf_type(), Some(("resource", t)) if GRANTS.contains(&t)))
        {
            let Some(role) = r.body.get("role") else {
                continue;
            };
            let Some(name) = role.as_str().filter(|n| BASIC.contains(n)) else {
                continue;
            };
            let scope = r
                .tf_type()
                .map(|t| t.1)
                .unwrap_or_default()
                .split('_')
                .nth(1)
                .unwrap_or("project");
            let who = match r.body.get("members") {
                Some(list) if !list.as_list().is_empty() => list
                    .as_list()
                    .iter()
                    .map(Node::display)
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => r
                    .body
                    .get("member")
                    .map(Node::display)
                    .unwrap_or_else(|| "its members".into()),
            };
            out.push(
                Finding::on(
                    &Self::META,
                    r,
                    role.span,
                    format!(
                        "{} grants the basic role `{name}` on the {scope} to {who}",
                        r.name
                    ),
                )
                .with_origin(role, r.file, "the role"),
            );
        }
    }
}
