//! Generated reference docs are committed and fresh. Regenerate them with
//! `PIPEGEN_UPDATE_DOCS=1 cargo test --test docs`.

mod common;

fn fresh(relative: &str, generated: String) {
    let path = common::root().join(relative);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == generated {
        return;
    }
    if std::env::var_os("PIPEGEN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    panic!("{relative} is stale; run `PIPEGEN_UPDATE_DOCS=1 cargo test --test docs` and commit it");
}

#[test]
fn configuration_reference_is_fresh() {
    fresh(
        "docs/configuration.md",
        pipegen::docs::configuration_markdown(),
    );
}

#[test]
fn checks_reference_is_fresh() {
    fresh("docs/checks.md", pipegen::docs::checks_markdown());
}

#[test]
fn rules_reference_is_fresh() {
    fresh(
        "docs/rules.md",
        pipegen::policy::catalog::markdown(&common::ctx().pack),
    );
}

#[test]
fn configuration_reference_lists_keys_from_every_section() {
    let text = pipegen::docs::configuration_markdown();
    for key in [
        "`kafka.topics[].retention_ms`",
        "`kafka.broker.unclean_leader_election_enable`",
        "`storage.lifecycle[].transitions[].storage_class`",
        "`spark.streaming.legacy.kafka_max_rate_per_partition`",
        "`hudi.tables[].precombine_field`",
        "`monitoring.alarms[].comparison`",
        "`waivers[].expires`",
    ] {
        assert!(text.contains(key), "{key} missing from the reference");
    }
}
