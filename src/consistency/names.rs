//! The "declared once" rule every list of named entries shares: a name taken by an earlier
//! entry is reported at the later one, pointing at the first; where AWS bounds the name's
//! length, an empty or longer one is reported too.

use std::collections::BTreeMap;

use crate::code::Builtin;
use crate::diagnostic::Finding;
use crate::path::KeyPath;

/// The names one list has declared so far.
pub(crate) struct Names<'a> {
    code: &'static Builtin,
    what: &'static str,
    max_len: Option<usize>,
    seen: BTreeMap<&'a str, KeyPath>,
}

impl<'a> Names<'a> {
    /// Names of `what` ("topic", "alarm name"), reported under `code`.
    pub(crate) fn new(code: &'static Builtin, what: &'static str) -> Self {
        Names {
            code,
            what,
            max_len: None,
            seen: BTreeMap::new(),
        }
    }

    /// Names must also be 1 to `max` characters.
    pub(crate) fn up_to(mut self, max: usize) -> Self {
        self.max_len = Some(max);
        self
    }

    /// Declares `name` at `at`; returns whether it was new.
    pub(crate) fn declare(&mut self, name: &'a str, at: KeyPath, out: &mut Vec<Finding>) -> bool {
        if let Some(max) = self.max_len
            && (name.is_empty() || name.chars().count() > max)
        {
            out.push(Finding::error(
                self.code,
                at.clone(),
                format!("{}s are 1 to {max} characters", self.what),
            ));
        }
        if let Some(first) = self.seen.get(name) {
            out.push(
                Finding::error(
                    self.code,
                    at,
                    format!("{} `{name}` is declared twice", self.what),
                )
                .with_related(first.clone(), "first declared here"),
            );
            return false;
        }
        self.seen.insert(name, at);
        true
    }
}
