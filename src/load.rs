//! Stage 1: read a pipeline file and parse it as TOML, keeping the span of every key and value.
//!
//! The result is the document as a JSON value (what the JSON Schema and the typed model read)
//! plus a [`SpanIndex`] from each value's JSON Pointer to its key and value ranges in the file.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde_json::{Map, Value};
use toml_edit::{Item, Table};

use crate::diagnostic::{Finding, Severity};
use crate::path::KeyPath;

use crate::code::{Builtin, ERROR, Stage};

/// `load::io`: The file can be read.
pub static IO: Builtin = Builtin {
    id: "load::io",
    stage: Stage::Load,
    title: "The file can be read",
    severities: ERROR,
    why: "pipegen cannot check what it cannot read: the run stops with exit 2",
    fix: "Check the path and its permissions; name a file, a folder of pipelines, or `-` for standard input.",
    example: None,
};

/// `load::too-large`: The file is at most 4 MiB.
pub static TOO_LARGE: Builtin = Builtin {
    id: "load::too-large",
    stage: Stage::Load,
    title: "The file is at most 4 MiB",
    severities: ERROR,
    why: "a larger file is certainly not a pipeline written by hand, and reading it whole would cost memory for nothing",
    fix: "Check that the path names the pipeline file; split generated content out of it.",
    example: None,
};

/// `load::utf8`: The file is UTF-8 text.
pub static UTF8: Builtin = Builtin {
    id: "load::utf8",
    stage: Stage::Load,
    title: "The file is UTF-8 text",
    severities: ERROR,
    why: "TOML is UTF-8 by definition: another encoding cannot be parsed",
    fix: "Convert the file to UTF-8 (`iconv -f LATIN1 -t UTF-8`).",
    example: None,
};

/// `load::syntax`: The file is valid TOML.
pub static SYNTAX: Builtin = Builtin {
    id: "load::syntax",
    stage: Stage::Load,
    title: "The file is valid TOML",
    severities: ERROR,
    why: "nothing can be checked in a file that does not parse",
    fix: "Fix the TOML syntax at the location shown (an unclosed string, a duplicate key, a missing `=`).",
    example: None,
};

/// `load::env`: The selected environment overlay exists and is a table.
pub static ENV: Builtin = Builtin {
    id: "load::env",
    stage: Stage::Load,
    title: "The selected environment overlay exists and is a table",
    severities: &[Severity::Info, Severity::Error],
    why: "an overlay that is not a table cannot be merged; a missing one means the file is checked as written (a note)",
    fix: "Select an environment the file defines under `[env.NAME]`, or add that overlay.",
    example: None,
};

/// `load::env-name`: Overlay names are environments pipegen knows.
pub static ENV_NAME: Builtin = Builtin {
    id: "load::env-name",
    stage: Stage::Load,
    title: "Overlay names are environments pipegen knows",
    severities: &[Severity::Warning],
    why: "an overlay named `prd` is never selected by `--env prod`: its settings silently never apply",
    fix: "Rename the overlay to one of dev, staging or prod.",
    example: None,
};

/// The codes this stage reports.
pub const CODES: &[&Builtin] = &[&IO, &TOO_LARGE, &UTF8, &SYNTAX, &ENV, &ENV_NAME];

/// The largest pipeline file pipegen reads. A real pipeline is a few kilobytes; ten thousand
/// topics and tables fit in about two megabytes.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A parsed pipeline file.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The document as JSON (TOML dates become `YYYY-MM-DD` strings; NaN and infinities null).
    pub value: Value,
    /// Where each key and value is in the text.
    pub spans: SpanIndex,
}

/// The ranges of one key/value pair.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    /// The key's range (absent for array elements and the root).
    pub key: Option<Range<usize>>,
    /// The value's range (for a table, its header).
    pub value: Option<Range<usize>>,
}

/// JSON Pointer → spans.
#[derive(Debug, Clone, Default)]
pub struct SpanIndex(HashMap<String, Spans>);

impl SpanIndex {
    fn insert(&mut self, pointer: String, key: Option<Range<usize>>, value: Option<Range<usize>>) {
        self.0.insert(pointer, Spans { key, value });
    }

    /// The best range for a finding at `path`: the key when `at_key` (and a key exists), the
    /// value otherwise; a path with no span of its own (a missing value, an implicit table)
    /// falls back to its nearest ancestor's key. A path whose top-level table is missing has
    /// no place in the file (`None`): it is a file-level finding, not one about the first
    /// table.
    pub fn locate(&self, path: &KeyPath, at_key: bool) -> Option<Range<usize>> {
        let mut current = path.clone();
        let mut exact = true;
        loop {
            if current.segments().is_empty() && !exact {
                return None;
            }
            if let Some(spans) = self.0.get(&current.pointer()) {
                let preferred = if at_key || !exact {
                    spans.key.clone().or_else(|| spans.value.clone())
                } else {
                    spans.value.clone().or_else(|| spans.key.clone())
                };
                if preferred.is_some() {
                    return preferred;
                }
            }
            if current.segments().is_empty() {
                return None;
            }
            current = current.parent();
            exact = false;
        }
    }
}

/// Why a file could not be used at all (exit code 2).
pub fn unusable(
    code: &'static Builtin,
    message: String,
    span: Option<Range<usize>>,
) -> Box<Finding> {
    Box::new(Finding::new(code, Severity::Error, message).with_span(span))
}

/// Reads a file as UTF-8 text, refusing directories, huge files and invalid UTF-8.
pub fn read(path: &Path) -> Result<String, Box<Finding>> {
    let shown = path.display();
    let metadata = std::fs::metadata(path).map_err(|e| {
        unusable(
            &IO,
            format!("cannot read `{shown}`: {}", io_reason(&e)),
            None,
        )
    })?;
    if metadata.is_dir() {
        return Err(unusable(
            &IO,
            format!("`{shown}` is a directory, not a pipeline file"),
            None,
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(unusable(
            &TOO_LARGE,
            format!(
                "`{shown}` is {:.1} MiB; a pipeline file may be at most {} MiB",
                metadata.len() as f64 / (1024.0 * 1024.0),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            None,
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        unusable(
            &IO,
            format!("cannot read `{shown}`: {}", io_reason(&e)),
            None,
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        unusable(
            &UTF8,
            format!("`{shown}` is not UTF-8 text (invalid byte at offset {at})"),
            None,
        )
    })
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

/// Parses TOML text into JSON plus spans. A syntax error is a finding with the error's span.
pub fn parse(text: &str) -> Result<Loaded, Box<Finding>> {
    let document = toml_edit::Document::parse(text).map_err(|error| {
        let message = error.message().trim_end().to_owned();
        unusable(&SYNTAX, format!("invalid TOML: {message}"), error.span())
    })?;
    let mut spans = SpanIndex::default();
    // A finding about the file as a whole points at its first key.
    let first = document
        .as_table()
        .iter()
        .filter_map(|(key, item)| {
            let key_span = document
                .as_table()
                .get_key_value(key)
                .and_then(|(k, _)| k.span());
            key_span.or_else(|| item.span())
        })
        .min_by_key(|span| span.start);
    spans.0.insert(
        String::new(),
        Spans {
            key: first,
            value: None,
        },
    );
    let value = table_to_json(document.as_table(), "", &mut spans);
    Ok(Loaded { value, spans })
}

/// The JSON Pointer of a table's key.
fn key_pointer(parent: &str, key: &str) -> String {
    let mut pointer = String::with_capacity(parent.len() + key.len() + 1);
    pointer.push_str(parent);
    crate::path::push_pointer_key(&mut pointer, key);
    pointer
}

/// The JSON Pointer of an array's element.
fn index_pointer(parent: &str, index: usize) -> String {
    let mut pointer = parent.to_owned();
    crate::path::push_pointer_index(&mut pointer, index);
    pointer
}

// The walkers below take the JSON Pointer of the value they convert and record the spans of
// every value under it.

fn table_to_json(table: &Table, pointer: &str, spans: &mut SpanIndex) -> Value {
    let mut map = Map::new();
    for (key, item) in table.iter() {
        let child = key_pointer(pointer, key);
        let key_span = table.get_key_value(key).and_then(|(k, _)| k.span());
        if let Some(value) = item_to_json(item, child, key_span, spans) {
            map.insert(key.to_owned(), value);
        }
    }
    Value::Object(map)
}

fn item_to_json(
    item: &Item,
    pointer: String,
    key: Option<Range<usize>>,
    spans: &mut SpanIndex,
) -> Option<Value> {
    let value = match item {
        Item::None => None,
        Item::Value(value) => Some(value_to_json(value, &pointer, spans)),
        Item::Table(table) => Some(table_to_json(table, &pointer, spans)),
        Item::ArrayOfTables(array) => Some(Value::Array(
            array
                .iter()
                .enumerate()
                .map(|(i, table)| {
                    let child = index_pointer(&pointer, i);
                    let value = table_to_json(table, &child, spans);
                    spans.insert(child, None, table.span());
                    value
                })
                .collect(),
        )),
    };
    spans.insert(pointer, key, item.span());
    value
}

fn value_to_json(value: &toml_edit::Value, pointer: &str, spans: &mut SpanIndex) -> Value {
    use toml_edit::Value as T;
    match value {
        T::String(s) => Value::String(s.value().clone()),
        T::Integer(i) => Value::from(*i.value()),
        // NaN and infinities have no JSON form, and no pipeline setting accepts them: they
        // become null, which TOML cannot otherwise produce, and every schema type rejects.
        T::Float(f) => serde_json::Number::from_f64(*f.value()).map_or(Value::Null, Value::Number),
        T::Boolean(b) => Value::Bool(*b.value()),
        T::Datetime(d) => Value::String(d.value().to_string()),
        T::Array(array) => Value::Array(
            array
                .iter()
                .enumerate()
                .map(|(i, element)| {
                    let child = index_pointer(pointer, i);
                    let value = value_to_json(element, &child, spans);
                    spans.insert(child, None, element.span());
                    value
                })
                .collect(),
        ),
        T::InlineTable(table) => {
            let mut map = Map::new();
            for (key, element) in table.iter() {
                let child = key_pointer(pointer, key);
                let key_span = table.get_key_value(key).and_then(|(k, _)| k.span());
                map.insert(key.to_owned(), value_to_json(element, &child, spans));
                spans.insert(child, key_span, element.span());
            }
            Value::Object(map)
        }
    }
}

impl Loaded {
    /// Applies the overlay `[env.<name>]` over the rest of the document: tables merge key by
    /// key, any other value (arrays included) replaces. A merged value keeps the span of the
    /// overlay key that set it, so findings about it point there. A file without that overlay
    /// is left as it is, with a note saying so; an overlay that is not a table is unusable.
    pub fn apply_env(&mut self, name: &str) -> Result<Option<Finding>, Box<Finding>> {
        let defined: Vec<String> = self
            .value
            .get("env")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let Some(overlay) = self.value.get("env").and_then(|e| e.get(name)).cloned() else {
            let known = if defined.is_empty() {
                "the file defines no [env.*] overlays".to_owned()
            } else {
                format!("defined: {}", defined.join(", "))
            };
            let note = Finding::new(
                &ENV,
                Severity::Info,
                format!("no overlay [env.{name}] in the file ({known}); checked as written"),
            );
            return Ok(Some(match defined.is_empty() {
                true => note,
                false => note.at_key(KeyPath::root().key("env")),
            }));
        };
        if !overlay.is_object() {
            return Err(unusable(
                &ENV,
                format!("[env.{name}] must be a table"),
                self.spans
                    .locate(&KeyPath::root().key("env").key(name), false),
            ));
        }
        merge(&mut self.value, overlay);
        let prefix = KeyPath::root().key("env").key(name).pointer();
        let moved: Vec<(String, Spans)> = self
            .spans
            .0
            .iter()
            .filter_map(|(pointer, spans)| {
                pointer
                    .strip_prefix(&prefix)
                    .filter(|rest| rest.starts_with('/'))
                    .map(|rest| (rest.to_owned(), spans.clone()))
            })
            .collect();
        for (pointer, spans) in moved {
            self.spans.0.insert(pointer, spans);
        }
        Ok(None)
    }
}

/// Deep merge for overlays: tables merge, everything else replaces.
fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) if key != "env" => merge(existing, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}
