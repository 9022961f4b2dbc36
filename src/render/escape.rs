//! Escaping per output syntax. Every value a template prints passes through the escape of the
//! file it is written into, chosen by the file's extension: JSON values are JSON literals, YAML
//! values ASCII-only double-quoted scalars and flow collections, shell and `.env` values
//! single-quoted words, `.properties`/`.conf` values escaped as `java.util.Properties` reads
//! them. CloudFormation templates (`cloudformation/*.yaml`) are YAML with one more rule: a
//! string holding `${` is written as a `!Join` whose pieces split each `${` ([`cfn_string`]),
//! so no value from the pipeline is ever read as a reference or looks like one. A template
//! value `{"Fn::Sub": "…"}` (built in code, its literal parts escaped with [`sub_literal`],
//! `${!`, the literal form CloudFormation documents for `Fn::Sub`) is written as `!Sub "…"`,
//! references intact.

use minijinja::value::Value;
use minijinja::{AutoEscape, Error, ErrorKind, Output, State};

/// The escape for a template, by its name.
pub fn mode_for(name: &str) -> AutoEscape {
    if name.starts_with("cloudformation/") && name.ends_with(".yaml") {
        return AutoEscape::Custom("cfn".into());
    }
    match name.rsplit('.').next().unwrap_or_default() {
        "json" => AutoEscape::Json,
        "yaml" | "yml" => AutoEscape::Custom("yaml".into()),
        "sh" | "env" => AutoEscape::Custom("sh".into()),
        "properties" | "conf" => AutoEscape::Custom("properties".into()),
        _ => AutoEscape::None,
    }
}

/// The formatter: the built-in JSON escape, plus the `sh` and `properties` modes.
pub fn formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    let mode = match state.auto_escape() {
        AutoEscape::Custom(mode) => mode.clone(),
        _ => return minijinja::escape_formatter(out, state, value),
    };
    if value.is_safe() {
        return write(out, &value.to_string());
    }
    if mode == "yaml" || mode == "cfn" {
        let mut text = String::new();
        yaml_value(&mut text, value, mode == "cfn")?;
        return write(out, &text);
    }
    let text = scalar(value)?;
    let escaped = match mode.as_ref() {
        "sh" => shell(&text),
        "properties" => properties(&text),
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("unknown escape mode {other}"),
            ));
        }
    };
    write(out, &escaped)
}

fn write(out: &mut Output, text: &str) -> Result<(), Error> {
    out.write_str(text)
        .map_err(|_| Error::new(ErrorKind::WriteFailure, "cannot write the output"))
}

/// The text of a scalar; lists and maps have no single textual form in these syntaxes.
fn scalar(value: &Value) -> Result<String, Error> {
    if value.is_undefined() || value.is_none() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "a missing value cannot be written here",
        ));
    }
    if matches!(
        value.kind(),
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Map
    ) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "a list or table cannot be written into a shell or properties file as one value",
        ));
    }
    Ok(value.to_string())
}

/// A YAML value: strings as [`yaml`] scalars, numbers and booleans as they are, lists and
/// tables as flow collections. With `cfn`, strings go through [`cfn_string`] and a table
/// `{"Fn::Sub": template}` is written as `!Sub template`.
fn yaml_value(out: &mut String, value: &Value, cfn: bool) -> Result<(), Error> {
    use minijinja::value::ValueKind;
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "a missing value cannot be written here",
            ));
        }
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number if value.is_integer() => out.push_str(&value.to_string()),
        ValueKind::Number => out.push_str(&yaml_float(f64::try_from(value.clone())?)),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                yaml_value(out, &item, cfn)?;
            }
            out.push(']');
        }
        ValueKind::Map
            if cfn && value.len() == Some(1) && !value.get_attr("Fn::Sub")?.is_undefined() =>
        {
            // The template's literal parts were escaped when it was built; written as is.
            let sub = value.get_attr("Fn::Sub")?;
            out.push_str("!Sub ");
            if sub.kind() == ValueKind::Seq {
                out.push('[');
                out.push_str(&yaml(&scalar(&sub.get_item(&Value::from(0))?)?));
                out.push_str(", ");
                yaml_value(out, &sub.get_item(&Value::from(1))?, cfn)?;
                out.push(']');
            } else {
                out.push_str(&yaml(&scalar(&sub)?));
            }
        }
        ValueKind::Map => {
            out.push('{');
            for (i, key) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&yaml(&key.to_string()));
                out.push_str(": ");
                yaml_value(out, &value.get_item(&key)?, cfn)?;
            }
            out.push('}');
        }
        _ if cfn => out.push_str(&cfn_string(&value.to_string())),
        _ => out.push_str(&yaml(&value.to_string())),
    }
    Ok(())
}

/// A literal string in a CloudFormation template: a [`yaml`] scalar, or, when it holds `${`,
/// `!Join` of pieces split between each `$` and its `{`, so no piece holds `${`: CloudFormation
/// reads `${…}` as a reference only inside `Fn::Sub`, but cfn-lint flags a plain string that
/// looks like one (E1029) and a `Sub` without variables (W1020).
pub fn cfn_string(text: &str) -> String {
    if !text.contains("${") {
        return yaml(text);
    }
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        pieces.push(yaml(&rest[..=i]));
        rest = &rest[i + 1..];
    }
    pieces.push(yaml(rest));
    format!("!Join [\"\", [{}]]", pieces.join(", "))
}

/// Text that `Fn::Sub` reads back as itself: every `${` written `${!`.
pub fn sub_literal(text: &str) -> String {
    text.replace("${", "${!")
}

/// A YAML float that YAML 1.1 readers also take for a number: `.nan`, `.inf`, and always a dot
/// in the mantissa and a sign in the exponent (PyYAML reads `1e20` as a string).
fn yaml_float(x: f64) -> String {
    if x.is_nan() {
        return ".nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let text = format!("{x:?}");
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m.to_owned(), Some(e)),
        None => (text.clone(), None),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa
    } else {
        format!("{mantissa}.0")
    };
    match exponent {
        Some(e) if e.starts_with('-') => format!("{mantissa}e{e}"),
        Some(e) => format!("{mantissa}e+{e}"),
        None => mantissa,
    }
}

/// A mapping key in a CloudFormation or YAML template: always a plain scalar (a key cannot be
/// `!Sub`; `check` keeps `${` out of keys), written `{{ k | key(indent) }}: {{ v }}` with the
/// key's indentation. YAML limits an implicit key to 1024 characters ("to limit the amount of
/// lookahead", YAML 1.1 and 1.2, "Flow Scalar Styles" / simple keys; PyYAML, behind cfn-lint,
/// refuses longer ones): a longer key is written as an explicit one, `? "key"` with the `:`
/// on the next line at the same indentation.
pub fn key_filter(text: &str, indent: usize) -> Value {
    let quoted = yaml(text);
    if quoted.chars().count() <= 1024 {
        Value::from_safe_string(quoted)
    } else {
        Value::from_safe_string(format!("? {quoted}\n{}", " ".repeat(indent)))
    }
}

/// A YAML double-quoted scalar in plain ASCII: every character outside printable ASCII is an
/// escape (`\uXXXX`, or `\UXXXXXXXX` beyond the Basic Multilingual Plane), so YAML 1.1 readers
/// (PyYAML, behind cfn-lint) and 1.2 readers alike read back the same string — none of them
/// sees a raw line separator to fold or a character they refuse.
pub fn yaml(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xFFFF => {
                write!(out, "\\u{:04X}", u32::from(c)).expect("writing to a String cannot fail");
            }
            c => write!(out, "\\U{:08X}", u32::from(c)).expect("writing to a String cannot fail"),
        }
    }
    out.push('"');
    out
}

/// A single shell word: safe words as they are, anything else single-quoted, with quotes and
/// backslashes written outside the quotes (`\'`, `\\`): a backslash inside single quotes is
/// correct shell but reads to ShellCheck (SC1003) and to people as an attempt to escape.
pub fn shell(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:,=@%+".contains(&b));
    if safe {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 2);
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '\'' | '\\' => {
                if quoted {
                    out.push('\'');
                    quoted = false;
                }
                out.push('\\');
                out.push(c);
            }
            c => {
                if !quoted {
                    out.push('\'');
                    quoted = true;
                }
                out.push(c);
            }
        }
    }
    if quoted {
        out.push('\'');
    }
    if out.is_empty() {
        out.push_str("''");
    }
    out
}

/// A `java.util.Properties` key or value: backslash escapes for the characters `load` treats
/// specially (separators, comment markers, whitespace, line breaks), `\uXXXX` for non-ASCII.
pub fn properties(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            '\u{c}' => out.push_str(r"\f"),
            ' ' | '=' | ':' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_floats_read_as_numbers_in_yaml_1_1() {
        assert_eq!(yaml_float(1e20), "1.0e+20");
        assert_eq!(yaml_float(1.5e-7), "1.5e-7");
        assert_eq!(yaml_float(0.25), "0.25");
        assert_eq!(yaml_float(3.0), "3.0");
        assert_eq!(yaml_float(f64::NAN), ".nan");
        assert_eq!(yaml_float(f64::NEG_INFINITY), "-.inf");
    }

    #[test]
    fn keys_past_yamls_simple_key_limit_are_explicit() {
        assert_eq!(key_filter("Owner", 8).to_string(), "\"Owner\"");
        let long = "k".repeat(1100);
        let doc = format!("m:\n  {}: \"v\"\n", key_filter(&long, 2));
        assert!(doc.starts_with("m:\n  ? \""), "{doc}");
        let read = yaml_rust2::YamlLoader::load_from_str(&doc).unwrap();
        assert_eq!(read[0]["m"][long.as_str()].as_str(), Some("v"));
    }

    #[test]
    fn shell_words_are_inert() {
        assert_eq!(shell("user_events"), "user_events");
        assert_eq!(shell("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(shell("it's"), r"'it'\''s'");
        assert_eq!(shell(""), "''");
        assert_eq!(shell(r"C:\dir\"), r"'C:'\\'dir'\\");
        assert_eq!(shell("'"), r"\'");
    }

    #[test]
    fn cloudformation_strings_never_hold_a_reference() {
        assert_eq!(cfn_string("plain"), "\"plain\"");
        assert_eq!(
            cfn_string("a${b}${c}"),
            r#"!Join ["", ["a$", "{b}$", "{c}"]]"#
        );
        assert_eq!(cfn_string("${"), r#"!Join ["", ["$", "{"]]"#);
        assert_eq!(sub_literal("x/${aws:userid}"), "x/${!aws:userid}");
    }

    #[test]
    fn properties_escape_separators_and_non_ascii() {
        assert_eq!(properties("a=b:c #d"), r"a\=b\:c\ \#d");
        assert_eq!(properties("line\nbreak"), r"line\nbreak");
        assert_eq!(properties("café"), r"caf\u00E9");
        assert_eq!(properties("😀"), r"\uD83D\uDE00");
    }
}
