//! The JSON report: one document with every finding, located.

use std::io::{self, Write};

use serde::Serialize;

use super::{Emit, Lines, Run, Summary, locate};
use crate::diagnostic::Severity;
use crate::path::KeyPath;

/// The JSON report. Its structure is documented in the README and versioned by `version`.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    file: &'a str,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    key_path: Option<&'a KeyPath>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waived: Option<JsonWaiver<'a>>,
}

#[derive(Serialize)]
struct JsonWaiver<'a> {
    reason: &'a str,
    expires: String,
    key_path: &'a KeyPath,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    key_path: &'a KeyPath,
    line: Option<usize>,
    column: Option<usize>,
}

/// Writes the JSON report.
pub struct Json;

impl Emit for Json {
    fn emit(&self, out: &mut dyn Write, run: &Run<'_>) -> io::Result<()> {
        let files = run.files;
        let mut findings = Vec::new();
        for file in files {
            let lines = Lines::new(file.source.as_deref().unwrap_or_default());
            for located in locate(file) {
                let start = located.span.as_ref().map(|s| lines.position(s.start));
                let end = located.span.as_ref().map(|s| lines.position(s.end));
                let finding = located.finding;
                findings.push(JsonFinding {
                    file: &file.name,
                    code: finding.code.as_str(),
                    severity: finding.severity,
                    message: &finding.message,
                    help: finding.help.as_deref(),
                    url: finding.url.as_deref(),
                    key_path: finding.path.as_ref(),
                    line: start.map(|p| p.0),
                    column: start.map(|p| p.1),
                    end_line: end.map(|p| p.0),
                    end_column: end.map(|p| p.1),
                    related: located
                        .related
                        .iter()
                        .map(|(span, label, path)| {
                            let at = span.as_ref().map(|s| lines.position(s.start));
                            JsonRelated {
                                message: label,
                                key_path: path,
                                line: at.map(|p| p.0),
                                column: at.map(|p| p.1),
                            }
                        })
                        .collect(),
                    waived: finding.suppressed.as_ref().map(|w| JsonWaiver {
                        reason: &w.reason,
                        expires: w.expires.to_string(),
                        key_path: &w.waiver,
                    }),
                });
            }
        }
        let report = JsonReport {
            version: 2,
            summary: Summary::of(files),
            findings,
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)
    }
}
