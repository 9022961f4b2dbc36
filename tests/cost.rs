//! The cost estimate: arithmetic per component (pinned against the price table by hand), the
//! production example's total, budget rules and savings advice.

mod common;

use pipegen::cost::{Estimate, Prices, Unpriced};

fn estimate(pipeline: &pipegen::model::Pipeline) -> Estimate {
    pipegen::cost::estimate(pipeline, Prices::builtin())
}

fn estimate_of(patch: &str) -> Estimate {
    let check = common::check_patched("minimal.toml", patch);
    estimate(check.model.as_ref().expect("the pipeline builds"))
}

fn line(e: &Estimate, needle: &str) -> f64 {
    e.lines
        .iter()
        .find(|l| l.item.contains(needle))
        .unwrap_or_else(|| panic!("no line with `{needle}` in {:#?}", e.lines))
        .monthly
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.005,
        "expected {expected}, got {actual}"
    );
}

#[test]
fn msk_brokers_and_storage() {
    let e = estimate_of(
        "[kafka]\ninstance_type = \"kafka.m5.large\"\nbroker_count = 4\n[kafka.storage]\nvolume_size_gb = 500\n",
    );
    close(line(&e, "kafka.m5.large broker-hours"), 4.0 * 0.21 * 730.0);
    close(line(&e, "broker storage"), 4.0 * 500.0 * 0.10);
    close(e.components["MSK"], 613.2 + 200.0);
}

#[test]
fn emr_on_demand_spot_uplift_and_ebs() {
    let e = estimate_of(
        "[emr.core]\ninstance_type = \"m5.2xlarge\"\ncount = 2\nmarket = \"SPOT\"\nebs_volume_gb = 100\n[usage]\nemr_hours_per_month = 200\n",
    );
    close(
        line(&e, "primary: 1 × m5.xlarge EC2 (on-demand)"),
        0.192 * 200.0,
    );
    close(line(&e, "primary: EMR charge"), 0.048 * 200.0);
    close(
        line(&e, "core: 2 × m5.2xlarge EC2 (Spot)"),
        2.0 * 200.0 * 0.1344,
    );
    close(line(&e, "core: EMR charge"), 2.0 * 200.0 * 0.096);
    close(
        line(&e, "core: EBS 2 × 100 GB gp3"),
        2.0 * 100.0 * 0.08 * 200.0 / 730.0,
    );
    assert!(!e.savings.contains_key("spot_core"), "already Spot");
    let on_demand = estimate_of("[emr.core]\ninstance_type = \"m5.2xlarge\"\ncount = 2\n");
    close(on_demand.savings["spot_core"], 2.0 * 730.0 * 0.384 * 0.65);
}

#[test]
fn s3_storage_follows_the_lifecycle_by_age() {
    let patch = "[usage]\nstored_tb = 10\ningest_gb_per_day = 50\n\
                 [[storage.lifecycle]]\nid = \"archive\"\n\
                 transitions = [{ days = 90, storage_class = \"STANDARD_IA\" }, { days = 180, storage_class = \"GLACIER\" }]\n";
    let e = estimate_of(patch);
    // 50 GB/day: 4,500 GB younger than 90 days, 4,500 GB 90–180 days, the rest of 10,240 older.
    close(line(&e, "STANDARD storage"), 4500.0 * 0.023);
    close(line(&e, "STANDARD_IA storage"), 4500.0 * 0.0125);
    close(line(&e, "GLACIER storage"), 1240.0 * 0.0036);
    close(line(&e, "PUT/COPY"), 2000.0 * 0.005);
    close(line(&e, "GET requests"), 20000.0 * 0.0004);
}

#[test]
fn data_transfer_network_monitoring_security() {
    let patch = "[usage]\ningest_gb_per_day = 100\nconsumer_groups = 2\ninternet_egress_gb_per_month = 50\nnat_gb_per_month = 10\n\
                 [network]\nnat_gateways = \"single\"\n\
                 [kafka]\nenhanced_monitoring = \"PER_BROKER\"\n\
                 [[kms.keys]]\nname = \"main\"\n\
                 [[secrets]]\nname = \"api\"\nkms_key = \"main\"\n";
    let e = estimate_of(patch);
    // 3,000 GB/month produced, read by 2 groups: 9,000 GB of client traffic, half of it crossing
    // between the 2 AZs, billed on both sides.
    close(line(&e, "across AZs"), 9000.0 * 0.5 * 2.0 * 0.01);
    close(line(&e, "internet egress"), 50.0 * 0.09);
    close(line(&e, "NAT gateway"), 730.0 * 0.045);
    close(line(&e, "NAT data"), 10.0 * 0.045);
    close(line(&e, "enhanced-monitoring"), 30.0 * 2.0 * 0.30);
    close(line(&e, "Secrets Manager"), 0.40);
    close(line(&e, "KMS"), 1.00);
}

#[test]
fn unknown_types_and_regions_are_findings_not_zeros() {
    let e = estimate_of("[emr.core]\ninstance_type = \"m5d.2xlarge\"\n");
    assert_eq!(
        e.unpriced,
        vec![Unpriced {
            item: "EC2 instance type `m5d.2xlarge`".to_owned(),
            path: "emr.core.instance_type".to_owned()
        }]
    );
    assert!(!e.lines.iter().any(|l| l.item.contains("m5d")));
    // The finding points at the key that chose the unpriced type, not at the region.
    let check = common::check_patched(
        "minimal.toml",
        "[emr.core]\ninstance_type = \"m5d.2xlarge\"\n",
    );
    let finding = check
        .findings
        .iter()
        .find(|f| f.code == "COST-PRICE-001")
        .expect("COST-PRICE-001");
    assert!(
        finding.message.contains("m5d.2xlarge"),
        "{}",
        finding.message
    );
    assert_eq!(
        finding.path.as_ref().map(ToString::to_string).as_deref(),
        Some("emr.core.instance_type")
    );
    let gov = "[pipeline]\nregion = \"us-gov-west-1\"\n[network]\navailability_zones = [\"us-gov-west-1a\", \"us-gov-west-1b\"]\n\
         subnets = [{ name = \"a\", cidr = \"10.0.1.0/24\", az = \"us-gov-west-1a\", tier = \"private\" }, { name = \"b\", cidr = \"10.0.2.0/24\", az = \"us-gov-west-1b\", tier = \"private\" }]\n";
    let region = estimate_of(gov);
    assert!(region.unpriced.contains(&Unpriced {
        item: "region `us-gov-west-1`".to_owned(),
        path: "pipeline.region".to_owned()
    }));
    // Nothing priced is zero, never negative zero (an empty f64 sum is -0.0).
    assert_eq!(region.total.to_bits(), 0f64.to_bits());
    let table = pipegen::cost::table(&region);
    assert!(!table.contains("-0.00"), "{table}");
}

/// Every region where botocore (the installed AWS CLI's copy) lists both MSK and EMR in the
/// aws partition is priced, with every group and key us-east-1 has.
#[test]
fn every_region_offering_msk_and_emr_is_priced() {
    let script = "import botocore.loaders, json\n\
        d = botocore.loaders.Loader().load_data('endpoints')\n\
        p = next(p for p in d['partitions'] if p['partition'] == 'aws')\n\
        has = lambda s: set(p['services'][s]['endpoints'])\n\
        print(json.dumps(sorted(set(p['regions']) & has('kafka') & has('elasticmapreduce'))))\n\
        print(json.dumps(sorted(r for q in d['partitions'] if q['partition'] in ('aws', 'aws-cn', 'aws-us-gov') for r in q['regions'])))\n";
    let output = common::succeeds(
        std::process::Command::new(common::tool("PIPEGEN_ORACLES_PYTHON")).args(["-c", script]),
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut lines = stdout.lines();
    let regions: Vec<String> = serde_json::from_str(lines.next().unwrap()).unwrap();
    let known: Vec<String> = serde_json::from_str(lines.next().unwrap()).unwrap();
    // The regions `check` accepts (CFX-030) are botocore's, no more, no fewer.
    let mut ours: Vec<&str> = pipegen::aws::REGIONS.to_vec();
    ours.sort_unstable();
    assert_eq!(
        ours, known,
        "aws::REGIONS against botocore's endpoints.json"
    );
    assert!(regions.len() >= 30, "{regions:?}");
    let prices = Prices::builtin();
    let reference = prices.coverage("us-east-1").expect("us-east-1 is priced");
    assert_eq!(reference.len(), 11, "{reference:?}");
    for region in &regions {
        assert_eq!(
            prices.coverage(region).as_ref(),
            Some(&reference),
            "{region} lacks prices us-east-1 has"
        );
    }
    // And nothing else: a priced region that botocore does not list is a typo.
    for region in prices.regions() {
        assert!(
            regions.iter().any(|r| r == region),
            "{region} is not an MSK+EMR region"
        );
    }
}

/// `pipegen.toml [cost] prices` adds a region and overrides single prices of another; the
/// rest of the built-in table stays.
#[test]
fn a_repository_price_file_adds_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prices.toml");
    std::fs::write(
        &file,
        "[regions.us-east-1.ec2_hour]\nsource = \"our EDP rate card\"\nread = 2026-12-01\n\
         prices = { \"m5.xlarge\" = 0.15, \"m5d.2xlarge\" = 0.4 }\n\
         [regions.us-gov-west-1]\nsame_as = \"us-east-1\"\nsource = \"ours\"\nread = 2026-12-01\n",
    )
    .unwrap();
    let prices = Prices::with_file(&file).unwrap();
    let check = common::check_patched(
        "minimal.toml",
        "[emr.core]\ninstance_type = \"m5d.2xlarge\"\n",
    );
    let pipeline = check.model.as_ref().unwrap();
    let ours = pipegen::cost::estimate(pipeline, &prices);
    assert!(ours.unpriced.is_empty(), "{:?}", ours.unpriced);
    let core = ours
        .lines
        .iter()
        .find(|l| l.item.starts_with("core:") && l.item.contains("m5d.2xlarge EC2"))
        .unwrap();
    close(core.unit_price, 0.4);
    // An existing key is overridden; the group's other keys stay.
    let master = ours
        .lines
        .iter()
        .find(|l| l.item.starts_with("primary") && l.item.contains("EC2"))
        .unwrap();
    close(master.unit_price, 0.15);
    let ec2 = |p: &Prices| p.coverage("us-east-1").unwrap()["ec2_hour"].clone();
    let mut expected = ec2(Prices::builtin());
    expected.push("m5d.2xlarge".to_owned());
    expected.sort();
    assert_eq!(ec2(&prices), expected);
    assert_eq!(
        prices.coverage("us-gov-west-1"),
        prices.coverage("us-east-1")
    );
    // Through pipegen.toml, for check and cost alike.
    std::fs::write(
        dir.path().join("pipegen.toml"),
        "[cost]\nprices = \"prices.toml\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        common::patched_text(
            "minimal.toml",
            "[emr.core]\ninstance_type = \"m5d.2xlarge\"\n",
        ),
    )
    .unwrap();
    let run = |args: &[&str]| common::pipegen_in(dir.path(), args);
    let cost = run(&["cost", "p.toml"]);
    let text = String::from_utf8_lossy(&cost.stdout);
    assert!(
        text.contains("m5d.2xlarge") && !text.contains("Not priced"),
        "{text}"
    );
    let check = run(&["check", "p.toml", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "COST-PRICE-001")
    );
    // A broken price file is exit 2 with its path and the key.
    std::fs::write(&file, "[regions.us-east-1.ec2_hour]\nprice = 1\n").unwrap();
    let broken = run(&["cost", "p.toml"]);
    assert_eq!(broken.status.code(), Some(2));
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(
        err.contains("prices.toml") && err.contains("source"),
        "{err}"
    );
}

#[test]
fn production_estimate_against_the_guide() {
    let check = common::check_example("production.toml");
    let e = estimate(check.model.as_ref().unwrap());
    close(e.total, 2142.67);
    // The guide: MSK ≈ $600, EMR ≈ $800, S3 ≈ $250, data transfer ≈ $150, total ≈ $1,800.
    let within = |actual: f64, guide: f64| ((actual - guide) / guide).abs() <= 0.15;
    assert!(
        within(e.components["EMR"], 800.0),
        "EMR {}",
        e.components["EMR"]
    );
    assert!(
        within(e.components["S3"], 250.0),
        "S3 {}",
        e.components["S3"]
    );
    assert!(
        within(e.components["Data transfer"], 150.0),
        "transfer {}",
        e.components["Data transfer"]
    );
    // MSK: 3 × $0.21 × 730 = $459.90 of brokers is the guide's $600 less storage; the guide's
    // own 1000 GB per broker adds 3 × 1000 × $0.10 = $300, hence $759.90 (see the notes).
    close(e.components["MSK"], 759.90);
    assert!(
        e.assumptions
            .iter()
            .any(|a| a.contains("stored in the lake, TB: 10 (from the pipeline)"))
    );
    assert!(
        e.assumptions
            .iter()
            .any(|a| a.contains("(default; set usage.s3_put_requests_per_month)"))
    );
}

#[test]
fn budget_rules_and_spot_advice_name_the_money() {
    let over = common::check_patched("production.toml", "[budget]\nmonthly_limit_usd = 1500\n");
    let finding = over
        .findings
        .iter()
        .find(|f| f.code == "COST-BUDGET-003")
        .expect("over budget");
    assert_eq!(
        finding.message,
        "the estimated cost, $2142.67/month, exceeds the $1500 budget"
    );
    let near = common::check_patched("production.toml", "[budget]\nmonthly_limit_usd = 2500\n");
    assert!(
        near.findings
            .iter()
            .any(|f| f.code == "COST-BUDGET-004" && f.message.contains("($2000)"))
    );
    assert!(!near.findings.iter().any(|f| f.code == "COST-BUDGET-003"));
    let dev = common::check_example("minimal.toml");
    let advice = dev
        .findings
        .iter()
        .find(|f| f.code == "COST-EMR-002")
        .unwrap();
    assert_eq!(
        advice.message,
        "dev core nodes run on-demand; Spot for the 1 core node(s) would save ≈ $91.1/month"
    );
}

#[test]
fn cost_command_prints_the_table_and_json() {
    let output = common::pipegen(&["cost", "examples/production.toml"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("TOTAL          $   2142.67 per month (us-east-1)"),
        "{text}"
    );
    assert!(text.contains("Assumptions:"));
    let json = common::pipegen(&["cost", "examples/production.toml", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["total"], 2142.67);
    assert_eq!(value["currency"], "USD");
    assert!(value["lines"].as_array().unwrap().len() > 10);
    let broken = common::pipegen(&["cost", "examples/broken.toml"]);
    assert_eq!(
        broken.status.code(),
        Some(0),
        "consistency errors do not stop an estimate"
    );
    let unusable = common::pipegen(&["cost", "no-such.toml"]);
    assert_eq!(unusable.status.code(), Some(2));
}
