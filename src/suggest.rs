//! "Did you mean …?": the closest known word to a typo, shared by configuration errors,
//! suppression comments and `rampart explain`.

/// The closest of `candidates` to `word`, if it is close enough to be a typo (case is ignored).
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_words_only() {
        let words = ["select", "ignore", "severity"];
        assert_eq!(did_you_mean("selet", words), Some("select"));
        assert_eq!(did_you_mean("IGNOR", words), Some("ignore"));
        assert_eq!(did_you_mean("kubernetes", words), None);
    }
}
