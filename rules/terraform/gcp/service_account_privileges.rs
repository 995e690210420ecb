use super::iam::role_grants;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// Project, folder or organization grants (`google_*_iam_member` / `_iam_binding`) that
    /// give a `serviceAccount:` member (also an interpolated one,
    /// `"serviceAccount:${google_service_account.x.email}"`: the prefix tells the member type) an
    /// administrative role (`roles/owner`, `roles/editor`, or any
    /// role ending in `admin`/`Admin`), or that give anyone `roles/iam.serviceAccountUser` or
    /// `roles/iam.serviceAccountTokenCreator` on the whole project, folder or organization instead
    /// of on one service account.
    ///
    /// ## Why it matters
    /// A service account key or a compromised workload holding an admin role controls the
    /// project. Impersonation roles granted at the project level let the holder act as every
    /// service account in it, including the most privileged one.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_project_iam_member" "deployer" {
    ///   project = var.project
    ///   role    = "roles/iam.serviceAccountUser"
    ///   member  = "user:dev@example.com"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_service_account_iam_member" "deployer" {
    ///   service_account_id = google_service_account.app.name
    ///   role               = "roles/iam.serviceAccountUser"
    ///   member             = "user:dev@example.com"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/iam/docs/service-account-overview#impersonation
    /// - https://cloud.google.com/iam/docs/best-practices-service-accounts
    pub struct ServiceAccountPrivileges {
        code: "TF-GCP-014",
        name: "service-account-privileges",
        title: "Service account with admin rights, or impersonation granted project-wide",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "iam", "least-privilege"],
        severity: Severity::High,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_41").about("project-impersonation"), Peer::exact("CKV_GCP_42").about("admin")],
            trivy: &[Peer::exact("GCP-0007").about("admin"), Peer::exact("GCP-0011").about("project-impersonation"), Peer::exact("GCP-0005").about("folder-impersonation"), Peer::exact("GCP-0009").about("organization-impersonation")],
            kics: &[Peer::exact("Google Project IAM Member Service Account Has Admin Role").about("admin"), Peer::partial("Google Project IAM Member Service Account has Token Creator or Account User Role", "only grants to service accounts").about("project-impersonation"), Peer::partial("Service Account with Improper Privileges", "also flags write roles; only project grants").about("admin"), Peer::partial("Google Project IAM Binding Service Account has Token Creator or Account User Role", "only grants to service accounts").about("project-impersonation")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 1.5", "CIS GCP Foundations 1.6", "NIST 800-53 AC-6"],
        references: &["https://cloud.google.com/iam/docs/service-account-overview#impersonation", "https://cloud.google.com/iam/docs/best-practices-service-accounts"],
    }
}

const IMPERSONATION: &[&str] = &[
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
];

fn admin_role(role: &str) -> bool {
    role == "roles/owner" || role == "roles/editor" || role.to_ascii_lowercase().ends_with("admin")
}

impl Check for ServiceAccountPrivileges {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for g in role_grants(cx.resources) {
            let (r, name) = (g.resource, g.name);
            if IMPERSONATION.contains(&name) {
                out.push(
                    Finding::on(
                        &Self::META,
                        r,
                        g.role.span,
                        format!(
                            "{} grants `{name}` on the whole {}: its holders can act as every service account in it",
                            r.name, g.scope
                        ),
                    )
                    .with_origin(g.role, r.file, "the role")
                    .about(&format!("{}-impersonation", g.scope)),
                );
                continue;
            }
            if !admin_role(name) {
                continue;
            }
            let accounts = g
                .members
                .iter()
                .filter(|m| m.starts_with("serviceAccount:"));
            for sa in accounts {
                out.push(
                    Finding::on(
                        &Self::META,
                        r,
                        sa.span,
                        format!(
                            "{} gives service account `{}` the administrative role `{name}`",
                            r.name,
                            sa.display()
                        ),
                    )
                    .with_origin(sa, r.file, "the member")
                    .about("admin"),
                );
            }
        }
    }
}
