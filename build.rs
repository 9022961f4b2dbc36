//! Records the git commit pipegen is built from, for `pipegen --version`, and converts the
//! built-in policy files to JSON, which reads much faster than TOML on every run, the price
//! table likewise, and the AWS constraints table to Rust statics with its patterns compiled to
//! DFAs.

// Cargo reads build-script instructions from standard output.
#![allow(clippy::disallowed_macros)]

fn main() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=PIPEGEN_GIT_COMMIT={commit}");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
    policies_to_json();
    constraints_to_rust();
    toml_to_json("data/prices.toml", "prices.json");
    toml_to_json("data/emr-releases.toml", "emr-releases.json");
    toml_to_json("data/metrics.toml", "metrics.json");
}

/// Writes `$OUT_DIR/<name>` as the JSON of a TOML data file of the crate.
fn toml_to_json(path: &str, name: &str) {
    println!("cargo:rerun-if-changed={path}");
    let text = std::fs::read_to_string(path).expect("the data file is part of the crate");
    let mut value: serde_json::Value =
        toml_edit::de::from_str(&text).expect("the data file is TOML");
    plain_dates(&mut value);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join(name), value.to_string()).expect("OUT_DIR is writable");
}

/// TOML dates arrive as `{"$__toml_private_datetime": "2026-12-01"}`: made plain strings.
fn plain_dates(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(date)) = map.get("$__toml_private_datetime") {
                *value = serde_json::Value::String(date.clone());
                return;
            }
            map.values_mut().for_each(plain_dates);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(plain_dates),
        _ => {}
    }
}

#[path = "src/constraints/pattern.rs"]
mod pattern;

/// Writes `$OUT_DIR/aws_constraints.rs`, the table of `data/aws-constraints.toml` as Rust
/// statics, and `$OUT_DIR/aws-constraints/<n>.dfa`, each distinct pattern compiled to a dense
/// DFA (`regex-automata`'s serialised form, read back without building anything at run time).
fn constraints_to_rust() {
    use std::fmt::Write as _;
    println!("cargo:rerun-if-changed=data/aws-constraints.toml");
    println!("cargo:rerun-if-changed=src/constraints/pattern.rs");
    let text = std::fs::read_to_string("data/aws-constraints.toml")
        .expect("data/aws-constraints.toml is part of the crate");
    let table: serde_json::Value =
        toml_edit::de::from_str(&text).expect("data/aws-constraints.toml is TOML");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dfa_dir = out.join("aws-constraints");
    std::fs::create_dir_all(&dfa_dir).expect("OUT_DIR is writable");
    let big_endian = std::env::var("CARGO_CFG_TARGET_ENDIAN").is_ok_and(|e| e == "big");
    let source = |key: &str| {
        table["sources"][key]
            .as_str()
            .unwrap_or_else(|| panic!("data/aws-constraints.toml names its {key} version"))
            .to_owned()
    };
    let cfn = format!("CloudFormation schema (cfn-lint {})", source("cfn_lint"));
    let api = format!("botocore {}", source("botocore"));
    let mut patterns: Vec<(String, bool)> = Vec::new();
    let mut code = String::new();
    let mut count = 0;
    let list = |key: &str| table[key].as_array().cloned().unwrap_or_default();
    for (entries, whole) in [(list("cloudformation"), false), (list("api"), true)] {
        for e in entries {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            let target = if whole {
                format!("{}:{}/{}", s("service"), s("operation"), s("member"))
            } else {
                format!("{}/{}", s("resource"), s("property"))
            };
            let pattern = e["pattern"].as_str().map(|p| {
                let key = (p.to_owned(), whole);
                patterns.iter().position(|k| *k == key).unwrap_or_else(|| {
                    patterns.push(key);
                    patterns.len() - 1
                })
            });
            let number = |k: &str| e[k].as_f64().map(|n| format!("{n:?}"));
            let length = |k: &str| e[k].as_u64().map(|n| n.to_string());
            let allowed = e["enum"].as_array().map(|values| {
                let items: Vec<String> = values
                    .iter()
                    .map(|v| {
                        format!(
                            "{:?}",
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                        )
                    })
                    .collect();
                format!("&[{}]", items.join(", "))
            });
            let opt =
                |v: Option<String>| v.map_or_else(|| "None".to_owned(), |v| format!("Some({v})"));
            writeln!(
                code,
                "    Constraint {{ target: {target:?}, source: {:?}, pattern: {}, min_length: {}, max_length: {}, minimum: {}, maximum: {}, allowed: {} }},",
                if whole { &api } else { &cfn },
                opt(pattern.map(|i| format!("&PATTERNS[{i}]"))),
                opt(length("min_length")),
                opt(length("max_length")),
                opt(number("minimum")),
                opt(number("maximum")),
                opt(allowed),
            )
            .expect("a String takes writes");
            count += 1;
        }
    }
    let mut file = format!(
        "/// Every constraint of `data/aws-constraints.toml`.\nstatic TABLE: [Constraint; {count}] = [\n{code}];\n\n/// Every distinct pattern of the table.\nstatic PATTERNS: [Pattern; {}] = [\n",
        patterns.len()
    );
    for (i, (text, whole)) in patterns.iter().enumerate() {
        let split = pattern::split(text, *whole).unwrap_or_else(|e| panic!("{e}"));
        let files = |kind: &str, list: &[String]| {
            let mut names = Vec::new();
            for (j, regex) in list.iter().enumerate() {
                // A pattern anchored at the start needs no unanchored prefix in its DFA, and a
                // DFA of one start kind is searched in that kind (`Pattern::is_match`).
                let anchored = regex_syntax::parse(regex)
                    .unwrap_or_else(|e| panic!("`{regex}` (from `{text}`) parses: {e}"))
                    .properties()
                    .look_set_prefix()
                    .contains(regex_syntax::hir::Look::Start);
                let dfa = regex_automata::dfa::dense::Builder::new()
                    .configure(
                        regex_automata::dfa::dense::Config::new()
                            .start_kind(if anchored {
                                regex_automata::dfa::StartKind::Anchored
                            } else {
                                regex_automata::dfa::StartKind::Unanchored
                            })
                            .minimize(true),
                    )
                    .build(regex)
                    .unwrap_or_else(|e| panic!("`{regex}` (from `{text}`) compiles: {e}"));
                // Without the alignment padding, which `Aligned` provides.
                let (bytes, pad) = if big_endian {
                    dfa.to_bytes_big_endian()
                } else {
                    dfa.to_bytes_little_endian()
                };
                let bytes = &bytes[pad..];
                let name = format!("{i}-{kind}-{j}.dfa");
                std::fs::write(dfa_dir.join(&name), bytes).expect("OUT_DIR is writable");
                names.push(format!(
                    "&Aligned {{ _align: [], bytes: *include_bytes!(concat!(env!(\"OUT_DIR\"), \"/aws-constraints/{name}\")) }}"
                ));
            }
            format!("&[{}]", names.join(", "))
        };
        let matcher = match class_only(&split) {
            Some(class) => class,
            None => format!(
                "Matcher::Dfa {{ accept: {}, reject: {}, dfas: OnceLock::new() }}",
                files("accept", &split.accept),
                files("reject", &split.reject)
            ),
        };
        writeln!(
            file,
            "    Pattern {{ text: {text:?}, whole: {whole}, matcher: {matcher} }},"
        )
        .expect("a String takes writes");
    }
    file.push_str("];\n");
    std::fs::write(out.join("aws_constraints.rs"), file).expect("OUT_DIR is writable");
}

/// A pattern that is one character class repeated between the two anchors (`^[a-z0-9-]{1,64}$`,
/// most AWS name patterns), as `Matcher::Class`: matched by looking each character up in the
/// class's ranges, where its DFA (over UTF-8, for a Unicode class) takes long to read back.
fn class_only(split: &pattern::Split) -> Option<String> {
    use regex_syntax::hir::{Class, HirKind, Look};
    let ([regex], []) = (split.accept.as_slice(), split.reject.as_slice()) else {
        return None;
    };
    let hir = regex_syntax::parse(regex).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let is = |h: &regex_syntax::hir::Hir, look| matches!(h.kind(), HirKind::Look(l) if *l == look);
    let starts = parts.iter().take_while(|h| is(h, Look::Start)).count();
    let ends = parts.iter().rev().take_while(|h| is(h, Look::End)).count();
    let ([middle], true) = (&parts[starts..parts.len() - ends], starts > 0 && ends > 0) else {
        return None;
    };
    let unwrap = |mut h: &regex_syntax::hir::Hir| {
        while let HirKind::Capture(c) = h.kind() {
            h = &c.sub;
        }
        h.clone()
    };
    let HirKind::Repetition(rep) = unwrap(middle).kind().clone() else {
        return None;
    };
    let HirKind::Class(Class::Unicode(class)) = unwrap(&rep.sub).kind().clone() else {
        return None;
    };
    let ranges: Vec<String> = class
        .ranges()
        .iter()
        .map(|r| format!("({:?}, {:?})", r.start(), r.end()))
        .collect();
    let mut ascii = [0u64; 2];
    for c in (0u8..128).map(char::from) {
        if class
            .ranges()
            .iter()
            .any(|r| r.start() <= c && c <= r.end())
        {
            ascii[usize::from(c as u8 >> 6)] |= 1 << (c as u8 & 63);
        }
    }
    Some(format!(
        "Matcher::Class {{ ascii: {ascii:?}, ranges: &[{}], min: {}, max: {:?} }}",
        ranges.join(", "),
        rep.min,
        rep.max
    ))
}

/// Writes `$OUT_DIR/policies/<area>.json` for each `policies/<area>.toml`. A file that does
/// not convert is skipped: the TOML path at run time then reports it at its span.
fn policies_to_json() {
    println!("cargo:rerun-if-changed=policies");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("policies");
    std::fs::create_dir_all(&out).expect("OUT_DIR is writable");
    let entries = std::fs::read_dir("policies").expect("the policies folder is part of the crate");
    for entry in entries {
        let path = entry.expect("the policies folder lists").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("policy files are UTF-8");
        let json = toml_edit::de::from_str::<serde_json::Value>(&text)
            .map_or_else(|_| "null".to_owned(), |value| value.to_string());
        let name = path.file_stem().expect("a file name").to_string_lossy();
        std::fs::write(out.join(format!("{name}.json")), json).expect("OUT_DIR is writable");
    }
}
