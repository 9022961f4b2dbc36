//! Kafka: replication, topics and broker properties.

use super::prelude::*;

/// CFX-001: min.insync.replicas does not exceed the replication factor.
pub static CFX_001: Builtin = Builtin {
    id: "CFX-001",
    stage: Stage::Consistency,
    title: "min.insync.replicas does not exceed the replication factor",
    severities: ERROR,
    why: "with acks=all every write fails with NotEnoughReplicas",
    fix: "Keep `min_insync_replicas` at most the replication factor, usually one below it (2 with 3 replicas).",
    example: Some(Example {
        fails: r#"
[kafka.broker]
min_insync_replicas = 3
"#,
        passes: r#"
[kafka.broker]
default_replication_factor = 2
min_insync_replicas = 1
"#,
    }),
};
/// CFX-002: Replication factors lie between 1 and the broker count.
pub static CFX_002: Builtin = Builtin {
    id: "CFX-002",
    stage: Stage::Consistency,
    title: "Replication factors lie between 1 and the broker count",
    severities: ERROR,
    why: "topic creation fails with InvalidReplicationFactor; internal topics are never created",
    fix: "Set every replication factor between 1 and `kafka.broker_count`.",
    example: Some(Example {
        fails: r#"
[kafka]
topics = [{ name = "events", partitions = 3, replication_factor = 3 }]
"#,
        passes: r#"
[kafka]
topics = [{ name = "events", partitions = 3, replication_factor = 2, min_insync_replicas = 1 }]
"#,
    }),
};
/// CFX-019: Extra broker properties are ones MSK lets a configuration set.
pub static CFX_019: Builtin = Builtin {
    id: "CFX-019",
    stage: Stage::Consistency,
    title: "Extra broker properties are ones MSK lets a configuration set",
    severities: ERROR,
    why: "CreateConfiguration is rejected",
    fix: "Use the typed `kafka.broker` setting, or drop the property when MSK does not let a configuration set it.",
    example: Some(Example {
        fails: r#"
[kafka.broker.extra]
listeners = "PLAINTEXT://:9092"
"#,
        passes: r#"
[kafka.broker.extra]
"log.cleaner.delete.retention.ms" = 86400000
"#,
    }),
};
/// CFX-023: Kafka topic names are valid and unique.
pub static CFX_023: Builtin = Builtin {
    id: "CFX-023",
    stage: Stage::Consistency,
    title: "Kafka topic names are valid and unique",
    severities: ERROR,
    why: "topic creation fails, or two definitions fight over one topic",
    fix: "Use 1 to 249 ASCII letters, digits, `.`, `_` and `-`; declare each topic once, and never two names that differ only by `.` and `_`.",
    example: Some(Example {
        fails: r#"
[kafka]
topics = [{ name = "events", partitions = 3 }, { name = "events", partitions = 6 }]
"#,
        passes: r#"
[kafka]
topics = [{ name = "Orders.v2-eu_1", partitions = 3 }, { name = "payments", partitions = 3 }]
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_001, &CFX_002, &CFX_019, &CFX_023];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    replication(pipeline, ctx, out);
    broker_extra(pipeline, ctx, out);
    topics(pipeline, ctx, out);
}

// CFX-001, CFX-002
fn replication(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let brokers = pipeline.kafka.broker_count.get();
    let broker = &pipeline.kafka.broker;
    let default_rf = facts::default_replication_factor(pipeline);
    let rf_in_range = |path: KeyPath, what: &str, rf: u16, out: &mut Vec<Finding>| {
        if rf == 0 {
            out.push(
                Finding::error(&CFX_002, path, format!("{what} is 0")).with_help(
                    "a replication factor counts copies of each partition; use 3 for production",
                ),
            );
        } else if u32::from(rf) > brokers {
            out.push(
                Finding::error(
                    &CFX_002,
                    path,
                    format!("{what} is {rf}, but the cluster has only {brokers} brokers"),
                )
                .with_related(p("kafka.broker_count"), "the broker count is set here")
                .with_help(format!(
                    "lower it to at most {brokers}, or add brokers (in multiples of the subnet count)"
                )),
            );
        }
    };
    if broker.default_replication_factor.is_some() {
        rf_in_range(
            p("kafka.broker.default_replication_factor"),
            "default.replication.factor",
            default_rf,
            out,
        );
    }
    for (field, name) in [
        (
            broker.offsets_topic_replication_factor,
            "offsets_topic_replication_factor",
        ),
        (
            broker.transaction_state_log_replication_factor,
            "transaction_state_log_replication_factor",
        ),
    ] {
        if let Some(rf) = field {
            let path = p("kafka.broker").key(name);
            rf_in_range(path, &name.replace('_', "."), rf, out);
        }
    }
    if let Some(isr) = broker.min_insync_replicas
        && isr > default_rf
    {
        out.push(
            Finding::error(
                &CFX_001,
                p("kafka.broker.min_insync_replicas"),
                format!(
                    "min.insync.replicas is {isr}, above default.replication.factor {default_rf}"
                ),
            )
            .with_help(
                "with acks=all no write to a default topic could succeed; use RF − 1 (2 for RF 3)",
            ),
        );
    }
    let txn_rf = broker.transaction_state_log_replication_factor.unwrap_or(3);
    let txn_isr = broker.transaction_state_log_min_isr.unwrap_or(2);
    if txn_isr > txn_rf {
        out.push(
            Finding::error(
                &CFX_001,
                p("kafka.broker.transaction_state_log_min_isr"),
                format!(
                    "transaction.state.log.min.isr is {txn_isr}, above transaction.state.log.replication.factor {txn_rf}"
                ),
            )
            .with_help("transactions would fail; keep it below the replication factor"),
        );
    }
    for (i, topic) in pipeline.kafka.topics.iter().enumerate() {
        let at = p("kafka.topics").index(i);
        let rf = facts::topic_replication_factor(pipeline, topic);
        let isr = facts::topic_min_insync_replicas(pipeline, topic);
        if topic.replication_factor.is_some() {
            rf_in_range(
                at.key("replication_factor"),
                &format!("topic `{}`: replication factor", topic.name),
                rf,
                out,
            );
        } else if u32::from(rf) > brokers {
            rf_in_range(
                at.key("name"),
                &format!("topic `{}`: the default replication factor", topic.name),
                rf,
                out,
            );
        }
        // A topic that sets neither value inherits the broker's, checked above.
        let sets_either = topic.min_insync_replicas.is_some() || topic.replication_factor.is_some();
        if isr > rf && sets_either {
            let path = if topic.min_insync_replicas.is_some() {
                at.key("min_insync_replicas")
            } else {
                at.key("replication_factor")
            };
            out.push(
                Finding::error(
                    &CFX_001,
                    path,
                    format!(
                        "topic `{}`: min.insync.replicas {isr} exceeds its replication factor {rf}",
                        topic.name
                    ),
                )
                .with_help(format!(
                    "with acks=all every write fails; use min.insync.replicas ≤ {}",
                    rf.saturating_sub(1).max(1)
                )),
            );
        }
    }
}

// CFX-019
fn broker_extra(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    for key in pipeline.kafka.broker.extra.keys() {
        if !aws::MSK_SETTABLE_PROPERTIES.contains(&key.as_str()) {
            let help = match suggest::closest(key, aws::MSK_SETTABLE_PROPERTIES.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "MSK manages listener, security, log-directory and broker-identity settings itself".to_owned(),
            };
            out.push(
                Finding::error(
                    &CFX_019,
                    p("kafka.broker.extra").key(key),
                    format!("`{key}` cannot be set in an MSK configuration"),
                )
                .at_key(p("kafka.broker.extra").key(key))
                .with_help(help),
            );
        }
    }
}

/// Why `name` is not a valid Kafka topic name, if it is not.
pub fn topic_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".to_owned());
    }
    if name.len() > 249 {
        return Some(format!(
            "is {} characters long; Kafka allows 249",
            name.len()
        ));
    }
    if name == "." || name == ".." {
        return Some("cannot be `.` or `..`".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!(
            "contains {bad:?}; Kafka allows only ASCII letters, digits, `.`, `_` and `-`"
        ));
    }
    None
}

// CFX-023
fn topics(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let mut names = Names::new(&CFX_023, "topic");
    let mut canonical: BTreeMap<String, usize> = BTreeMap::new();
    for (i, topic) in pipeline.kafka.topics.iter().enumerate() {
        let at = p("kafka.topics").index(i).key("name");
        if let Some(problem) = topic_name_problem(&topic.name) {
            out.push(Finding::error(
                &CFX_023,
                at.clone(),
                format!("topic name {:?} {problem}", topic.name),
            ));
        }
        if !names.declare(&topic.name, at.clone(), out) {
            continue;
        }
        // Kafka treats `.` and `_` as colliding in metric names.
        if let Some(first) = canonical.insert(topic.name.replace('.', "_"), i) {
            out.push(
                Finding::error(
                    &CFX_023,
                    at,
                    format!(
                        "topic `{}` collides with `{}`: Kafka treats `.` and `_` alike in metric names",
                        topic.name, pipeline.kafka.topics[first].name
                    ),
                )
                .with_related(p("kafka.topics").index(first).key("name"), "first declared here"),
            );
        }
    }
}
