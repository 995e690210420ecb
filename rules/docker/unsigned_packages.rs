use super::super::helpers::{remove_word, stage_of};
use crate::fix::{Applicability, Fix};
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::shell::basename;

crate::declare_rule! {
    /// ## What it flags
    /// Package installs with signature checks switched off: `apt-get --allow-unauthenticated`
    /// or `--force-yes`, `apk --allow-untrusted`, `yum`/`dnf`/`microdnf`/`tdnf --nogpgcheck`,
    /// `zypper --no-gpg-checks`, `rpm --nosignature`/`--nodigest`. The finding points at the flag.
    /// Installing only local package files (`apk add --allow-untrusted /tmp/pkgs/x.apk`, built
    /// by an earlier stage) is not flagged: nothing comes over the network.
    ///
    /// ## Why it matters
    /// Package signatures are what tie a package to its distribution. Without them a mirror, a
    /// proxy or anyone on the network path can substitute packages, and the build installs
    /// them as root.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get install -y --allow-unauthenticated curl
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    /// and import the repository's signing key if a third-party repository is needed.
    ///
    /// ## Fix safety
    /// Unsafe: without the flag an install from an unsigned repository fails until its key is
    /// trusted.
    ///
    /// ## References
    /// - https://wiki.debian.org/SecureApt
    /// - CWE-494: Download of Code Without Integrity Check
    pub struct UnsignedPackages {
        code: "DOCKER-012",
        name: "unsigned-packages",
        title: "Package signature checks switched off",
        domain: Domain::Dockerfile,
        tags: &["dockerfile", "supply-chain", "packages"],
        severity: Severity::High,
        fix: FixAvailability::Always,
        equivalents: Equivalents {
            checkov: &[Peer::exact("CKV2_DOCKER_7"), Peer::exact("CKV2_DOCKER_8"), Peer::exact("CKV2_DOCKER_9"), Peer::exact("CKV2_DOCKER_10"), Peer::exact("CKV2_DOCKER_11")],
            ..Equivalents::NONE
        },
        compliance: &["CWE-494", "MITRE ATT&CK T1195"],
        references: &["https://wiki.debian.org/SecureApt"],
    }
}

/// (package managers, flags that switch signature checks off)
const UNSIGNED: &[(&[&str], &[&str])] = &[
    (
        &["apt-get", "apt", "aptitude"],
        &[
            "--allow-unauthenticated",
            "--force-yes",
            "--allow-insecure-repositories",
        ],
    ),
    (&["apk"], &["--allow-untrusted"]),
    (&["yum", "dnf", "microdnf", "tdnf"], &["--nogpgcheck"]),
    (&["zypper"], &["--no-gpg-checks"]),
    (&["rpm"], &["--nosignature", "--nodigest"]),
];

/// Are all the packages the command installs local files (from the build context or an
/// earlier stage)?
fn only_local_packages(cmd: &crate::shell::Command) -> bool {
    let packages: Vec<&str> = cmd
        .args()
        .iter()
        .map(|w| w.text.as_str())
        .filter(|a| !a.starts_with('-') && !matches!(*a, "add" | "install" | "localinstall"))
        .collect();
    !packages.is_empty()
        && packages.iter().all(|p| {
            !p.contains("://")
                && (p.starts_with('/') || p.starts_with("./"))
                && (p.ends_with(".apk")
                    || p.ends_with(".rpm")
                    || p.ends_with(".deb")
                    || p.ends_with('*'))
        })
}

impl Check for UnsignedPackages {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(df) = cx.dockerfile else { return };
        let text = cx.text(0);
        for (i, script) in cx.scripts {
            let ins = &df.instructions[*i];
            let Some(stage) = stage_of(cx, ins) else {
                continue;
            };
            for cmd in &script.commands {
                let Some(program) = cmd.program() else {
                    continue;
                };
                let name = basename(&program.text);
                let Some((_, flags)) = UNSIGNED.iter().find(|(tools, _)| tools.contains(&name))
                else {
                    continue;
                };
                if only_local_packages(cmd) {
                    continue;
                }
                for word in cmd
                    .args()
                    .iter()
                    .filter(|w| flags.contains(&w.text.as_str()))
                {
                    let fix = Fix::new(
                        format!(
                            "Remove `{}` (trust the repository's signing key instead)",
                            word.text
                        ),
                        Applicability::Unsafe,
                        vec![remove_word(text, word.span)],
                    );
                    out.push(
                        Finding::on(
                            &Self::META,
                            stage,
                            word.span,
                            format!(
                                "`{name} {}` installs packages without checking their signatures",
                                word.text
                            ),
                        )
                        .within(ins.span)
                        .with_fix(Some(fix)),
                    );
                }
            }
        }
    }
}
