use crate::fix::Applicability;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{lookup, Broken, Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_eks_cluster` whose Kubernetes API endpoint answers the whole internet:
    /// `vpc_config.endpoint_public_access` is `true` or unset (the provider default is `true`) and
    /// `public_access_cidrs` is unset (the provider default is `["0.0.0.0/0"]`) or contains
    /// `0.0.0.0/0`. A public endpoint restricted to known CIDRs is not flagged.
    ///
    /// ## Why it matters
    /// An API server reachable from anywhere is one leaked kubeconfig, token or API-server
    /// vulnerability away from the cluster. A private endpoint (reached from the VPC, a VPN or a
    /// bastion) or a short allow-list of office and CI ranges removes the exposure.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_eks_cluster" "main" {
    ///   name     = "main"
    ///   role_arn = aws_iam_role.cluster.arn
    ///
    ///   vpc_config {
    ///     subnet_ids = var.subnet_ids
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_eks_cluster" "main" {
    ///   name     = "main"
    ///   role_arn = aws_iam_role.cluster.arn
    ///
    ///   vpc_config {
    ///     subnet_ids              = var.subnet_ids
    ///     endpoint_private_access = true
    ///     endpoint_public_access  = false
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: `kubectl`, CI jobs and controllers outside the VPC can no longer reach the
    /// cluster; turn on `endpoint_private_access` and give them a path into the VPC first. The fix
    /// sets `endpoint_public_access = false` when the cluster does not restrict its CIDRs.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
    pub struct EksPublicEndpoint {
        code: "TF-AWS-037",
        name: "eks-public-endpoint",
        title: "EKS API endpoint is open to the internet",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "eks", "public-access"],
        severity: Severity::Medium,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_AWS_39", "flags any public endpoint, even one limited to known CIDRs"), Peer::exact("CKV_AWS_38")],
            trivy: &[Peer::partial("AWS-0040", "flags any public endpoint, even one limited to known CIDRs"), Peer::exact("AWS-0041")],
            kics: &[Peer::partial("EKS Cluster Has Public Access", "flags any public endpoint, even one limited to known CIDRs"), Peer::exact("EKS Cluster Has Public Access CIDRs")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Amazon EKS 5.4.2", "NIST 800-53 SC-7"],
        references: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
    }
}

const PUBLIC: Setting = Setting {
    types: &["aws_eks_cluster"],
    path: &["vpc_config", "endpoint_public_access"],
    want: Want::Bool {
        want: false,
        default: true,
    },
    fix: Some(("false", Applicability::Unsafe)),
    skip: None,
};

impl Check for EksPublicEndpoint {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for b in PUBLIC.broken(cx.resources) {
            let r = b.resource;
            let cidrs = lookup(&r.body, &["vpc_config", "public_access_cidrs"]);
            match cidrs {
                Some(list) if list.is_unknown() => {}
                Some(list) if !list.as_list().is_empty() => {
                    for open in list
                        .as_list()
                        .iter()
                        .filter(|c| c.as_str() == Some("0.0.0.0/0"))
                    {
                        out.push(
                            Finding::on(
                                &Self::META,
                                r,
                                open.span,
                                format!(
                                    "{} allows its public API endpoint from anywhere (`0.0.0.0/0`)",
                                    r.name
                                ),
                            )
                            .with_origin(open, r.file, "the CIDR"),
                        );
                    }
                }
                _ => {
                    let how = match b.value {
                        Some(_) => "sets `endpoint_public_access = true`",
                        None => {
                            "leaves `endpoint_public_access` unset (the provider default is true)"
                        }
                    };
                    let message = format!("{} {how} without `public_access_cidrs`: the API endpoint is open to the internet", r.name);
                    out.push(PUBLIC.finding(
                        &Self::META,
                        cx,
                        &Broken {
                            resource: r,
                            value: b.value,
                        },
                        message,
                    ));
                }
            }
        }
    }
}
