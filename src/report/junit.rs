//! JUnit XML: one test suite per file, one test case per rule per file.

use std::collections::BTreeSet;
use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Emit, Lines, Run, locate};
use crate::diagnostic::Severity;

/// Writes the JUnit report. A rule's test case fails when the rule has a counted error (or,
/// with `deny_warnings`, a warning) in the file; waived findings are noted, not failed.
pub struct Junit;

impl Emit for Junit {
    fn emit(&self, out: &mut dyn Write, run: &Run<'_>) -> io::Result<()> {
        let (files, pack, deny_warnings) = (run.files, run.pack, run.deny_warnings);
        let mut report = Report::new("pipegen");
        for file in files {
            let mut suite = TestSuite::new(file.name.as_str());
            let lines = Lines::new(file.source.as_deref().unwrap_or_default());
            let located = locate(file);
            let mut codes: BTreeSet<&str> = pack.rules.iter().map(|r| r.rule.id.as_str()).collect();
            codes.extend(crate::consistency::codes().map(|c| c.id));
            codes.extend(file.findings.iter().map(|f| f.code.as_str()));
            for code in codes {
                let fails = |l: &super::Located<'_>| {
                    l.finding.counts()
                        && (l.finding.severity == Severity::Error
                            || (deny_warnings && l.finding.severity == Severity::Warning))
                };
                let hits: Vec<_> = located.iter().filter(|l| l.finding.code == code).collect();
                let failing: Vec<_> = hits.iter().filter(|l| fails(l)).collect();
                let describe = |l: &&&super::Located<'_>| {
                    let at = l.span.as_ref().map(|s| lines.position(s.start));
                    let place = match at {
                        Some((line, column)) => format!("{}:{line}:{column}", file.name),
                        None => file.name.clone(),
                    };
                    format!("{place}: {}", l.finding.message)
                };
                let mut case = if failing.is_empty() {
                    TestCase::new(code, TestCaseStatus::success())
                } else {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(failing[0].finding.message.as_str());
                    status.set_type(failing[0].finding.severity.to_string());
                    status.set_description(
                        failing.iter().map(describe).collect::<Vec<_>>().join("\n"),
                    );
                    TestCase::new(code, status)
                };
                case.set_classname(file.name.as_str());
                let notes: Vec<String> = hits
                    .iter()
                    .filter(|l| !fails(l))
                    .map(|l| match &l.finding.suppressed {
                        Some(w) => format!(
                            "waived until {}: {} ({})",
                            w.expires,
                            describe(&l),
                            w.reason
                        ),
                        None => format!("{}: {}", l.finding.severity, describe(&l)),
                    })
                    .collect();
                if !notes.is_empty() {
                    case.set_system_out(notes.join("\n"));
                }
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        let xml = report.to_string().map_err(io::Error::other)?;
        out.write_all(xml.as_bytes())?;
        writeln!(out)
    }
}
