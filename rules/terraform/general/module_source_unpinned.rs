use crate::model::Node;
use crate::rule::{Check, Context, Domain, Equivalents, Finding, FixAvailability, Peer, Severity};
use crate::terraform::NOT_INSTANTIATED;

crate::declare_rule! {
    /// ## What it flags
    /// A `module` call whose code can change under the same configuration: a registry module
    /// (`namespace/name/provider`) without `version`, or a Git source (`git::…`, `github.com/…`,
    /// `git@…`, `bitbucket.org/…`) without `?ref=`, or with a `ref` that names a branch rather
    /// than a release tag (`v1.2.3`) or a commit hash. Calls with `count = 0` are included:
    /// `terraform init` fetches them all the same. Local paths and archives fetched by URL are
    /// not flagged; a source held in a variable is never guessed.
    ///
    /// ## Why it matters
    /// `terraform init` then fetches whatever the registry's latest release or the branch holds
    /// that day: a compromised or careless upstream change reaches the next apply unreviewed, and
    /// two runs of the same commit can build different infrastructure. A commit hash is the
    /// strictest pin; a release tag is what most teams review against.
    ///
    /// ## Example
    /// ```hcl
    /// module "vpc" {
    ///   source = "git::https://github.com/example-org/terraform-vpc.git?ref=main"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// module "vpc" {
    ///   source = "git::https://github.com/example-org/terraform-vpc.git?ref=v5.1.0"
    /// }
    /// ```
    ///
    ///
    /// ## References
    /// - https://developer.hashicorp.com/terraform/language/modules/sources
    /// - https://developer.hashicorp.com/terraform/language/modules/syntax#version
    pub struct ModuleSourceUnpinned {
        code: "TF-GEN-001",
        name: "module-source-unpinned",
        title: "Module source is not pinned to a version",
        domain: Domain::Terraform,
        tags: &["terraform", "supply-chain"],
        severity: Severity::Low,
        fix: FixAvailability::None,
        equivalents: Equivalents {
            checkov: &[Peer::partial("CKV_TF_1", "requires a commit hash for Git sources; a release tag passes here"), Peer::partial("CKV_TF_2", "requires a version tag for Git sources; this rule checks registry modules too")],
            ..Equivalents::NONE
        },
        compliance: &["NIST 800-53 CM-2", "NIST 800-53 SR-11"],
        references: &["https://developer.hashicorp.com/terraform/language/modules/sources", "https://developer.hashicorp.com/terraform/language/modules/syntax#version"],
    }
}

/// What is wrong with a module source, if anything.
fn unpinned(source: &str, version: Option<&Node>) -> Option<String> {
    if source.starts_with("./") || source.starts_with("../") || source.starts_with('/') {
        return None;
    }
    let git = source.starts_with("git::")
        || source.starts_with("git@")
        || source.starts_with("github.com/")
        || source.starts_with("bitbucket.org/")
        || source.split(['?', '/']).any(|part| part.ends_with(".git"));
    if git {
        let reference = source
            .split_once('?')
            .map(|(_, query)| query)
            .and_then(|query| query.split('&').find_map(|kv| kv.strip_prefix("ref=")));
        return match reference {
            None => Some("follows the repository's default branch (no `?ref=`)".to_string()),
            Some(r) if is_commit(r) || is_release(r) => None,
            Some(r) => Some(format!(
                "follows the branch `{r}` (`?ref=` names no release tag or commit)"
            )),
        };
    }
    if source.contains("::") || source.contains("://") {
        return None; // archives and buckets: pinned by their URL
    }
    // `namespace/name/provider`, optionally after a registry host.
    let parts = source
        .split("//")
        .next()
        .unwrap_or(source)
        .split('/')
        .count();
    if (parts == 3 || parts == 4) && version.is_none() {
        return Some(
            "is a registry module without `version`: `terraform init` takes the latest release"
                .to_string(),
        );
    }
    None
}

fn is_commit(r: &str) -> bool {
    r.len() >= 7 && r.len() <= 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `v1.2.3`, `1.2`, `release-1.4.0`, `module-v2.0.1`: a tag naming a version.
fn is_release(r: &str) -> bool {
    let at = r.find(|c: char| c.is_ascii_digit());
    at.is_some_and(|i| {
        let rest = &r[i..];
        rest.contains('.')
            && rest
                .split(['.', '-', '+'])
                .next()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl Check for ModuleSourceUnpinned {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for r in cx.resources {
            let call = matches!(r.tf_type(), Some(("module", t)) if t == "module" || t == NOT_INSTANTIATED);
            if !call || r.provenance.is_some() {
                continue;
            }
            let Some(source) = r.body.get("source") else {
                continue;
            };
            let Some(text) = source.as_str() else {
                continue;
            };
            if let Some(why) = unpinned(text, r.body.get("version")) {
                out.push(
                    Finding::on(&Self::META, r, source.span, format!("{} {why}", r.name))
                        .with_origin(source, r.file, "the source"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unpinned;
    use crate::model::{Node, Value};
    use crate::source::Span;

    #[test]
    fn sources() {
        let v = Node::new(Value::String("5.1.0".into()), Span::default());
        for pinned in [
            "./modules/vpc",
            "../shared",
            "git::https://example.com/vpc.git?ref=v1.2.0",
            "git::https://example.com/vpc.git//modules/a?ref=0123456789abcdef0123456789abcdef01234567",
            "github.com/org/repo?ref=release-2.3.1",
            "https://example.com/vpc-module.zip",
            "s3::https://s3-eu-west-1.amazonaws.com/bucket/vpc.zip",
        ] {
            assert_eq!(unpinned(pinned, None), None, "{pinned}");
        }
        assert_eq!(unpinned("terraform-aws-modules/vpc/aws", Some(&v)), None);
        for loose in [
            "terraform-aws-modules/vpc/aws",
            "app.terraform.io/org/vpc/aws",
            "git::https://example.com/vpc.git",
            "git@github.com:org/repo.git",
            "github.com/org/repo?ref=main",
            "git::https://example.com/vpc.git?ref=develop",
        ] {
            assert!(unpinned(loose, None).is_some(), "{loose}");
        }
    }
}
