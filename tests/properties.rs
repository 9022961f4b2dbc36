//! Property tests: any string survives every output escape and reads back exactly as its
//! consumer parses it (java.util.Properties, bash, JSON).

mod common;

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
        let mut env = minijinja::Environment::new();
        env.set_auto_escape_callback(escape::mode_for);
        env.set_formatter(escape::formatter);
        env.add_template("v.json", "{\"v\": {{ v }}}").unwrap();
        let out = env.get_template("v.json").unwrap().render(minijinja::context! { v => value.clone() }).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        prop_assert_eq!(parsed["v"].as_str().unwrap(), value.as_str());
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
