use crate::model::{Node, Resource};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::terraform::join::referenced;

crate::declare_rule! {
    /// ## What it flags
    /// An `aws_lb_listener` or `aws_alb_listener` with `protocol = "HTTP"` (or unset, the
    /// provider default for an Application Load Balancer) that forwards requests instead of
    /// redirecting them to HTTPS (a `default_action` of type `redirect` with `protocol = "HTTPS"`,
    /// or `fixed-response`, is fine; a redirect without `protocol` keeps HTTP), and
    /// classic `aws_elb` `listener` blocks with `lb_protocol = "http"`. Listeners of a load balancer
    /// declared in the module with `internal = true` or as a network or gateway load balancer are
    /// not flagged.
    ///
    /// ## Why it matters
    /// Requests and responses over plain HTTP — session cookies, tokens, form posts — can be
    /// read and changed by anyone on the path. An HTTP listener should only redirect to HTTPS.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb_listener" "web" {
    ///   load_balancer_arn = aws_lb.web.arn
    ///   port              = 80
    ///   protocol          = "HTTP"
    ///
    ///   default_action {
    ///     type             = "forward"
    ///     target_group_arn = aws_lb_target_group.web.arn
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_lb_listener" "web" {
    ///   load_balancer_arn = aws_lb.web.arn
    ///   port              = 80
    ///   protocol          = "HTTP"
    ///
    ///   default_action {
    ///     type = "redirect"
    ///
    ///     redirect {
    ///       port        = "443"
    ///       protocol    = "HTTPS"
    ///       status_code = "HTTP_301"
    ///     }
    ///   }
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html
    pub struct LbHttpListener {
        code: "TF-AWS-039",
        name: "lb-http-listener",
        title: "Load balancer listener serves plain HTTP",
        domain: Domain::Terraform,
        tags: &["terraform", "aws", "elb", "encryption"],
        severity: Severity::Medium,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_AWS_2")],
            trivy: &[Peer::exact("AWS-0054")],
            kics: &[Peer::exact("ALB Listening on HTTP")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 SC-8"],
        references: &["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html"],
    }
}

/// The load balancer is internal or not an application load balancer.
fn not_public_http(resources: &[Resource], listener: &Resource) -> bool {
    let Some(lb) = listener
        .body
        .get("load_balancer_arn")
        .and_then(|arn| referenced(resources, arn, &["aws_lb", "aws_alb"]))
    else {
        return false;
    };
    lb.body.get("internal").and_then(Node::as_bool) == Some(true)
        || lb
            .body
            .get("load_balancer_type")
            .and_then(Node::as_str)
            .is_some_and(|t| t != "application")
}

/// Every default action answers without forwarding: a redirect to HTTPS, or a fixed
/// response. A redirect whose `protocol` is unset keeps the request's (`#{protocol}`, here
/// HTTP), so it does not count.
fn redirects(listener: &Resource) -> bool {
    let actions = listener
        .body
        .get("default_action")
        .map(Node::as_list)
        .unwrap_or_default();
    let to_https = |action: &Node| {
        let protocol = action
            .get("redirect")
            .map(|r| r.as_list().first().unwrap_or(r))
            .and_then(|r| r.get("protocol"));
        match protocol {
            Some(p) if p.is_unknown() => true,
            Some(p) => p.as_str().is_some_and(|p| p.eq_ignore_ascii_case("HTTPS")),
            None => false,
        }
    };
    !actions.is_empty()
        && actions
            .iter()
            .all(|a| match a.get("type").and_then(Node::as_str) {
                Some("fixed-response") => true,
                Some("redirect") => to_https(a),
                _ => false,
            })
}

/// A default action is a redirect (to wherever).
fn redirects_somewhere(listener: &Resource) -> bool {
    listener
        .body
        .get("default_action")
        .map(Node::as_list)
        .unwrap_or_default()
        .iter()
        .any(|a| a.get("type").and_then(Node::as_str) == Some("redirect"))
}

impl Check for LbHttpListener {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            match r.tf_type() {
                Some(("resource", "aws_lb_listener" | "aws_alb_listener")) => {
                    let protocol = r.body.get("protocol");
                    let http = match protocol.map(|p| (p, p.as_str())) {
                        Some((_, Some(p))) => p.eq_ignore_ascii_case("HTTP"),
                        Some((p, None)) => matches!(p.value, crate::model::Value::Null),
                        None => r.body.get("certificate_arn").is_none(),
                    };
                    if !http || redirects(r) || not_public_http(cx.resources, r) {
                        continue;
                    }
                    let (span, how) = match protocol.filter(|p| p.as_str().is_some()) {
                        Some(p) => (p.span, "serves plain HTTP".to_string()),
                        None => (
                            r.head,
                            "serves plain HTTP (`protocol` unset: the provider default is HTTP)"
                                .to_string(),
                        ),
                    };
                    let mut f = Finding::on(
                        &Self::META,
                        r,
                        span,
                        format!(
                            "{} {how} and {}",
                            r.name,
                            if redirects_somewhere(r) {
                                "redirects to plain HTTP (its `redirect` has no `protocol = \"HTTPS\"`)"
                            } else {
                                "forwards instead of redirecting to HTTPS"
                            }
                        ),
                    );
                    if let Some(p) = protocol {
                        f = f.with_origin(p, r.file, "the protocol");
                    }
                    out.push(f);
                }
                Some(("resource", "aws_elb")) => {
                    if r.body.get("internal").and_then(Node::as_bool) == Some(true) {
                        continue;
                    }
                    for l in r
                        .body
                        .get("listener")
                        .map(Node::as_list)
                        .unwrap_or_default()
                    {
                        if let Some(p) = l
                            .get("lb_protocol")
                            .filter(|p| p.as_str().is_some_and(|s| s.eq_ignore_ascii_case("http")))
                        {
                            out.push(
                                Finding::on(
                                    &Self::META,
                                    r,
                                    p.span,
                                    format!("{} has a listener serving plain HTTP", r.name),
                                )
                                .with_origin(
                                    p,
                                    r.file,
                                    "the protocol",
                                ),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
