use crate::parse::dockerfile::Base;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A final image with no `HEALTHCHECK` in its stage or in the stages it is built
    /// `FROM`. `HEALTHCHECK NONE` is an explicit choice and is not flagged.
    ///
    /// Off by default: Kubernetes ignores `HEALTHCHECK` (it uses the pod's probes), and a
    /// base image from a registry may already define one, which a Dockerfile linter cannot
    /// see. Enable it for images run by Docker, Compose or Swarm:
    /// `select = ["default", "missing-healthcheck"]`.
    ///
    /// ## Why it matters
    /// Without a health check the engine only knows whether the process exists; a hung
    /// service that still holds its port keeps receiving traffic and is never restarted,
    /// which turns a crash into an outage and hides an attack that wedges the service.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27-alpine
    /// COPY site/ /usr/share/nginx/html/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM nginx:1.27-alpine
    /// COPY site/ /usr/share/nginx/html/
    /// HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://127.0.0.1/ || exit 1
    /// ```
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#healthcheck
    /// - https://github.com/hadolint/hadolint/wiki/DL3057
    pub struct MissingHealthcheck {
        code: "DOCKER-018",
        name: "missing-healthcheck",
        title: "Image has no `HEALTHCHECK`",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "availability"],
        severity: Severity::Low,
        enabled_by_default: false,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_DOCKER_2")],
            trivy: &[Peer::exact("DS-0026")],
            kics: &[Peer::exact("Healthcheck Instruction Missing")],
            hadolint: &[Peer::exact("DL3057")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Docker Benchmark 4.6"],
        references: &["https://docs.docker.com/reference/dockerfile/#healthcheck"],
    }
}

impl Check for MissingHealthcheck {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let Some(last) = df.stages.last() else { return };
        let shipped = df.shipped_stages();
        let has = df
            .stages
            .iter()
            .filter(|s| shipped[s.index])
            .flat_map(|s| df.stage_instructions(s))
            .any(|i| i.keyword == "HEALTHCHECK");
        if has || last.base == Base::Unknown {
            return;
        }
        out.push(Finding::on(
            &Self::META,
            &cx.resources[last.index],
            df.instructions[last.from].keyword_span,
            "the final image defines no `HEALTHCHECK`".to_string(),
        ));
    }
}
