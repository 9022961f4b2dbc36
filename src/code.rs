//! Finding codes, typed: a built-in code is a `static` [`Builtin`] declared beside the code
//! that reports it, carrying its own documentation (as ruff keeps a rule's explanation on the
//! rule); a policy rule's code is the id its data declares. [`BUILTINS`] is the one registry,
//! read by `explain`, `rules`, the generated docs and the report formats; a test keeps ids
//! unique across built-in codes and rules.

use std::fmt;

use crate::diagnostic::Severity;

/// The stage that reports a built-in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reading the file and selecting an environment (`load::…`).
    Load,
    /// The repository's `pipegen.toml` (`config::…`).
    Config,
    /// The JSON Schema of the pipeline file (`schema::…`).
    Schema,
    /// Cross-field consistency (`CFX-…`): the pipeline cannot deploy or run otherwise.
    Consistency,
    /// Loading a policy pack (`policy::…`).
    Policy,
    /// Waivers in the pipeline file (`waiver::…`).
    Waiver,
}

impl Stage {
    /// Every stage, in report order.
    pub const ALL: [Stage; 6] = [
        Stage::Load,
        Stage::Config,
        Stage::Schema,
        Stage::Consistency,
        Stage::Policy,
        Stage::Waiver,
    ];

    /// The name `rules` shows and `rules --category` takes.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Config => "config",
            Stage::Schema => "schema",
            Stage::Consistency => "consistency",
            Stage::Policy => "policy",
            Stage::Waiver => "waiver",
        }
    }
}

/// A failing and a passing snippet, each merged over `examples/minimal.toml`.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// A patch that makes the code fire.
    pub fails: &'static str,
    /// A close patch that does not.
    pub passes: &'static str,
}

/// A built-in code and its documentation.
#[derive(Debug)]
pub struct Builtin {
    /// The stable id users see, waive and search for (`CFX-004`, `load::io`).
    pub id: &'static str,
    /// The stage that reports it.
    pub stage: Stage,
    /// What must hold, in one line.
    pub title: &'static str,
    /// The severities it is reported at (a test checks each is observed and none other is).
    pub severities: &'static [Severity],
    /// What goes wrong otherwise.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// A failing and a passing snippet, for codes a pipeline patch can show.
    pub example: Option<Example>,
}

impl Builtin {
    /// The severities it is reported at, highest first.
    pub fn severities_highest_first(&self) -> Vec<Severity> {
        let mut all = self.severities.to_vec();
        all.sort_by(|a, b| b.cmp(a));
        all
    }
}

/// The severities a report lists, joined as prose: `error or warning`.
pub fn severities_text(severities: &[Severity]) -> String {
    let names: Vec<String> = severities.iter().map(ToString::to_string).collect();
    names.join(" or ")
}

/// The severity list of most built-in codes.
pub const ERROR: &[Severity] = &[Severity::Error];

/// Every built-in code, by stage.
pub fn builtins() -> impl Iterator<Item = &'static Builtin> {
    let stages = |lists: &'static [&'static [&'static Builtin]]| {
        lists.iter().flat_map(|codes| codes.iter().copied())
    };
    stages(&[
        crate::load::CODES,
        crate::config::CODES,
        crate::schema::CODES,
    ])
    .chain(crate::consistency::codes())
    .chain(stages(&[
        crate::policy::CODES,
        crate::policy::waivers::CODES,
    ]))
}

/// The built-in code with this id, compared without regard to case.
pub fn builtin(id: &str) -> Option<&'static Builtin> {
    builtins().find(|b| b.id.eq_ignore_ascii_case(id))
}

/// A finding's code: a built-in one, or a policy rule's id.
#[derive(Debug, Clone)]
pub enum Code {
    /// Reported by pipegen's own stages.
    Builtin(&'static Builtin),
    /// Reported by a policy rule (built-in pack or a repository's own).
    Rule(String),
}

impl Code {
    /// The id as users see it.
    pub fn as_str(&self) -> &str {
        match self {
            Code::Builtin(b) => b.id,
            Code::Rule(id) => id,
        }
    }

    /// The built-in code, when it is one.
    pub fn builtin(&self) -> Option<&'static Builtin> {
        match self {
            Code::Builtin(b) => Some(b),
            Code::Rule(_) => None,
        }
    }

    /// Whether this is the given built-in code.
    pub fn is(&self, code: &Builtin) -> bool {
        self.builtin().is_some_and(|b| b.id == code.id)
    }

    /// Whether the code comes from this stage.
    pub fn stage(&self) -> Option<Stage> {
        self.builtin().map(|b| b.stage)
    }
}

impl From<&'static Builtin> for Code {
    fn from(code: &'static Builtin) -> Self {
        Code::Builtin(code)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Code {}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Code {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
