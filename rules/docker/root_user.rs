use crate::fix::{Applicability, Edit, Fix};
use crate::image::ImageRef;
use crate::parse::dockerfile::{Base, Dockerfile};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::source::Span;

crate::declare_rule! {
    /// ## What it flags
    /// The final stage of a Dockerfile runs as root: it has no `USER` instruction (and does
    /// not inherit one from an earlier stage it is built `FROM`), or its last `USER` is
    /// `root` or `0` (with or without a group). Without a `USER`, the base image's own decides:
    /// root unless that image sets one, which most images do not; the message says so. Base images whose tag says they run as
    /// non-root (`…:nonroot`) and users set from a variable are not flagged.
    ///
    /// Windows images are judged by Windows' accounts: `ContainerAdministrator` is the
    /// administrator, Server Core runs as it by default and Nano Server runs as
    /// `ContainerUser`; the fix sets `USER ContainerUser`.
    ///
    /// ## Why it matters
    /// A process running as root inside the container is root on the host's kernel: any
    /// container escape, a writable host mount or a kernel bug gives the attacker root on the
    /// node. Running as an unprivileged user removes that step.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-bookworm-slim
    /// COPY . /app
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// FROM node:20-bookworm-slim
    /// COPY . /app
    /// USER 10001
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the process loses root, and files it writes must be writable by the new user.
    ///
    /// ## References
    /// - https://docs.docker.com/reference/dockerfile/#user
    /// - CIS Docker Benchmark 4.1
    pub struct RootUser {
        code: "DOCKER-002",
        name: "root-user",
        title: "Final stage runs as root",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "least-privilege"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV_DOCKER_3").about("no-user"), Peer::exact("CKV_DOCKER_8").about("root")],
            trivy: &[Peer::exact("DS-0002")],
            kics: &[Peer::exact("Missing User Instruction").about("no-user"), Peer::exact("Last User Is 'root'").about("root")],
            hadolint: &[Peer::exact("DL3002").about("root")],
            ..Equivalents::NONE
        },
        compliance: &["CIS Docker Benchmark 4.1", "NSA/CISA Kubernetes Hardening: non-root containers", "MITRE ATT&CK T1611"],
        references: &["https://docs.docker.com/reference/dockerfile/#user"],
    }
}

enum RunsAsRoot {
    /// No `USER` in the final stage or the stages it builds on; span of its `FROM`, and the
    /// image it builds on (`None`: `scratch`, which has no user but root).
    NoUser { from: Span, base: Option<String> },
    /// The last `USER` is root.
    /// `in_stage` names the earlier stage the `USER` is inherited from.
    RootUser {
        user: String,
        span: Span,
        instruction: Span,
        in_stage: Option<String>,
    },
}

struct RootFact {
    stage: usize,
    what: RunsAsRoot,
    /// The final image is a Windows image: the administrator is `ContainerAdministrator` and
    /// the unprivileged user `ContainerUser`.
    windows: bool,
}

/// `Some(default user is the administrator)` when the final image is a Windows image:
/// Server Core runs as `ContainerAdministrator` by default, Nano Server as `ContainerUser`.
fn windows_base(df: &Dockerfile) -> Option<bool> {
    let mut stage = df.stages.last()?;
    for _ in 0..df.stages.len() {
        match &stage.base {
            Base::Stage(i) if *i < stage.index => stage = &df.stages[*i],
            Base::Image(image) => {
                let image = image.to_ascii_lowercase();
                return if image.contains("nanoserver") {
                    Some(false)
                } else if image.contains("windowsservercore")
                    || image.contains("/windows/servercore")
                    || image.contains("/windows/server")
                    || image.starts_with("mcr.microsoft.com/windows")
                {
                    Some(true)
                } else {
                    None
                };
            }
            _ => return None,
        }
    }
    None
}

impl Check for RootUser {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        if let Some(fact) = detect(df) {
            let resource = &cx.resources[fact.stage];
            let (span, subject) = match &fact.what {
                RunsAsRoot::NoUser { from, .. } => (*from, "no-user"),
                RunsAsRoot::RootUser { span, .. } => (*span, "root"),
            };
            out.push(
                Finding::on(&Self::META, resource, span, message(&resource.name, &fact))
                    .with_fix(fix(text, df, &fact))
                    .about(subject),
            );
        }
    }
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user);
    name == "root" || name == "0" || name.eq_ignore_ascii_case("ContainerAdministrator")
}

fn detect(df: &Dockerfile) -> Option<RootFact> {
    let final_stage = df.stages.last()?;
    let windows = windows_base(df);
    let mut stage = final_stage;
    // Follow `FROM <earlier stage>` until a USER is found.
    let mut base = None;
    for _ in 0..df.stages.len() {
        let last_user = df
            .stage_instructions(stage)
            .iter()
            .rev()
            .find_map(|i| i.user.as_ref().map(|u| (u, i.span)));
        match last_user {
            Some(((user, span), instruction)) => {
                if user.contains('$') || !is_root(user) {
                    return None;
                }
                let in_stage = (stage.index != final_stage.index).then(|| match &stage.name {
                    Some((name, _)) => format!("stage \"{name}\""),
                    None => format!("stage {}", stage.index + 1),
                });
                return Some(RootFact {
                    stage: final_stage.index,
                    what: RunsAsRoot::RootUser {
                        user: user.clone(),
                        span: *span,
                        instruction,
                        in_stage,
                    },
                    windows: windows.is_some(),
                });
            }
            None => match &stage.base {
                Base::Stage(i) if *i < stage.index => stage = &df.stages[*i],
                Base::Image(image) => {
                    let tag = ImageRef::parse(image).tag.unwrap_or_default();
                    if tag.contains("nonroot") || tag.contains("non-root") {
                        return None;
                    }
                    base = Some(image.clone());
                    break;
                }
                Base::Unknown => return None,
                _ => break,
            },
        }
    }
    if windows == Some(false) {
        return None; // Nano Server runs as ContainerUser unless told otherwise
    }
    let from = df.instructions[final_stage.from].keyword_span;
    Some(RootFact {
        stage: final_stage.index,
        what: RunsAsRoot::NoUser {
            from: from.cover(final_stage.image_span),
            base,
        },
        windows: windows.is_some(),
    })
}

fn message(stage: &str, f: &RootFact) -> String {
    match &f.what {
        RunsAsRoot::NoUser { .. } if f.windows => {
            format!("final {stage} runs as ContainerAdministrator: it sets no `USER`")
        }
        // What is known: no `USER` here. The base image's own `USER` decides, root unless it
        // sets one (few do).
        RunsAsRoot::NoUser {
            base: Some(image), ..
        } => format!(
            "final {stage} sets no `USER`: it runs as `{image}`'s user, root unless that image sets one"
        ),
        RunsAsRoot::NoUser { base: None, .. } => {
            format!("final {stage} runs as root: it is built from `scratch` and sets no `USER`")
        }
        RunsAsRoot::RootUser {
            user,
            in_stage: None,
            ..
        } => format!("final {stage} runs as root (`USER {user}`)"),
        RunsAsRoot::RootUser {
            user,
            in_stage: Some(from),
            ..
        } => format!("final {stage} runs as root (`USER {user}`, inherited from {from})"),
    }
}

/// Instructions that only record metadata: a `USER` placed before them changes nothing at
/// build time.
const METADATA: &[&str] = &[
    "CMD",
    "ENTRYPOINT",
    "EXPOSE",
    "HEALTHCHECK",
    "LABEL",
    "STOPSIGNAL",
    "VOLUME",
];

/// Insert `USER <user>` before the trailing metadata instructions of the final stage (before
/// `CMD`/`ENTRYPOINT`, where readers look for it), or at its end.
fn insert_user(text: &str, df: &Dockerfile, stage: usize, user: &str) -> Edit {
    let nl = crate::edit::newline(text);
    let stage = &df.stages[stage];
    let instructions = df.stage_instructions(stage);
    let trailing = instructions
        .iter()
        .rev()
        .take_while(|i| METADATA.contains(&i.keyword.as_str()))
        .last();
    match trailing {
        Some(first) if first.keyword != "FROM" => {
            let line_start = text[..first.span.start]
                .rfind('\n')
                .map(|i| i + 1)
                .unwrap_or(0);
            Edit::insert(line_start, format!("USER {user}{nl}"))
        }
        _ => {
            let last = instructions.last().map(|i| i.span).unwrap_or(stage.span);
            Edit::insert(
                crate::edit::end_of_line(text, last.end),
                format!("{nl}USER {user}"),
            )
        }
    }
}

fn fix(text: &str, df: &Dockerfile, f: &RootFact) -> Option<Fix> {
    let user = if f.windows { "ContainerUser" } else { "10001" };
    let edit = match &f.what {
        // A root `USER` that ends the final stage is replaced; one followed by build steps (which
        // may need root) or inherited from another stage is left, and the runtime user is set.
        RunsAsRoot::RootUser {
            span,
            instruction,
            in_stage: None,
            ..
        } if df.instructions[df.stages[f.stage].instructions.end - 1].span == *instruction => {
            Edit::replace(*span, user)
        }
        _ => insert_user(text, df, f.stage, user),
    };
    Some(Fix::new(
        format!("Run the final stage as an unprivileged user (`USER {user}`)"),
        Applicability::Unsafe,
        vec![edit],
    ))
}
