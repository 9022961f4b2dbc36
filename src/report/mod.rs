//! Stage 6: reports. One model (a [`FileCheck`] per file, each with located findings) feeds
//! every output format.

mod github;
mod human;
mod json;
mod junit;
mod sarif;

pub use github::Github;
pub use human::Human;
pub use json::Json;
pub use junit::Junit;
pub use sarif::Sarif;

use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use schemars::JsonSchema;
use serde::Serialize;

use crate::FileCheck;
use crate::diagnostic::{Finding, Severity};
use crate::path::KeyPath;
use crate::policy::Pack;

/// Output formats for `check`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, serde::Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
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

/// What every format is given: the one report model and the run's settings.
pub struct Run<'a> {
    /// One check per file, in path order.
    pub files: &'a [FileCheck],
    /// The rules that ran (for rule metadata).
    pub pack: &'a Pack,
    /// Warnings fail the run too.
    pub deny_warnings: bool,
    /// Colour the output (human).
    pub color: bool,
    /// Print less (human): no notes, no waived findings, no summary when clean.
    pub quiet: bool,
    /// Print waived findings in full (human) instead of one line each.
    pub show_waived: bool,
}

/// A report format.
pub trait Emit {
    /// Writes the whole report for one run.
    fn emit(&self, out: &mut dyn Write, run: &Run<'_>) -> io::Result<()>;
}

impl Format {
    /// The format's writer.
    pub fn emitter(self) -> &'static dyn Emit {
        match self {
            Format::Human => &Human,
            Format::Json => &Json,
            Format::Sarif => &Sarif,
            Format::Junit => &Junit,
            Format::Github => &Github,
        }
    }

    /// Writes the report in this format.
    pub fn write(self, out: &mut dyn Write, run: &Run<'_>) -> io::Result<()> {
        self.emitter().emit(out, run)
    }
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
    pub notes: usize,
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
                    Severity::Info => summary.notes += 1,
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
        if self.notes > 0 {
            write!(f, " ({})", plural(self.notes, "note"))?;
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
    if let Some(code) = crate::code::builtin(code) {
        return CodeInfo {
            title: code.title.to_owned(),
            rationale: Some(format!("Otherwise {}.", code.why)),
            remediation: Some(code.fix.to_owned()),
            references: Vec::new(),
            category: code.stage.name(),
            severity: code
                .severities
                .iter()
                .copied()
                .max()
                .unwrap_or(Severity::Error),
        };
    }
    CodeInfo {
        title: "pipegen check".to_owned(),
        rationale: None,
        remediation: None,
        references: Vec::new(),
        category: "other",
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
