//! The one finding type every stage produces and every report format reads.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::code::Code;
use crate::model::Date;
use crate::path::KeyPath;

/// How serious a finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A note: printed, never fails the run. Written `note` everywhere (`info` is accepted as
    /// its old name).
    #[serde(rename = "note", alias = "info")]
    Info,
    /// Printed; fails the run only under `--deny warnings`.
    Warning,
    /// Fails the run (exit 1).
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A secondary location that explains a finding (e.g. the first of two duplicates).
#[derive(Debug, Clone)]
pub struct Related {
    /// Where.
    pub path: KeyPath,
    /// What to say there.
    pub label: String,
}

/// Why a finding does not count: the waiver that accepted it.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// The waiver's reason.
    pub reason: String,
    /// When the waiver expires.
    pub expires: Date,
    /// Where the waiver is in the file.
    pub waiver: KeyPath,
}

/// One problem found in a pipeline file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// A stable code: `schema::type`, `CFX-004`, `SEC-MSK-001`, …
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The key the finding is about.
    pub path: Option<KeyPath>,
    /// Label the key rather than its value (unknown keys, missing members).
    pub at_key: bool,
    /// A byte range given directly (syntax errors, which have no key path).
    pub span: Option<Range<usize>>,
    /// Other places worth showing.
    pub related: Vec<Related>,
    /// Set when a waiver accepted the finding; it is then reported but does not count.
    pub suppressed: Option<Suppression>,
    /// Where to read more (a policy rule's first documentation link).
    pub url: Option<String>,
}

impl Finding {
    /// A finding with no location yet.
    pub fn new(code: impl Into<Code>, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            severity,
            message: message.into(),
            help: None,
            path: None,
            at_key: false,
            span: None,
            related: Vec::new(),
            suppressed: None,
            url: None,
        }
    }

    /// Whether the finding counts towards the exit code (it is not waived).
    pub fn counts(&self) -> bool {
        self.suppressed.is_none()
    }

    /// An error about the value at `path`.
    pub fn error(code: impl Into<Code>, path: KeyPath, message: impl Into<String>) -> Self {
        Finding::new(code, Severity::Error, message).at(path)
    }

    /// A warning about the value at `path`.
    pub fn warning(code: impl Into<Code>, path: KeyPath, message: impl Into<String>) -> Self {
        Finding::new(code, Severity::Warning, message).at(path)
    }

    /// A note about the value at `path`: nothing breaks, but something is probably unintended.
    pub fn info(code: impl Into<Code>, path: KeyPath, message: impl Into<String>) -> Self {
        Finding::new(code, Severity::Info, message).at(path)
    }

    /// Points the finding at the value at `path`.
    pub fn at(mut self, path: KeyPath) -> Self {
        self.path = Some(path);
        self
    }

    /// Points the finding at the key (not the value) at `path`.
    pub fn at_key(mut self, path: KeyPath) -> Self {
        self.path = Some(path);
        self.at_key = true;
        self
    }

    /// Adds a fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a fix when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help.or(self.help);
        self
    }

    /// Sets an explicit byte range.
    pub fn with_span(mut self, span: Option<Range<usize>>) -> Self {
        self.span = span;
        self
    }

    /// Adds a secondary location.
    pub fn with_related(mut self, path: KeyPath, label: impl Into<String>) -> Self {
        self.related.push(Related {
            path,
            label: label.into(),
        });
        self
    }
}
