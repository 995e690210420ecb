use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::model::{Node, Resource, Value};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::rules::terraform::setting::{Broken, Setting, Want};

crate::declare_rule! {
    /// ## What it flags
    /// An HTTPS or TLS `aws_lb_listener` / `aws_alb_listener` whose `ssl_policy` accepts TLS
    /// 1.0 or 1.1: any policy but the `ELBSecurityPolicy-TLS-1-2-*`, `ELBSecurityPolicy-FS-1-2-*` and
    /// `ELBSecurityPolicy-TLS13-1-2-*` / `-1-3-*` families. Unset is judged by the provider
    /// default, `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0.
    ///
    /// A classic load balancer's SSL negotiation policy (`aws_load_balancer_policy` of
    /// `policy_type_name = "SSLNegotiationPolicyType"`) is judged the same way: a
    /// `Reference-Security-Policy` attribute naming an older predefined policy, or a
    /// `Protocol-SSLv2`, `Protocol-SSLv3`, `Protocol-TLSv1` or `Protocol-TLSv1.1` attribute set
    /// to `true`.
    ///
    /// ## Why it matters
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996): their cipher suites include CBC modes and
    /// SHA-1 with known attacks, and compliance regimes such as PCI DSS forbid them.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb_listener" "web" {
    ///   load_balancer_arn = aws_lb.web.arn
    ///   port              = 443
    ///   protocol          = "HTTPS"
    ///   certificate_arn   = aws_acm_certificate.web.arn
    ///   ssl_policy        = "ELBSecurityPolicy-2016-08"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lb_listener" "web" {
    ///   load_balancer_arn = aws_lb.web.arn
    ///   port              = 443
    ///   protocol          = "HTTPS"
    ///   certificate_arn   = aws_acm_certificate.web.arn
    ///   ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    /// }
    /// ```
    ///
    ///
    /// ## Fix safety
    /// Unsafe: clients that only speak TLS 1.0/1.1 (very old Android, Java 6, embedded
    /// devices) can no longer connect.
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
    pub struct LbTlsPolicy {
        code: "TF-AWS-040",
        name: "lb-tls-policy",
        title: "Load balancer listener allows TLS older than 1.2",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "elb", "encryption"],
        severity: Severity::Medium,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_103")],
            trivy: &[Peer::exact("AWS-0047")],
            kics: &[Peer::partial("ELB Using Insecure Protocols", "classic ELB policies that enable old protocols")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-8", "NIST 800-53 SC-13"],
        references: &["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"],
    }
}

const POLICY: Setting = Setting {
    types: &["aws_lb_listener", "aws_alb_listener"],
    path: &["ssl_policy"],
    want: Want::Present,
    fix: Some((
        "\"ELBSecurityPolicy-TLS13-1-2-2021-06\"",
        Applicability::Unsafe,
    )),
    skip: None,
};

fn modern(policy: &str) -> bool {
    [
        "ELBSecurityPolicy-TLS-1-2-",
        "ELBSecurityPolicy-FS-1-2-",
        "ELBSecurityPolicy-TLS13-1-2-",
        "ELBSecurityPolicy-TLS13-1-3-",
    ]
    .iter()
    .any(|p| policy.starts_with(p))
}

fn encrypted(r: &Resource) -> bool {
    r.body
        .get("protocol")
        .and_then(Node::as_str)
        .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS") || p.eq_ignore_ascii_case("TLS"))
}

impl Check for LbTlsPolicy {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx
            .resources
            .iter()
            .filter(|r| {
                matches!(
                    r.tf_type(),
                    Some(("resource", "aws_lb_listener" | "aws_alb_listener"))
                )
            })
            .filter(|r| encrypted(r))
        {
            let value = r
                .body
                .get("ssl_policy")
                .filter(|v| !matches!(v.value, crate::model::Value::Null));
            let message = match value {
                Some(v) if v.is_unknown() => continue,
                Some(v) => match v.as_str() {
                    Some(p) if !modern(p) => format!("{} uses `{p}`, which accepts TLS 1.0/1.1", r.name),
                    _ => continue,
                },
                None => format!("{} leaves `ssl_policy` unset: the provider default ELBSecurityPolicy-2016-08 accepts TLS 1.0", r.name),
            };
            let mut f = POLICY.finding(&Self::META, cx, &Broken { resource: r, value }, message);
            if let Some(v) = value {
                f = f.with_origin(v, r.file, "the policy");
            }
            out.push(f);
        }
        for r in cx
            .resources
            .iter()
            .filter(|r| r.tf_type() == Some(("resource", "aws_load_balancer_policy")))
        {
            negotiation_policy(cx, r, out);
        }
    }
}

/// The protocols a classic load balancer's negotiation policy must not enable.
const OLD_PROTOCOLS: &[&str] = &[
    "Protocol-SSLv2",
    "Protocol-SSLv3",
    "Protocol-TLSv1",
    "Protocol-TLSv1.1",
];

/// The classic load balancer policy `r`, when it negotiates SSL: each attribute that lets TLS
/// older than 1.2 in.
fn negotiation_policy(cx: &Context<'_>, r: &Resource, out: &mut Vec<Finding>) {
    let kind = r.body.get("policy_type_name").and_then(Node::as_str);
    if !kind.is_some_and(|k| k.eq_ignore_ascii_case("SSLNegotiationPolicyType")) {
        return;
    }
    let text = cx.text(r.file);
    let attributes = r.body.get("policy_attribute").map(Node::as_list);
    for attr in attributes.unwrap_or_default() {
        let (Some(name), Some(value)) =
            (attr.get("name").and_then(Node::as_str), attr.get("value"))
        else {
            continue;
        };
        let (message, fixed, title) = if name.eq_ignore_ascii_case("Reference-Security-Policy") {
            match value.as_str() {
                Some(p) if !modern(p) => (
                    format!("{} references `{p}`, which accepts TLS 1.0/1.1", r.name),
                    CLASSIC_POLICY,
                    format!("Reference `{CLASSIC_POLICY}`"),
                ),
                _ => continue,
            }
        } else if OLD_PROTOCOLS.iter().any(|p| p.eq_ignore_ascii_case(name)) && enabled(value) {
            (
                format!("{} enables `{name}`, older than TLS 1.2", r.name),
                "false",
                format!("Disable `{name}`"),
            )
        } else {
            continue;
        };
        let fix = replace_scalar(text, value, fixed)
            .map(|edit| Fix::new(title, Applicability::Unsafe, vec![edit]));
        out.push(
            Finding::on(&LbTlsPolicy::META, r, value.span, message)
                .with_fix(fix)
                .with_origin(value, r.file, "the value"),
        );
    }
}

/// The predefined classic load balancer policy that accepts TLS 1.2 only.
const CLASSIC_POLICY: &str = "ELBSecurityPolicy-TLS-1-2-2017-01";

/// An attribute value of `true` (the provider takes it as a string).
fn enabled(value: &Node) -> bool {
    match &value.value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}
