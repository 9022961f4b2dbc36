//! `pipegen init`: a commented starter pipeline that passes `check --strict` as written.

use std::io::Write;
use std::path::Path;

use pipegen::model::Environment;

use super::Outcome;

/// What to write.
pub struct Starter<'a> {
    /// The pipeline file.
    pub file: &'a Path,
    /// The pipeline name.
    pub name: &'a str,
    /// The AWS region.
    pub region: &'a str,
    /// The deployment stage.
    pub environment: Environment,
    /// Overwrite an existing file.
    pub force: bool,
}

/// Writes the starter and, beside it, the schema its `#:schema` directive names.
pub fn run(starter: &Starter<'_>, out: &mut dyn Write) -> Outcome {
    let file = starter.file;
    if file.exists() && !starter.force {
        writeln!(
            std::io::stderr(),
            "error: `{}` exists; pass --force to overwrite it",
            file.display()
        )?;
        return Ok(2);
    }
    let text = match pipegen::init::starter(starter.name, starter.region, starter.environment) {
        Ok(text) => text,
        Err(problem) => {
            writeln!(std::io::stderr(), "error: {problem}")?;
            return Ok(2);
        }
    };
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    }
    std::fs::write(file, text).map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
    // The starter's `#:schema ./pipeline.schema.json` directive points here.
    let schema = file.with_file_name("pipeline.schema.json");
    if starter.force || !schema.exists() {
        std::fs::write(&schema, pipegen::schema::COMMITTED)
            .map_err(|e| format!("cannot write `{}`: {e}", schema.display()))?;
    }
    writeln!(
        out,
        "wrote {} and {}; next: pipegen check {}",
        file.display(),
        schema.display(),
        file.display()
    )?;
    Ok(0)
}
