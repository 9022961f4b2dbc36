//! Property tests: any string survives every output escape and reads back exactly as its
//! consumer parses it (java.util.Properties, bash, JSON, YAML 1.2 and PyYAML's YAML 1.1).

mod common;
// The fuzz harness carries its own copy of the properties reader module (it is also built
// by the fuzz crate, which has no `common`).
#[allow(clippy::duplicate_mod)]
#[path = "../fuzz/harness.rs"]
mod harness;

use pipegen::render::escape;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn properties_escape_round_trips(value in any::<String>(), key in "[a-z][a-z.]{0,12}") {
        let text = format!("{}={}\n", escape::properties(&key), escape::properties(&value));
        let parsed = common::properties::parse_properties(&text);
        prop_assert_eq!(parsed, vec![(key, value)]);
    }

    #[test]
    fn json_escape_round_trips(value in any::<String>()) {
        let out = render("v.json", "{\"v\": {{ v }}}", minijinja::context! { v => value.clone() });
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        prop_assert_eq!(parsed["v"].as_str().unwrap(), value.as_str());
    }

    #[test]
    fn yaml_escape_round_trips(value in any::<String>(), items in prop::collection::vec(any::<String>(), 0..4)) {
        let out = render("v.yaml", "v: {{ v }}\nlist: {{ items }}\n", minijinja::context! { v => value.clone(), items => items.clone() });
        let docs = yaml_rust2::YamlLoader::load_from_str(&out).unwrap();
        prop_assert_eq!(docs[0]["v"].as_str(), Some(value.as_str()));
        let list: Vec<&str> = docs[0]["list"].as_vec().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
        prop_assert_eq!(list, items.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// Renders a one-off template with render's escapes, chosen by `name`'s extension.
fn render(name: &str, template: &str, ctx: minijinja::Value) -> String {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(escape::mode_for);
    env.set_formatter(escape::formatter);
    env.add_template(name, template).unwrap();
    env.get_template(name).unwrap().render(ctx).unwrap()
}

proptest! {
    // Each case starts Python: a batch of strings per case.
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// cfn-lint (and so what CloudFormation is checked with) reads YAML with PyYAML, a YAML 1.1
    /// reader that folds raw line separators and refuses some characters.
    #[test]
    fn yaml_escape_round_trips_through_pyyaml(
        values in prop::collection::vec(any::<String>(), 32),
        numbers in prop::collection::vec(prop::num::f64::NORMAL | prop::num::f64::ZERO, 8),
    ) {
        let text = render(
            "v.yaml",
            "strings: {{ values }}\nnumbers: {{ numbers }}\n",
            minijinja::context! { values => values.clone(), numbers => numbers.clone() },
        );
        let script = "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read()), ensure_ascii=True))";
        let mut child = std::process::Command::new(common::tool("PIPEGEN_TOOLS_PYTHON"))
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        prop_assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let strings: Vec<String> = serde_json::from_value(parsed["strings"].clone()).unwrap();
        let floats: Vec<f64> = serde_json::from_value(parsed["numbers"].clone()).unwrap();
        prop_assert_eq!(strings, values);
        prop_assert_eq!(floats, numbers);
    }
}

proptest! {
    // Each case starts bash: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn shell_escape_round_trips(value in "[^\u{0}]{0,40}") {
        let script = format!("printf '%s' {}", escape::shell(&value));
        let output = std::process::Command::new("bash").args(["-c", &script]).output().unwrap();
        prop_assert!(output.status.success());
        prop_assert_eq!(String::from_utf8(output.stdout).unwrap(), value);
    }
}

proptest! {
    // Each case checks (and may render) a whole pipeline.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Shipped examples with arbitrary values at their keys (the fuzz harness's pipelines):
    /// checking never panics and reports in every format; a sound one renders twice to the same
    /// bytes, its outputs parse, and `render --check` right after `render` finds nothing stale.
    #[test]
    fn any_pipeline_checks_and_a_sound_one_renders_fresh(bytes in prop::collection::vec(any::<u8>(), 0..160)) {
        use arbitrary::Arbitrary;
        let pipeline = harness::Pipeline::arbitrary_take_rest(arbitrary::Unstructured::new(&bytes)).unwrap();
        harness::check_pipeline(&pipeline);
        if let Some(artifacts) = harness::render_pipeline(&pipeline) {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("deploy");
            pipegen::render::write(&out, &artifacts).unwrap();
            prop_assert!(pipegen::render::check_output(&out, &artifacts).unwrap().is_fresh());
        }
    }
}
