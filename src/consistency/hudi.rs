//! Hudi tables: names, sources, cleaning, compaction and columns.

use super::prelude::*;

/// CFX-013: Hudi archival keeps more commits than the cleaner retains.
pub static CFX_013: Builtin = Builtin {
    id: "CFX-013",
    stage: Stage::Consistency,
    title: "Hudi archival keeps more commits than the cleaner retains",
    severities: ERROR,
    why: "Hudi's precondition check fails the writer",
    fix: "Keep more commits in the archive (`archive_min_commits`) than the cleaner retains (`cleaner_commits_retained`).",
    example: Some(Example {
        fails: r#"
[hudi.cleaning]
commits_retained = 20
"#,
        passes: r#"
[hudi.cleaning]
commits_retained = 12
keep_min_commits = 25
keep_max_commits = 40
"#,
    }),
};
/// CFX-014: Hudi compaction settings fit the table type.
pub static CFX_014: Builtin = Builtin {
    id: "CFX-014",
    stage: Stage::Consistency,
    title: "Hudi compaction settings fit the table type",
    severities: &[Severity::Error, Severity::Warning],
    why: "a misconfigured writer, or settings that silently do nothing",
    fix: "Set compaction only on MERGE_ON_READ tables, and schedule it (inline or async) when you do.",
    example: Some(Example {
        fails: r#"
[hudi.compaction]
inline = true
"#,
        passes: r#"
[hudi.compaction]
inline = true
async_enabled = false
"#,
    }),
};
/// CFX-024: Hudi table names are valid and unique, and each source topic is declared.
pub static CFX_024: Builtin = Builtin {
    id: "CFX-024",
    stage: Stage::Consistency,
    title: "Hudi table names are valid and unique, and each source topic is declared",
    severities: ERROR,
    why: "two writers share one table, or the stream reads a topic that does not exist",
    fix: "Name tables with letters, digits and `_` (starting with a letter or `_`), declare each once, and point `source_topic` at a topic in `[[kafka.topics]]`.",
    example: Some(Example {
        fails: r#"
[[hudi.tables]]
name = "events"
source_topic = "event"
record_key = "id"
"#,
        passes: r#"
[[hudi.tables]]
name = "events"
source_topic = "events"
record_key = "id"
columns = [{ name = "id", type = "string" }]
"#,
    }),
};
/// CFX-038: Each table declares the columns of its records: valid Avro names, once each, among them its record key, precombine and partition fields.
pub static CFX_038: Builtin = Builtin {
    id: "CFX-038",
    stage: Stage::Consistency,
    title: "Each table declares the columns of its records: valid Avro names, once each, among them its record key, precombine and partition fields",
    severities: ERROR,
    why: "the streaming job cannot decode the records, or Hudi rejects the schema or a key field that is not in it, and the query fails",
    fix: "List each table's `columns` with valid Avro names, once each, including its record key, precombine and partition fields.",
    example: Some(Example {
        fails: r#"
[[hudi.tables]]
name = "events"
source_topic = "events"
record_key = "id"
"#,
        passes: r#"
[[hudi.tables]]
name = "events"
source_topic = "events"
record_key = "id,seq"
precombine_field = "ts"
partition_path = "day:SIMPLE"
columns = [{ name = "id", type = "string" }, { name = "seq", type = "bigint" }, { name = "ts", type = "timestamp" }, { name = "day", type = "date" }]
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_013, &CFX_014, &CFX_024, &CFX_038];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    hudi_cleaning(pipeline, ctx, out);
    hudi_compaction(pipeline, ctx, out);
    hudi_tables(pipeline, ctx, out);
    table_columns(pipeline, ctx, out);
}

// CFX-013
fn hudi_cleaning(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let cleaning = &pipeline.hudi.cleaning;
    if cleaning.keep_max_commits <= cleaning.keep_min_commits {
        out.push(
            Finding::error(
                &CFX_013,
                p("hudi.cleaning.keep_max_commits"),
                format!(
                    "keep_max_commits ({}) must be greater than keep_min_commits ({})",
                    cleaning.keep_max_commits, cleaning.keep_min_commits
                ),
            )
            .with_related(p("hudi.cleaning.keep_min_commits"), "set here"),
        );
    }
    if cleaning.keep_min_commits <= cleaning.commits_retained {
        out.push(
            Finding::error(
                &CFX_013,
                p("hudi.cleaning.keep_min_commits"),
                format!(
                    "keep_min_commits ({}) must be greater than commits_retained ({})",
                    cleaning.keep_min_commits, cleaning.commits_retained
                ),
            )
            .with_related(p("hudi.cleaning.commits_retained"), "set here")
            .with_help("archival must keep more commits than the cleaner retains, or the writer fails its precondition check"),
        );
    }
}

// CFX-014
fn hudi_compaction(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let global = &pipeline.hudi.compaction;
    if global.inline && global.async_enabled {
        out.push(
            Finding::error(
                &CFX_014,
                p("hudi.compaction.async_enabled"),
                "compaction is set to run both inline and asynchronously",
            )
            .with_related(p("hudi.compaction.inline"), "inline compaction is on here")
            .with_help("choose one: async for streaming writers, inline for batch writers"),
        );
    }
    // `[hudi.compaction]` applies to the MERGE_ON_READ tables without a block of their own; on
    // COPY_ON_WRITE tables Hudi never compacts (there are no log files to merge).
    let global_used = pipeline
        .hudi
        .tables
        .iter()
        .any(|t| t.table_type == TableType::MergeOnRead && t.compaction.is_none());
    if !global_used && *global != crate::model::Compaction::default() {
        let why = if pipeline.hudi.tables.is_empty() {
            "there are no Hudi tables"
        } else if pipeline
            .hudi
            .tables
            .iter()
            .all(|t| t.table_type == TableType::CopyOnWrite)
        {
            "every table is COPY_ON_WRITE"
        } else {
            "every MERGE_ON_READ table has its own compaction block"
        };
        out.push(
            Finding::warning(
                &CFX_014,
                p("hudi.compaction"),
                format!(
                    "[hudi.compaction] applies to no table: {why}, so these settings have no effect"
                ),
            )
            .with_help("remove [hudi.compaction], or make a table MERGE_ON_READ"),
        );
    }
    for (i, table) in pipeline.hudi.tables.iter().enumerate() {
        let Some(compaction) = &table.compaction else {
            continue;
        };
        let at = p("hudi.tables").index(i).key("compaction");
        if table.table_type == TableType::CopyOnWrite {
            out.push(
                Finding::warning(
                    &CFX_014,
                    at,
                    format!(
                        "table `{}` is COPY_ON_WRITE; its compaction settings have no effect",
                        table.name
                    ),
                )
                .with_help("remove them, or make the table MERGE_ON_READ"),
            );
        } else if compaction.inline && compaction.async_enabled {
            out.push(Finding::error(
                &CFX_014,
                at.key("async_enabled"),
                format!(
                    "table `{}`: compaction is set to run both inline and asynchronously",
                    table.name
                ),
            ));
        }
    }
}

// CFX-024
fn hudi_tables(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let mut names = Names::new(&CFX_024, "Hudi table");
    let topic_names = pipeline.kafka.topics.iter().map(|t| t.name.as_str());
    let declared: std::collections::HashSet<&str> = topic_names.clone().collect();
    for (i, table) in pipeline.hudi.tables.iter().enumerate() {
        let at = p("hudi.tables").index(i);
        let valid = !table.name.is_empty()
            && table.name.len() <= 128
            && table
                .name
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && table
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            out.push(
                Finding::error(
                    &CFX_024,
                    at.key("name"),
                    format!("table name {:?} is not a valid identifier", table.name),
                )
                .with_help("use letters, digits and underscores, starting with a letter (catalogs reject other names)"),
            );
        }
        names.declare(&table.name, at.key("name"), out);
        if !declared.contains(table.source_topic.as_str()) {
            let help = match suggest::closest(&table.source_topic, topic_names.clone()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "declare the topic under [[kafka.topics]]".to_owned(),
            };
            out.push(
                Finding::error(
                    &CFX_024,
                    at.key("source_topic"),
                    format!(
                        "source topic `{}` is not declared in kafka.topics",
                        table.source_topic
                    ),
                )
                .with_help(help),
            );
        }
        if table.record_key.split(',').any(|f| f.trim().is_empty()) {
            out.push(Finding::error(
                &CFX_024,
                at.key("record_key"),
                format!(
                    "table `{}`: the record key has an empty field name",
                    table.name
                ),
            ));
        }
    }
}

// CFX-038
/// Hudi turns the Spark schema into an Avro schema, whose names must start with a letter or
/// `_` and hold only letters, digits and `_` (Apache Avro Specification, "Names").
fn avro_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn table_columns(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    for (i, table) in pipeline.hudi.tables.iter().enumerate() {
        let at = p("hudi.tables").index(i);
        if table.columns.is_empty() {
            if facts::rendered_job(pipeline) {
                out.push(
                    Finding::error(
                        &CFX_038,
                        at.key("name"),
                        format!("table `{}` declares no columns: the streaming job decodes each record's value into them", table.name),
                    )
                    .with_help("list the record's fields: `columns = [{ name = \"event_id\", type = \"string\" }, ...]`"),
                );
            }
            continue;
        }
        let mut names = Names::new(&CFX_038, "column");
        for (j, column) in table.columns.iter().enumerate() {
            let here = at.key("columns").index(j).key("name");
            if !avro_name(&column.name) {
                out.push(
                    Finding::error(&CFX_038, here.clone(), format!("column name {:?} is not a valid Avro name", column.name))
                        .with_help("Hudi writes an Avro schema: start with a letter or `_`, then letters, digits and `_`"),
                );
            }
            names.declare(&column.name, here, out);
        }
        let names = || table.columns.iter().map(|c| c.name.as_str());
        let mut fields: Vec<(&str, &str)> = table
            .record_key
            .split(',')
            .map(|f| ("record_key", f.trim()))
            .collect();
        fields.extend(
            table
                .precombine_field
                .iter()
                .map(|f| ("precombine_field", f.trim())),
        );
        if let Some(path) = &table.partition_path {
            // `field:TYPE` is the custom key generator's form: the field is before the colon.
            fields.extend(
                path.split(',')
                    .map(|f| ("partition_path", f.split(':').next().unwrap_or(f).trim())),
            );
        }
        for (key, field) in fields {
            if field.is_empty() || names().any(|n| n == field) {
                continue;
            }
            let help = match suggest::closest(field, names()) {
                Some(best) => format!("did you mean `{best}`? Or declare `{field}` under columns"),
                None => format!("declare `{field}` under columns"),
            };
            out.push(
                Finding::error(
                    &CFX_038,
                    at.key(key),
                    format!(
                        "table `{}`: `{field}` is not one of its columns",
                        table.name
                    ),
                )
                .with_help(help),
            );
        }
    }
}
