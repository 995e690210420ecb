use super::super::helpers::stage_of;
use super::add_instead_of_copy::{is_remote, sources};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `ADD` of an `http(s)` URL without `--checksum`, so the download is not verified.
    ///
    /// ## Why it matters
    /// Whatever the server returns goes into the image: a compromised or changed release, or a
    /// response altered on the way, is built in without anyone noticing, and two builds of the
    /// same commit can differ.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD https://example.com/tool-1.2.tar.gz /opt/
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \
    ///     https://example.com/tool-1.2.tar.gz /opt/
    /// ```
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#add---checksum
    /// - CWE-494: Download of Code Without Integrity Check
    pub struct AddUrlWithoutChecksum {
        code: "DOCKER-006",
        name: "add-url-without-checksum",
        title: "`ADD` downloads a URL without a checksum",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "supply-chain"],
        severity: Severity::Medium,
        equivalents: Equivalents {
            kics: &[Peer::partial("Curl or Wget Instead of Add", "flags every ADD of a URL; this rule only those without --checksum")],
            ..Equivalents::NONE
        },
        compliance: &["CWE-494", "CIS Docker Benchmark 4.9"],
        references: &["https://docs.docker.com/reference/dockerfile/#add---checksum"],
    }
}

impl Check for AddUrlWithoutChecksum {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for ins in df.instructions.iter().filter(|i| i.keyword == "ADD") {
            if ins.flags.iter().any(|f| f.name == "checksum") {
                continue;
            }
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for (src, span) in sources(text, ins) {
                let lower = src.to_ascii_lowercase();
                if is_remote(&src)
                    && (lower.starts_with("http://") || lower.starts_with("https://"))
                {
                    out.push(
                        Finding::on(
                            &Self::META,
                            stage,
                            span,
                            format!("`ADD` downloads `{src}` without `--checksum`"),
                        )
                        .within(ins.span),
                    );
                }
            }
        }
    }
}
