//! Key paths: where in the pipeline file a value lives.
//!
//! A finding names its location as a [`KeyPath`]; the loader's span index maps the path's JSON
//! Pointer form back to byte ranges in the file.

use std::fmt;

use serde::{Serialize, Serializer};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A path from the document root to a value, e.g. `kafka.topics[2].partitions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyPath(Vec<Segment>);

impl KeyPath {
    /// The document root.
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }

    /// Parses a dotted path such as `kafka.topics[2].name` (keys may be quoted).
    pub fn parse_dotted(text: &str) -> Option<Self> {
        let mut segments = Vec::new();
        let mut rest = text.trim();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                let end = after.find(']')?;
                segments.push(Segment::Index(after[..end].trim().parse().ok()?));
                rest = &after[end + 1..];
            } else if let Some(after) = rest.strip_prefix('"') {
                let end = after.find('"')?;
                segments.push(Segment::Key(after[..end].to_owned()));
                rest = &after[end + 1..];
            } else {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                if end == 0 {
                    return None;
                }
                segments.push(Segment::Key(rest[..end].to_owned()));
                rest = &rest[end..];
            }
            rest = rest.strip_prefix('.').unwrap_or(rest);
        }
        Some(KeyPath(segments))
    }

    /// This path extended by a key.
    pub fn key(&self, key: impl Into<String>) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.into()));
        KeyPath(segments)
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        KeyPath(segments)
    }

    /// Descends into `segment` in place (for walkers that return with [`KeyPath::pop`]).
    pub fn push(&mut self, segment: Segment) {
        self.0.push(segment);
    }

    /// This path followed by `rest`.
    pub fn join(&self, rest: &KeyPath) -> Self {
        let mut joined = self.clone();
        for segment in rest.segments() {
            joined.push(segment.clone());
        }
        joined
    }

    /// Goes back up one level in place.
    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// The segments, root first.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The path without its last segment (the root stays the root).
    pub fn parent(&self) -> Self {
        let mut segments = self.0.clone();
        segments.pop();
        KeyPath(segments)
    }

    /// Whether `self` equals `other` or lies below it.
    pub fn starts_with(&self, other: &KeyPath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// The RFC 6901 JSON Pointer of the path, as JSON Schema validators report it.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for segment in &self.0 {
            match segment {
                Segment::Key(key) => push_pointer_key(&mut out, key),
                Segment::Index(index) => push_pointer_index(&mut out, *index),
            }
        }
        out
    }

    /// Parses a JSON Pointer; numeric segments become indices.
    pub fn from_pointer(pointer: &str) -> Self {
        let segments = pointer
            .split('/')
            .skip(1)
            .map(|raw| match raw.parse::<usize>() {
                Ok(index) if !raw.starts_with('+') => Segment::Index(index),
                _ => Segment::Key(raw.replace("~1", "/").replace("~0", "~")),
            })
            .collect();
        KeyPath(segments)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let bare = !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                    if bare {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{key:?}")?;
                    }
                }
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for KeyPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl From<&serde_path_to_error::Path> for KeyPath {
    fn from(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment as S;
        let segments = path
            .iter()
            .filter_map(|segment| match segment {
                S::Seq { index } => Some(Segment::Index(*index)),
                S::Map { key } => Some(Segment::Key(key.clone())),
                S::Enum { .. } | S::Unknown => None,
            })
            .collect();
        KeyPath(segments)
    }
}

/// Appends `/key` to a JSON Pointer, escaping `~` and `/`.
pub fn push_pointer_key(pointer: &mut String, key: &str) {
    pointer.push('/');
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Appends `/index` to a JSON Pointer.
pub fn push_pointer_index(pointer: &mut String, index: usize) {
    use std::fmt::Write;
    write!(pointer, "/{index}").expect("writing to a String cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_pointer_and_parse_round_trip() {
        let path = KeyPath::root()
            .key("spark")
            .key("conf")
            .key("spark.yarn/x~")
            .index(3);
        assert_eq!(path.to_string(), r#"spark.conf."spark.yarn/x~"[3]"#);
        assert_eq!(path.pointer(), "/spark/conf/spark.yarn~1x~0/3");
        assert_eq!(KeyPath::from_pointer(&path.pointer()), path);
        assert_eq!(KeyPath::parse_dotted(&path.to_string()), Some(path));
        assert_eq!(
            KeyPath::parse_dotted("kafka.topics[2]"),
            Some(KeyPath::root().key("kafka").key("topics").index(2))
        );
        assert_eq!(KeyPath::parse_dotted("a..b"), None);
    }
}
