//! The human report: one miette diagnostic per file, its findings as related diagnostics.

use std::fmt;
use std::io::{self, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use super::{Emit, Located, Run, Summary, locate};
use crate::FileCheck;
use crate::diagnostic::Severity;

/// Writes the human report: one miette diagnostic per file with its findings as related
/// diagnostics, each waived finding as one line after them (in full with `show_waived`), then
/// a summary line. `quiet` drops notes, waived findings, and the summary when nothing else is
/// reported. Levels are named as everywhere else: error, warning, note.
pub struct Human;

impl Emit for Human {
    fn emit(&self, out: &mut dyn Write, run: &Run<'_>) -> io::Result<()> {
        let (files, color, quiet) = (run.files, run.color, run.quiet);
        let mut theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        theme.characters.advice = "ℹ".into();
        // On a terminal the rule id is a hyperlink to its documentation; elsewhere the link is
        // printed after the id.
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(color)
            .with_urls(true);
        let mut reported = 0;
        for file in files {
            let quiet_only = file
                .findings
                .iter()
                .all(|f| f.severity == Severity::Info || f.suppressed.is_some());
            if file.findings.is_empty() || (quiet && quiet_only && file.usable) {
                continue;
            }
            reported += 1;
            let diagnostic = FileDiagnostic::new(file, quiet, run.show_waived);
            let mut rendered = String::new();
            handler
                .render_report(&mut rendered, &diagnostic)
                .map_err(io::Error::other)?;
            // miette names the third level "Advice"; pipegen's word for it is "note".
            let rendered = rendered.replace("\nAdvice: ", "\nNote: ");
            writeln!(out, "{rendered}")?;
            if !quiet && !run.show_waived {
                waived_lines(out, file)?;
            }
        }
        if quiet && reported == 0 {
            return Ok(());
        }
        writeln!(out, "{}", Summary::of(files))
    }
}

/// The file's text for miette, with columns counted in characters as in every other format
/// (miette's own `str` source counts bytes, so a line with `é` or a BOM would disagree).
struct Source {
    name: String,
    text: String,
}

impl miette::SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let start = inner.span().offset().min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let column = self
            .text
            .get(line_start..start)
            .map_or(start - line_start, |s| s.chars().count());
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

struct FileDiagnostic {
    message: String,
    severity: miette::Severity,
    source: Source,
    findings: Vec<FindingDiagnostic>,
}

/// One line per waived finding: level, code, place, message, and the waiver's terms.
fn waived_lines(out: &mut dyn Write, file: &FileCheck) -> io::Result<()> {
    let lines = super::Lines::new(file.source.as_deref().unwrap_or_default());
    for located in locate(file) {
        let finding = located.finding;
        let Some(waiver) = &finding.suppressed else {
            continue;
        };
        let place = match &located.span {
            Some(span) => {
                let (line, column) = lines.position(span.start);
                format!("{}:{line}:{column}", file.name)
            }
            None => file.name.clone(),
        };
        writeln!(
            out,
            "  waived {} {} at {place}: {} (until {}: {})",
            finding.severity, finding.code, finding.message, waiver.expires, waiver.reason
        )?;
    }
    Ok(())
}

impl FileDiagnostic {
    fn new(file: &FileCheck, quiet: bool, show_waived: bool) -> Self {
        let summary = Summary::of(std::slice::from_ref(file));
        let findings: Vec<FindingDiagnostic> = locate(file)
            .into_iter()
            .filter(|l| !(quiet && l.finding.severity == Severity::Info))
            .filter(|l| (show_waived && !quiet) || l.finding.suppressed.is_none())
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
            source: Source {
                name: file.name.clone(),
                text: file.source.clone().unwrap_or_default(),
            },
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
        if let Some(waiver) = &finding.suppressed {
            message = format!(
                "waived until {}: {} (reason: {})",
                waiver.expires, message, waiver.reason
            );
        }
        let severity = to_miette(finding.severity);
        FindingDiagnostic {
            code: finding.code.to_string(),
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
