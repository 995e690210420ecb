use std::collections::HashSet;

use super::super::helpers::{env_pairs, stage_of};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// A secret baked into the image through `ENV`, or through an `ARG` with a default:
    /// by name (`DB_PASSWORD`, `API_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `PRIVATE_KEY`…) when a
    /// value is set, and by value shape whatever the name (AWS access key ids, GitHub and
    /// Slack tokens, private-key blocks). Names that hold a path, file, URL, id or public key
    /// (`PASSWORD_FILE`, `GPG_KEY`, `KEY_ID`), switches (`MYSQL_ALLOW_EMPTY_PASSWORD=yes`) and
    /// placeholders (`<token>`, `your-token`, the variable's own name such as `HF_TOKEN=HF_TOKEN`) are not flagged; `PASSWORD=password` is a password. A secret-named `ENV` whose
    /// value is a build argument (`ENV DB_PASSWORD=$DB_PASSWORD` after `ARG DB_PASSWORD`) is
    /// flagged: it copies the value passed with `--build-arg` into the image configuration.
    /// Other values taken from variables are not.
    ///
    /// ## Why it matters
    /// `ENV` values are stored in the image configuration and `ARG` values in its history:
    /// anyone who can pull the image can read them with `docker inspect` or
    /// `docker history`, long after the secret was meant to be used once.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV DB_PASSWORD=s3cr3t-value
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN --mount=type=secret,id=db_password \
    ///     DB_PASSWORD="$(cat /run/secrets/db_password)" ./migrate
    /// ```
    /// and pass runtime secrets from the orchestrator (a Kubernetes Secret), not the image.
    ///
    /// ## References
    /// - https://docs.docker.com/build/building/secrets/
    /// - https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/
    /// - CWE-798: Use of Hard-coded Credentials
    pub struct SecretInEnv {
        code: "DOCKER-011",
        name: "secret-in-env",
        title: "Secret set with `ENV` or `ARG`",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "secrets"],
        severity: Severity::Critical,
        equivalents: Equivalents {
            trivy: &[Peer::partial("DS-0031", "also flags secret files copied in, which secret-file-copied reports")],
            hadolint: &[Peer::exact("DL3064")],
            ..Equivalents::NONE
        },
        compliance: &["CWE-798", "CIS Docker Benchmark 4.10", "MITRE ATT&CK T1552"],
        references: &["https://docs.docker.com/build/building/secrets/"],
    }
}

const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATEKEY",
];
/// `KEY` is a secret only after one of these.
const KEY_KINDS: &[&str] = &[
    "API",
    "ACCESS",
    "PRIVATE",
    "SECRET",
    "ENCRYPTION",
    "SIGNING",
    "MASTER",
    "AUTH",
];
const NOT_SECRET: &[&str] = &[
    "FILE",
    "PATH",
    "DIR",
    "URL",
    "URI",
    "ID",
    "NAME",
    "USER",
    "USERNAME",
    "HOST",
    "PORT",
    "VERSION",
    "TYPE",
    "SIZE",
    "LENGTH",
    "PUBLIC",
    "GPG",
    "FINGERPRINT",
    "MODE",
    "ENDPOINT",
    "REGION",
    "EXPIRY",
    "ARN",
    "TTL",
    "TIMEOUT",
    "ALLOW",
    "EMPTY",
    "RANDOM",
    "ENABLE",
    "ENABLED",
    "DISABLE",
    "DISABLED",
    "SKIP",
];

/// A value that stands for a secret rather than being one: the variable's own name written as
/// a name (`HF_TOKEN=HF_TOKEN`; `PASSWORD=password` is a password anyone can use), `<token>`,
/// `your-token`, `REPLACE_ME`, `xxx`, or a flag (`yes`, `true`, `1`) of a name like
/// `MYSQL_RANDOM_ROOT_PASSWORD`.
pub(crate) fn placeholder_value(name: &str, value: &str) -> bool {
    let written = value.trim();
    let v = written.to_ascii_lowercase();
    (written == name && !written.chars().any(|c| c.is_ascii_lowercase()))
        || (v.starts_with('<') && v.ends_with('>'))
        || v.starts_with("your")
        || v.starts_with("replace")
        || v.starts_with("insert")
        || v.starts_with("xxx")
        || v.starts_with("changeit-")
        || matches!(
            v.as_str(),
            "yes" | "no" | "true" | "false" | "on" | "off" | "0" | "1" | "none" | "null" | "-"
        )
}

pub(crate) fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.iter().any(|p| NOT_SECRET.contains(p)) {
        return false;
    }
    // Whole words, and words run together (`DBPASSWORD`, `VAULTTOKEN`).
    parts.iter().any(|p| {
        SECRET_WORDS.contains(p)
            || ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY"]
                .iter()
                .any(|w| p.len() > w.len() && p.ends_with(w))
    }) || parts
        .windows(2)
        .any(|w| w[1] == "KEY" && KEY_KINDS.contains(&w[0]))
}

/// The kind of credential a value looks like, if any.
pub(crate) fn secret_value(v: &str) -> Option<&'static str> {
    let alnum_upper = |s: &str, n: usize| {
        s.len() >= n
            && s.chars()
                .take(n)
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    if (v.starts_with("AKIA") || v.starts_with("ASIA")) && alnum_upper(&v[4..], 16) {
        return Some("an AWS access key id");
    }
    if ["ghp_", "gho_", "ghs_", "ghu_", "github_pat_"]
        .iter()
        .any(|p| v.starts_with(p))
        && v.len() >= 36
    {
        return Some("a GitHub token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxs-"]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return Some("a Slack token");
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if v.starts_with("sk_live_") || v.starts_with("rk_live_") {
        return Some("a Stripe key");
    }
    None
}

/// The build argument a value is exactly a reference to (`$TOKEN`, `${TOKEN}`), when an `ARG`
/// in the same stage declares it before `ins` (a global `ARG` is not visible inside a stage
/// until the stage declares it again).
/// `declared`: the names of the `ARG`s of the stage before `ins`.
fn build_arg(declared: &HashSet<String>, value: &str) -> Option<String> {
    let inner = value.strip_prefix('$')?;
    let name = inner
        .strip_prefix('{')
        .and_then(|v| v.strip_suffix('}'))
        .map(|v| v.split([':', '-']).next().unwrap_or(v))
        .unwrap_or(inner);
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    declared.contains(name).then(|| name.to_string())
}

impl Check for SecretInEnv {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        // The `ARG`s declared so far in the stage of the instruction at hand.
        let mut declared: (Option<usize>, HashSet<String>) = (None, HashSet::new());
        for ins in df
            .instructions
            .iter()
            .filter(|i| i.keyword == "ENV" || i.keyword == "ARG")
        {
            if declared.0 != ins.stage {
                declared = (ins.stage, HashSet::new());
            }
            if ins.keyword == "ARG" && ins.stage.is_some() {
                // Seen by the instructions after this one.
                declared
                    .1
                    .extend(env_pairs(text, ins).into_iter().map(|(n, _, _)| n));
            }
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for (name, value, span) in env_pairs(text, ins) {
                if ins.keyword == "ENV" && secret_name(&name) {
                    if let Some(arg) = value.as_deref().and_then(|v| build_arg(&declared.1, v)) {
                        let message = format!(
                            "`ENV {name}` copies the build argument `{arg}` into the image configuration, where `docker inspect` shows it"
                        );
                        out.push(Finding::on(&Self::META, stage, span, message).within(ins.span));
                        continue;
                    }
                }
                let Some(value) = value.filter(|v| !v.is_empty() && !v.starts_with('$')) else {
                    continue;
                };
                let message = match secret_value(&value) {
                    Some(kind) => format!("`{} {name}` holds {kind}, readable by anyone who pulls the image", ins.keyword),
                    None if secret_name(&name) && !placeholder_value(&name, &value) => format!(
                        "`{} {name}` sets a secret in the image; use a build secret (`RUN --mount=type=secret`) or a runtime secret",
                        ins.keyword
                    ),
                    None => continue,
                };
                out.push(Finding::on(&Self::META, stage, span, message).within(ins.span));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "DB_PASSWORD",
            "API_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "api-key",
            "GITHUB_TOKEN",
            "MYSQL_ROOT_PASSWORD",
            "vaultpassword",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in [
            "GPG_KEY",
            "PASSWORD_FILE",
            "KEY_ID",
            "TOKEN_URL",
            "PUBLIC_KEY",
            "PWD",
            "KEYRING",
            "PASSWORD_MIN_LENGTH",
            "NODE_VERSION",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MYSQL_RANDOM_ROOT_PASSWORD",
        ] {
            assert!(!secret_name(n), "{n}");
        }
    }

    #[test]
    fn values() {
        assert_eq!(
            secret_value("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key id")
        );
        assert_eq!(
            secret_value("ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"),
            Some("a GitHub token")
        );
        assert_eq!(secret_value("AKIA-not-a-key"), None);
        assert_eq!(secret_value("3.12.4"), None);
    }
}
