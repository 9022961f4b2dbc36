//! GitHub Actions workflow commands: one annotation per counted finding.

use std::io::{self, Write};

use super::{Emit, Lines, Run, Summary, locate};
use crate::diagnostic::Severity;

/// Writes `::error file=…,line=…,col=…::message` lines, then the summary.
pub struct Github;

impl Emit for Github {
    fn emit(&self, out: &mut dyn Write, run: &Run<'_>) -> io::Result<()> {
        let files = run.files;
        for file in files {
            let lines = Lines::new(file.source.as_deref().unwrap_or_default());
            for located in locate(file) {
                let finding = located.finding;
                if !finding.counts() {
                    continue;
                }
                let command = match finding.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "notice",
                };
                let mut properties = vec![format!("file={}", property(&file.name))];
                if let Some(span) = &located.span {
                    let (line, col) = lines.position(span.start);
                    let (end_line, end_col) = lines.position(span.end);
                    properties.push(format!("line={line}"));
                    properties.push(format!("col={col}"));
                    properties.push(format!("endLine={end_line}"));
                    if end_line == line {
                        properties.push(format!("endColumn={end_col}"));
                    }
                }
                properties.push(format!("title={}", property(finding.code.as_str())));
                let mut message = finding.message.clone();
                if let Some(help) = &finding.help {
                    message.push_str("\nhelp: ");
                    message.push_str(help);
                }
                writeln!(
                    out,
                    "::{command} {}::{}",
                    properties.join(","),
                    data(&message)
                )?;
            }
        }
        writeln!(out, "{}", Summary::of(files))
    }
}

/// Escapes a workflow-command message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_what_the_runner_parses() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
