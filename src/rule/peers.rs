//! The same check in other scanners: the IDs teams migrating from Checkov, Trivy, KICS,
//! kube-linter, hadolint, Polaris, kube-score or Kubescape know, how closely each matches the
//! rule, and which of a rule's findings carry each one.

/// How much of a peer's check a rule judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// The same property in the same scope: the peer flags what the rule flags.
    Exact,
    /// Exact where the condition holds; another rule covers the rest of the peer's check
    /// under its own condition.
    Split(&'static str),
    /// The checks overlap; the note says how they differ.
    Partial(&'static str),
}

impl Fit {
    pub fn as_str(self) -> &'static str {
        match self {
            Fit::Exact => "exact",
            Fit::Split(_) => "split",
            Fit::Partial(_) => "partial",
        }
    }

    /// The condition of a split or the difference of a partial match.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Fit::Exact => None,
            Fit::Split(n) | Fit::Partial(n) => Some(n),
        }
    }
}

/// One check of another scanner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer {
    /// The peer's ID as its users write it (`CKV_K8S_13`, `KSV-0018`, a KICS query name).
    pub id: &'static str,
    pub fit: Fit,
    /// The subject of the findings that carry the ID (`memory`, `SYS_ADMIN`, `liveness`), as a
    /// rule names it on a finding with `Finding::about`; empty: every finding of the rule.
    pub about: &'static str,
}

impl Peer {
    pub const fn exact(id: &'static str) -> Peer {
        Peer {
            id,
            fit: Fit::Exact,
            about: "",
        }
    }

    pub const fn split(id: &'static str, condition: &'static str) -> Peer {
        Peer {
            id,
            fit: Fit::Split(condition),
            about: "",
        }
    }

    pub const fn partial(id: &'static str, note: &'static str) -> Peer {
        Peer {
            id,
            fit: Fit::Partial(note),
            about: "",
        }
    }

    /// Only the findings about `subject` carry this ID.
    pub const fn about(self, subject: &'static str) -> Peer {
        Peer {
            about: subject,
            ..self
        }
    }

    /// Does a finding about `subjects` (`None`: not narrowed to any subject) carry this ID?
    pub fn applies_to(&self, subjects: Option<&[&str]>) -> bool {
        self.about.is_empty()
            || subjects.is_none_or(|s| s.iter().any(|s| s.eq_ignore_ascii_case(self.about)))
    }
}

/// IDs of the same check in other scanners.
#[derive(Clone, Copy, Debug, Default)]
pub struct Equivalents {
    pub checkov: &'static [Peer],
    pub trivy: &'static [Peer],
    pub kics: &'static [Peer],
    pub kube_linter: &'static [Peer],
    pub hadolint: &'static [Peer],
    pub polaris: &'static [Peer],
    pub kube_score: &'static [Peer],
    pub kubescape: &'static [Peer],
}

impl Equivalents {
    pub const NONE: Equivalents = Equivalents {
        checkov: &[],
        trivy: &[],
        kics: &[],
        kube_linter: &[],
        hadolint: &[],
        polaris: &[],
        kube_score: &[],
        kubescape: &[],
    };

    /// Each scanner (by the name its users know) with its checks, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static [Peer])> {
        [
            ("checkov", self.checkov),
            ("trivy", self.trivy),
            ("kics", self.kics),
            ("kube-linter", self.kube_linter),
            ("hadolint", self.hadolint),
            ("polaris", self.polaris),
            ("kube-score", self.kube_score),
            ("kubescape", self.kubescape),
        ]
        .into_iter()
    }

    /// Every (scanner, peer) pair.
    pub fn peers(&self) -> impl Iterator<Item = (&'static str, &'static Peer)> {
        self.iter()
            .flat_map(|(scanner, peers)| peers.iter().map(move |p| (scanner, p)))
    }

    /// Is `id` (any case) one of these checks?
    pub fn has(&self, id: &str) -> bool {
        self.peers()
            .any(|(_, p)| p.id.eq_ignore_ascii_case(id.trim()))
    }

    pub fn is_empty(&self) -> bool {
        self.peers().next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_narrows_which_findings_carry_an_id() {
        let memory = Peer::exact("CKV_K8S_13").about("memory");
        let any = Peer::partial("C-0004", "requests too");
        assert!(memory.applies_to(Some(&["memory"])));
        assert!(!memory.applies_to(Some(&["cpu"])));
        assert!(!memory.applies_to(Some(&[])));
        assert!(
            memory.applies_to(None),
            "a finding not narrowed carries every ID"
        );
        assert!(any.applies_to(Some(&["cpu"])));
        assert_eq!(any.fit.note(), Some("requests too"));
        assert_eq!(Fit::Exact.note(), None);
    }

    #[test]
    fn ids_are_found_in_any_case() {
        const E: Equivalents = Equivalents {
            checkov: &[Peer::exact("CKV_K8S_16")],
            kics: &[Peer::exact("Container Is Privileged")],
            ..Equivalents::NONE
        };
        assert!(E.has("ckv_k8s_16"));
        assert!(E.has("container is privileged"));
        assert!(!E.has("CKV_K8S_1"));
        assert_eq!(E.peers().count(), 2);
        assert!(Equivalents::NONE.is_empty());
    }
}
