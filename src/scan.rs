//! Finding pipeline files: paths given on the command line, and folders walked for files that
//! follow the naming convention.
//!
//! In a folder, a pipeline file is a `*.pipeline.toml`, or any other `*.toml` whose top level
//! has a `[pipeline]` table. Hidden folders, `target` and `node_modules` are skipped, and so
//! are `pipegen.toml` (the tool's own configuration) and `Cargo.toml`.

use std::path::{Path, PathBuf};

/// Folders never searched.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Files that are never pipelines.
const NOT_PIPELINES: &[&str] = &["pipegen.toml", "Cargo.toml", "pyproject.toml"];

/// The pipeline files named by `paths`, in path order, without duplicates. Files given
/// explicitly are kept whatever their name; a path that does not exist is kept too, so the
/// check reports it.
pub fn discover(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_type().is_dir() || {
                        let name = e.file_name().to_string_lossy();
                        !(name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref()))
                    }
                });
            for entry in walker.filter_map(Result::ok) {
                if entry.file_type().is_file() && is_pipeline(entry.path()) {
                    out.push(entry.into_path());
                }
            }
        } else {
            out.push(path.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a file found in a folder is a pipeline file.
fn is_pipeline(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if !name.ends_with(".toml") || NOT_PIPELINES.contains(&name.as_ref()) {
        return false;
    }
    if name.ends_with(".pipeline.toml") {
        return true;
    }
    // Cheap look for a top-level `[pipeline]` header; files too large or unreadable are left
    // to the explicit form.
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    if meta.len() > crate::load::MAX_FILE_BYTES {
        return false;
    }
    std::fs::read_to_string(path).is_ok_and(|text| text.lines().any(|l| l.trim() == "[pipeline]"))
}

/// Checks every file, on all cores when there are several (one file is checked on this thread:
/// starting a thread pool would cost more than it saves). `done` is called after each file.
pub fn check_all(
    files: &[PathBuf],
    ctx: &crate::Context,
    done: impl Fn() + Sync,
) -> Vec<crate::FileCheck> {
    use rayon::prelude::*;
    let one = |path: &PathBuf| {
        let checks = crate::check_path(path, ctx);
        done();
        checks
    };
    if let [file] = files {
        return one(file);
    }
    files.par_iter().flat_map_iter(one).collect()
}
