//! AWS model patterns in the dialect of the `regex` family, shared by the build script (which
//! compiles every pattern of the table to a DFA) and the tests.
//!
//! The models write ECMA-262 / JSON Schema (CloudFormation) or Java (botocore service models)
//! patterns. Where the two dialects read a construct alike and Rust's `regex` reads it
//! otherwise, the translation gives the models' reading, so a value pipegen accepts is one the
//! service accepts:
//! - `\d`, `\w` and `\b` are ASCII (ECMA-262 without the `u` flag, Java without
//!   `UNICODE_CHARACTER_CLASS`); Rust's are Unicode.
//! - `.` matches no line terminator (ECMA-262: LF, CR, U+2028, U+2029); Rust's stops at LF only.
//! - `\Z` is the end of the text; `\uXXXX` is a code point, and the UTF-16 surrogate range
//!   `\uD800\uDC00-\uDBFF\uDFFF` the code points beyond the Basic Multilingual Plane.
//! - A `[` inside a class is literal, and so is a `]` first in a class.
//!
//! DFAs have no look-around. A pattern that begins with a negative look-ahead, `^(?!X)Y`, is
//! split into what must match (`^Y`) and what must not match at the start (`^X`); any other
//! look-around is refused, so a new pattern of that kind fails the build instead of being
//! read wrongly.

/// A pattern as two lists: every one of `accept` must match, none of `reject` may.
#[derive(Debug, PartialEq, Eq)]
pub struct Split {
    /// Patterns that must match (searched for anywhere; they carry their own anchors).
    pub accept: Vec<String>,
    /// Patterns that must not match.
    pub reject: Vec<String>,
}

/// Splits and translates a model pattern; `whole` anchors it at both ends (botocore's
/// patterns apply to the whole value, as the services enforce them; CloudFormation's match
/// anywhere, as JSON Schema says).
pub fn split(pattern: &str, whole: bool) -> Result<Split, String> {
    let (reject, rest) = match pattern.strip_prefix("^(?!") {
        Some(after) => {
            let end =
                group_end(after).ok_or_else(|| format!("unbalanced look-ahead in `{pattern}`"))?;
            (
                vec![format!("^(?:{})", translate(&after[..end], false)?)],
                format!("^{}", &after[end + 1..]),
            )
        }
        None => (Vec::new(), pattern.to_owned()),
    };
    Ok(Split {
        accept: vec![translate(&rest, whole)?],
        reject,
    })
}

/// The index of the `)` that closes a group whose text starts at `text[0]`.
fn group_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_class = false;
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// One pattern in Rust's dialect (see the module's documentation); `whole` anchors it at
/// both ends.
pub fn translate(pattern: &str, whole: bool) -> Result<String, String> {
    let pattern = pattern.replace(r"\uD800\uDC00-\uDBFF\uDFFF", r"\x{10000}-\x{10FFFF}");
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('Z') => out.push_str(r"\z"),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push_str(&format!(r"\x{{{hex}}}"));
                }
                Some('d') if in_class => out.push_str("0-9"),
                Some('d') => out.push_str("[0-9]"),
                Some('w') if in_class => out.push_str("A-Za-z0-9_"),
                Some('w') => out.push_str("[A-Za-z0-9_]"),
                Some('D' | 'W' | 'B') => {
                    return Err(format!("`{pattern}`: \\D, \\W and \\B are not translated"));
                }
                Some('b') if in_class => out.push_str(r"\x08"),
                Some('b') => out.push_str(r"(?-u:\b)"),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            },
            '(' if !in_class && chars.peek() == Some(&'?') => {
                let mut ahead = chars.clone();
                ahead.next();
                if matches!(ahead.next(), Some('=' | '!' | '<')) {
                    return Err(format!(
                        "`{pattern}`: look-around other than a leading `^(?!…)` has no DFA"
                    ));
                }
                out.push('(');
            }
            '.' if !in_class => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '[' if in_class => out.push_str(r"\["),
            '[' => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                // A `]` first in a class is literal.
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str(r"\]");
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    Ok(if whole { format!("^(?:{out})$") } else { out })
}
