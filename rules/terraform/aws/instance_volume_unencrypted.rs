use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::model::{Node, Resource};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{insert_lines, insert_setting};

crate::declare_rule! {
    /// ## What it flags
    /// Block devices left unencrypted: `root_block_device` and `ebs_block_device` of
    /// `aws_instance` and `aws_launch_configuration`, and `block_device_mappings.ebs` of
    /// `aws_launch_template`, whose `encrypted` is `false` or unset (the provider default is `false`).
    /// An `aws_instance` or `aws_launch_configuration` without a `root_block_device` block gets an
    /// unencrypted root volume too. Volumes restored from a `snapshot_id` take the snapshot's
    /// encryption and are not flagged, and nothing is flagged when the module turns on
    /// `aws_ebs_encryption_by_default`.
    ///
    /// ## Why it matters
    /// An unencrypted volume exposes its data through every snapshot and AMI made from it, and
    /// snapshots are easily shared across accounts or made public by mistake. Encryption is chosen
    /// when the volume is created; adding it later means replacing the instance.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_instance" "web" {
    ///   ami           = "ami-0123456789abcdef0"
    ///   instance_type = "t3.micro"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_instance" "web" {
    ///   ami           = "ami-0123456789abcdef0"
    ///   instance_type = "t3.micro"
    ///
    ///   root_block_device {
    ///     encrypted = true
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: encrypting the root or an attached volume of an existing instance makes
    /// Terraform replace the instance (a new root volume from the AMI). The fix sets `encrypted =
    /// true` where it is written `false` or unset, and adds a `root_block_device` when there is none.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html
    pub struct InstanceVolumeUnencrypted {
        code: "TF-AWS-032",
        name: "instance-volume-unencrypted",
        title: "Instance or launch template volume is not encrypted",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "ec2", "encryption"],
        severity: Severity::High,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_8")],
            trivy: &[Peer::exact("AWS-0131").about("instance"), Peer::exact("AWS-0008").about("launch-configuration")],
            kics: &[Peer::exact("Launch Configuration Is Not Encrypted").about("launch-configuration")],
            ..Equivalents::NONE
        },
        compliance: &["CIS AWS Foundations 2.2.1", "NIST 800-53 SC-28"],
        references: &["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
    }
}

fn encrypt_fix(fix: Option<crate::fix::Edit>) -> Option<Fix> {
    Some(Fix::new(
        "Set `encrypted = true`",
        Applicability::Unsafe,
        vec![fix?],
    ))
}

/// Does the module turn on EBS encryption by default for the account and region? Every new
/// volume is then encrypted, whatever `encrypted` says.
pub(super) fn default_encryption(resources: &[Resource]) -> bool {
    resources.iter().any(|r| {
        r.tf_type() == Some(("resource", "aws_ebs_encryption_by_default"))
            && r.body.get("enabled").and_then(Node::as_bool) != Some(false)
    })
}

impl Check for InstanceVolumeUnencrypted {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let start = out.len();
        if default_encryption(cx.resources) {
            return;
        }
        for r in cx.resources {
            let (devices, root): (Vec<(&str, &Node)>, bool) = match r.tf_type() {
                Some(("resource", "aws_instance" | "aws_launch_configuration")) => {
                    let mut d: Vec<(&str, &Node)> = Vec::new();
                    for key in ["root_block_device", "ebs_block_device"] {
                        for n in r.body.get(key).map(Node::as_list).unwrap_or_default() {
                            d.push((key, n));
                        }
                    }
                    (d, true)
                }
                Some(("resource", "aws_launch_template")) => (
                    r.body
                        .get("block_device_mappings")
                        .map(Node::as_list)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|m| m.get("ebs").and_then(|e| e.as_list().first()))
                        .map(|e| ("block_device_mappings.ebs", e))
                        .collect(),
                    false,
                ),
                _ => continue,
            };
            let text = cx.text(r.file);
            if root && r.body.get("root_block_device").is_none() {
                out.push(
                    Finding::on(
                        &Self::META,
                        r,
                        r.head,
                        format!("{} has no `root_block_device`: its root volume is not encrypted (the provider default is false)", r.name),
                    )
                    .with_fix(encrypt_fix(insert_setting(text, r, &["root_block_device", "encrypted"], "true"))),
                );
            }
            for (key, device) in devices {
                if device.get("snapshot_id").is_some() {
                    continue;
                }
                match device.get("encrypted") {
                    Some(v) if v.as_bool() == Some(false) => out.push(
                        Finding::on(
                            &Self::META,
                            r,
                            v.span,
                            format!("{} sets `encrypted = false` in `{key}`", r.name),
                        )
                        .with_origin(v, r.file, "the value")
                        .with_fix(encrypt_fix(replace_scalar(text, v, "true"))),
                    ),
                    Some(_) => {}
                    None => {
                        let fix = if device.origin.is_none() {
                            insert_lines(text, device.span, &["encrypted"], "true")
                        } else {
                            None
                        };
                        out.push(
                            Finding::on(
                                &Self::META,
                                r,
                                device.span,
                                format!("{} leaves `encrypted` unset in `{key}` (the provider default is false)", r.name),
                            )
                            .with_fix(encrypt_fix(fix)),
                        );
                    }
                }
            }
        }
        for f in &mut out[start..] {
            f.about_type(&[
                ("aws_instance", "instance"),
                ("aws_launch_configuration", "launch-configuration"),
            ]);
        }
    }
}
