use crate::fix::Applicability;
use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// A `google_sql_database_instance` whose `settings.backup_configuration.enabled` is
    /// `false` or unset (the provider default is `false`). Read replicas (`master_instance_name`)
    /// are not backed up by design and are not flagged.
    ///
    /// ## Why it matters
    /// Without automated backups a dropped table, a bad migration or a corrupted volume cannot
    /// be undone: there is nothing to restore and no point-in-time recovery.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_sql_database_instance" "main" {
    ///   name             = "main"
    ///   database_version = "POSTGRES_15"
    ///
    ///   settings {
    ///     tier = "db-f1-micro"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_sql_database_instance" "main" {
    ///   name             = "main"
    ///   database_version = "POSTGRES_15"
    ///
    ///   settings {
    ///     tier = "db-f1-micro"
    ///
    ///     backup_configuration {
    ///       enabled                        = true
    ///       point_in_time_recovery_enabled = true
    ///     }
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Safe: backups run in the maintenance-free backup window and only add storage cost.
    ///
    /// ## References
    /// - https://cloud.google.com/sql/docs/mysql/backup-recovery/backups
    pub struct SqlBackups {
        code: "TF-GCP-006",
        name: "sql-backups",
        title: "Cloud SQL automated backups are off",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "sql", "backup"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_14")],
            trivy: &[Peer::exact("GCP-0024")],
            kics: &[Peer::exact("SQL DB Instance Backup Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 6.7", "NIST 800-53 CP-9"],
        references: &["https://cloud.google.com/sql/docs/mysql/backup-recovery/backups"],
    }
}

const SETTING: Setting = Setting {
    types: &["google_sql_database_instance"],
    path: &["settings", "backup_configuration", "enabled"],
    want: Want::Bool {
        want: true,
        default: false,
    },
    fix: Some(("true", Applicability::Safe)),
    skip: Some(replica),
};

fn replica(r: &Resource) -> bool {
    r.body.get("master_instance_name").is_some()
}

impl Check for SqlBackups {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets backup `enabled = {}`", r.name, v.display()),
            None => format!("{} leaves backups off (`backup_configuration.enabled` unset: the provider default is false)", r.name),
        });
    }
}
