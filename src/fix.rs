//! Fixes: textual edits with an applicability, and applying them safely.

use crate::source::Span;

/// How much a fix can be trusted. Ordered: display-only < unsafe < safe.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// A person must supply a value (a tag, a digest, a key ARN); shown, never applied.
    DisplayOnly,
    /// Changes what gets deployed (hardening); applied only on request.
    Unsafe,
    /// Cannot change behaviour.
    Safe,
}

impl Applicability {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub(crate) fn replace(span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }
    pub(crate) fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(Span::empty(at), text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    /// Imperative: "Set `privileged: false`".
    pub title: String,
    /// Sorted, non-overlapping.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    pub(crate) fn new(
        title: impl Into<String>,
        applicability: Applicability,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        Fix {
            title: title.into(),
            edits,
            applicability,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub(crate) enum FixError {
    #[error("edits overlap at byte {0}")]
    Overlap(usize),
    #[error("edit at {0:?} is outside the text or splits a character")]
    OutOfRange(Span),
}

/// Apply edits (of one or several fixes) to a text. Edits must not overlap.
pub(crate) fn apply(text: &str, edits: &[&Edit]) -> Result<String, FixError> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.span.end > text.len()
            || !text.is_char_boundary(e.span.start)
            || !text.is_char_boundary(e.span.end)
            || e.span.start > e.span.end
        {
            return Err(FixError::OutOfRange(e.span));
        }
        if e.span.start < at {
            return Err(FixError::Overlap(e.span.start));
        }
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// Apply as many of `fixes` as possible: a fix that overlaps one already taken waits for the
/// next round (the caller re-lints and applies again). Returns the new text and how many fixes
/// were applied.
pub fn apply_non_overlapping(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|e| {
            taken.iter().any(|t| {
                e.span.start < t.span.end && t.span.start < e.span.end
                    || e.span == t.span
                    || (e.span.is_empty() || t.span.is_empty()) && e.span.start == t.span.start
            })
        });
        if !overlaps {
            taken.extend(fix.edits.iter());
            count += 1;
        }
    }
    match apply(text, &taken) {
        Ok(s) => (s, count),
        Err(_) => (text.to_string(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_sorted_edits() {
        let e1 = Edit::replace(Span::new(0, 1), "X");
        let e2 = Edit::insert(3, "!");
        assert_eq!(apply("abc", &[&e2, &e1]).unwrap(), "Xbc!");
    }

    #[test]
    fn refuses_overlap_and_bad_ranges() {
        let e1 = Edit::replace(Span::new(0, 2), "X");
        let e2 = Edit::replace(Span::new(1, 3), "Y");
        assert_eq!(apply("abc", &[&e1, &e2]), Err(FixError::Overlap(1)));
        let e3 = Edit::replace(Span::new(1, 2), "Y");
        assert!(apply("é", &[&e3]).is_err());
    }

    #[test]
    fn overlapping_fixes_wait_for_another_round() {
        let f1 = Fix::new(
            "a",
            Applicability::Safe,
            vec![Edit::replace(Span::new(0, 2), "X")],
        );
        let f2 = Fix::new(
            "b",
            Applicability::Safe,
            vec![Edit::replace(Span::new(1, 3), "Y")],
        );
        let (text, n) = apply_non_overlapping("abc", &[&f1, &f2]);
        assert_eq!((text.as_str(), n), ("Xc", 1));
    }
}
