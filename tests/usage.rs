//! Where users run pipegen: folder scans, `init`, shell completions, the man page, colour and
//! quiet output, the version.

mod common;

use common::pipegen;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn folders_are_scanned_by_convention_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let production =
        std::fs::read_to_string(common::root().join("examples/production.toml")).unwrap();
    let minimal = std::fs::read_to_string(common::root().join("examples/minimal.toml")).unwrap();
    for (path, text) in [
        ("b/orders.pipeline.toml", production.as_str()),
        ("a/analytics.toml", minimal.as_str()),
        ("a/not-a-pipeline.toml", "[tool]\nx = 1\n"),
        ("pipegen.toml", "[check]\n"),
        (".hidden/secret.pipeline.toml", "garbage ["),
        ("target/build.pipeline.toml", "garbage ["),
    ] {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let found = pipegen::scan::discover(&[root.to_path_buf()]);
    let names: Vec<String> = found
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["a/analytics.toml", "b/orders.pipeline.toml"]);
    let output = pipegen(&["check", root.to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 2);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        files.windows(2).all(|w| w[0] <= w[1]),
        "findings in path order"
    );
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        pipegen(&["check", empty.path().to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn the_examples_folder_is_checked_in_one_run_with_one_summary() {
    let output = pipegen(&["check", "examples/"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "broken and insecure examples fail"
    );
    let text = stdout(&output);
    assert_eq!(
        text.lines().filter(|l| l.contains(" in 4 files")).count(),
        1,
        "{text}"
    );
}

#[test]
fn init_writes_a_starter_that_passes_check_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    for environment in ["dev", "staging", "prod"] {
        let file = dir.path().join(format!("{environment}.toml"));
        let file = file.to_str().unwrap();
        let init = pipegen(&[
            "init",
            file,
            "--name",
            "acme-orders",
            "--environment",
            environment,
            "--force",
        ]);
        assert_eq!(init.status.code(), Some(0), "{}", stdout(&init));
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.starts_with("#:schema ./pipeline.schema.json\n"));
        assert!(dir.path().join("pipeline.schema.json").is_file());
        let check = pipegen(&["check", "--strict", file]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{environment}: {}",
            stdout(&check)
        );
        assert_eq!(stdout(&check), "0 errors, 0 warnings in 1 file\n");
    }
    let file = dir.path().join("dev.toml");
    let again = pipegen(&["init", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("pass --force"));
}

/// `init` accepts exactly the regions pipegen prices, and its starter passes `check --strict`
/// in each; a name that cannot become resource names is refused up front with the rule it
/// breaks; a missing folder is created.
#[test]
fn init_passes_check_strict_in_every_region_it_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let regions: Vec<&str> = pipegen::cost::Prices::builtin().regions().collect();
    assert!(regions.len() >= 30, "{regions:?}");
    for region in regions {
        let file = dir.path().join(format!("regions/{region}/pipeline.toml"));
        let file = file.to_str().unwrap();
        // Production needs three AZs (REL-KAFKA-004), which MSK does not offer everywhere.
        let two_azs = pipegen::aws::MSK_TWO_AZ_REGIONS.contains(&region);
        let environment = if two_azs { "staging" } else { "prod" };
        let init = pipegen(&[
            "init",
            file,
            "--region",
            region,
            "--environment",
            environment,
        ]);
        assert_eq!(
            init.status.code(),
            Some(0),
            "{region}: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        let check = pipegen(&["check", "--strict", file]);
        assert_eq!(
            stdout(&check),
            "0 errors, 0 warnings in 1 file\n",
            "{region}"
        );
    }
    let refused = |args: &[&str], needles: &[&str]| {
        let file = dir.path().join("refused.toml");
        let mut all = vec!["init", file.to_str().unwrap()];
        all.extend(args);
        let init = pipegen(&all);
        assert_eq!(init.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&init.stderr);
        for needle in needles {
            assert!(err.contains(needle), "{args:?}: {err}");
        }
        assert!(!file.exists(), "{args:?} wrote a file");
    };
    refused(
        &["--name", "click_stream"],
        &[
            "CFX-030",
            "3–32 characters",
            "`--name click-stream` would do",
        ],
    );
    refused(&["--name", "X"], &["CFX-030"]);
    refused(
        &["--region", "eu-wset-1"],
        &["did you mean `eu-west-1`?", "one of: af-south-1"],
    );
    refused(
        &["--region", "us-west-1", "--environment", "prod"],
        &["REL-KAFKA-004", "two availability zones"],
    );
    refused(
        &["--region", "us-gov-west-1"],
        &["not a region pipegen prices"],
    );
}

#[test]
fn completions_man_version_color_and_quiet() {
    for shell in ["bash", "zsh", "fish"] {
        let output = pipegen(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0));
        assert!(stdout(&output).contains("render"), "{shell}");
    }
    let man = stdout(&pipegen(&["man"]));
    assert!(
        man.starts_with(".ie") || man.contains(".TH pipegen"),
        "{man}"
    );
    let version = stdout(&pipegen(&["--version"]));
    assert!(
        version.starts_with(concat!("pipegen ", env!("CARGO_PKG_VERSION"), " (")),
        "{version}"
    );
    let colored = stdout(&pipegen(&[
        "--color",
        "always",
        "check",
        "examples/broken.toml",
    ]));
    assert!(colored.contains('\u{1b}'), "--color always colours");
    let plain = stdout(&pipegen(&[
        "--color",
        "never",
        "check",
        "examples/broken.toml",
    ]));
    assert!(!plain.contains('\u{1b}'));
    let quiet = pipegen(&["--quiet", "check", "examples/production.toml"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(stdout(&quiet), "", "quiet and clean prints nothing");
    let minimal = stdout(&pipegen(&["-q", "check", "examples/minimal.toml"]));
    assert!(!minimal.contains("Advice:"), "quiet drops notes");
    assert!(minimal.contains("Error:"));
}

#[test]
fn environments_change_findings_severities_and_renders() {
    let file = "tests/fixtures/environments.toml";
    let findings = |env: &str| -> Vec<(String, String, Option<u64>)> {
        common::json_findings(&common::root(), &["--env", env, file])
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                    f["line"].as_u64(),
                )
            })
            .collect()
    };
    let dev = findings("dev");
    let prod = findings("prod");
    assert_ne!(dev, prod);
    // Replication factor 2: a note in dev, an error in prod.
    assert!(
        dev.iter()
            .any(|(c, s, _)| c == "REL-KAFKA-001" && s == "note"),
        "{dev:?}"
    );
    assert!(
        prod.iter()
            .any(|(c, s, _)| c == "REL-KAFKA-001" && s == "error"),
        "{prod:?}"
    );
    // The idle timeout set in the dev overlay satisfies COST-EMR-003 there only.
    assert!(!dev.iter().any(|(c, _, _)| c == "COST-EMR-003"));
    // A merged value's finding points at the overlay key that set it (line 43).
    let uneven = prod
        .iter()
        .find(|(c, _, _)| c == "CFX-004")
        .expect("3 brokers over 2 subnets");
    assert_eq!(uneven.2, Some(43));
    // A file without the selected overlay is checked as written, with a note.
    let missing = pipegen(&["--env", "qa", "check", file]);
    let text = stdout(&missing);
    assert_ne!(missing.status.code(), Some(2), "{text}");
    assert!(
        text.contains("no overlay [env.qa] in the file (defined: dev, prod); checked as written"),
        "{text}"
    );

    let dir = tempfile::tempdir().unwrap();
    let render = |env: &str| {
        let out = dir.path().join(env);
        let artifacts = {
            let ctx = pipegen::Context {
                env: Some(env.to_owned()),
                ..pipegen::Context::builtin("2026-11-26".parse().unwrap()).unwrap()
            };
            let check = pipegen::check_file(&common::root().join(file), &ctx);
            pipegen::render::render(
                check.model.as_ref().unwrap(),
                "environments.toml",
                b"",
                None,
            )
            .unwrap()
        };
        pipegen::render::write(&out, &artifacts).unwrap();
        std::fs::read_to_string(out.join("cloudformation/pipeline.yaml")).unwrap()
    };
    let (dev_template, prod_template) = (render("dev"), render("prod"));
    assert!(dev_template.contains("IdleTimeout: 3600") && !prod_template.contains("IdleTimeout"));
    assert!(
        prod_template.contains("NumberOfBrokerNodes: 3")
            && dev_template.contains("NumberOfBrokerNodes: 2")
    );
}

/// Every overlay is validated on every run, whichever `--env` selects; `--env all` checks each
/// overlay in one run.
#[test]
fn every_overlay_is_checked_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let production =
        std::fs::read_to_string(common::root().join("examples/production.toml")).unwrap();
    let text = format!(
        "{production}\n[env.staging.pipeline]\nenvironment = \"staging\"\n\n\
         [env.prod.kafka]\nbroker_cout = 6\n\n[env.prd.kafka]\nbroker_count = 6\n"
    );
    std::fs::write(dir.path().join("p.toml"), &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let run = |args: &[&str]| {
        let output = common::pipegen_in(dir.path(), args);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let findings: Vec<(String, String, String, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["file"].as_str().unwrap().to_owned(),
                    f["code"].as_str().unwrap().to_owned(),
                    format!("{} {}", f["message"], f["help"]),
                    f["line"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        (output.status.code(), findings)
    };
    for selected in [None, Some("staging"), Some("prod")] {
        let mut args = vec!["check", "p.toml", "--format", "json"];
        if let Some(env) = selected {
            args.extend(["--env", env]);
        }
        let (code, findings) = run(&args);
        assert_eq!(code, Some(1), "{selected:?}: {findings:?}");
        let typo: Vec<_> = findings
            .iter()
            .filter(|f| f.2.contains("broker_cout"))
            .collect();
        assert_eq!(typo.len(), 1, "{selected:?}: {findings:?}");
        assert!(
            typo[0].2.contains("did you mean `broker_count`"),
            "{typo:?}"
        );
        assert_eq!(
            typo[0].3 as usize,
            line_of("broker_cout"),
            "at the overlay key"
        );
        let name = findings
            .iter()
            .find(|f| f.1 == "load::env-name")
            .unwrap_or_else(|| panic!("{selected:?}: {findings:?}"));
        assert!(name.2.contains("[env.prd]"), "{name:?}");
        assert_eq!(name.3 as usize, line_of("[env.prd.kafka]"));
    }
    // `--env all`: one check per overlay, each named after it.
    let (code, findings) = run(&["check", "p.toml", "--format", "json", "--env", "all"]);
    assert_eq!(code, Some(1));
    let files: std::collections::BTreeSet<&str> = findings.iter().map(|f| f.0.as_str()).collect();
    for env in ["staging", "prod", "prd"] {
        assert!(
            files.contains(format!("p.toml [env.{env}]").as_str()),
            "{files:?}"
        );
    }
    let summary = common::pipegen_in(dir.path(), &["check", "p.toml", "--env", "all"]);
    assert!(
        stdout(&summary).contains("in 3 files"),
        "{}",
        stdout(&summary)
    );
    // A file without overlays is checked as written, with a note.
    std::fs::write(dir.path().join("plain.toml"), &production).unwrap();
    let (code, findings) = run(&["check", "plain.toml", "--format", "json", "--env", "all"]);
    assert_eq!(code, Some(0), "{findings:?}");
    assert!(
        findings
            .iter()
            .any(|f| f.1 == "load::env" && f.2.contains("no [env.*] overlays"))
    );
    // render and cost build one pipeline: `--env all` is a usage error.
    for command in [
        &["render", "plain.toml", "--out", "x"][..],
        &["cost", "plain.toml"],
    ] {
        let output = common::pipegen_in(dir.path(), &[command, &["--env", "all"]].concat());
        assert_eq!(output.status.code(), Some(2));
    }
}

#[test]
fn project_configuration_sets_defaults_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let nested = root.join("teams/orders");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::copy(
        common::root().join("examples/insecure.toml"),
        nested.join("orders.pipeline.toml"),
    )
    .unwrap();
    std::fs::write(
        root.join("pipegen.toml"),
        "[check]\nformat = \"json\"\nskip = [\"SEC-MSK-001\"]\nseverity = { \"SEC-NET-004\" = \"error\" }\n\n[render]\nout = \"deploy\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| common::pipegen_in(&nested, args);
    // Found by walking up; its format, skip list and re-levelling apply.
    let output = run(&["check", "orders.pipeline.toml"]);
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("JSON from the config");
    let findings = report["findings"].as_array().unwrap();
    assert!(
        !findings.iter().any(|f| f["code"] == "SEC-MSK-001"),
        "skipped by the config"
    );
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "SEC-NET-004" && f["severity"] == "error")
    );
    // A flag wins over the configuration.
    let human = run(&["check", "orders.pipeline.toml", "--format", "human"]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("Error: "));
    // [render] out is the default output folder (production renders; insecure is refused).
    std::fs::copy(
        common::root().join("examples/production.toml"),
        nested.join("good.toml"),
    )
    .unwrap();
    let render = run(&["render", "good.toml"]);
    assert_eq!(
        render.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&render.stdout)
    );
    assert!(
        root.join("deploy/manifest.json").is_file(),
        "relative to pipegen.toml"
    );
    // A broken configuration is reported at its key, exit 2.
    std::fs::write(root.join("pipegen.toml"), "[check]\nformt = \"json\"\n").unwrap();
    let broken = run(&["check", "orders.pipeline.toml"]);
    assert_eq!(broken.status.code(), Some(2));
    let text = String::from_utf8_lossy(&broken.stdout);
    assert!(
        text.contains("unknown key `formt` in `[check]`")
            && text.contains("did you mean `format`?")
            && text.contains("pipegen.toml:2:1"),
        "{text}"
    );
    let schema = common::pipegen(&["schema", "--config"]);
    let value: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert_eq!(value["title"], "pipegen project configuration");
}

/// `check` and `render` read one resolution of the flags and `pipegen.toml`: whatever makes
/// `check` pass lets `render` write, and whatever makes it fail stops `render`.
#[test]
fn check_and_render_agree_under_every_option() {
    // Production with one finding: OPS-MON-001 (a warning) on kafka.enhanced_monitoring.
    let production = std::fs::read_to_string(common::root().join("examples/production.toml"))
        .unwrap()
        .replace(
            "enhanced_monitoring = \"PER_TOPIC_PER_BROKER\"",
            "enhanced_monitoring = \"DEFAULT\"",
        );
    // (pipegen.toml, extra flags, the exit code both commands must give)
    let relevel = "[check]\nseverity = { \"OPS-MON-001\" = \"error\" }\n";
    let cases: &[(&str, &[&str], i32)] = &[
        ("", &[], 0),
        ("", &["--strict"], 1),
        ("", &["--deny", "warnings"], 1),
        ("[check]\nstrict = true\n", &[], 1),
        (relevel, &[], 1),
        (
            "[check]\nseverity = { \"OPS-MON-001\" = \"error\" }\nskip = [\"OPS-MON-001\"]\n",
            &[],
            0,
        ),
        (relevel, &["--skip", "OPS-MON-001"], 0),
        (relevel, &["--only", "security"], 0),
        ("[check]\nonly = [\"security\"]\nstrict = true\n", &[], 0),
        (
            "[check]\nonly = [\"security\"]\n",
            &["--only", "operations", "--strict"],
            1,
        ),
    ];
    for (config, flags, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.toml"), &production).unwrap();
        std::fs::write(dir.path().join("pipegen.toml"), config).unwrap();
        let run = |args: &[&str]| common::pipegen_in(dir.path(), &[args, flags].concat());
        let check = run(&["check", "p.toml"]);
        let render = run(&["render", "p.toml", "--out", "deploy"]);
        let case = format!("pipegen.toml {config:?}, flags {flags:?}");
        assert_eq!(check.status.code(), Some(*expected), "check, {case}");
        assert_eq!(
            render.status.code(),
            Some(*expected),
            "render, {case}: {}",
            stdout(&render)
        );
        assert_eq!(
            dir.path().join("deploy/manifest.json").is_file(),
            *expected == 0,
            "render writes exactly when check passes, {case}"
        );
    }
}
