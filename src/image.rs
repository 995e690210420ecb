//! One image-reference parser for Kubernetes and Dockerfiles.
//!
//! Follows the reference grammar of the distribution project: the first path component is a
//! registry when it contains `.` or `:` or is `localhost`; a `:` after the last `/` starts a
//! tag; `@` starts a digest.

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    pub registry: Option<&'a str>,
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
    /// Byte range of the tag inside the reference text, when present.
    pub tag_range: Option<(usize, usize)>,
}

impl<'a> ImageRef<'a> {
    pub(crate) fn parse(reference: &'a str) -> ImageRef<'a> {
        let (name_tag, digest) = match reference.find('@') {
            Some(at) => (&reference[..at], Some(&reference[at + 1..])),
            None => (reference, None),
        };
        let last_slash = name_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag, tag_range) = match name_tag[last_slash..].find(':') {
            Some(colon) => {
                let c = last_slash + colon;
                (
                    &name_tag[..c],
                    Some(&name_tag[c + 1..]),
                    Some((c + 1, name_tag.len())),
                )
            }
            None => (name_tag, None, None),
        };
        let (registry, repository) = match name.find('/') {
            Some(slash) => {
                let first = &name[..slash];
                if first.contains('.') || first.contains(':') || first == "localhost" {
                    (Some(first), &name[slash + 1..])
                } else {
                    (None, name)
                }
            }
            None => (None, name),
        };
        ImageRef {
            registry,
            repository,
            tag,
            digest,
            tag_range,
        }
    }

    /// Is the text a literal reference, not a placeholder for one (`${IMAGE}`, `$(IMG)`,
    /// `<image>`, `{{ .Values.image }}`) that something else substitutes before deploy?
    pub(crate) fn is_literal(reference: &str) -> bool {
        !reference.is_empty()
            && !reference
                .chars()
                .any(|c| matches!(c, '$' | '{' | '}' | '<' | '>' | '(' | ')') || c.is_whitespace())
    }

    /// `registry/repository` as a registry sees it: Docker Hub is `docker.io`, and its
    /// official images live under `library/`.
    pub(crate) fn canonical_name(&self) -> String {
        match self.registry {
            Some(r) => format!("{r}/{}", self.repository),
            None if self.repository.contains('/') => format!("docker.io/{}", self.repository),
            None => format!("docker.io/library/{}", self.repository),
        }
    }

    /// ` (it is `docker.io/…`)` for references without a registry, where the registry is not
    /// obvious to the reader; empty otherwise.
    pub(crate) fn implicit_registry_note(&self) -> String {
        match self.registry {
            Some(_) => String::new(),
            None => format!(" (it is `{}`)", self.canonical_name()),
        }
    }

    /// Is the image on the allow-list? An entry names a registry (`ghcr.io`), or a registry
    /// and a path prefix (`ghcr.io/acme`, `docker.io/library`); `*` matches within one
    /// component (`*.dkr.ecr.*.amazonaws.com`). An empty list allows everything.
    pub(crate) fn allowed_by(&self, allowed: &[String]) -> bool {
        if allowed.is_empty() {
            return true;
        }
        let name = self.canonical_name();
        let parts: Vec<&str> = name.split('/').collect();
        allowed.iter().any(|entry| {
            let entry = entry.trim().trim_end_matches('/');
            let entry = match entry {
                "index.docker.io" | "registry-1.docker.io" | "hub.docker.com" => "docker.io",
                e => e,
            };
            let want: Vec<&str> = entry.split('/').collect();
            want.len() <= parts.len()
                && want
                    .iter()
                    .zip(&parts)
                    .all(|(w, p)| component_matches(w, &p.to_ascii_lowercase()))
        })
    }

    pub(crate) fn is_pinned(&self) -> bool {
        self.digest.is_some()
    }

    /// `:latest`, or no tag and no digest (which means latest).
    pub(crate) fn floats_to_latest(&self) -> bool {
        if self.digest.is_some() {
            return false;
        }
        match self.tag {
            None => true,
            Some(tag) => tag == "latest",
        }
    }
}

/// `*` matches any run of characters inside one path component.
fn component_matches(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    if pieces.is_empty() {
        return rest.is_empty();
    }
    for (i, piece) in pieces.iter().enumerate() {
        if i == pieces.len() - 1 {
            return rest.ends_with(piece);
        }
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_with_port_has_no_tag() {
        let r = ImageRef::parse("registry.local:5000/team/api");
        assert_eq!(r.registry, Some("registry.local:5000"));
        assert_eq!(r.repository, "team/api");
        assert_eq!(r.tag, None);
        assert!(r.floats_to_latest());
    }

    #[test]
    fn digest_is_pinned() {
        let r = ImageRef::parse("nginx@sha256:0123abcd");
        assert_eq!(r.repository, "nginx");
        assert_eq!(r.digest, Some("sha256:0123abcd"));
        assert!(r.is_pinned());
        assert!(!r.floats_to_latest());
    }

    #[test]
    fn tag_and_digest() {
        let r = ImageRef::parse("ghcr.io/org/app:1.2@sha256:ff");
        assert_eq!(r.registry, Some("ghcr.io"));
        assert_eq!(r.repository, "org/app");
        assert_eq!(r.tag, Some("1.2"));
        assert!(r.is_pinned());
    }

    #[test]
    fn placeholders_are_not_literal_references() {
        for p in [
            "${IMAGE}",
            "$IMAGE",
            "$(IMG)",
            "<image>",
            "{{ .Values.image }}",
            "",
        ] {
            assert!(!ImageRef::is_literal(p), "{p}");
        }
        assert!(ImageRef::is_literal(
            "registry.local:5000/team/api@sha256:ab"
        ));
    }

    #[test]
    fn docker_hub_paths() {
        let r = ImageRef::parse("library/nginx:latest");
        assert_eq!(r.registry, None);
        assert_eq!(r.repository, "library/nginx");
        assert!(r.floats_to_latest());
        assert_eq!(r.tag_range, Some((14, 20)));
        let r = ImageRef::parse("localhost/app:v1");
        assert_eq!(r.registry, Some("localhost"));
        assert!(!r.floats_to_latest());
    }

    #[test]
    fn allow_list_entries() {
        let list = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let hub = list(&["docker.io/library"]);
        assert!(ImageRef::parse("nginx:1.27").allowed_by(&hub));
        assert!(!ImageRef::parse("bitnami/nginx:1.27").allowed_by(&hub));
        assert!(ImageRef::parse("bitnami/nginx").allowed_by(&list(&["index.docker.io"])));
        let ghcr = list(&["ghcr.io/acme"]);
        assert!(ImageRef::parse("ghcr.io/acme/api:1").allowed_by(&ghcr));
        assert!(!ImageRef::parse("ghcr.io/acme-evil/api:1").allowed_by(&ghcr));
        assert!(!ImageRef::parse("ghcr.io/other/api:1").allowed_by(&ghcr));
        let ecr = list(&["*.dkr.ecr.*.amazonaws.com"]);
        assert!(
            ImageRef::parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1").allowed_by(&ecr)
        );
        assert!(!ImageRef::parse("evil.example.com/dkr.ecr.x.amazonaws.com/api").allowed_by(&ecr));
        assert!(
            !ImageRef::parse("123.dkr.ecr.eu-west-1.amazonaws.com.evil.io/api").allowed_by(&ecr)
        );
        assert!(ImageRef::parse("anything/at:all").allowed_by(&[]));
    }
}
