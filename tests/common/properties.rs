//! A reader for `java.util.Properties` text, to prove rendered files mean what they should.
//! Shared by the integration tests and the fuzz harness (`fuzz/harness.rs`).

/// Parses `java.util.Properties` text as `Properties.load` does: logical lines with `\`
/// continuations, `#`/`!` comments, `=`, `:` or whitespace separators, backslash escapes.
pub fn parse_properties(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(first) = lines.next() {
        let mut line = first.trim_start().to_owned();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        while line.ends_with('\\') && !line.ends_with("\\\\") {
            line.pop();
            match lines.next() {
                Some(next) => line.push_str(next.trim_start()),
                None => break,
            }
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        let mut key_end = chars.len();
        while i < chars.len() {
            match chars[i] {
                '\\' => i += 2,
                '=' | ':' | ' ' | '\t' | '\u{c}' => {
                    key_end = i;
                    break;
                }
                _ => i += 1,
            }
        }
        let mut value_start = key_end;
        while value_start < chars.len() && matches!(chars[value_start], ' ' | '\t' | '\u{c}') {
            value_start += 1;
        }
        if value_start < chars.len() && matches!(chars[value_start], '=' | ':') {
            value_start += 1;
            while value_start < chars.len() && matches!(chars[value_start], ' ' | '\t' | '\u{c}') {
                value_start += 1;
            }
        }
        let key: String = chars[..key_end.min(chars.len())].iter().collect();
        let value: String = chars[value_start.min(chars.len())..].iter().collect();
        out.push((unescape(&key), unescape(&value)));
    }
    out
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut units: Vec<u16> = Vec::new();
    let mut chars = text.chars().peekable();
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        if !units.is_empty() {
            out.push_str(&String::from_utf16(units).expect("valid UTF-16 escapes"));
            units.clear();
        }
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush(&mut units, &mut out);
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                units.push(u16::from_str_radix(&hex, 16).expect("a \\uXXXX escape"));
            }
            Some(other) => {
                flush(&mut units, &mut out);
                out.push(match other {
                    't' => '\t',
                    'n' => '\n',
                    'r' => '\r',
                    'f' => '\u{c}',
                    c => c,
                });
            }
            None => {}
        }
    }
    flush(&mut units, &mut out);
    out
}
