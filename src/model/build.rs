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

/// What recovery set aside to build the model: the pruned keys and array elements, in
/// original-document coordinates, and the element removals needed to map the pruned
/// document's indices back.
#[derive(Debug, Default, Clone)]
pub struct SetAside {
    /// Keys and elements left out of the model (paths in the original document).
    pub removed: Vec<KeyPath>,
    /// Array elements removed, in order: (array path in the pruned document then, index).
    removals: Vec<(KeyPath, usize)>,
    /// The `name` of each element set aside: what other entries refer to it by.
    pub names: Vec<String>,
}

impl SetAside {
    /// `path` (a path in the pruned document the model was built from) in the original
    /// document: indices after removed elements move back up.
    pub fn original(&self, path: &KeyPath) -> KeyPath {
        let mut segments = path.segments().to_vec();
        for (array, index) in self.removals.iter().rev() {
            let depth = array.segments().len();
            if segments.len() > depth
                && segments[..depth] == *array.segments()
                && let Segment::Index(i) = &mut segments[depth]
                && *i >= *index
            {
                *i += 1;
            }
        }
        let mut original = KeyPath::root();
        for segment in segments {
            original.push(segment);
        }
        original
    }

    /// Whether a finding at `path` (original coordinates) is about a value that was set aside.
    pub fn covers(&self, path: &KeyPath) -> bool {
        self.removed.iter().any(|r| path.starts_with(r))
    }

    /// Whether `finding` (in original coordinates) only follows from what was set aside: it
    /// is about a set-aside value, points to one as its cause, or names a set-aside element
    /// (a table whose source topic was set aside is not "missing" a topic).
    pub fn explains(&self, finding: &Finding) -> bool {
        finding.path.as_ref().is_some_and(|p| self.covers(p))
            || finding.related.iter().any(|r| self.covers(&r.path))
            || self
                .names
                .iter()
                .any(|name| finding.message.contains(&format!("`{name}`")))
    }
}

/// Builds the model; on failure returns every schema finding, and the model rebuilt from
/// what remains valid when that is possible: a bad key is removed (its default applies); a
/// table member or array element that still cannot be read is set aside whole, so one typo
/// in `[budget]` or in one topic leaves the rest of the file checked.
pub fn build(document: &Value) -> (Option<Pipeline>, Vec<Finding>) {
    let (model, findings, _) = build_setting_aside(document);
    (model, findings)
}

/// [`build`], with what was set aside.
pub fn build_setting_aside(document: &Value) -> (Option<Pipeline>, Vec<Finding>, SetAside) {
    let mut aside = SetAside::default();
    let first_error = match deserialize(document) {
        Ok(pipeline) => return (Some(pipeline), Vec::new(), aside),
        Err(error) => error,
    };
    let mut findings = schema::validate(document);
    let mut pruned = document.clone();
    for finding in &findings {
        if finding.code.is(&crate::schema::REQUIRED) {
            continue;
        }
        if let Some(path) = &finding.path
            && prune(&mut pruned, path)
        {
            aside.removed.push(path.clone());
        }
    }
    let mut next = if findings.is_empty() {
        Err(first_error)
    } else {
        deserialize(&pruned)
    };
    for _ in 0..MAX_RECOVERY_ROUNDS {
        let (path, message) = match next {
            Ok(pipeline) => return (Some(pipeline), findings, aside),
            Err(error) => error,
        };
        let original = aside.original(&path);
        // A failure at (or above) something already reported is a consequence of it: the
        // table member or element that holds it is set aside whole.
        let consequence = aside.removed.iter().any(|r| r.starts_with(&original))
            || findings.iter().any(|f| f.path.as_ref() == Some(&original));
        if !consequence {
            findings.push(Finding::error(
                &crate::schema::INVALID,
                original.clone(),
                message,
            ));
        }
        let removed = match path.segments().last() {
            Some(Segment::Index(index)) => {
                let array = path.parent();
                let name = pruned.pointer(&path.pointer()).and_then(|e| e.get("name"));
                aside
                    .names
                    .extend(name.and_then(Value::as_str).map(str::to_owned));
                let removed = remove_element(&mut pruned, &array, *index);
                if removed {
                    aside.removals.push((array, *index));
                }
                removed
            }
            _ => prune(&mut pruned, &path),
        };
        if !removed {
            findings.push(skipped());
            return (None, findings, aside);
        }
        aside.removed.push(original);
        next = deserialize(&pruned);
    }
    findings.push(skipped());
    (None, findings, aside)
}

/// Removes element `index` of the array at `array`.
fn remove_element(document: &mut Value, array: &KeyPath, index: usize) -> bool {
    match document.pointer_mut(&array.pointer()) {
        Some(Value::Array(items)) if index < items.len() => {
            items.remove(index);
            true
        }
        _ => false,
    }
}

/// Appended when the model could not be built, so nobody mistakes silence for a pass.
fn skipped() -> Finding {
    Finding::new(
        &crate::schema::SKIPPED,
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
