//! Typed settings set a second time under their raw name.

use super::prelude::*;

/// CFX-031: Typed settings are not set a second time under their raw name.
pub static CFX_031: Builtin = Builtin {
    id: "CFX-031",
    stage: Stage::Consistency,
    title: "Typed settings are not set a second time under their raw name",
    severities: ERROR,
    why: "two values for one setting, one silently winning",
    fix: "Set the value once, through the typed key, and remove the raw property.",
    example: Some(Example {
        fails: r#"
[spark.conf]
"spark.executor.memory" = "4g"
"#,
        passes: r#"
[spark.conf]
"spark.yarn.maxAppAttempts" = 2
[kafka]
topics = [{ name = "events", partitions = 3, config = { "max.message.bytes" = 2097152 } }]
[kafka.producer.extra]
"delivery.timeout.ms" = 120000
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_031];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    duplicated_settings(pipeline, ctx, out);
}

// CFX-031
fn duplicated_settings(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    const TOPIC_TYPED: &[&str] = &["retention.ms", "cleanup.policy", "min.insync.replicas"];
    const PRODUCER_TYPED: &[&str] = &[
        "acks",
        "compression.type",
        "batch.size",
        "linger.ms",
        "buffer.memory",
        "max.in.flight.requests.per.connection",
        "enable.idempotence",
    ];
    const CONSUMER_TYPED: &[&str] = &[
        "group.id",
        "auto.offset.reset",
        "enable.auto.commit",
        "max.poll.records",
        "fetch.min.bytes",
        "fetch.max.wait.ms",
    ];
    const SPARK_TYPED: &[&str] = &[
        "spark.executor.memory",
        "spark.driver.memory",
        "spark.executor.cores",
        "spark.executor.instances",
        "spark.memory.fraction",
        "spark.memory.storageFraction",
        "spark.sql.shuffle.partitions",
        "spark.shuffle.compress",
        "spark.shuffle.spill.compress",
        "spark.io.compression.codec",
        "spark.streaming.backpressure.enabled",
        "spark.streaming.kafka.maxRatePerPartition",
        "spark.streaming.stopGracefullyOnShutdown",
        "spark.streaming.receiver.writeAheadLog.enable",
    ];
    let mut report = |base: KeyPath, keys: Vec<&String>, typed: &[&str]| {
        for key in keys {
            if typed.contains(&key.as_str()) {
                let field = key
                    .trim_start_matches("spark.")
                    .replace(['.'], "_")
                    .to_ascii_lowercase();
                out.push(
                    Finding::error(
                        &CFX_031,
                        base.key(key.as_str()),
                        format!("`{key}` has a typed setting of its own"),
                    )
                    .at_key(base.key(key.as_str()))
                    .with_help(format!(
                        "set it with the typed key (`{field}` or its section) so it is checked and rendered once"
                    )),
                );
            }
        }
    };
    let kafka = &pipeline.kafka;
    let broker_typed: Vec<&str> = kafka.broker.typed().into_iter().map(|(k, _)| k).collect();
    report(
        p("kafka.broker.extra"),
        kafka.broker.extra.keys().collect(),
        &broker_typed,
    );
    report(
        p("kafka.producer.extra"),
        kafka.producer.extra.keys().collect(),
        PRODUCER_TYPED,
    );
    report(
        p("kafka.consumer.extra"),
        kafka.consumer.extra.keys().collect(),
        CONSUMER_TYPED,
    );
    for (i, topic) in kafka.topics.iter().enumerate() {
        report(
            p("kafka.topics").index(i).key("config"),
            topic.config.keys().collect(),
            TOPIC_TYPED,
        );
    }
    report(
        p("spark.conf"),
        pipeline.spark.conf.keys().collect(),
        SPARK_TYPED,
    );
}
