//! The cost estimate: arithmetic per component (pinned against the price table by hand), the
//! production example's total, budget rules and savings advice.

mod common;

use pipegen::cost::{Estimate, estimate};

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
        vec!["EC2 instance type `m5d.2xlarge`".to_owned()]
    );
    assert!(!e.lines.iter().any(|l| l.item.contains("m5d")));
    let check = common::check_patched(
        "minimal.toml",
        "[emr.core]\ninstance_type = \"m5d.2xlarge\"\n",
    );
    assert!(
        check
            .findings
            .iter()
            .any(|f| f.code == "COST-PRICE-001" && f.message.contains("m5d.2xlarge"))
    );
    let region = estimate_of(
        "[pipeline]\nregion = \"ap-southeast-7\"\n[network]\navailability_zones = [\"ap-southeast-7a\", \"ap-southeast-7b\"]\n\
         subnets = [{ name = \"a\", cidr = \"10.0.1.0/24\", az = \"ap-southeast-7a\", tier = \"private\" }, { name = \"b\", cidr = \"10.0.2.0/24\", az = \"ap-southeast-7b\", tier = \"private\" }]\n",
    );
    assert!(
        region
            .unpriced
            .contains(&"region `ap-southeast-7`".to_owned())
    );
    assert_eq!(region.total, 0.0);
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
