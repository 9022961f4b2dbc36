//! Building the typed model from the parsed document, with error recovery.
//!
//! The fast path deserialises straight into [`Pipeline`]. Only when that fails does the JSON
//! Schema validator run, so every violation is reported at once; the offending keys are then
//! pruned and deserialisation retried, so defaults fill the gaps and the later stages can
//! still check the rest of the file.

use serde_json::Value;

use super::Pipeline;
use crate::diagnostic::Finding;
use crate::path::{KeyPath, Segment};
use crate::schema;

/// How many times a failed build is retried after pruning.
const MAX_RECOVERY_ROUNDS: usize = 64;

/// Deserialises a document into the model, reporting where it failed.
pub fn deserialize(document: &Value) -> Result<Pipeline, (KeyPath, String)> {
    serde_path_to_error::deserialize(document).map_err(|error| {
        let path = KeyPath::from(error.path());
        (path, error.into_inner().to_string())
    })
}

/// Builds the model; on failure returns every schema finding, and the model rebuilt from
/// what remains valid when that is possible.
pub fn build(document: &Value) -> (Option<Pipeline>, Vec<Finding>) {
    let first_error = match deserialize(document) {
        Ok(pipeline) => return (Some(pipeline), Vec::new()),
        Err(error) => error,
    };
    let mut findings = schema::validate(document);
    let mut pruned = document.clone();
    let mut removed: Vec<KeyPath> = Vec::new();
    for finding in &findings {
        if finding.code == "schema::required" {
            continue;
        }
        if let Some(path) = &finding.path
            && prune(&mut pruned, path)
        {
            removed.push(path.clone());
        }
    }
    let mut next = if findings.is_empty() {
        Err(first_error)
    } else {
        deserialize(&pruned)
    };
    for _ in 0..MAX_RECOVERY_ROUNDS {
        let (path, message) = match next {
            Ok(pipeline) => return (Some(pipeline), findings),
            Err(error) => error,
        };
        // A failure at (or above) something already reported is a consequence of it.
        let consequence = removed.iter().any(|r| r.starts_with(&path))
            || findings.iter().any(|f| f.path.as_ref() == Some(&path));
        if consequence {
            findings.push(skipped());
            return (None, findings);
        }
        findings.push(Finding::error("schema::invalid", path.clone(), message));
        if !prune(&mut pruned, &path) {
            findings.push(skipped());
            return (None, findings);
        }
        removed.push(path);
        next = deserialize(&pruned);
    }
    findings.push(skipped());
    (None, findings)
}

/// Appended when the model could not be built, so nobody mistakes silence for a pass.
fn skipped() -> Finding {
    Finding::new(
        "check::skipped",
        crate::diagnostic::Severity::Info,
        "consistency checks did not run: fix the errors above first",
    )
}

/// Removes the table member at `path`. Array elements are never removed, since that would
/// shift the indices (and so the spans) of the elements after them.
fn prune(document: &mut Value, path: &KeyPath) -> bool {
    let Some((Segment::Key(last), parents)) = path.segments().split_last() else {
        return false;
    };
    let mut node = document;
    for segment in parents {
        node = match (segment, node) {
            (Segment::Key(key), Value::Object(map)) => match map.get_mut(key) {
                Some(child) => child,
                None => return false,
            },
            (Segment::Index(index), Value::Array(items)) => match items.get_mut(*index) {
                Some(child) => child,
                None => return false,
            },
            _ => return false,
        };
    }
    match node {
        Value::Object(map) => map.remove(last).is_some(),
        _ => false,
    }
}
