//! `pipegen init`: a commented starter pipeline that passes `check` as written.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::json;

use crate::model::Environment as Stage;

const TEMPLATE: &str = include_str!("../templates/init/pipeline.toml");

/// Writes the starter pipeline's text. Values are TOML basic strings (JSON string escapes).
pub fn starter(name: &str, region: &str, environment: Stage) -> Result<String, String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Json);
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    syntax.keep_trailing_newline(true);
    env.set_syntax(syntax.build().map_err(|e| e.to_string())?);
    env.add_template("pipeline.toml", TEMPLATE)
        .map_err(|e| e.to_string())?;
    let stage = crate::model::wire_name(&environment);
    let replica_region = if region == "us-west-2" {
        "us-east-1"
    } else {
        "us-west-2"
    };
    let ctx = json!({
        "name": name,
        "environment": stage,
        "region": region,
        "az_a": format!("{region}a"),
        "az_b": format!("{region}b"),
        "az_c": format!("{region}c"),
        "bucket": format!("{name}-lake"),
        "log_bucket": format!("{name}-logs"),
        "replica_region": replica_region,
    });
    env.get_template("pipeline.toml")
        .and_then(|t| t.render(minijinja::value::Serde(&ctx)))
        .map_err(|e| e.to_string())
}
