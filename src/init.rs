//! `pipegen init`: a commented starter pipeline that passes `check` as written.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::json;

use crate::model::{Environment as Stage, Identity};

const TEMPLATE: &str = include_str!("../templates/init/pipeline.toml");

/// Writes the starter pipeline's text. Values are TOML basic strings (JSON string escapes).
/// The name must follow [`Identity::NAME_RULE`] (CFX-030) and the region be one pipegen
/// prices, so that the starter passes `check --strict` as written.
pub fn starter(name: &str, region: &str, environment: Stage) -> Result<String, String> {
    if !Identity::name_is_valid(name) {
        let derived = derive_name(name);
        let hint = if Identity::name_is_valid(&derived) {
            format!("; `--name {derived}` would do")
        } else {
            String::new()
        };
        return Err(format!(
            "`{name}` cannot be a pipeline name (CFX-030: resource names such as the \
             `{name}-lake` bucket are built from it): {}{hint}",
            Identity::NAME_RULE
        ));
    }
    let prices = crate::cost::Prices::builtin();
    if prices.coverage(region).is_none() {
        let hint = crate::suggest::closest(region, prices.regions())
            .map(|best| format!("did you mean `{best}`? "))
            .unwrap_or_default();
        let all: Vec<&str> = prices.regions().collect();
        return Err(format!(
            "`{region}` is not a region pipegen prices and checks for MSK and EMR; {hint}\
             one of: {}",
            all.join(", ")
        ));
    }
    let two_azs = crate::aws::MSK_TWO_AZ_REGIONS.contains(&region);
    if two_azs && environment == Stage::Prod {
        return Err(format!(
            "MSK places standard brokers in two availability zones in `{region}`, and \
             production brokers span three (REL-KAFKA-004): start a prod pipeline in another \
             region, or a dev or staging one here"
        ));
    }
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
    let mut ctx = json!({
        "name": name,
        "environment": stage,
        "region": region,
        "az_a": format!("{region}a"),
        "az_b": format!("{region}b"),
        "az_c": format!("{region}c"),
        "bucket": format!("{name}-lake"),
        "log_bucket": format!("{name}-logs"),
        "replica_region": replica_region,
        "two_azs": two_azs,
        "budget": 1,
        "estimate": 0,
    });
    let render = |ctx: &serde_json::Value| {
        env.get_template("pipeline.toml")
            .and_then(|t| t.render(minijinja::value::Serde(ctx)))
            .map_err(|e| e.to_string())
    };
    // Prices differ by region: the budget is set from the starter's own estimate.
    let draft = render(&ctx)?;
    let loaded = crate::load::parse(&draft).map_err(|f| f.message)?;
    let (Some(pipeline), _) = crate::model::build(&loaded.value) else {
        return Err("the starter template does not build a pipeline".to_owned());
    };
    let total = crate::cost::estimate(&pipeline, crate::cost::Prices::builtin()).total;
    ctx["estimate"] = json!(total.round());
    ctx["budget"] = json!(budget_for(total));
    render(&ctx)
}

/// A monthly limit whose first alert (80%) sits a fifth above `estimate`, rounded up to the
/// next 500 USD.
fn budget_for(estimate: f64) -> u64 {
    let limit = estimate * 1.2 / 0.8;
    (limit / 500.0).ceil() as u64 * 500
}

/// `name` made into a pipeline name: lowercase, every other character a hyphen, runs of
/// hyphens and hyphens at either end removed.
fn derive_name(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '-',
        })
        .collect();
    let parts: Vec<&str> = mapped.split('-').filter(|p| !p.is_empty()).collect();
    parts
        .join("-")
        .chars()
        .take(32)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}
