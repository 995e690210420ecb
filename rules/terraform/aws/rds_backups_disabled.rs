use crate::fix::Applicability;
use crate::model::Resource;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_db_instance` or `aws_rds_cluster` with `backup_retention_period = 0`, which turns
    /// automated backups and point-in-time recovery off. Unset is not flagged: RDS then keeps backups
    /// for one day (the API default; Aurora always keeps at least one day). Read replicas, whose
    /// backups are commonly off, are not flagged.
    ///
    /// ## Why it matters
    /// Without automated backups there is no point-in-time recovery: a bad migration, a deleted
    /// table or ransomware that encrypts the data cannot be undone.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "app" {
    ///   backup_retention_period = 0
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "app" {
    ///   backup_retention_period = 7
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: backups are billed storage, and the retention is a choice (7 days is the common starting point).
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html
    pub struct RdsBackupsDisabled {
        code: "TF-AWS-010",
        name: "rds-backups-disabled",
        title: "RDS automated backups are turned off",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "rds", "backup"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_133", "requires a retention period beyond the default too")],
            trivy: &[Peer::partial("AWS-0077", "requires a retention period longer than one day")],
            kics: &[Peer::exact("RDS With Backup Disabled")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 CP-9"],
        references: &["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html"],
    }
}

const SETTING: Setting = Setting {
    types: &["aws_db_instance", "aws_rds_cluster"],
    path: &["backup_retention_period"],
    want: Want::AtLeast {
        min: 1.0,
        default: 1.0,
    },
    fix: Some(("7", Applicability::Unsafe)),
    skip: Some(is_replica),
};

/// A read replica (its source's backups apply); `replicate_source_db = null`, as a variable
/// defaulting to null gives it, is no replica.
fn is_replica(r: &Resource) -> bool {
    r.body
        .get("replicate_source_db")
        .is_some_and(|v| !matches!(v.value, crate::model::Value::Null))
}

impl Check for RdsBackupsDisabled {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        SETTING.report(&Self::META, cx, out, |r, value| match value {
            Some(v) => format!("{} sets `backup_retention_period = {}`: automated backups and point-in-time recovery are off", r.name, v.display()),
            None => format!("{} has no automated backups", r.name),
        });
    }
}
