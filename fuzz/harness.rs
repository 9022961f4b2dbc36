//! What each fuzz target does. Shared by the targets (`fuzz/fuzz_targets/`) and by the
//! regression test that replays every saved input in the normal suite
//! (`tests/fuzz_regressions.rs`), so a crash found once stays fixed.
//!
//! - `check_bytes`: any bytes, checked as a pipeline file, and reported in every format.
//! - `check_pipeline`: a shipped example with arbitrary values put at, or removed from, its
//!   keys — structurally a pipeline, with values no one wrote by hand.
//! - `render_pipeline`: the same pipelines; every one that is sound (no schema, load or
//!   consistency error: policy findings can be waived or disabled, so they do not stop a
//!   render) renders, twice to the same bytes, and every output parses back with its reader.

#![allow(dead_code)]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use toml_edit::{DocumentMut, Item, Value};

#[path = "../tests/common/properties.rs"]
mod properties;

const EXAMPLES: [&str; 3] = [
    include_str!("../examples/production.toml"),
    include_str!("../examples/minimal.toml"),
    include_str!("../tests/fixtures/environments.toml"),
];

/// The built-in pack with a fixed date, built once per process.
pub fn context() -> &'static pipegen::Context {
    static CONTEXT: OnceLock<pipegen::Context> = OnceLock::new();
    CONTEXT.get_or_init(|| {
        let today = "2026-11-26".parse().expect("a date");
        pipegen::Context::builtin(today).expect("the built-in pack loads")
    })
}

/// Target `check_bytes`.
pub fn check_bytes(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let check = pipegen::check_source("fuzz.toml".into(), text, context());
    report(&[check]);
}

/// Every report format, into memory: none may fail or panic, whatever was found.
fn report(checks: &[pipegen::FileCheck]) {
    let pack = &context().pack;
    let run = pipegen::report::Run {
        files: checks,
        pack,
        deny_warnings: false,
        color: false,
        quiet: false,
        show_waived: false,
    };
    for format in <pipegen::report::Format as clap::ValueEnum>::value_variants() {
        let mut out = Vec::new();
        format.write(&mut out, &run).expect("every format writes");
    }
}

/// A value a fuzzer puts at a key.
#[derive(Arbitrary, Debug)]
pub enum Put {
    /// Remove the key.
    Remove,
    Bool(bool),
    Int(i64),
    /// A small integer (counts, sizes, ports are small; most `i64`s are out of range).
    Small(u16),
    Float(f64),
    Text(String),
    /// One of the words the pipeline already uses elsewhere (enum values, names).
    Known(u16),
    Texts(Vec<String>),
    Ints(Vec<i16>),
    /// An empty table.
    Table,
    /// Another copy of the list item at the key (a subnet, topic, table, alarm…), appended to
    /// its list, so pipelines grow structures the examples do not have.
    Duplicate,
}

/// One change to a shipped example.
#[derive(Arbitrary, Debug)]
pub struct Edit {
    /// Which key (an index into the example's keys, wrapping).
    pub key: u16,
    pub put: Put,
}

/// A pipeline for `check_pipeline` and `render_pipeline`.
#[derive(Arbitrary, Debug)]
pub struct Pipeline {
    /// Which example to start from (wrapping).
    pub example: u8,
    pub edits: Vec<Edit>,
}

/// A key of an example: its path from the root.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

struct Example {
    text: &'static str,
    keys: Vec<Vec<Step>>,
    words: Vec<String>,
}

fn examples() -> &'static [Example] {
    static EXAMPLES_PARSED: OnceLock<Vec<Example>> = OnceLock::new();
    EXAMPLES_PARSED.get_or_init(|| {
        EXAMPLES
            .iter()
            .map(|text| {
                let doc: DocumentMut = text.parse().expect("the examples are TOML");
                let mut keys = Vec::new();
                let mut words = Vec::new();
                collect_table(doc.as_table(), &mut Vec::new(), &mut keys, &mut words);
                words.sort();
                words.dedup();
                Example { text, keys, words }
            })
            .collect()
    })
}

fn collect_table(
    table: &toml_edit::Table,
    path: &mut Vec<Step>,
    keys: &mut Vec<Vec<Step>>,
    words: &mut Vec<String>,
) {
    for (key, item) in table.iter() {
        path.push(Step::Key(key.to_owned()));
        keys.push(path.clone());
        match item {
            Item::Table(t) => collect_table(t, path, keys, words),
            Item::ArrayOfTables(array) => {
                for (i, t) in array.iter().enumerate() {
                    path.push(Step::Index(i));
                    collect_table(t, path, keys, words);
                    path.pop();
                }
            }
            Item::Value(value) => collect_value(value, path, keys, words),
            Item::None => {}
        }
        path.pop();
    }
}

fn collect_value(
    value: &Value,
    path: &mut Vec<Step>,
    keys: &mut Vec<Vec<Step>>,
    words: &mut Vec<String>,
) {
    match value {
        Value::String(s) => words.push(s.value().clone()),
        Value::InlineTable(t) => {
            for (key, v) in t.iter() {
                path.push(Step::Key(key.to_owned()));
                keys.push(path.clone());
                collect_value(v, path, keys, words);
                path.pop();
            }
        }
        Value::Array(array) => {
            for (i, v) in array.iter().enumerate() {
                path.push(Step::Index(i));
                keys.push(path.clone());
                collect_value(v, path, keys, words);
                path.pop();
            }
        }
        _ => {}
    }
}

impl Pipeline {
    /// The pipeline's TOML text.
    pub fn text(&self) -> String {
        let all = examples();
        let example = &all[usize::from(self.example) % all.len()];
        let mut doc: DocumentMut = example.text.parse().expect("the examples are TOML");
        for edit in &self.edits {
            let path = &example.keys[usize::from(edit.key) % example.keys.len()];
            if matches!(edit.put, Put::Duplicate) {
                duplicate(doc.as_table_mut(), path);
                continue;
            }
            let value = value_of(&edit.put, &example.words);
            in_table(doc.as_table_mut(), path, value);
        }
        doc.to_string()
    }
}

/// What `put` puts: `None` removes the key.
fn value_of(put: &Put, words: &[String]) -> Option<Value> {
    Some(match put {
        Put::Remove | Put::Duplicate => return None,
        Put::Table => Value::InlineTable(toml_edit::InlineTable::new()),
        Put::Bool(b) => Value::from(*b),
        Put::Int(i) => Value::from(*i),
        Put::Small(n) => Value::from(i64::from(*n)),
        Put::Float(f) => Value::from(*f),
        Put::Text(s) => Value::from(s.as_str()),
        Put::Known(i) => Value::from(words.get(usize::from(*i) % words.len().max(1))?.as_str()),
        Put::Texts(items) => Value::Array(items.iter().map(String::as_str).collect()),
        Put::Ints(items) => Value::Array(items.iter().map(|i| i64::from(*i)).collect()),
    })
}

// The walkers below put (or remove) a value at a path the example had; a path that an
// earlier edit removed or retyped is skipped.

fn in_table(table: &mut toml_edit::Table, path: &[Step], value: Option<Value>) {
    let Some((Step::Key(key), rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        match value {
            Some(value) => {
                table.insert(key, Item::Value(value));
            }
            None => {
                table.remove(key);
            }
        }
        return;
    }
    match table.get_mut(key) {
        Some(Item::Table(child)) => in_table(child, rest, value),
        Some(Item::Value(child)) => in_value(child, rest, value),
        Some(Item::ArrayOfTables(array)) => {
            let Some((Step::Index(i), rest)) = rest.split_first() else {
                return;
            };
            if rest.is_empty() {
                if value.is_none() && *i < array.len() {
                    array.remove(*i);
                }
            } else if let Some(child) = array.get_mut(*i) {
                in_table(child, rest, value);
            }
        }
        _ => {}
    }
}

/// Appends a copy of the list item a path ends at (an array of tables' table, or an array's
/// element); any other path is left alone.
fn duplicate(table: &mut toml_edit::Table, path: &[Step]) {
    let Some((Step::Key(key), rest)) = path.split_first() else {
        return;
    };
    match (table.get_mut(key), rest) {
        (Some(Item::ArrayOfTables(array)), [Step::Index(i)]) => {
            if let Some(copy) = array.get(*i).cloned() {
                array.push(copy);
            }
        }
        (Some(Item::ArrayOfTables(array)), [Step::Index(i), rest @ ..]) => {
            if let Some(child) = array.get_mut(*i) {
                duplicate(child, rest);
            }
        }
        (Some(Item::Table(child)), rest) => duplicate(child, rest),
        (Some(Item::Value(Value::Array(array))), [Step::Index(i)]) => {
            if let Some(copy) = array.get(*i).cloned() {
                array.push_formatted(copy);
            }
        }
        _ => {}
    }
}

fn in_value(node: &mut Value, path: &[Step], value: Option<Value>) {
    let Some((step, rest)) = path.split_first() else {
        return;
    };
    match (node, step) {
        (Value::InlineTable(table), Step::Key(key)) if rest.is_empty() => match value {
            Some(value) => {
                table.insert(key, value);
            }
            None => {
                table.remove(key);
            }
        },
        (Value::InlineTable(table), Step::Key(key)) => {
            if let Some(child) = table.get_mut(key) {
                in_value(child, rest, value);
            }
        }
        (Value::Array(array), Step::Index(i)) if rest.is_empty() && *i < array.len() => match value
        {
            Some(value) => {
                array.replace(*i, value);
            }
            None => {
                array.remove(*i);
            }
        },
        (Value::Array(array), Step::Index(i)) => {
            if let Some(child) = array.get_mut(*i) {
                in_value(child, rest, value);
            }
        }
        _ => {}
    }
}

/// Target `check_pipeline`.
pub fn check_pipeline(pipeline: &Pipeline) {
    let check = pipegen::check_source("fuzz.toml".into(), pipeline.text(), context());
    report(&[check]);
}

/// Target `render_pipeline`; the files, if the pipeline was sound (and so rendered).
pub fn render_pipeline(pipeline: &Pipeline) -> Option<Vec<pipegen::render::Artifact>> {
    let text = pipeline.text();
    let check = pipegen::check_source("fuzz.toml".into(), text.clone(), context());
    let sound = check.usable
        && !check.findings.iter().any(|f| {
            f.severity == pipegen::diagnostic::Severity::Error
                && (f.code.as_str().starts_with("schema")
                    || f.code.as_str().starts_with("load")
                    || f.code.as_str().starts_with("CFX-"))
        });
    let model = check.model.as_ref().filter(|_| sound)?;
    let first = pipegen::render::render(model, "fuzz.toml", text.as_bytes(), None)
        .unwrap_or_else(|e| panic!("a sound pipeline does not render: {e}\n{text}"));
    let second = pipegen::render::render(model, "fuzz.toml", text.as_bytes(), None)
        .expect("renders the second time");
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.path, b.path, "render is not deterministic");
        assert_eq!(a.content, b.content, "{} is not deterministic", a.path);
    }
    assert_eq!(first.len(), second.len());
    for artifact in &first {
        outputs_parse(artifact);
    }
    Some(first)
}

/// Every output reads back with the reader its consumer uses.
fn outputs_parse(artifact: &pipegen::render::Artifact) {
    let (path, text) = (artifact.path.as_str(), artifact.content.as_str());
    if path.ends_with(".json") {
        serde_json::from_str::<serde_json::Value>(text)
            .unwrap_or_else(|e| panic!("{path} is not JSON: {e}\n{text}"));
    } else if path.ends_with(".yaml") {
        yaml_rust2::YamlLoader::load_from_str(text)
            .unwrap_or_else(|e| panic!("{path} is not YAML: {e}\n{text}"));
    } else if path.ends_with(".properties") || path.ends_with(".conf") {
        let pairs = properties::parse_properties(text);
        let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "{path} sets a key twice\n{text}");
    }
}
