//! SARIF 2.1.0 for code scanning: every rule's metadata in `tool.driver.rules`, one result per
//! finding with its real level and location, waived findings as `suppressions`.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde_sarif::sarif;

use super::{CodeInfo, Emit, Lines, Run, describe_code, help_uri, locate};
use crate::diagnostic::Severity;

fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

fn text(value: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(value.to_owned())
        .build()
}

fn descriptor(code: &str, info: &CodeInfo) -> sarif::ReportingDescriptor {
    let mut properties = std::collections::BTreeMap::new();
    if info.category == "security" {
        // GitHub code scanning ranks security alerts by this score.
        let score = match info.severity {
            Severity::Error => "8.0",
            Severity::Warning => "5.0",
            Severity::Info => "2.0",
        };
        properties.insert("security-severity".to_owned(), serde_json::json!(score));
    }
    if !info.references.is_empty() {
        properties.insert("references".to_owned(), serde_json::json!(info.references));
    }
    let bag = sarif::PropertyBag::builder()
        .tags(vec![info.category.to_owned()])
        .additional_properties(properties)
        .build();
    let configuration = sarif::ReportingConfiguration::builder()
        .level(serde_json::json!(level(info.severity)))
        .build();
    let help = match (&info.remediation, &info.rationale) {
        (Some(fix), Some(why)) => format!("{why}\n\nFix: {fix}"),
        (Some(fix), None) => fix.clone(),
        (None, Some(why)) => why.clone(),
        (None, None) => info.title.clone(),
    };
    let builder = sarif::ReportingDescriptor::builder()
        .id(code.to_owned())
        .name(pascal_name(&info.title))
        .short_description(text(&info.title))
        .full_description(text(info.rationale.as_deref().unwrap_or(&info.title)))
        .help(text(&help))
        .default_configuration(configuration)
        .properties(bag);
    match help_uri(info) {
        Some(uri) => builder.help_uri(uri.to_owned()).build(),
        None => builder.build(),
    }
}

/// SARIF rule names are identifiers: `Client-broker traffic is TLS only` → `ClientBrokerTrafficIsTlsOnly`.
fn pascal_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .unwrap_or_default();
            format!("{first}{}", chars.as_str().to_ascii_lowercase())
        })
        .collect()
}

/// Writes one SARIF log with one run for all files.
pub struct Sarif;

impl Emit for Sarif {
    fn emit(&self, out: &mut dyn Write, run: &Run<'_>) -> io::Result<()> {
        let (files, pack) = (run.files, run.pack);
        let mut codes: BTreeSet<String> = pack.rules.iter().map(|r| r.rule.id.clone()).collect();
        codes.extend(crate::consistency::codes().map(|c| c.id.to_owned()));
        codes.extend(
            files
                .iter()
                .flat_map(|f| f.findings.iter().map(|x| x.code.to_string())),
        );
        let codes: Vec<String> = codes.into_iter().collect();
        let rules: Vec<sarif::ReportingDescriptor> = codes
            .iter()
            .map(|code| descriptor(code, &describe_code(code, pack)))
            .collect();
        let mut results = Vec::new();
        for file in files {
            let lines = Lines::new(file.source.as_deref().unwrap_or_default());
            for located in locate(file) {
                let finding = located.finding;
                let artifact = sarif::ArtifactLocation::builder()
                    .uri(uri(&file.name))
                    .build();
                let physical = match &located.span {
                    Some(span) => {
                        let (start_line, start_column) = lines.position(span.start);
                        let (end_line, end_column) = lines.position(span.end);
                        let region = sarif::Region::builder()
                            .start_line(start_line as i64)
                            .start_column(start_column as i64)
                            .end_line(end_line as i64)
                            .end_column(end_column as i64)
                            .build();
                        sarif::PhysicalLocation::builder()
                            .artifact_location(artifact)
                            .region(region)
                            .build()
                    }
                    None => sarif::PhysicalLocation::builder()
                        .artifact_location(artifact)
                        .build(),
                };
                let location = sarif::Location::builder()
                    .physical_location(physical)
                    .build();
                let message = sarif::Message::builder()
                    .text(match &finding.path {
                        Some(path) if !path.segments().is_empty() => {
                            format!("{} (at `{path}`)", finding.message)
                        }
                        _ => finding.message.clone(),
                    })
                    .build();
                let builder = sarif::Result::builder()
                    .rule_id(finding.code.to_string())
                    .level(level(finding.severity))
                    .message(message)
                    .locations(vec![location]);
                let result = match &finding.suppressed {
                    Some(waiver) => builder
                        .suppressions(vec![
                            sarif::Suppression::builder()
                                .kind(serde_json::json!("inSource"))
                                .justification(format!(
                                    "{} (waiver {}, expires {})",
                                    waiver.reason, waiver.waiver, waiver.expires
                                ))
                                .build(),
                        ])
                        .build(),
                    None => builder.build(),
                };
                results.push(result);
            }
        }
        let driver = sarif::ToolComponent::builder()
            .name("pipegen".to_owned())
            .semantic_version(env!("CARGO_PKG_VERSION").to_owned())
            .rules(rules)
            .build();
        let run = sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .column_kind(serde_json::json!("unicodeCodePoints"))
            .results(results)
            .build();
        let log = sarif::Sarif::builder()
            .schema(sarif::SCHEMA_URL.to_owned())
            .version(serde_json::json!("2.1.0"))
            .runs(vec![run])
            .build();
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

/// A file name as a URI: relative names stay relative references, absolute paths become
/// `file://` URIs (forward slashes, specials percent-encoded).
fn uri(name: &str) -> String {
    let mut out = if name.starts_with('/') {
        "file://".to_owned()
    } else {
        String::new()
    };
    for c in name.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' => out.push(c),
            '\\' => out.push('/'),
            other => {
                let mut buffer = [0u8; 4];
                for byte in other.encode_utf8(&mut buffer).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
        }
    }
    out
}
