use super::super::helpers::{env_pairs, remove_word, stage_of};
use crate::fix::{Applicability, Fix};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::shell::{basename, Command, Word};
use crate::source::Span;

crate::declare_rule! {
    /// ## What it flags
    /// TLS certificate verification switched off in a build:
    /// `curl -k`/`--insecure`, `wget --no-check-certificate`, `pip install --trusted-host`,
    /// `npm`/`yarn config set strict-ssl false`, `git config http.sslVerify false` (and
    /// `git -c http.sslVerify=false`), and the environment variables `GIT_SSL_NO_VERIFY`,
    /// `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `NPM_CONFIG_STRICT_SSL=false`
    /// and `PIP_TRUSTED_HOST` in `ENV` or `ARG`. The finding points at the flag or variable.
    ///
    /// ## Why it matters
    /// Without certificate checks anyone on the network path can answer in the server's place
    /// and hand the build (or, through `ENV`, the running container) whatever packages or
    /// scripts they like.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -k https://example.com/tool.tar.gz -o /tmp/tool.tar.gz
    /// ENV NODE_TLS_REJECT_UNAUTHORIZED=0
    /// ```
    ///
    /// ## Use instead
    /// Install the certificate authority the server uses (`COPY corp-ca.crt
    /// /usr/local/share/ca-certificates/ && update-ca-certificates`) and keep verification on.
    ///
    /// ## Fix safety
    /// Unsafe: removing `-k`/`--insecure`/`--no-check-certificate` makes the download fail
    /// until the certificate authority is trusted.
    ///
    /// ## References
    /// - CWE-295: Improper Certificate Validation
    /// - https://curl.se/docs/sslcerts.html
    pub struct TlsVerificationDisabled {
        code: "DOCKER-010",
        name: "tls-verification-disabled",
        title: "TLS certificate verification switched off",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "supply-chain", "network"],
        severity: Severity::High,
        fix: FixAvailability::Sometimes,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV2_DOCKER_2"), Peer::exact("CKV2_DOCKER_3"), Peer::exact("CKV2_DOCKER_4"), Peer::exact("CKV2_DOCKER_5"), Peer::exact("CKV2_DOCKER_6"), Peer::exact("CKV2_DOCKER_12"), Peer::exact("CKV2_DOCKER_13"), Peer::exact("CKV2_DOCKER_14"), Peer::exact("CKV2_DOCKER_15"), Peer::exact("CKV2_DOCKER_16")],
            ..Equivalents::NONE
        },
        compliance: &["CWE-295", "MITRE ATT&CK T1557"],
        references: &["https://cwe.mitre.org/data/definitions/295.html"],
    }
}

struct Insecure {
    span: Span,
    what: String,
    /// A standalone flag that can be removed.
    removable: Option<Span>,
}

fn flag<'c>(cmd: &'c Command, names: &[&str], short: Option<char>) -> Option<&'c Word> {
    cmd.args().iter().find(|w| {
        let t = w.text.as_str();
        names.contains(&t)
            || short.is_some_and(|c| {
                t.len() > 1
                    && t.starts_with('-')
                    && !t.starts_with("--")
                    && t[1..].chars().all(|x| x.is_ascii_alphabetic())
                    && t[1..].contains(c)
            })
    })
}

fn in_commands(cmd: &Command) -> Option<Insecure> {
    let program = cmd.program()?;
    let name = basename(&program.text);
    let args: Vec<&str> = cmd.args().iter().map(|w| w.text.as_str()).collect();
    let standalone = |w: &Word, full: &[&str]| full.contains(&w.text.as_str()).then_some(w.span);
    match name {
        "curl" => flag(cmd, &["--insecure"], Some('k')).map(|w| Insecure {
            span: w.span,
            what: format!("`curl {}` skips certificate checks", w.text),
            removable: standalone(w, &["-k", "--insecure"]),
        }),
        "wget" => flag(cmd, &["--no-check-certificate"], None).map(|w| Insecure {
            span: w.span,
            what: "`wget --no-check-certificate` skips certificate checks".into(),
            removable: Some(w.span),
        }),
        n if n.starts_with("pip") => cmd
            .args()
            .iter()
            .find(|w| w.text == "--trusted-host" || w.text.starts_with("--trusted-host="))
            .map(|w| Insecure {
                span: w.span,
                what: format!("`{n} {}` trusts a host without certificate checks", w.text),
                removable: None,
            }),
        "npm" | "yarn" | "pnpm" => {
            let i = args
                .iter()
                .position(|a| *a == "strict-ssl" || a.starts_with("strict-ssl="))?;
            let value = args[i]
                .split_once('=')
                .map(|(_, v)| v)
                .or(args.get(i + 1).copied())?;
            (value == "false").then(|| Insecure {
                span: cmd.args()[i].span,
                what: format!("`{name} config set strict-ssl false` skips certificate checks"),
                removable: None,
            })
        }
        "git" => {
            let i = args.iter().position(|a| {
                a.eq_ignore_ascii_case("http.sslverify")
                    || a.to_ascii_lowercase().starts_with("http.sslverify=")
            })?;
            let value = args[i]
                .split_once('=')
                .map(|(_, v)| v)
                .or(args.get(i + 1).copied())?;
            value.eq_ignore_ascii_case("false").then(|| Insecure {
                span: cmd.args()[i].span,
                what: "`git` with `http.sslVerify false` skips certificate checks".into(),
                removable: None,
            })
        }
        _ => None,
    }
}

fn in_environment(key: &str, value: &str) -> Option<String> {
    let v = value.to_ascii_lowercase();
    match key {
        "GIT_SSL_NO_VERIFY" if !matches!(v.as_str(), "" | "0" | "false") => {
            Some("`GIT_SSL_NO_VERIFY` makes git skip certificate checks".into())
        }
        "NODE_TLS_REJECT_UNAUTHORIZED" if v == "0" => {
            Some("`NODE_TLS_REJECT_UNAUTHORIZED=0` makes Node.js accept any certificate".into())
        }
        "PYTHONHTTPSVERIFY" if v == "0" => {
            Some("`PYTHONHTTPSVERIFY=0` makes Python skip certificate checks".into())
        }
        "NPM_CONFIG_STRICT_SSL" if v == "false" => {
            Some("`NPM_CONFIG_STRICT_SSL=false` makes npm skip certificate checks".into())
        }
        "PIP_TRUSTED_HOST" if !v.is_empty() => {
            Some("`PIP_TRUSTED_HOST` makes pip trust hosts without certificate checks".into())
        }
        _ => None,
    }
}

impl Check for TlsVerificationDisabled {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for (i, script) in cx.scripts {
            let ins = &df.instructions[*i];
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for fact in script.commands.iter().filter_map(in_commands) {
                let fix = fact.removable.map(|span| {
                    Fix::new(
                        "Remove the flag and trust the server's certificate authority instead",
                        Applicability::Unsafe,
                        vec![remove_word(text, span)],
                    )
                });
                out.push(
                    Finding::on(&Self::META, stage, fact.span, fact.what)
                        .within(ins.span)
                        .with_fix(fix),
                );
            }
        }
        for ins in df
            .instructions
            .iter()
            .filter(|i| i.keyword == "ENV" || i.keyword == "ARG")
        {
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for (key, value, span) in env_pairs(text, ins) {
                if let Some(what) = in_environment(&key, value.as_deref().unwrap_or("")) {
                    out.push(Finding::on(&Self::META, stage, span, what).within(ins.span));
                }
            }
        }
    }
}
