//! `pipegen rules`, `explain` and `test-policies`: the pack itself.

use std::io::Write;
use std::path::{Path, PathBuf};

use pipegen::policy::{self, Pack};

use super::{ListFormat, Outcome, Ui};

/// Loads the built-in pack and custom folders; on errors, reports them and returns `None`.
fn load(dirs: &[PathBuf], ui: &Ui, out: &mut dyn Write) -> std::io::Result<Option<Pack>> {
    match policy::load(dirs) {
        Ok(pack) => Ok(Some(pack)),
        Err(errors) => ui.problems(out, &errors).map(|()| None),
    }
}

/// Lists every rule and built-in code, or those of one category.
pub fn list(
    format: ListFormat,
    category: Option<&str>,
    dirs: &[PathBuf],
    ui: &Ui,
    out: &mut dyn Write,
) -> Outcome {
    if let Some(category) = category
        && !policy::catalog::categories().any(|c| c == category)
    {
        let known: Vec<&str> = policy::catalog::categories().collect();
        let hint = pipegen::suggest::closest(category, known.iter().copied())
            .map(|best| format!("did you mean `{best}`? "))
            .unwrap_or_default();
        writeln!(
            std::io::stderr(),
            "error: no category `{category}`; {hint}categories: {}",
            known.join(", ")
        )?;
        return Ok(2);
    }
    let Some(pack) = load(dirs, ui, out)? else {
        return Ok(2);
    };
    let entries = policy::catalog::entries(&pack, category);
    match format {
        ListFormat::Table => out.write_all(policy::catalog::table(&entries).as_bytes())?,
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &entries)?;
            writeln!(out)?;
        }
    }
    Ok(0)
}

/// Explains one rule or built-in code, whatever its case.
pub fn explain(id: &str, dirs: &[PathBuf], ui: &Ui, out: &mut dyn Write) -> Outcome {
    let Some(pack) = load(dirs, ui, out)? else {
        return Ok(2);
    };
    if let Some(text) = policy::catalog::explain(&pack, id) {
        out.write_all(text.as_bytes())?;
        return Ok(0);
    }
    let hint = pipegen::suggest::closest(id, policy::catalog::ids(&pack))
        .map(|best| format!("; did you mean {best}?"))
        .unwrap_or_default();
    writeln!(
        std::io::stderr(),
        "error: no rule or built-in code has the id `{id}`{hint}"
    )?;
    Ok(2)
}

/// Runs a pack's `*.test.toml` files.
pub fn test(dir: &Path, env: Option<String>, ui: &Ui, out: &mut dyn Write) -> Outcome {
    let Some(pack) = load(&[dir.to_owned()], ui, out)? else {
        return Ok(2);
    };
    let ctx = pipegen::Context {
        today: super::today()?,
        pack,
        waivers: true,
        env,
        prices: std::borrow::Cow::Borrowed(pipegen::cost::Prices::builtin()),
    };
    let outcome = policy::testing::run(dir, &ctx);
    out.write_all(outcome.report.as_bytes())?;
    Ok(outcome.exit_code)
}
