use super::iam::{public_finding, public_members, report_public_grants, target_of, Grant};
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A BigQuery dataset or table opened to `allUsers` or `allAuthenticatedUsers`: `access`
    /// blocks of `google_bigquery_dataset` (`special_group` or `iam_member`),
    /// `google_bigquery_dataset_access`, and the members of `google_bigquery_dataset_iam_member` /
    /// `_iam_binding` and `google_bigquery_table_iam_member` / `_iam_binding`. Grants are joined to
    /// the `google_bigquery_dataset` they name and reported on it.
    ///
    /// ## Why it matters
    /// Anyone can query the data, and — for `allAuthenticatedUsers` — anyone with any Google
    /// account, billed to their own project so you see no cost signal.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_bigquery_dataset" "analytics" {
    ///   dataset_id = "analytics"
    ///
    ///   access {
    ///     role          = "READER"
    ///     special_group = "allAuthenticatedUsers"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "google_bigquery_dataset" "analytics" {
    ///   dataset_id = "analytics"
    ///
    ///   access {
    ///     role           = "READER"
    ///     group_by_email = "analysts@example.com"
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://cloud.google.com/bigquery/docs/control-access-to-resources-iam
    pub struct BigqueryPublicDataset {
        code: "TF-GCP-020",
        name: "bigquery-public-dataset",
        title: "BigQuery dataset is readable by everyone",
        domain: Domain::Terraform,
        tags: &["terraform", "gcp", "bigquery", "public-access"],
        severity: Severity::Critical,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_GCP_15")],
            trivy: &[Peer::exact("GCP-0046")],
            kics: &[Peer::exact("BigQuery Dataset Is Public")],
            ..Equivalents::NONE
        },
        compliance: &["CIS GCP Foundations 7.1", "NIST 800-53 AC-3"],
        references: &["https://cloud.google.com/bigquery/docs/control-access-to-resources-iam"],
    }
}

const GRANTS: &[Grant] = &[
    Grant {
        type_name: "google_bigquery_dataset_iam_member",
        members: &["member"],
        target: "dataset_id",
    },
    Grant {
        type_name: "google_bigquery_dataset_iam_binding",
        members: &["members"],
        target: "dataset_id",
    },
    Grant {
        type_name: "google_bigquery_table_iam_member",
        members: &["member"],
        target: "dataset_id",
    },
    Grant {
        type_name: "google_bigquery_table_iam_binding",
        members: &["members"],
        target: "dataset_id",
    },
];

const ACCESS_KEYS: &[&str] = &["special_group", "iam_member"];

impl Check for BigqueryPublicDataset {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        report_public_grants(
            &Self::META,
            cx,
            out,
            GRANTS,
            &["google_bigquery_dataset"],
            "dataset_id",
            "dataset",
        );
        for r in cx.resources {
            match r.tf_type() {
                Some(("resource", "google_bigquery_dataset")) => {
                    for access in r.body.get("access").map(Node::as_list).unwrap_or_default() {
                        for m in public_members(access, ACCESS_KEYS) {
                            out.push(public_finding(&Self::META, r, m, None, "dataset"));
                        }
                    }
                }
                Some(("resource", "google_bigquery_dataset_access")) => {
                    let target = r.body.get("dataset_id").and_then(|d| {
                        target_of(cx.resources, d, &["google_bigquery_dataset"], "dataset_id")
                    });
                    for m in public_members(&r.body, ACCESS_KEYS) {
                        out.push(public_finding(&Self::META, r, m, target, "dataset"));
                    }
                }
                _ => {}
            }
        }
    }
}
