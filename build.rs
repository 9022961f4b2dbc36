//! Records the git commit pipegen is built from, for `pipegen --version`, and converts the
//! built-in policy files and the AWS constraints table to JSON, which reads much faster than
//! TOML on every run.

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
    constraints_to_json();
}

/// Writes `$OUT_DIR/aws-constraints.json` from `data/aws-constraints.toml`.
fn constraints_to_json() {
    println!("cargo:rerun-if-changed=data/aws-constraints.toml");
    let text = std::fs::read_to_string("data/aws-constraints.toml")
        .expect("data/aws-constraints.toml is part of the crate");
    let value: serde_json::Value =
        toml_edit::de::from_str(&text).expect("data/aws-constraints.toml is TOML");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("aws-constraints.json"), value.to_string())
        .expect("OUT_DIR is writable");
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
