use crate::fix::Applicability;
use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Broken, Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_eks_cluster` whose `enabled_cluster_log_types` is unset or empty (the provider
    /// default: no control plane logs), or leaves out `api`, `audit` or `authenticator`.
    ///
    /// ## Why it matters
    /// The Kubernetes audit log is the only record of who did what through the API server —
    /// which secrets were read, which pods were exec'd into, which role bindings were created — and
    /// the authenticator log maps those requests to IAM identities. Without them an intrusion into
    /// the cluster cannot be investigated.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_eks_cluster" "main" {
    ///   name     = "main"
    ///   role_arn = aws_iam_role.cluster.arn
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_eks_cluster" "main" {
    ///   name                      = "main"
    ///   role_arn                  = aws_iam_role.cluster.arn
    ///   enabled_cluster_log_types = ["api", "audit", "authenticator"]
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: the logs go to CloudWatch Logs, which is billed per GB ingested and stored.
    /// The fix adds `enabled_cluster_log_types` when it is unset.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
    pub struct EksControlPlaneLogging {
        code: "TF-AWS-038",
        name: "eks-control-plane-logging",
        title: "EKS control plane audit logging is off",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "eks", "logging"],
        severity: Severity::Medium,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_37")],
            trivy: &[Peer::exact("AWS-0038")],
            kics: &[Peer::exact("EKS cluster logging is not enabled")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Amazon EKS 2.1.1", "NIST 800-53 AU-2"],
        references: &["https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"],
    }
}

const NEEDED: &[&str] = &["api", "audit", "authenticator"];

const LOGS: Setting = Setting {
    types: &["aws_eks_cluster"],
    path: &["enabled_cluster_log_types"],
    want: Want::Present,
    fix: Some((
        "[\"api\", \"audit\", \"authenticator\"]",
        Applicability::Unsafe,
    )),
    skip: None,
};

impl Check for EksControlPlaneLogging {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "aws_eks_cluster")))
        {
            match r.body.get("enabled_cluster_log_types") {
                Some(v) if v.is_unknown() => {}
                Some(v) if !v.as_list().is_empty() => {
                    let written: Vec<&str> = v.as_list().iter().filter_map(Node::as_str).collect();
                    if written.len() < v.as_list().len() {
                        continue; // an element is not known
                    }
                    let missing: Vec<&str> = NEEDED
                        .iter()
                        .copied()
                        .filter(|n| !written.contains(n))
                        .collect();
                    if !missing.is_empty() {
                        out.push(
                            Finding::on(
                                &Self::META,
                                r,
                                v.span,
                                format!(
                                    "{} does not log {} (`enabled_cluster_log_types`)",
                                    r.name,
                                    missing.join(", ")
                                ),
                            )
                            .with_origin(v, r.file, "the log types"),
                        );
                    }
                }
                value => {
                    let message = format!("{} sends no control plane logs (`enabled_cluster_log_types` is unset or empty)", r.name);
                    let broken = Broken {
                        resource: r,
                        value: value.filter(|v| !matches!(v.value, crate::model::Value::Null)),
                    };
                    out.push(LOGS.finding(&Self::META, cx, &broken, message));
                }
            }
        }
    }
}
