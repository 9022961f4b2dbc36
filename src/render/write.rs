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

/// What the previous render's `manifest.json` says: the files it wrote, and the pipeline
/// (absent in manifests of pipegen before it recorded one).
#[derive(serde::Deserialize)]
struct Previous {
    files: Vec<PreviousFile>,
    pipeline: Option<String>,
    input: PreviousInput,
}

#[derive(serde::Deserialize)]
struct PreviousFile {
    path: String,
}

#[derive(serde::Deserialize)]
struct PreviousInput {
    file: String,
}

/// The pipeline a manifest names.
fn manifest_pipeline(text: &str) -> Option<String> {
    serde_json::from_str::<Previous>(text).ok()?.pipeline
}

/// Refuses to replace a render that would lose a person's work: files in `out` the previous
/// render did not write, or the render of another pipeline (`pipeline` names this one).
fn guard_previous(out: &Path, pipeline: Option<&str>) -> Result<(), RenderError> {
    let text = fs::read_to_string(out.join("manifest.json")).map_err(|e| {
        err(format!(
            "cannot read `{}`: {e}",
            out.join("manifest.json").display()
        ))
    })?;
    let previous: Previous = serde_json::from_str(&text).map_err(|_| {
        err(format!(
            "`{}` is not a pipegen manifest; choose an empty or new folder (or pass --force)",
            out.join("manifest.json").display()
        ))
    })?;
    if let (Some(pipeline), Some(before)) = (pipeline, &previous.pipeline)
        && before != pipeline
    {
        return Err(err(format!(
            "`{}` holds the render of pipeline `{before}` (from `{}`), not of `{pipeline}`; choose another folder (or pass --force to replace it)",
            out.display(),
            previous.input.file
        )));
    }
    let foreign: Vec<String> = files_in(out)?
        .into_iter()
        .filter(|f| f != "manifest.json" && !previous.files.iter().any(|p| &p.path == f))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    Err(err(format!(
        "`{}` holds files the previous render did not write, which replacing it would delete: {}; move them out (or pass --force)",
        out.display(),
        foreign.join(", ")
    )))
}

/// The files below `dir`, as `/`-separated paths relative to it, in name order.
fn files_in(dir: &Path) -> Result<Vec<String>, RenderError> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| err(format!("cannot read `{}`: {e}", dir.display())))?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        files.push(relative.to_string_lossy().replace('\\', "/"));
    }
    Ok(files)
}

/// Refuses an output folder pipegen must not replace: a symlink, a file, a folder holding
/// symlinks, or a non-empty folder without a pipegen `manifest.json`. Returns the first folder
/// in it this process cannot change, if any (refused unless nothing needs writing).
fn guard(out: &Path) -> Result<Option<PathBuf>, RenderError> {
    let Ok(meta) = fs::symlink_metadata(out) else {
        return Ok(None);
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
    // Whether pipegen wrote it is known before anything in it is read (`--out /`).
    let has_manifest = out.join("manifest.json").is_file();
    if !has_manifest
        && fs::read_dir(out)
            .map_err(|e| err(format!("cannot read `{}`: {e}", out.display())))?
            .next()
            .is_some()
    {
        return Err(err(format!(
            "`{}` is not empty and was not written by pipegen (no manifest.json); choose an empty or new folder",
            out.display()
        )));
    }
    let mut read_only = None;
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.map_err(|e| err(format!("cannot read `{}`: {e}", out.display())))?;
        if entry.path_is_symlink() {
            return Err(err(format!(
                "`{}` is a symlink inside the output folder; refusing to replace it",
                entry.path().display()
            )));
        }
        if read_only.is_none() && entry.file_type().is_dir() && !writable(entry.path()) {
            read_only = Some(entry.path().to_path_buf());
        }
    }
    Ok(read_only)
}

/// Whether this process may change a folder's entries (read-only mounts, permission bits and
/// the immutable attribute all count).
fn writable(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
    }
    #[cfg(not(unix))]
    {
        fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
    }
}

/// Why a folder could not be created, naming the file in the way if there is one.
fn cannot_create(dir: &Path, e: &std::io::Error) -> RenderError {
    let in_the_way = dir
        .ancestors()
        .find(|a| fs::symlink_metadata(a).is_ok_and(|m| !m.is_dir()));
    match in_the_way {
        Some(file) => err(format!(
            "cannot create `{}`: `{}` is a file, not a folder",
            dir.display(),
            file.display()
        )),
        None => err(format!("cannot create `{}`: {e}", dir.display())),
    }
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

/// A staging folder's name: the prefix, this many random letters and digits, the suffix.
const STAGING_RANDOM: usize = 6;
const STAGING_SUFFIX: &str = ".staging";

/// Whether `name` is a staging folder of the output folder with this prefix — exactly, so
/// `deploy`'s renders never take `deploy-x`'s staging folders for their own.
fn is_staging_name(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(STAGING_SUFFIX))
        .is_some_and(|random| {
            random.len() == STAGING_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// The prefix of the staging folders beside `out` (one per render in progress).
fn staging_prefix(out: &Path) -> String {
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy());
    format!(".pipegen-render-{name}-")
}

/// A staging folder left by a render that was killed is removed by the next render into the
/// same `out`, once it is this old and no live render holds its lock.
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(10);

/// Writes the artifacts to `out`, atomically replacing what was there.
///
/// The files are written into a staging folder beside `out` (locked while this render is
/// alive), flushed to disk, and the folder is swapped with `out` in one `renameat2` exchange
/// where the platform has one: at every instant `out` holds the old complete set or the new
/// one, even if the process is killed. Two renders into the same folder at once both succeed;
/// the one that swaps last wins, whole.
///
/// A folder that already holds exactly these files is left as it is (`Ok(false)`): nothing is
/// rewritten, so file times stay and a re-render of an unchanged pipeline costs no disk writes.
/// `Ok(true)` when the files were written.
///
/// An earlier render is replaced only when nothing would be lost: a folder holding files that
/// render did not write, or the render of another pipeline, is refused (see
/// [`write_over`]).
pub fn write(out: &Path, artifacts: &[Artifact]) -> Result<bool, RenderError> {
    replace(out, artifacts, false)
}

/// [`write`], replacing an earlier render even when it holds other files or another
/// pipeline's render (`render --force`).
pub fn write_over(out: &Path, artifacts: &[Artifact]) -> Result<bool, RenderError> {
    replace(out, artifacts, true)
}

fn replace(out: &Path, artifacts: &[Artifact], force: bool) -> Result<bool, RenderError> {
    let read_only = guard(out)?;
    if !force && out.join("manifest.json").is_file() {
        let pipeline = artifacts
            .iter()
            .find(|a| a.path == "manifest.json")
            .and_then(|m| manifest_pipeline(&m.content));
        guard_previous(out, pipeline.as_deref())?;
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| cannot_create(&parent, &e))?;
    let prefix = staging_prefix(out);
    remove_orphans(&parent, &prefix);
    if unchanged(out, artifacts)? {
        return Ok(false);
    }
    // Replacing the folder means removing the previous set: a folder that cannot be changed is
    // refused before anything is written.
    if let Some(dir) = read_only {
        return Err(err(format!(
            "`{}` is read-only; pipegen replaces the whole output folder, so it must be writable",
            dir.display()
        )));
    }
    let staging = tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(STAGING_RANDOM)
        .suffix(STAGING_SUFFIX)
        .tempdir_in(&parent)
        .map_err(|e| err(format!("cannot write in `{}`: {e}", parent.display())))?;
    // Held while this render writes and swaps (the kernel releases it if the process dies):
    // tells other renders this folder is not an orphan.
    let _lock = lock::hold(staging.path())
        .map_err(|e| err(format!("cannot lock `{}`: {e}", staging.path().display())))?;
    let mut dirs = vec![staging.path().to_path_buf()];
    // Files are flushed in batches after they are written (one pass of fsyncs, not one wait per
    // write), with at most a batch open at once.
    let mut written = Vec::with_capacity(FLUSH_BATCH);
    for artifact in artifacts {
        let path = target(staging.path(), &artifact.path)?;
        if let Some(dir) = path.parent()
            && !dirs.iter().any(|d| d == dir)
        {
            fs::create_dir_all(dir).map_err(|e| cannot_create(dir, &e))?;
            dirs.push(dir.to_path_buf());
        }
        let mut file = fs::File::create(&path)
            .map_err(|e| err(format!("cannot write `{}`: {e}", path.display())))?;
        file.write_all(artifact.content.as_bytes())
            .map_err(|e| err(format!("cannot write `{}`: {e}", path.display())))?;
        #[cfg(unix)]
        if artifact.executable {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
                .map_err(|e| err(format!("cannot make `{}` executable: {e}", path.display())))?;
        }
        written.push((path, file));
        if written.len() == FLUSH_BATCH {
            flush(&mut written)?;
        }
    }
    flush(&mut written)?;
    // Then the folders, so the swap never publishes a file the disk does not have.
    for dir in dirs.iter().rev() {
        sync_dir(dir)?;
    }
    let staged = staging.keep();
    swap(&staged, out).inspect_err(|_| {
        let _ = fs::remove_dir_all(&staged);
    })?;
    sync_dir(&parent)?;
    Ok(true)
}

/// How many written files are flushed (and closed) together.
const FLUSH_BATCH: usize = 64;

/// Flushes written files to disk and closes them.
fn flush(files: &mut Vec<(PathBuf, fs::File)>) -> Result<(), RenderError> {
    for (path, file) in files.drain(..) {
        file.sync_all()
            .map_err(|e| err(format!("cannot write `{}`: {e}", path.display())))?;
    }
    Ok(())
}

/// Whether `out` already holds exactly these files. The manifest (every file's hash) is
/// compared first, so a changed set is told apart with one read.
fn unchanged(out: &Path, artifacts: &[Artifact]) -> Result<bool, RenderError> {
    let manifest = artifacts.iter().find(|a| a.path == "manifest.json");
    if let Some(manifest) = manifest
        && fs::read(out.join(&manifest.path)).ok().as_deref() != Some(manifest.content.as_bytes())
    {
        return Ok(false);
    }
    Ok(out.is_dir() && check(out, artifacts)?.is_fresh())
}

/// Flushes a folder's entries to disk (a no-op where folders cannot be opened as files, or
/// the file system does not flush folders: some network and FUSE file systems).
fn sync_dir(dir: &Path) -> Result<(), RenderError> {
    #[cfg(unix)]
    {
        use rustix::io::Errno;
        match fs::File::open(dir).and_then(|d| d.sync_all()) {
            Err(e)
                if [Errno::INVAL, Errno::NOTSUP, Errno::BADF]
                    .iter()
                    .any(|n| e.raw_os_error() == Some(n.raw_os_error())) =>
            {
                Ok(())
            }
            other => other.map_err(|e| err(format!("cannot flush `{}`: {e}", dir.display()))),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Removes staging folders of earlier renders into the same `out` that were killed before
/// they finished (unlocked and older than [`ORPHAN_AGE`]). Best effort: a folder that cannot
/// be removed is left for the next render.
fn remove_orphans(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_staging = is_staging_name(&name.to_string_lossy(), prefix);
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_staging || !is_dir {
            continue;
        }
        let path = entry.path();
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= ORPHAN_AGE);
        if old_enough && lock::is_free(&path) {
            let _ = remove_tree(&path);
        }
    }
}

/// Removes a folder; what another process removed first counts as removed.
fn remove_tree(path: &Path) -> std::io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Advisory locks on staging folders (`flock`, released by the kernel when the process ends,
/// however it ends).
mod lock {
    use std::fs::File;
    use std::path::Path;

    /// Locks a folder for as long as the returned handle lives.
    #[cfg(unix)]
    pub fn hold(dir: &Path) -> std::io::Result<File> {
        use rustix::fs::{FlockOperation, flock};
        let file = File::open(dir)?;
        flock(&file, FlockOperation::LockExclusive)?;
        Ok(file)
    }

    /// Whether no process holds the folder's lock.
    #[cfg(unix)]
    pub fn is_free(dir: &Path) -> bool {
        use rustix::fs::{FlockOperation, flock};
        File::open(dir)
            .is_ok_and(|file| flock(&file, FlockOperation::NonBlockingLockExclusive).is_ok())
    }

    /// No advisory locks here: nothing is ever taken for an orphan (see `is_free`).
    #[cfg(not(unix))]
    pub fn hold(dir: &Path) -> std::io::Result<File> {
        File::open(dir)
    }

    #[cfg(not(unix))]
    pub fn is_free(_dir: &Path) -> bool {
        false
    }
}

/// Puts `staged` in place of `out`; on failure `out` keeps its previous contents.
fn swap(staged: &Path, out: &Path) -> Result<(), RenderError> {
    let replace_error = |e: std::io::Error| err(format!("cannot replace `{}`: {e}", out.display()));
    match exchange(staged, out) {
        // `staged` now holds the previous set.
        Ok(Exchange::Swapped) => return remove_old(out, staged),
        Ok(Exchange::Created) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {}
        Err(e) => return Err(replace_error(e)),
    }
    // No atomic exchange here: two renames, with the previous set put back on failure. A
    // process killed between the two leaves `out` missing and the previous set beside it.
    if !out.exists() {
        return fs::rename(staged, out)
            .map_err(|e| err(format!("cannot create `{}`: {e}", out.display())));
    }
    // Named apart from staging folders, so no render sweeps the previous set away.
    let mut old_name = staged.file_name().unwrap_or_default().to_owned();
    old_name.push(".previous");
    let old = staged.with_file_name(old_name);
    fs::rename(out, &old).map_err(replace_error)?;
    if let Err(e) = fs::rename(staged, out) {
        if let Err(back) = fs::rename(&old, out) {
            return Err(err(format!(
                "cannot replace `{}`: {e}; the previous set is in `{}` (cannot move it back: {back})",
                out.display(),
                old.display()
            )));
        }
        return Err(replace_error(e));
    }
    remove_old(out, &old)
}

fn remove_old(out: &Path, old: &Path) -> Result<(), RenderError> {
    remove_tree(old).map_err(|e| {
        err(format!(
            "wrote `{}` but cannot remove the previous set at `{}`: {e}",
            out.display(),
            old.display()
        ))
    })
}

#[cfg_attr(
    not(any(target_os = "linux", target_os = "android", target_os = "macos")),
    allow(dead_code)
)]
enum Exchange {
    /// `out` did not exist; `staged` was renamed to it.
    Created,
    /// `staged` and `out` traded places.
    Swapped,
}

/// Swaps the two folders in one step (`renameat2`), or creates `out` if it is missing.
/// `Unsupported` where the platform or file system has no exchange.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
fn exchange(staged: &Path, out: &Path) -> std::io::Result<Exchange> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    let unsupported = |e: Errno| {
        if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP {
            std::io::Error::new(std::io::ErrorKind::Unsupported, e)
        } else {
            e.into()
        }
    };
    loop {
        match renameat_with(CWD, staged, CWD, out, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(Exchange::Created),
            Err(Errno::EXIST) => {}
            Err(e) => return Err(unsupported(e)),
        }
        match renameat_with(CWD, staged, CWD, out, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(Exchange::Swapped),
            // Removed between the two calls (another render's fallback): try again.
            Err(Errno::NOENT) if staged.exists() => {}
            Err(e) => return Err(unsupported(e)),
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
fn exchange(_staged: &Path, _out: &Path) -> std::io::Result<Exchange> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
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

/// Whether a written file's executable bit is what the artifact needs (scripts run as they are).
fn mode_ok(path: &Path, artifact: &Artifact) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let executable = fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0);
        executable == artifact.executable
    }
    #[cfg(not(unix))]
    {
        let _ = (path, artifact);
        true
    }
}

/// Compares `out` with the artifacts without writing anything: a file differs if its bytes or
/// its executable bit do.
pub fn check(out: &Path, artifacts: &[Artifact]) -> Result<Stale, RenderError> {
    let mut stale = Stale::default();
    for artifact in artifacts {
        let path = target(out, &artifact.path)?;
        match fs::read(&path) {
            Ok(bytes) if bytes == artifact.content.as_bytes() && mode_ok(&path, artifact) => {}
            Ok(_) => stale.changed.push(artifact.path.clone()),
            Err(_) => stale.missing.push(artifact.path.clone()),
        }
    }
    if out.is_dir() {
        let extra = files_in(out)?
            .into_iter()
            .filter(|f| !artifacts.iter().any(|a| &a.path == f));
        stale.extra.extend(extra);
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_names_belong_to_one_output_folder() {
        let deploy = staging_prefix(Path::new("out/deploy"));
        let deploy_x = staging_prefix(Path::new("out/deploy-x"));
        assert!(is_staging_name(
            ".pipegen-render-deploy-a1B2c3.staging",
            &deploy
        ));
        assert!(!is_staging_name(
            ".pipegen-render-deploy-x-a1B2c3.staging",
            &deploy
        ));
        assert!(is_staging_name(
            ".pipegen-render-deploy-x-a1B2c3.staging",
            &deploy_x
        ));
        assert!(!is_staging_name(".pipegen-render-deploy-a1B2c3", &deploy));
        assert!(!is_staging_name(
            ".pipegen-render-deploy-a1B2c.staging",
            &deploy
        ));
    }
}
