//! Network: MSK placement across subnets, and the subnets themselves.

use super::prelude::*;

/// CFX-003: MSK client subnets: 2 or 3, each in its own availability zone.
pub static CFX_003: Builtin = Builtin {
    id: "CFX-003",
    stage: Stage::Consistency,
    title: "MSK client subnets: 2 or 3, each in its own availability zone",
    severities: ERROR,
    why: "CreateCluster is rejected",
    fix: "List 2 or 3 client subnets, each in a different availability zone.",
    example: Some(Example {
        fails: r#"
[kafka]
subnets = ["a"]
broker_count = 1
"#,
        passes: r#"
[network]
availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
subnets = [
  { name = "a", cidr = "10.0.1.0/24", az = "us-east-1a", tier = "private" },
  { name = "b", cidr = "10.0.2.0/24", az = "us-east-1b", tier = "private" },
  { name = "c", cidr = "10.0.3.0/24", az = "us-east-1c", tier = "private" },
]
[kafka]
subnets = ["a", "b", "c"]
broker_count = 3
"#,
    }),
};
/// CFX-004: Broker count is a multiple of the number of client subnets.
pub static CFX_004: Builtin = Builtin {
    id: "CFX-004",
    stage: Stage::Consistency,
    title: "Broker count is a multiple of the number of client subnets",
    severities: ERROR,
    why: "MSK spreads brokers evenly across subnets and rejects an uneven count",
    fix: "Make `kafka.broker_count` a multiple of the number of client subnets (3, 6 or 9 brokers over 3 subnets).",
    example: Some(Example {
        fails: r#"
[kafka]
broker_count = 3
"#,
        passes: r#"
[kafka]
broker_count = 4
"#,
    }),
};
/// CFX-005: Subnets fit the VPC, do not overlap, and cover the declared availability zones.
pub static CFX_005: Builtin = Builtin {
    id: "CFX-005",
    stage: Stage::Consistency,
    title: "Subnets fit the VPC, do not overlap, and cover the declared availability zones",
    severities: ERROR,
    why: "CreateSubnet fails, or brokers and nodes cannot be placed",
    fix: "Give each subnet a CIDR inside the VPC's that overlaps no other, in a zone of the pipeline's region, and place a subnet in every declared zone.",
    example: Some(Example {
        fails: r#"
[network]
subnets = [
  { name = "a", cidr = "10.0.1.0/24", az = "us-east-1a", tier = "private" },
  { name = "b", cidr = "172.16.2.0/24", az = "us-east-1b", tier = "private" },
]
"#,
        passes: r#"
[network]
subnets = [
  { name = "pub", cidr = "10.0.100.0/24", az = "us-east-1a", tier = "public" },
  { name = "a", cidr = "10.0.1.0/24", az = "us-east-1a", tier = "private" },
  { name = "b", cidr = "10.0.2.0/24", az = "us-east-1b", tier = "private" },
]
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_003, &CFX_004, &CFX_005];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    msk_placement(pipeline, ctx, out);
    subnets(pipeline, ctx, out);
}

// CFX-003, CFX-004
fn msk_placement(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let kafka = &pipeline.kafka;
    let count = kafka.subnets.len();
    let region = pipeline.pipeline.region.as_str();
    let two_azs = aws::MSK_TWO_AZ_REGIONS.contains(&region);
    if !(2..=3).contains(&count) || (two_azs && count != 2) {
        let allowed = if two_azs {
            "exactly 2 (MSK offers two AZs in this region)"
        } else {
            "2 or 3"
        };
        out.push(
            Finding::error(
                &CFX_003,
                p("kafka.subnets"),
                format!("MSK needs {allowed} client subnets; {count} are listed"),
            )
            .with_help("list one private subnet per availability zone; 3 for production"),
        );
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, name) in kafka.subnets.iter().enumerate() {
        let Some(subnet) = pipeline.subnet(name) else {
            continue;
        };
        if let Some(first) = seen.insert(subnet.az.as_str(), i) {
            out.push(
                Finding::error(
                    &CFX_003,
                    p("kafka.subnets").index(i),
                    format!(
                        "subnet `{name}` is in {}, like `{}`; MSK client subnets need distinct availability zones",
                        subnet.az, kafka.subnets[first]
                    ),
                )
                .with_related(p("kafka.subnets").index(first), "same availability zone"),
            );
        }
    }
    if count > 0 && !kafka.broker_count.get().is_multiple_of(count as u32) {
        let brokers = kafka.broker_count.get();
        let lower = brokers / count as u32 * count as u32;
        let upper = lower + count as u32;
        out.push(
            Finding::error(
                &CFX_004,
                p("kafka.broker_count"),
                format!("{brokers} brokers cannot be spread evenly over {count} client subnets"),
            )
            .with_related(p("kafka.subnets"), "the client subnets are listed here")
            .with_help(if lower == 0 {
                format!("use a multiple of {count}, e.g. {upper}")
            } else {
                format!("use a multiple of {count}, e.g. {lower} or {upper}")
            }),
        );
    }
}

// CFX-005
fn subnets(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let network = &pipeline.network;
    let vpc = network.vpc_cidr.0;
    let region = &pipeline.pipeline.region;
    if !matches!(vpc, IpNet::V4(_)) || !(16..=28).contains(&vpc.prefix_len()) {
        out.push(
            Finding::error(
                &CFX_005,
                p("network.vpc_cidr"),
                format!("the VPC CIDR `{vpc}` must be an IPv4 block between /16 and /28"),
            )
            .with_help("use a private range such as 10.0.0.0/16"),
        );
    }
    let mut zones: BTreeMap<&str, usize> = BTreeMap::new();
    // Zone names are judged against a known region only (CFX-030 reports an unknown one).
    let known_region = aws::REGIONS.contains(&region.as_str());
    for (i, az) in network.availability_zones.iter().enumerate() {
        let at = p("network.availability_zones").index(i);
        let suffix = az.strip_prefix(region.as_str());
        if known_region
            && !suffix.is_some_and(|s| s.len() == 1 && s.bytes().all(|b| b.is_ascii_lowercase()))
        {
            out.push(
                Finding::error(
                    &CFX_005,
                    at.clone(),
                    format!("`{az}` is not an availability zone of {region}"),
                )
                .with_help(format!(
                    "availability zones of {region} are named {region}a, {region}b, …"
                )),
            );
        }
        if zones.insert(az, i).is_some() {
            out.push(Finding::error(
                &CFX_005,
                at,
                format!("availability zone `{az}` is listed twice"),
            ));
        }
    }
    let mut names = Names::new(&CFX_005, "subnet");
    for (i, subnet) in network.subnets.iter().enumerate() {
        let at = p("network.subnets").index(i);
        names.declare(&subnet.name, at.key("name"), out);
        let cidr = subnet.cidr.0;
        if !vpc.contains(&cidr) {
            out.push(
                Finding::error(
                    &CFX_005,
                    at.key("cidr"),
                    format!(
                        "subnet `{}` ({cidr}) lies outside the VPC {vpc}",
                        subnet.name
                    ),
                )
                .with_related(p("network.vpc_cidr"), "the VPC CIDR"),
            );
        } else if !(16..=28).contains(&cidr.prefix_len()) {
            out.push(Finding::error(
                &CFX_005,
                at.key("cidr"),
                format!(
                    "subnet `{}` is a /{}; AWS subnets are between /16 and /28",
                    subnet.name,
                    cidr.prefix_len()
                ),
            ));
        }
        if !zones.contains_key(subnet.az.as_str()) {
            let help = match suggest::closest(&subnet.az, zones.keys().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "add it to network.availability_zones, or use one listed there".to_owned(),
            };
            out.push(
                Finding::error(
                    &CFX_005,
                    at.key("az"),
                    format!("`{}` is not in network.availability_zones", subnet.az),
                )
                .with_help(help),
            );
        }
        for (j, other) in network.subnets.iter().enumerate().take(i) {
            if other.cidr.0.contains(&cidr) || cidr.contains(&other.cidr.0) {
                out.push(
                    Finding::error(
                        &CFX_005,
                        at.key("cidr"),
                        format!(
                            "subnet `{}` ({cidr}) overlaps subnet `{}` ({})",
                            subnet.name, other.name, other.cidr
                        ),
                    )
                    .with_related(
                        p("network.subnets").index(j).key("cidr"),
                        "overlapping block",
                    ),
                );
            }
        }
    }
    for (az, i) in &zones {
        let has_private = network
            .subnets
            .iter()
            .any(|s| s.az == *az && s.tier == SubnetTier::Private);
        if !has_private {
            out.push(
                Finding::error(
                    &CFX_005,
                    p("network.availability_zones").index(*i),
                    format!("availability zone `{az}` has no private subnet"),
                )
                .with_help("brokers and EMR nodes live in private subnets: add one for this zone, or drop the zone"),
            );
        }
    }
}
