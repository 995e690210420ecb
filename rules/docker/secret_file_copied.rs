use super::super::helpers::stage_of;
use super::add_instead_of_copy::sources;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, Peer, Severity};

crate::declare_rule! {
    /// ## What it flags
    /// `COPY` or `ADD` of a file that holds credentials into a stage whose layers end up in
    /// the final image: `.env` files, SSH private keys (`id_rsa`, `id_ed25519`…, or a whole
    /// `.ssh` directory), private keys and keystores (`*.pem`, `*.key`, `*.p12`, `*.pfx`),
    /// and tool credential files (`.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`,
    /// `.aws/credentials`, `.docker/config.json`, kubeconfigs, `.htpasswd`).
    ///
    /// Example and template files (`.env.example`, `.env.sample`), public keys (`*.pub`) and
    /// certificates (`cert.pem`, `ca.pem`, `fullchain.pem`) are not flagged, nor are keys under
    /// a `test`, `tests`, `testdata`, `fixtures` or `e2e` directory (test keys for test
    /// images, public in the repository anyway). Neither are
    /// copies into build stages that the final image does not inherit from: only files
    /// copied out of them with `COPY --from` reach the image.
    ///
    /// No established scanner checks this: their Dockerfile rules look only at `ENV` and `ARG`.
    ///
    /// ## Why it matters
    /// Every layer of an image is readable by anyone who can pull it. A key copied in and
    /// deleted by a later `RUN rm` is still in the earlier layer, and `docker save` or any
    /// registry client extracts it.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY .npmrc /root/.npmrc
    /// RUN npm ci && rm /root/.npmrc
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    /// built with `docker build --secret id=npmrc,src=$HOME/.npmrc .`: the file is mounted for
    /// that one step and never written to a layer. Runtime secrets come from the orchestrator.
    ///
    /// ## References
    /// - https://docs.docker.com/build/building/secrets/
    /// - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    pub struct SecretFileCopied {
        code: "DOCKER-013",
        name: "secret-file-copied",
        title: "Credentials file copied into the image",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "secrets"],
        severity: Severity::High,
        equivalents: Equivalents {
            trivy: &[Peer::partial("DS-0031", "also flags secrets in ENV and ARG, which secret-in-env reports")],
            ..Equivalents::NONE
        },
        compliance: &["CWE-538", "CIS Docker Benchmark 4.10", "MITRE ATT&CK T1552.001"],
        references: &["https://docs.docker.com/build/building/secrets/"],
    }
}

/// What the file is, when its path names a credentials file.
pub(crate) fn secret_kind(path: &str) -> Option<&'static str> {
    let path = path.trim_end_matches('/').replace('\\', "/");
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let test_data = lower.split('/').any(|c| {
        matches!(
            c,
            "test" | "tests" | "testdata" | "testing" | "fixture" | "fixtures" | "e2e"
        )
    });
    if test_data {
        return None;
    }
    let ends = |suffix: &str| lower == suffix.trim_start_matches('/') || lower.ends_with(suffix);
    if name == ".env"
        || (name.starts_with(".env.")
            && ![
                "example", "sample", "template", "dist", "defaults", "tpl", "schema",
            ]
            .iter()
            .any(|s| name.ends_with(s)))
    {
        return Some("an environment file");
    }
    if matches!(name, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519") || name == ".ssh" {
        return Some("an SSH private key");
    }
    let public = [
        "cert", "chain", "ca.", "ca-", "ca_", "-ca", "_ca", "bundle", "pub", "trust",
    ]
    .iter()
    .any(|p| name.contains(p))
        || name == "ca.pem";
    if (name.ends_with(".pem") || name.ends_with(".key")) && !public {
        return Some("a private key");
    }
    if (name.ends_with(".p12") || name.ends_with(".pfx")) && !public {
        return Some("a key store");
    }
    if matches!(
        name,
        ".npmrc" | ".pypirc" | ".netrc" | ".git-credentials" | ".htpasswd"
    ) || ends("/.aws/credentials")
        || ends("/.docker/config.json")
        || ends("/.kube/config")
        || name == "kubeconfig"
        || name == "credentials.json"
    {
        return Some("a credentials file");
    }
    None
}

impl Check for SecretFileCopied {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        let shipped = df.shipped_stages();
        for ins in df
            .instructions
            .iter()
            .filter(|i| matches!(i.keyword.as_str(), "COPY" | "ADD"))
        {
            if !ins.stage.is_some_and(|s| shipped[s])
                || text[ins.args_span.start..ins.args_span.end].starts_with("<<")
            {
                continue;
            }
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for (src, span) in sources(text, ins) {
                let Some(kind) = secret_kind(&src) else {
                    continue;
                };
                out.push(
                    Finding::on(
                        &Self::META,
                        stage,
                        span,
                        format!(
                            "`{}` copies {kind} (`{src}`) into a layer of the image",
                            ins.keyword
                        ),
                    )
                    .within(ins.span),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::secret_kind;

    #[test]
    fn kinds() {
        for p in [
            ".env",
            "./.env.production",
            "deploy/id_rsa",
            "certs/server.key",
            "tls.pem",
            ".npmrc",
            "home/.aws/credentials",
            ".docker/config.json",
            "/root/.ssh/",
            "kubeconfig",
            "store.p12",
        ] {
            assert!(secret_kind(p).is_some(), "{p}");
        }
        for p in [
            ".env.example",
            ".env.sample",
            "id_rsa.pub",
            "cert.pem",
            "ca.pem",
            "fullchain.pem",
            "ca-bundle.crt",
            "environment.yml",
            "src/",
            "package.json",
            "key.pub",
            ".envrc",
        ] {
            assert!(secret_kind(p).is_none(), "{p}");
        }
    }
}
