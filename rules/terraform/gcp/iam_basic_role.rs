use super::iam::role_grants;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

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
            checkov: &[Peer::exact("CKV_GCP_115").about("organization"), Peer::exact("CKV_GCP_116").about("folder"), Peer::exact("CKV_GCP_117").about("project")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 AC-6"],
        references: &["https://cloud.google.com/iam/docs/understanding-roles#basic"],
    }
}

const BASIC: &[&str] = &["roles/owner", "roles/editor", "roles/viewer"];

impl Check for IamBasicRole {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for g in role_grants(cx.resources).filter(|g| BASIC.contains(&g.name)) {
            let who = if g.members.is_empty() {
                "its members".to_string()
            } else {
                let names: Vec<String> = g.members.iter().map(|m| m.display()).collect();
                names.join(", ")
            };
            let r = g.resource;
            out.push(
                Finding::on(
                    &Self::META,
                    r,
                    g.role.span,
                    format!(
                        "{} grants the basic role `{}` on the {} to {who}",
                        r.name, g.name, g.scope
                    ),
                )
                .with_origin(g.role, r.file, "the role")
                .about(g.scope),
            );
        }
    }
}
