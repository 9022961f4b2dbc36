//! `data/emr-releases.toml`: its shape, that the job test runs the Spark of the production
//! release, and that the rendered step puts exactly the pinned artifacts of the pipeline's
//! release on the job's classpath, from Maven or from the artifact bucket.

mod common;

use pipegen::aws;
use serde_json::Value;

#[test]
fn the_table_is_ordered_complete_and_consistent() {
    let table = aws::emr_releases();
    let version = |label: &str| -> Vec<u32> {
        label
            .strip_prefix("emr-")
            .expect("labels start with emr-")
            .split('.')
            .map(|p| p.parse().expect("numeric label parts"))
            .collect()
    };
    for pair in table.release.windows(2) {
        assert!(
            version(&pair[0].label) < version(&pair[1].label),
            "releases are listed oldest first: {} before {}",
            pair[0].label,
            pair[1].label
        );
    }
    for release in &table.release {
        // Every release the table lists can be rendered for: its Spark line has connector
        // pins and an aws-msk-iam-auth runs on its Java.
        let artifacts = aws::kafka_artifacts(release)
            .unwrap_or_else(|| panic!("{}: no pinned Kafka artifacts", release.label));
        assert_eq!(artifacts.len(), 5, "{}", release.label);
        assert!(
            artifacts[0]
                .coordinates
                .ends_with(&format!(":{}", release.spark)),
            "{}: the connector has the release's Spark version",
            release.label
        );
        if let Some(released) = release.released {
            // "Standard Support 24 months from the date of release" (emr-standard-support.html),
            // give or take the day AWS's tables round to; the 6.x and early 7.x releases were
            // extended (bridge support to 2026-08-31).
            let days = released
                .until(release.standard_support_until)
                .unwrap()
                .get_days();
            assert!(
                days >= 2 * 365 - 2,
                "{}: {} days of standard support",
                release.label,
                days
            );
        }
        // S3A serves s3:// from emr-7.10.0 (EMR Release Guide, "EMR File System (EMRFS)").
        let s3a = version(&release.label) >= vec![7, 10, 0];
        assert_eq!(
            release.s3 == aws::S3Connector::S3a,
            s3a,
            "{}: s3 connector",
            release.label
        );
    }
}

/// The job test's PySpark is the production release's Spark: what passes there is what EMR
/// runs.
#[test]
fn the_job_test_runs_the_production_releases_spark() {
    let check = common::check_example("production.toml");
    let label = &check.model.as_ref().unwrap().emr.release_label;
    let release = aws::emr_release(label).expect("production's release is in the table");
    let tools = std::fs::read_to_string(common::root().join("scripts/tools.sh")).unwrap();
    assert!(
        tools.contains(&format!("pyspark=={}", release.spark)),
        "scripts/tools.sh pins pyspark=={} ({label})",
        release.spark
    );
}

fn step_args(patch: &str) -> Vec<String> {
    let check = common::check_patched("production.toml", patch);
    let pipeline = check.model.as_ref().expect("the pipeline builds");
    let input = check.source.as_deref().unwrap();
    let rendered =
        pipegen::render::render(pipeline, "patched.toml", input.as_bytes(), None).expect("renders");
    let step = rendered
        .iter()
        .find(|a| a.path == "spark/emr-step.json")
        .expect("the step file");
    let step: Value = serde_json::from_str(&step.content).unwrap();
    step[0]["HadoopJarStep"]["Args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

fn option<'a>(args: &'a [String], name: &str) -> Vec<&'a str> {
    args.iter()
        .find_map(|a| a.strip_prefix(&format!("--{name}=")))
        .map(|v| v.split(',').collect())
        .unwrap_or_default()
}

#[test]
fn the_step_adds_the_pinned_artifacts_of_each_release() {
    let table = aws::emr_releases();
    for release in &table.release {
        let pinned = aws::kafka_artifacts(release).unwrap();
        let label = &release.label;
        // Maven: the coordinates, resolved at submit; the Hudi bundle from the node.
        let args = step_args(&format!("[emr]\nrelease_label = \"{label}\"\n"));
        let coordinates: Vec<&str> = pinned.iter().map(|a| a.coordinates.as_str()).collect();
        assert_eq!(option(&args, "packages"), coordinates, "{label}");
        assert_eq!(
            option(&args, "jars"),
            [table.cluster_jars.hudi.as_str()],
            "{label}"
        );
        // Artifacts: the same jars, by file name, from the artifact bucket; no Maven.
        let args = step_args(&format!(
            "[emr]\nrelease_label = \"{label}\"\n[spark.job]\ndependencies = \"artifacts\"\n"
        ));
        assert!(option(&args, "packages").is_empty(), "{label}");
        let mut expected = vec![table.cluster_jars.hudi.clone()];
        expected.extend(
            pinned
                .iter()
                .map(|a| format!("s3://data-pipeline-prod-bucket-artifacts/jars/{}", a.file)),
        );
        assert_eq!(option(&args, "jars"), expected, "{label}");
    }
}

#[test]
fn the_releases_java_picks_the_auth_library() {
    let find = |label: &str| aws::kafka_artifacts(aws::emr_release(label).unwrap()).unwrap();
    // aws-msk-iam-auth 2.3.5 and later need Java 17 (aws-msk-iam-auth issue #228): EMR 7
    // runs Java 17, EMR 6 Java 8.
    assert!(find("emr-7.12.0")[4].file.contains("2.3.5"));
    assert!(find("emr-6.15.0")[4].file.contains("2.3.2"));
    // kafka-clients follows Spark's pom on each line.
    assert_eq!(
        find("emr-7.12.0")[2].coordinates,
        "org.apache.kafka:kafka-clients:3.4.1"
    );
    assert_eq!(
        find("emr-6.10.0")[2].coordinates,
        "org.apache.kafka:kafka-clients:2.8.1"
    );
}
