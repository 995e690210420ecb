use crate::fix::{Applicability, Edit, Fix};
use crate::image::ImageRef;
use crate::parse::dockerfile::ImageUseKind;
use crate::rule::{Check, Context, Domain, Finding, FixAvailability, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A final image built on a heavy or unmaintained official base for which a slimmer,
    /// maintained alternative exists. The table:
    ///
    /// | Base | Suggested |
    /// |---|---|
    /// | `node:<v>`, `node:<v>-bookworm`/`-bullseye` | `node:<v>-bookworm-slim` |
    /// | `python:<v>`, `python:<v>-bookworm`/`-bullseye` | `python:<v>-slim-bookworm` |
    /// | `ruby:<v>`, `perl:<v>` (full Debian variants) | `<image>:<v>-slim-bookworm` |
    /// | `debian:<release>` | `debian:<release>-slim` |
    /// | any of the above on `buster`, `stretch` or `jessie` (Debian releases out of support) | the `bookworm` slim variant |
    /// | `openjdk:<v>` (deprecated, no updates since 2022) | `eclipse-temurin:<v>-jre` |
    /// | `centos:<v>` (CentOS Linux, end of life) | `registry.access.redhat.com/ubi9/ubi-minimal` |
    /// | `golang:<v>`, `rust:<v>`, `maven:<v>`, `gradle:<v>` as the runtime image | a build stage, and a distroless or JRE runtime stage |
    ///
    /// Only the bases of the final image are checked: a full image in a build stage whose
    /// files are copied out with `COPY --from` does not ship.
    ///
    /// No established scanner checks this.
    ///
    /// ## Why it matters
    /// A full Debian-based image carries hundreds of packages more than its slim variant
    /// (compilers, version control, image libraries), each with its own CVEs: a scanner
    /// reports dozens to hundreds more known vulnerabilities on `node:18-bookworm` than on
    /// `node:18-bookworm-slim`, and an attacker inside the container finds the tools ready.
    /// An end-of-life base gets no security updates at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:18-buster
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:18-bookworm-slim
    /// ```
    ///
    /// ## Fix safety
    /// Display only: a slim image lacks packages the build may use; a person checks.
    ///
    /// ## References
    /// - https://hub.docker.com/_/node (image variants)
    /// - https://hub.docker.com/_/openjdk (deprecation notice)
    /// - https://www.debian.org/releases/
    pub struct HeavyBaseImage {
        code: "DOCKER-020",
        name: "heavy-base-image",
        title: "Heavy or unmaintained base image with a slimmer alternative",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "images", "attack-surface"],
        severity: Severity::Low,
        fix: FixAvailability::Always,
        compliance: &["CIS Docker Benchmark 4.3"],
        references: &["https://hub.docker.com/_/node"],
    }
}

const DEBIAN_EOL: &[&str] = &["buster", "stretch", "jessie", "wheezy"];
const DEBIAN_FULL: &[&str] = &[
    "bookworm", "bullseye", "buster", "stretch", "jessie", "wheezy", "trixie",
];

/// The advice for an official image: (suggested reference, reason, whether the suggestion
/// replaces the base in place; a toolchain image needs a new stage instead).
pub(crate) fn advice(image: &str) -> Option<(String, String, bool)> {
    let r = ImageRef::parse(image);
    if r.registry.is_some_and(|reg| reg != "docker.io") || r.digest.is_some() {
        return None;
    }
    let name = r
        .repository
        .strip_prefix("library/")
        .unwrap_or(r.repository);
    if name.contains('/') {
        return None;
    }
    let tag = r.tag.unwrap_or("latest");
    let mut parts = tag.split('-');
    let version = parts.next().unwrap_or("");
    let variant: Vec<&str> = parts.collect();
    let eol = DEBIAN_EOL.iter().find(|d| tag.contains(*d));
    let why_full = |release: &str| {
        match eol {
        Some(d) => format!("Debian {d} is out of security support, and the full variant carries hundreds of packages the slim one does not"),
        None => format!("the full Debian {release} variant carries hundreds of packages the slim one does not"),
    }
    };
    match name {
        "node" | "python" | "ruby" | "perl" => {
            let lean = ["alpine", "slim", "windows", "nanoserver"];
            if lean.iter().any(|l| tag.contains(l)) {
                return None;
            }
            // Full Debian: no variant, or only a Debian release name.
            let full =
                variant.is_empty() || (variant.len() == 1 && DEBIAN_FULL.contains(&variant[0]));
            if !full || version.is_empty() {
                return None;
            }
            let suggested = match name {
                "node" => format!("node:{version}-bookworm-slim"),
                _ => format!("{name}:{version}-slim-bookworm"),
            };
            Some((
                suggested,
                why_full(variant.first().copied().unwrap_or("bookworm")),
                true,
            ))
        }
        "debian" => {
            if tag.contains("slim") || r.tag.is_none() || tag == "latest" {
                return None; // untagged or `latest`: DOCKER-001 asks for a tag first
            }
            let release = if eol.is_some() { "bookworm" } else { tag };
            Some((format!("debian:{release}-slim"), why_full(version), true))
        }
        "openjdk" => {
            let major: String = version.chars().take_while(|c| c.is_ascii_digit()).collect();
            let major = if major.is_empty() {
                "21".to_string()
            } else {
                major
            };
            Some((
                format!("eclipse-temurin:{major}-jre"),
                "the openjdk image is deprecated and has had no updates since 2022".into(),
                true,
            ))
        }
        "centos" => Some((
            "registry.access.redhat.com/ubi9/ubi-minimal".into(),
            "CentOS Linux is end of life and gets no security updates".into(),
            true,
        )),
        "golang" | "rust" | "maven" | "gradle" => {
            let suggested = match name {
                "golang" => "gcr.io/distroless/static-debian12",
                "rust" => "gcr.io/distroless/cc-debian12",
                _ => "eclipse-temurin:21-jre",
            };
            Some((
                suggested.to_string(),
                format!("the {name} image ships a whole toolchain: build in a stage and copy the result into a runtime image"),
                false,
            ))
        }
        _ => None,
    }
}

impl Check for HeavyBaseImage {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        let shipped = df.shipped_stages();
        for used in df.image_uses() {
            if used.kind != ImageUseKind::From || !shipped[used.stage] {
                continue;
            }
            let Some((suggested, why, in_place)) = advice(&used.image) else {
                continue;
            };
            let written = &text[used.span.start..used.span.end];
            let fix = (in_place && !written.contains('$')).then(|| {
                Fix::new(
                    format!("Use `{suggested}`"),
                    Applicability::DisplayOnly,
                    vec![Edit::replace(used.span, suggested.clone())],
                )
            });
            out.push(
                Finding::on(
                    &Self::META,
                    &cx.resources[used.stage],
                    used.span,
                    format!("`{}`: {why}; consider `{suggested}`", used.image),
                )
                .within(df.instructions[used.instruction].span)
                .with_fix(fix),
            );
        }
    }
}
