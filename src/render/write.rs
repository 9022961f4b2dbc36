//! Writing the artifacts: into a fresh folder beside `--out`, swapped in only when every file
//! is written, so `--out` holds either the old complete set or the new one. Nothing is written
//! outside `--out`, and an `--out` that is not a pipegen output folder is never replaced.

use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use super::{Artifact, RenderError};

fn err(message: String) -> RenderError {
    RenderError(message)
}

/// Refuses an output folder pipegen must not replace: a symlink, a file, a folder holding
/// symlinks, or a non-empty folder without a pipegen `manifest.json`.
fn guard(out: &Path) -> Result<(), RenderError> {
    let Ok(meta) = fs::symlink_metadata(out) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        return Err(err(format!(
            "`{}` is a symlink; pipegen writes only into a real folder",
            out.display()
        )));
    }
    if !meta.is_dir() {
        return Err(err(format!(
            "`{}` exists and is not a folder",
            out.display()
        )));
    }
    let mut empty = true;
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.map_err(|e| err(format!("cannot read `{}`: {e}", out.display())))?;
        empty = false;
        if entry.path_is_symlink() {
            return Err(err(format!(
                "`{}` is a symlink inside the output folder; refusing to replace it",
                entry.path().display()
            )));
        }
    }
    if !empty && !out.join("manifest.json").is_file() {
        return Err(err(format!(
            "`{}` is not empty and was not written by pipegen (no manifest.json); choose an empty or new folder",
            out.display()
        )));
    }
    Ok(())
}

/// The artifact's path below `root`, refusing anything that could leave it.
fn target(root: &Path, relative: &str) -> Result<PathBuf, RenderError> {
    let path = Path::new(relative);
    let safe = path.components().all(|c| matches!(c, Component::Normal(_)));
    if !safe || relative.is_empty() {
        return Err(err(format!(
            "refusing to write `{relative}`: outside the output folder"
        )));
    }
    Ok(root.join(path))
}

/// Writes the artifacts to `out`, atomically replacing what was there.
pub fn write(out: &Path, artifacts: &[Artifact]) -> Result<(), RenderError> {
    guard(out)?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|e| err(format!("cannot create `{}`: {e}", parent.display())))?;
    let staging = tempfile::Builder::new()
        .prefix(".pipegen-render-")
        .tempdir_in(&parent)
        .map_err(|e| err(format!("cannot write in `{}`: {e}", parent.display())))?;
    for artifact in artifacts {
        let path = target(staging.path(), &artifact.path)?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .map_err(|e| err(format!("cannot create `{}`: {e}", dir.display())))?;
        }
        let mut file = fs::File::create(&path)
            .map_err(|e| err(format!("cannot write `{}`: {e}", path.display())))?;
        file.write_all(artifact.content.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| err(format!("cannot write `{}`: {e}", path.display())))?;
        #[cfg(unix)]
        if artifact.executable {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
                .map_err(|e| err(format!("cannot make `{}` executable: {e}", path.display())))?;
        }
    }
    let staged = staging.keep();
    swap(&staged, out).inspect_err(|_| {
        let _ = fs::remove_dir_all(&staged);
    })
}

/// Puts `staged` in place of `out`; on failure `out` keeps its previous contents.
fn swap(staged: &Path, out: &Path) -> Result<(), RenderError> {
    if !out.exists() {
        return fs::rename(staged, out)
            .map_err(|e| err(format!("cannot create `{}`: {e}", out.display())));
    }
    let old = staged.with_extension("old");
    fs::rename(out, &old).map_err(|e| err(format!("cannot replace `{}`: {e}", out.display())))?;
    if let Err(e) = fs::rename(staged, out) {
        // Put the previous set back: the folder never holds a mix.
        let _ = fs::rename(&old, out);
        return Err(err(format!("cannot replace `{}`: {e}", out.display())));
    }
    fs::remove_dir_all(&old).map_err(|e| {
        err(format!(
            "wrote `{}` but cannot remove `{}`: {e}",
            out.display(),
            old.display()
        ))
    })
}

/// What `render --check` found stale.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stale {
    /// Files whose content differs.
    pub changed: Vec<String>,
    /// Files that should exist but do not.
    pub missing: Vec<String>,
    /// Files that exist but would not be written.
    pub extra: Vec<String>,
}

impl Stale {
    /// Whether `--out` matches the render exactly.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Compares `out` with the artifacts without writing anything.
pub fn check(out: &Path, artifacts: &[Artifact]) -> Result<Stale, RenderError> {
    let mut stale = Stale::default();
    for artifact in artifacts {
        let path = target(out, &artifact.path)?;
        match fs::read(&path) {
            Ok(bytes) if bytes == artifact.content.as_bytes() => {}
            Ok(_) => stale.changed.push(artifact.path.clone()),
            Err(_) => stale.missing.push(artifact.path.clone()),
        }
    }
    if out.is_dir() {
        for entry in walkdir::WalkDir::new(out).min_depth(1).sort_by_file_name() {
            let entry = entry.map_err(|e| err(format!("cannot read `{}`: {e}", out.display())))?;
            if entry.file_type().is_dir() {
                continue;
            }
            let relative = entry
                .path()
                .strip_prefix(out)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            if !artifacts.iter().any(|a| a.path == relative) {
                stale.extra.push(relative);
            }
        }
    }
    Ok(stale)
}
