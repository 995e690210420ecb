//! Typed helpers shared by rule families. Each rule file instantiates one with constants.

use crate::edit::replace_scalar;
use crate::fix::{Applicability, Fix};
use crate::k8s::pod_spec;
use crate::rule::{Context, Finding, RuleMeta};

/// A pod-spec boolean that must not be `true` (hostNetwork, hostPID, hostIPC…).
pub struct ForbiddenPodFlag {
    pub key: &'static str,
    /// What the flag shares, for the message: "the host's network namespace".
    pub shares: &'static str,
}

impl ForbiddenPodFlag {
    pub fn check(&self, meta: &'static RuleMeta, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for resource in cx.resources {
            let Some(pod) = pod_spec(resource) else {
                continue;
            };
            let Some(value) = pod.spec.get(self.key) else {
                continue;
            };
            if value.as_bool() != Some(true) {
                continue;
            }
            let message = format!(
                "{} shares {} (`{}: {}`)",
                resource.name,
                self.shares,
                self.key,
                value.written(cx.text(resource.file))
            );
            let fix = replace_scalar(cx.text(resource.file), value, "false").map(|edit| {
                Fix::new(
                    format!("Set `{}: false`", self.key),
                    Applicability::Unsafe,
                    vec![edit],
                )
            });
            out.push(
                Finding::on(meta, resource, value.span, message)
                    .with_origin(value, resource.file, self.key)
                    .with_fix(fix),
            );
        }
    }
}
