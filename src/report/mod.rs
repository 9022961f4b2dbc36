//! Stage 6: reports. One model (a [`FileCheck`] per file, each with located findings) feeds
//! every output format.

mod github;
mod junit;
mod sarif;

pub use github::github;
pub use junit::junit;
pub use sarif::sarif;

use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;

use crate::FileCheck;
use crate::diagnostic::{Finding, Severity};
use crate::path::KeyPath;

/// Output formats for `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Annotated source snippets for people.
    Human,
    /// One JSON document (see the README for its structure).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML: one test case per rule per file.
    Junit,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Counts over a whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Files that could not be used at all.
    pub unusable: usize,
    /// Error-severity findings.
    pub errors: usize,
    /// Warning-severity findings.
    pub warnings: usize,
    /// Info-severity findings.
    pub infos: usize,
    /// Findings accepted by a waiver (not counted above).
    pub waived: usize,
}

impl Summary {
    /// Tallies a run.
    pub fn of(files: &[FileCheck]) -> Self {
        let mut summary = Summary {
            files: files.len(),
            ..Summary::default()
        };
        for file in files {
            summary.unusable += usize::from(!file.usable);
            for finding in &file.findings {
                if !finding.counts() {
                    summary.waived += 1;
                    continue;
                }
                match finding.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                }
            }
        }
        summary
    }

    /// The process exit code: 2 if any input was unusable, 1 on errors (and, with
    /// `deny_warnings`, on warnings), else 0. Waived findings never count.
    pub fn exit_code(&self, deny_warnings: bool) -> u8 {
        if self.unusable > 0 {
            2
        } else if self.errors > 0 || (deny_warnings && self.warnings > 0) {
            1
        } else {
            0
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        write!(
            f,
            "{}, {} in {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.files, "file")
        )?;
        if self.infos > 0 {
            write!(f, " ({})", plural(self.infos, "note"))?;
        }
        if self.waived > 0 {
            write!(f, "; {} waived", self.waived)?;
        }
        if self.unusable > 0 {
            write!(f, "; {} could not be read", plural(self.unusable, "file"))?;
        }
        Ok(())
    }
}

/// Line and column (1-based, columns in characters) of byte offsets in one text.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }
}

/// A finding with its location resolved to a byte range.
pub(crate) struct Located<'a> {
    pub(crate) finding: &'a Finding,
    pub(crate) span: Option<Range<usize>>,
    pub(crate) related: Vec<(Option<Range<usize>>, &'a str, &'a KeyPath)>,
}

pub(crate) fn locate(file: &FileCheck) -> Vec<Located<'_>> {
    file.findings
        .iter()
        .map(|finding| {
            let span = finding.span.clone().or_else(|| {
                let path = finding.path.as_ref()?;
                file.spans.locate(path, finding.at_key)
            });
            let related = finding
                .related
                .iter()
                .map(|r| (file.spans.locate(&r.path, false), r.label.as_str(), &r.path))
                .collect();
            Located {
                finding,
                span,
                related,
            }
        })
        .collect()
}

/// Writes the human report: one miette diagnostic per file with its findings as related
/// diagnostics, then a summary line. `quiet` drops notes, and the summary when nothing else
/// is reported.
pub fn human(out: &mut dyn Write, files: &[FileCheck], color: bool, quiet: bool) -> io::Result<()> {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // On a terminal the rule id is a hyperlink to its documentation; elsewhere the link is
    // printed after the id.
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(color)
        .with_urls(true);
    let mut reported = 0;
    for file in files {
        let notes_only = file.findings.iter().all(|f| f.severity == Severity::Info);
        if file.findings.is_empty() || (quiet && notes_only && file.usable) {
            continue;
        }
        reported += 1;
        let diagnostic = FileDiagnostic::new(file, quiet);
        let mut rendered = String::new();
        handler
            .render_report(&mut rendered, &diagnostic)
            .map_err(io::Error::other)?;
        writeln!(out, "{rendered}")?;
    }
    if quiet && reported == 0 {
        return Ok(());
    }
    writeln!(out, "{}", Summary::of(files))
}

struct FileDiagnostic {
    message: String,
    severity: miette::Severity,
    source: NamedSource<String>,
    findings: Vec<FindingDiagnostic>,
}

impl FileDiagnostic {
    fn new(file: &FileCheck, quiet: bool) -> Self {
        let summary = Summary::of(std::slice::from_ref(file));
        let findings: Vec<FindingDiagnostic> = locate(file)
            .into_iter()
            .filter(|l| !(quiet && l.finding.severity == Severity::Info))
            .map(FindingDiagnostic::from)
            .collect();
        let worst = file
            .findings
            .iter()
            .filter(|f| f.counts())
            .map(|f| f.severity)
            .max();
        let message = if file.usable {
            format!("{}: {summary}", file.name)
        } else {
            format!("{}: cannot be checked", file.name)
        };
        FileDiagnostic {
            message,
            severity: to_miette(worst.unwrap_or(Severity::Info)),
            source: NamedSource::new(&file.name, file.source.clone().unwrap_or_default()),
            findings,
        }
    }
}

impl fmt::Debug for FileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for FileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FileDiagnostic {}

impl Diagnostic for FileDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.findings.iter().map(|f| f as &dyn Diagnostic)))
    }
}

struct FindingDiagnostic {
    code: String,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    url: Option<String>,
    labels: Vec<LabeledSpan>,
}

impl From<Located<'_>> for FindingDiagnostic {
    fn from(located: Located<'_>) -> Self {
        let finding = located.finding;
        let mut labels = Vec::new();
        if let Some(span) = &located.span {
            let text = finding.path.as_ref().map(|p| p.to_string());
            labels.push(LabeledSpan::new_primary_with_span(text, span.clone()));
        }
        for (span, label, _) in &located.related {
            if let Some(span) = span {
                labels.push(LabeledSpan::new_with_span(
                    Some((*label).to_owned()),
                    span.clone(),
                ));
            }
        }
        let mut message = match (&located.span, &finding.path) {
            // Without a span the location must still be said.
            (None, Some(path)) if !path.segments().is_empty() => {
                format!("{} (at `{path}`)", finding.message)
            }
            _ => finding.message.clone(),
        };
        let severity = match &finding.suppressed {
            Some(waiver) => {
                message = format!(
                    "waived until {}: {} (reason: {})",
                    waiver.expires, message, waiver.reason
                );
                miette::Severity::Advice
            }
            None => to_miette(finding.severity),
        };
        FindingDiagnostic {
            code: finding.code.clone(),
            message,
            severity,
            help: finding.help.clone(),
            url: finding.url.clone(),
            labels,
        }
    }
}

impl fmt::Debug for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

fn to_miette(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

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
pub fn json(out: &mut dyn Write, files: &[FileCheck]) -> io::Result<()> {
    let mut findings = Vec::new();
    for file in files {
        let lines = Lines::new(file.source.as_deref().unwrap_or_default());
        for located in locate(file) {
            let start = located.span.as_ref().map(|s| lines.position(s.start));
            let end = located.span.as_ref().map(|s| lines.position(s.end));
            let finding = located.finding;
            findings.push(JsonFinding {
                file: &file.name,
                code: &finding.code,
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
        version: 1,
        summary: Summary::of(files),
        findings,
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

/// What reports say about a finding code beyond the finding itself.
pub(crate) struct CodeInfo {
    pub(crate) title: String,
    pub(crate) rationale: Option<String>,
    pub(crate) remediation: Option<String>,
    pub(crate) references: Vec<String>,
    pub(crate) category: &'static str,
    pub(crate) severity: Severity,
}

/// Metadata for a code: a policy rule, a consistency check, or one of the loader's codes.
pub(crate) fn describe_code(code: &str, pack: &crate::policy::Pack) -> CodeInfo {
    if let Some(rule) = pack.get(code) {
        return CodeInfo {
            title: rule.rule.title.clone(),
            rationale: Some(rule.rule.rationale.trim().to_owned()),
            remediation: Some(rule.rule.remediation.trim().to_owned()),
            references: rule.rule.references.clone(),
            category: rule.rule.category.name(),
            severity: rule.severity,
        };
    }
    if let Some(check) = crate::consistency::check_info(code) {
        return CodeInfo {
            title: check.title.to_owned(),
            rationale: Some(format!("Otherwise {}.", check.prevents)),
            remediation: None,
            references: Vec::new(),
            category: "consistency",
            severity: Severity::Error,
        };
    }
    let (category, title) = match code.split_once("::") {
        Some(("load", _)) => ("load", "The file can be read as TOML"),
        Some(("schema", _)) => ("schema", "The file matches the pipeline schema"),
        Some(("waiver", _)) => ("waiver", "Waivers are valid, current and used"),
        Some(("policy", _)) => ("policy", "Policy rules evaluate"),
        _ => ("other", "pipegen check"),
    };
    CodeInfo {
        title: title.to_owned(),
        rationale: None,
        remediation: None,
        references: Vec::new(),
        category,
        severity: Severity::Error,
    }
}

/// The first http(s) reference of a rule, for help links.
pub(crate) fn help_uri(info: &CodeInfo) -> Option<&str> {
    crate::policy::doc_url(&info.references)
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let lines = Lines::new("ab\nçd = 1\n");
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(3), (2, 1));
        assert_eq!(lines.position(6), (2, 3));
        assert_eq!(lines.position(99), (3, 1));
    }
}
