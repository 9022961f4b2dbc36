//! Evaluating rules: CEL over the model (each top-level table is a variable: `kafka`,
//! `storage`, …) and `facts`, with `it` and `i` bound per item of `each`.

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::Val;
use cel::{Context, Value};

use super::{LoadedRule, Pack, Programs, interpolations, plain_path};
use crate::diagnostic::Finding;
use crate::model::Pipeline;
use crate::path::KeyPath;

/// Runs every rule of the pack over a pipeline; `document` is the pipeline as JSON (each
/// top-level table becomes a CEL variable), `facts` the derived facts.
pub fn evaluate(
    pack: &Pack,
    pipeline: &Pipeline,
    document: &serde_json::Value,
    facts: &serde_json::Value,
) -> Vec<Finding> {
    let mut root = Context::default();
    if let serde_json::Value::Object(tables) = document {
        for (name, value) in tables {
            root.add_variable_as_val(name.clone(), to_cel(value));
        }
    }
    root.add_variable_as_val("facts", to_cel(facts));
    let roots = Roots { document, facts };
    let environment = crate::model::wire_name(&pipeline.pipeline.environment);
    let mut out = Vec::new();
    for rule in &pack.rules {
        let before = out.len();
        let result = run(rule, &pack.programs, &roots, &root, &mut out);
        let severity = rule.severity_in(&environment);
        for finding in &mut out[before..] {
            finding.severity = severity;
        }
        if let Err(message) = result {
            out.push(
                Finding::new(
                    &crate::policy::EVAL,
                    crate::diagnostic::Severity::Error,
                    format!("rule {} could not be evaluated: {message}", rule.rule.id),
                )
                .with_help(format!("fix the rule in {}", rule.source)),
            );
        }
    }
    out
}

/// JSON to CEL, borrowing its strings, with every integer an `int` so rules can mix them with
/// literals (`rf - 1`).
fn to_cel(value: &serde_json::Value) -> Box<dyn Val + '_> {
    use serde_json::Value as J;
    match value {
        J::Null => Box::new(CelNull),
        J::Bool(b) => Box::new(CelBool::from(*b)),
        J::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => match n.as_u64() {
                Some(u) => Box::new(CelUInt::from(u)),
                None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
            },
        },
        J::String(s) => Box::new(CelString::from(s.as_str())),
        J::Array(items) => Box::new(CelList::from(items.iter().map(to_cel).collect::<Vec<_>>())),
        J::Object(map) => Box::new(CelMap::from(
            map.iter()
                .map(|(k, v)| (CelMapKey::from(k.as_str()), to_cel(v)))
                .collect::<std::collections::HashMap<_, _>>(),
        )),
    }
}

/// An item of an `each` list: from the JSON (a plain path) or computed by CEL.
enum Item<'a> {
    Json(&'a serde_json::Value),
    Cel(Value),
}

impl<'a> Item<'a> {
    /// Binds the item as `it` in a scope.
    fn bind(&self, scope: &mut Context<'_, 'a>) {
        match self {
            Item::Json(value) => scope.add_variable_as_val("it", to_cel(value)),
            Item::Cel(value) => scope.add_variable_from_value("it", value.clone()),
        }
    }

    /// The `path` a facts item carries.
    fn path(&self) -> Option<KeyPath> {
        match self {
            Item::Json(value) => KeyPath::parse_dotted(value.get("path")?.as_str()?),
            Item::Cel(Value::Map(map)) => match map.get(&cel::objects::Key::from("path")) {
                Some(Value::String(path)) => KeyPath::parse_dotted(path),
                _ => None,
            },
            Item::Cel(_) => None,
        }
    }
}

/// The JSON behind the CEL variables, for walking plain paths.
struct Roots<'a> {
    document: &'a serde_json::Value,
    facts: &'a serde_json::Value,
}

fn run<'a>(
    loaded: &LoadedRule,
    programs: &Programs,
    roots: &Roots<'a>,
    root: &Context<'_, 'a>,
    out: &mut Vec<Finding>,
) -> Result<(), String> {
    let rule = &loaded.rule;
    if let Some(when) = &rule.when
        && !truth(programs, when, root, "when")?
    {
        return Ok(());
    }
    let Some(each) = &rule.each else {
        if !truth(programs, &rule.assert, root, "assert")? {
            let path = KeyPath::parse_dotted(&rule.at).unwrap_or_default();
            out.push(finding(loaded, programs, root, path)?);
        }
        return Ok(());
    };
    let items: Vec<Item<'a>> = if plain_path(each) {
        match walk(roots, each)? {
            serde_json::Value::Array(items) => items.iter().map(Item::Json).collect(),
            other => return Err(format!("`each` gave {other}, not a list")),
        }
    } else {
        match programs
            .get(each)?
            .execute(root)
            .map_err(|e| format!("`each`: {e}"))?
        {
            Value::List(items) => items.iter().cloned().map(Item::Cel).collect(),
            other => return Err(format!("`each` gave {other:?}, not a list")),
        }
    };
    let each_path = KeyPath::parse_dotted(each).filter(
        |p| !matches!(p.segments().first(), Some(crate::path::Segment::Key(k)) if k == "facts"),
    );
    for (i, item) in items.iter().enumerate() {
        let mut scope = root.new_inner_scope();
        item.bind(&mut scope);
        scope.add_variable_from_value("i", i as i64);
        if truth(programs, &rule.assert, &scope, "assert")? {
            continue;
        }
        let base = item
            .path()
            .or_else(|| each_path.as_ref().map(|p| p.index(i)))
            .unwrap_or_default();
        let path = append(base, &rule.at);
        out.push(finding(loaded, programs, &scope, path)?);
    }
    Ok(())
}

/// The value at a dotted path (`facts.topics`) of the model and facts, without compiling CEL.
fn walk<'a>(roots: &Roots<'a>, path: &str) -> Result<&'a serde_json::Value, String> {
    let mut parts = path.split('.');
    let start = match parts.next() {
        Some("facts") => Some(roots.facts),
        Some(table) => roots.document.get(table),
        None => None,
    };
    start
        .and_then(|first| parts.try_fold(first, |node, part| node.get(part)))
        .ok_or_else(|| format!("`each`: `{path}` does not exist"))
}

fn truth(programs: &Programs, source: &str, ctx: &Context, key: &str) -> Result<bool, String> {
    match programs.get(source)?.execute(ctx) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(format!("`{key}` gave {other:?}, not true or false")),
        Err(e) => Err(format!("`{key}`: {e}")),
    }
}

fn append(base: KeyPath, relative: &str) -> KeyPath {
    match KeyPath::parse_dotted(relative) {
        Some(relative) => base.join(&relative),
        None => base,
    }
}

fn finding(
    loaded: &LoadedRule,
    programs: &Programs,
    ctx: &Context,
    path: KeyPath,
) -> Result<Finding, String> {
    let rule = &loaded.rule;
    let mut finding = Finding::new(
        crate::code::Code::Rule(rule.id.clone()),
        loaded.severity,
        interpolate(&rule.message, programs, ctx)?,
    )
    .at(path)
    .with_help(rule.remediation.trim().to_owned());
    finding.url = super::doc_url(&rule.references).map(str::to_owned);
    Ok(finding)
}

/// Replaces each `{{ expr }}` with the expression's value.
fn interpolate(template: &str, programs: &Programs, ctx: &Context) -> Result<String, String> {
    let expressions = interpolations(template);
    if expressions.is_empty() {
        return Ok(template.trim().to_owned());
    }
    let mut out = String::new();
    let mut rest = template;
    for expression in expressions {
        let start = rest.find("{{").expect("found by interpolations");
        let end = rest[start..].find("}}").expect("found by interpolations") + start;
        out.push_str(&rest[..start]);
        let value = programs
            .get(expression)?
            .execute(ctx)
            .map_err(|e| format!("message `{{{{ {expression} }}}}`: {e}"))?;
        out.push_str(&display(&value));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out.trim().to_owned())
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Int(n) => n.to_string(),
        Value::UInt(n) => n.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "none".to_owned(),
        Value::List(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        other => other
            .json()
            .map(|j| j.to_string())
            .unwrap_or_else(|_| format!("{other:?}")),
    }
}
