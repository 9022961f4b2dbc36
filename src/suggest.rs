//! "Did you mean …?" suggestions.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_near_misses_only() {
        let keys = ["broker_count", "instance_type", "version"];
        assert_eq!(super::closest("broker_cont", keys), Some("broker_count"));
        assert_eq!(super::closest("instanse_type", keys), Some("instance_type"));
        assert_eq!(super::closest("zzz", keys), None);
    }
}
