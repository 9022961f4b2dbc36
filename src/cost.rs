//! The offline monthly cost estimate: the pipeline's resources and expected usage priced from
//! `data/prices.toml`. It feeds `pipegen cost` and, as `facts.cost`, the budget rules.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::model::{EnhancedMonitoring, InstanceGroup, Market, Pipeline, StorageClass};

/// The embedded price table: `data/prices.toml`, as JSON (converted by `build.rs`; JSON
/// reads several times faster than TOML on every run).
const PRICES: &str = include_str!(concat!(env!("OUT_DIR"), "/prices.json"));

/// A price table: the built-in one (`data/prices.toml`), or that one with a repository's
/// additions and overrides (`pipegen.toml [cost] prices`) merged over it.
#[derive(Debug, Clone, Deserialize)]
pub struct Prices {
    hours_per_month: f64,
    spot: Spot,
    regions: BTreeMap<String, Entry>,
}

/// A region of the table, read on first use: a check prices one region, so the other 33
/// stay unparsed text (the table is parsed on every run).
#[derive(Debug, Clone)]
struct Entry {
    raw: Option<Box<serde_json::value::RawValue>>,
    parsed: OnceLock<Region>,
}

impl Entry {
    fn parsed(region: Region) -> Self {
        Entry {
            raw: None,
            parsed: OnceLock::from(region),
        }
    }

    fn get(&self) -> &Region {
        self.parsed.get_or_init(|| {
            let raw = self.raw.as_ref().map_or("{}", |r| r.get());
            serde_json::from_str(raw)
                .expect("data/prices.toml has the table's shape (tests/cost.rs)")
        })
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Entry {
            raw: Some(Deserialize::deserialize(deserializer)?),
            parsed: OnceLock::new(),
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Spot {
    discount: f64,
}

/// A repository's price file: regions (whole, or single groups, or single prices within a
/// group), each group with its own `source` and `read` date, as in `data/prices.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    #[serde(default)]
    regions: BTreeMap<String, Region>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Region {
    same_as: Option<String>,
    msk_broker_hour: Option<Group>,
    msk_storage_gb_month: Option<Group>,
    ec2_hour: Option<Group>,
    emr_uplift_hour: Option<Group>,
    ebs_gb_month: Option<Group>,
    emr_default_ebs_gb: Option<Group>,
    s3_gb_month: Option<Group>,
    s3_requests_per_1000: Option<Group>,
    transfer_gb: Option<Group>,
    nat_gateway_hour: Option<Group>,
    monthly: Option<Group>,
    #[serde(default, rename = "source")]
    _source: Option<String>,
    #[serde(default, rename = "read")]
    _read: Option<serde::de::IgnoredAny>,
}

/// A group of prices with one source and reading date.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    #[serde(default)]
    prices: BTreeMap<String, f64>,
    price: Option<f64>,
    ratio_of_ec2: Option<f64>,
    #[serde(rename = "source")]
    _source: String,
    /// A TOML date: required, not read.
    #[serde(rename = "read")]
    _read: serde::de::IgnoredAny,
}

impl Group {
    fn get(&self, key: &str) -> Option<f64> {
        self.prices.get(key).copied()
    }
}

impl Group {
    /// `other`'s prices over these; its other fields replace these when given.
    fn merge(&mut self, other: Group) {
        self.prices.extend(other.prices);
        self.price = other.price.or(self.price);
        self.ratio_of_ec2 = other.ratio_of_ec2.or(self.ratio_of_ec2);
        self._source = other._source;
        self._read = other._read;
    }
}

impl Region {
    fn groups_mut(&mut self) -> [&mut Option<Group>; 11] {
        [
            &mut self.msk_broker_hour,
            &mut self.msk_storage_gb_month,
            &mut self.ec2_hour,
            &mut self.emr_uplift_hour,
            &mut self.ebs_gb_month,
            &mut self.emr_default_ebs_gb,
            &mut self.s3_gb_month,
            &mut self.s3_requests_per_1000,
            &mut self.transfer_gb,
            &mut self.nat_gateway_hour,
            &mut self.monthly,
        ]
    }
}

impl Prices {
    /// The built-in table.
    pub fn builtin() -> &'static Prices {
        static TABLE: OnceLock<Prices> = OnceLock::new();
        TABLE.get_or_init(|| {
            serde_json::from_str(PRICES)
                .expect("data/prices.toml has the table's shape (tests/cost.rs)")
        })
    }

    /// The built-in table with the price file at `path` merged over it: a region it names
    /// that the table lacks is added; for one the table has, each group it gives adds to
    /// and replaces the table's prices key by key. A region it defines by `same_as` is first
    /// resolved, so overriding one price of a region that shares another's keeps the rest.
    pub fn with_file(path: &Path) -> Result<Prices, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the price file `{}`: {e}", path.display()))?;
        let loaded = crate::load::parse(&text)
            .map_err(|f| format!("the price file `{}`: {}", path.display(), f.message))?;
        let overrides: Overrides =
            serde_path_to_error::deserialize(&loaded.value).map_err(|e| {
                format!(
                    "the price file `{}`, at `{}`: {}",
                    path.display(),
                    e.path(),
                    e.inner()
                )
            })?;
        let mut prices = Prices::builtin().clone();
        for (name, mut given) in overrides.regions {
            let mut region = prices.resolved(&name).cloned().unwrap_or_default();
            if given.same_as.is_some() {
                region = Region {
                    same_as: given.same_as.take(),
                    ..Region::default()
                };
            }
            for (mine, theirs) in region.groups_mut().into_iter().zip(given.groups_mut()) {
                match (mine.as_mut(), theirs.take()) {
                    (Some(mine), Some(theirs)) => mine.merge(theirs),
                    (None, theirs @ Some(_)) => *mine = theirs,
                    (_, None) => {}
                }
            }
            prices.regions.insert(name, Entry::parsed(region));
        }
        Ok(prices)
    }

    /// The regions the table prices, in name order.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.regions.keys().map(String::as_str)
    }

    /// What the table holds for `region` (`same_as` resolved): each group's name and its
    /// price keys (`price` and `ratio_of_ec2` count as keys); `None` for an unpriced region.
    pub fn coverage(&self, region: &str) -> Option<BTreeMap<&'static str, Vec<String>>> {
        const NAMES: [&str; 11] = [
            "msk_broker_hour",
            "msk_storage_gb_month",
            "ec2_hour",
            "emr_uplift_hour",
            "ebs_gb_month",
            "emr_default_ebs_gb",
            "s3_gb_month",
            "s3_requests_per_1000",
            "transfer_gb",
            "nat_gateway_hour",
            "monthly",
        ];
        let mut region = self.resolved(region)?.clone();
        let groups = region.groups_mut();
        let covered = NAMES.into_iter().zip(groups).filter_map(|(name, group)| {
            let group = group.as_ref()?;
            let mut keys: Vec<String> = group.prices.keys().cloned().collect();
            keys.extend(group.price.map(|_| "price".to_owned()));
            keys.extend(group.ratio_of_ec2.map(|_| "ratio_of_ec2".to_owned()));
            Some((name, keys))
        });
        Some(covered.collect())
    }

    /// The region's prices, `same_as` chains resolved.
    fn resolved(&self, name: &str) -> Option<&Region> {
        let mut current = self.regions.get(name)?.get();
        for _ in 0..4 {
            match &current.same_as {
                Some(other) => current = self.regions.get(other)?.get(),
                None => return Some(current),
            }
        }
        None
    }
}

/// One priced item.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Line {
    /// The component it belongs to (MSK, EMR, S3, …).
    pub component: &'static str,
    /// What is priced.
    pub item: String,
    /// How many units.
    pub quantity: f64,
    /// The unit (hours, GB-month, …).
    pub unit: &'static str,
    /// USD per unit.
    pub unit_price: f64,
    /// USD per month.
    pub monthly: f64,
}

/// The estimate.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// The priced region.
    pub region: String,
    /// `USD`.
    pub currency: &'static str,
    /// The monthly total.
    pub total: f64,
    /// Monthly totals per component.
    pub components: BTreeMap<&'static str, f64>,
    /// Every priced item.
    pub lines: Vec<Line>,
    /// The usage figures used, and whether each is the pipeline's or a default.
    pub assumptions: Vec<String>,
    /// Items with no price in the table (never priced at zero silently).
    pub unpriced: Vec<Unpriced>,
    /// Monthly savings of advisable changes.
    pub savings: BTreeMap<&'static str, f64>,
}

/// Something the table has no price for, and the key that chose it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Unpriced {
    /// What, e.g. ``EC2 instance type `m5d.2xlarge` ``.
    pub item: String,
    /// The dotted key path of the value that has no price.
    pub path: String,
}

struct Builder<'a> {
    region: &'a Region,
    lines: Vec<Line>,
    unpriced: Vec<Unpriced>,
}

impl Builder<'_> {
    fn add(
        &mut self,
        component: &'static str,
        item: String,
        quantity: f64,
        unit: &'static str,
        unit_price: f64,
    ) {
        if quantity > 0.0 {
            self.lines.push(Line {
                component,
                item,
                quantity: round(quantity, 3),
                unit,
                unit_price,
                monthly: round(quantity * unit_price, 2),
            });
        }
    }

    /// The price of `key` in `group`; a missing one is recorded against the key `path`.
    fn price(&mut self, group: Option<&Group>, key: &str, what: &str, path: &str) -> Option<f64> {
        let price = group.and_then(|g| g.get(key));
        if price.is_none() {
            self.unpriced.push(Unpriced {
                item: format!("{what} `{key}`"),
                path: path.to_owned(),
            });
        }
        price
    }
}

/// `value` rounded to `places` decimals; never negative zero (an empty `f64` sum is -0.0,
/// which would print as `-0.00`).
fn round(value: f64, places: i32) -> f64 {
    let factor = 10f64.powi(places);
    (value * factor).round() / factor + 0.0
}

/// Usage figures with their defaults, and how they were chosen.
struct Usage {
    stored_gb: f64,
    ingest_gb_month: f64,
    consumer_groups: f64,
    internet_gb: f64,
    nat_gb: f64,
    emr_hours: f64,
    puts: f64,
    gets: f64,
}

fn usage(pipeline: &Pipeline, hours: f64, assumptions: &mut Vec<String>) -> Usage {
    let u = &pipeline.usage;
    let mut pick = |value: Option<f64>, default: f64, key: &str, what: &str| {
        let (v, origin) = match value {
            Some(v) => (v, "from the pipeline"),
            None => (default, "default; set usage."),
        };
        let suffix = if value.is_none() { key } else { "" };
        assumptions.push(format!("{what}: {v} ({origin}{suffix})"));
        v
    };
    let stored_tb = pick(u.stored_tb, 1.0, "stored_tb", "data stored in the lake, TB");
    let ingest = pick(
        u.ingest_gb_per_day,
        10.0,
        "ingest_gb_per_day",
        "data produced into Kafka per day, GB",
    );
    let groups = pick(
        u.consumer_groups.map(f64::from),
        1.0,
        "consumer_groups",
        "consumer groups reading every record",
    );
    let internet = pick(
        u.internet_egress_gb_per_month,
        0.0,
        "internet_egress_gb_per_month",
        "internet egress per month, GB",
    );
    let nat = pick(
        u.nat_gb_per_month,
        0.0,
        "nat_gb_per_month",
        "data through NAT gateways per month, GB",
    );
    let emr_hours = pick(
        u.emr_hours_per_month,
        hours,
        "emr_hours_per_month",
        "hours the EMR cluster runs per month",
    );
    let puts = pick(
        u.s3_put_requests_per_month,
        2_000_000.0,
        "s3_put_requests_per_month",
        "S3 PUT/LIST requests per month",
    );
    let gets = pick(
        u.s3_get_requests_per_month,
        20_000_000.0,
        "s3_get_requests_per_month",
        "S3 GET requests per month",
    );
    Usage {
        stored_gb: stored_tb * 1024.0,
        ingest_gb_month: ingest * 30.0,
        consumer_groups: groups,
        internet_gb: internet,
        nat_gb: nat,
        emr_hours,
        puts,
        gets,
    }
}

/// Estimates the monthly cost of a pipeline.
pub fn estimate(pipeline: &Pipeline, table: &Prices) -> Estimate {
    let hours = table.hours_per_month;
    let region_name = pipeline.pipeline.region.clone();
    let mut assumptions = vec![format!(
        "on-demand prices of {region_name}, {hours} hours a month; Spot discount {}% off EC2",
        table.spot.discount * 100.0
    )];
    let use_ = usage(pipeline, hours, &mut assumptions);
    let empty = Region::default();
    let found = table.resolved(&region_name);
    let mut b = Builder {
        region: found.unwrap_or(&empty),
        lines: Vec::new(),
        unpriced: Vec::new(),
    };
    if found.is_none() {
        b.unpriced.push(Unpriced {
            item: format!("region `{region_name}`"),
            path: "pipeline.region".to_owned(),
        });
    }
    let mut savings = BTreeMap::new();
    msk(pipeline, hours, &use_, &mut b);
    emr(pipeline, &use_, table.spot.discount, &mut b, &mut savings);
    s3(pipeline, &use_, &mut b, &mut assumptions);
    transfer(pipeline, hours, &use_, &mut b, &mut assumptions);
    operations(pipeline, &use_, &mut b, &mut assumptions);
    if found.is_none() {
        // Nothing of an unpriced region has a price: the region is the one thing to say.
        b.unpriced.truncate(1);
    }
    let mut components = BTreeMap::new();
    for line in &b.lines {
        *components.entry(line.component).or_insert(0.0) += line.monthly;
    }
    for value in components.values_mut() {
        *value = round(*value, 2);
    }
    let total = round(b.lines.iter().map(|l| l.monthly).sum(), 2);
    Estimate {
        region: region_name,
        currency: "USD",
        total,
        components,
        lines: b.lines,
        assumptions,
        unpriced: b.unpriced,
        savings,
    }
}

fn msk(pipeline: &Pipeline, hours: f64, _usage: &Usage, b: &mut Builder<'_>) {
    let kafka = &pipeline.kafka;
    let brokers = f64::from(kafka.broker_count.get());
    let region = b.region;
    if let Some(price) = b.price(
        region.msk_broker_hour.as_ref(),
        &kafka.instance_type,
        "MSK broker type",
        "kafka.instance_type",
    ) {
        b.add(
            "MSK",
            format!(
                "{} × {} broker-hours",
                kafka.broker_count, kafka.instance_type
            ),
            brokers * hours,
            "broker-hour",
            price,
        );
    }
    if let Some(price) = region.msk_storage_gb_month.as_ref().and_then(|g| g.price) {
        let gb = brokers * f64::from(kafka.storage.volume_size_gb);
        b.add(
            "MSK",
            format!(
                "broker storage, {} × {} GB",
                kafka.broker_count, kafka.storage.volume_size_gb
            ),
            gb,
            "GB-month",
            price,
        );
    }
}

/// EMR default EBS per instance, by size.
fn default_ebs(region: &Region, instance_type: &str) -> f64 {
    let size = instance_type.rsplit('.').next().unwrap_or_default();
    region
        .emr_default_ebs_gb
        .as_ref()
        .and_then(|g| g.get(size))
        .unwrap_or(32.0)
}

fn emr(
    pipeline: &Pipeline,
    usage: &Usage,
    discount: f64,
    b: &mut Builder<'_>,
    savings: &mut BTreeMap<&'static str, f64>,
) {
    let emr = &pipeline.emr;
    let region = b.region;
    let ratio = region
        .emr_uplift_hour
        .as_ref()
        .and_then(|g| g.ratio_of_ec2)
        .unwrap_or(0.25);
    let groups: [(&str, &str, Option<&InstanceGroup>); 3] = [
        ("primary", "master", Some(&emr.master)),
        ("core", "core", Some(&emr.core)),
        ("task", "task", emr.task.as_ref()),
    ];
    for (role, key, group) in groups {
        let Some(group) = group else { continue };
        let Some(ec2) = b.price(
            region.ec2_hour.as_ref(),
            &group.instance_type,
            "EC2 instance type",
            &format!("emr.{key}.instance_type"),
        ) else {
            continue;
        };
        let count = f64::from(group.count);
        let spot = group.market == Market::Spot;
        let ec2_rate = if spot { ec2 * (1.0 - discount) } else { ec2 };
        let market = if spot { "Spot" } else { "on-demand" };
        b.add(
            "EMR",
            format!(
                "{role}: {} × {} EC2 ({market})",
                group.count, group.instance_type
            ),
            count * usage.emr_hours,
            "instance-hour",
            round(ec2_rate, 4),
        );
        b.add(
            "EMR",
            format!(
                "{role}: EMR charge for {} × {}",
                group.count, group.instance_type
            ),
            count * usage.emr_hours,
            "instance-hour",
            round(ec2 * ratio, 4),
        );
        let gb = group
            .ebs_volume_gb
            .map_or_else(|| default_ebs(region, &group.instance_type), f64::from);
        let volume = crate::model::wire_name(&group.ebs_volume_type);
        let at = format!("emr.{key}.ebs_volume_type");
        if let Some(price) = b.price(
            region.ebs_gb_month.as_ref(),
            &volume,
            "EBS volume type",
            &at,
        ) {
            b.add(
                "EMR",
                format!("{role}: EBS {} × {gb} GB {volume}", group.count),
                count * gb * usage.emr_hours / 730.0,
                "GB-month",
                price,
            );
        }
        if !spot && role != "primary" {
            let saving = round(count * usage.emr_hours * ec2 * discount, 2);
            savings.insert(
                if role == "core" {
                    "spot_core"
                } else {
                    "spot_task"
                },
                saving,
            );
        }
    }
}

fn class_key(class: StorageClass) -> String {
    crate::model::wire_name(&class)
}

fn s3(pipeline: &Pipeline, usage: &Usage, b: &mut Builder<'_>, assumptions: &mut Vec<String>) {
    let region = b.region;
    // Steady state: data ages uniformly at the ingest rate; the first enabled whole-bucket
    // lifecycle rule moves it between classes by age.
    let rule = pipeline
        .storage
        .lifecycle
        .iter()
        .enumerate()
        .find(|(_, r)| r.enabled && r.prefix.is_none() && !r.transitions.is_empty());
    let mut tiers: Vec<(f64, String, String)> =
        vec![(0.0, "STANDARD".to_owned(), "pipeline.region".to_owned())];
    if let Some((index, rule)) = rule {
        for (i, t) in rule.transitions.iter().enumerate() {
            let at = format!("storage.lifecycle[{index}].transitions[{i}].storage_class");
            tiers.push((f64::from(t.days), class_key(t.storage_class), at));
        }
        assumptions.push(format!(
            "S3 data ages at the ingest rate and follows lifecycle rule `{}`",
            rule.id
        ));
    }
    let ingest_day = usage.ingest_gb_month / 30.0;
    let younger_than = |days: f64| {
        if ingest_day <= 0.0 {
            usage.stored_gb
        } else {
            (ingest_day * days).min(usage.stored_gb)
        }
    };
    for (i, (from, class, at)) in tiers.iter().enumerate() {
        let upper = tiers
            .get(i + 1)
            .map_or(usage.stored_gb, |(to, _, _)| younger_than(*to));
        let gb = (upper - younger_than(*from)).max(0.0);
        if let Some(price) = b.price(region.s3_gb_month.as_ref(), class, "S3 storage class", at) {
            b.add("S3", format!("{class} storage"), gb, "GB-month", price);
        }
    }
    let requests = region.s3_requests_per_1000.as_ref();
    if let Some(price) = requests.and_then(|g| g.get("put")) {
        b.add(
            "S3",
            "PUT/COPY/POST/LIST requests".to_owned(),
            usage.puts / 1000.0,
            "1,000 requests",
            price,
        );
    }
    if let Some(price) = requests.and_then(|g| g.get("get")) {
        b.add(
            "S3",
            "GET requests".to_owned(),
            usage.gets / 1000.0,
            "1,000 requests",
            price,
        );
    }
}

fn transfer(
    pipeline: &Pipeline,
    hours: f64,
    usage: &Usage,
    b: &mut Builder<'_>,
    assumptions: &mut Vec<String>,
) {
    let region = b.region;
    let prices = region.transfer_gb.as_ref();
    let azs = pipeline.msk_az_count().max(1) as f64;
    // Clients sit in one AZ; (azs − 1)/azs of produce and consume bytes cross to a leader in
    // another AZ and are billed on both sides. Replication between brokers is free.
    let crossing = usage.ingest_gb_month * (1.0 + usage.consumer_groups) * (azs - 1.0) / azs;
    assumptions.push(format!(
        "cross-AZ traffic: produce and consume bytes × {:.2} cross an AZ boundary, billed in both directions",
        (azs - 1.0) / azs
    ));
    if let Some(price) = prices.and_then(|g| g.get("cross_az")) {
        b.add(
            "Data transfer",
            "client ↔ broker traffic across AZs (both directions)".to_owned(),
            crossing * 2.0,
            "GB",
            price,
        );
    }
    if pipeline.storage.replication.is_some()
        && let Some(price) = prices.and_then(|g| g.get("inter_region"))
    {
        b.add(
            "Data transfer",
            "cross-region replication of new data".to_owned(),
            usage.ingest_gb_month,
            "GB",
            price,
        );
    }
    if let Some(price) = prices.and_then(|g| g.get("internet")) {
        b.add(
            "Data transfer",
            "internet egress".to_owned(),
            usage.internet_gb,
            "GB",
            price,
        );
    }
    let nats = match pipeline.network.nat_gateways {
        crate::model::NatGateways::None => 0.0,
        crate::model::NatGateways::Single => 1.0,
        crate::model::NatGateways::PerAz => {
            let mut azs: Vec<&str> = pipeline
                .network
                .subnets
                .iter()
                .filter(|s| s.tier == crate::model::SubnetTier::Public)
                .map(|s| s.az.as_str())
                .collect();
            azs.sort_unstable();
            azs.dedup();
            azs.len() as f64
        }
    };
    if let Some(price) = region.nat_gateway_hour.as_ref().and_then(|g| g.price) {
        b.add(
            "Network",
            format!("{nats} NAT gateway(s)"),
            nats * hours,
            "hour",
            price,
        );
    }
    if let Some(price) = prices.and_then(|g| g.get("nat")) {
        b.add(
            "Network",
            "NAT data processing".to_owned(),
            usage.nat_gb,
            "GB",
            price,
        );
    }
}

fn operations(
    pipeline: &Pipeline,
    usage: &Usage,
    b: &mut Builder<'_>,
    assumptions: &mut Vec<String>,
) {
    let region = b.region;
    let monthly = region.monthly.as_ref();
    if let Some(price) = monthly.and_then(|g| g.get("alarm")) {
        b.add(
            "Monitoring",
            "CloudWatch alarms".to_owned(),
            pipeline.monitoring.alarms.len() as f64,
            "alarm-month",
            price,
        );
    }
    let brokers = f64::from(pipeline.kafka.broker_count.get());
    let topics = pipeline.kafka.topics.len() as f64;
    let partitions: f64 = pipeline
        .kafka
        .topics
        .iter()
        .map(|t| f64::from(t.partitions.get()))
        .sum();
    // [EST] paid metrics per level: ~30 per broker, ~5 per topic per broker, ~3 per partition.
    let metrics = match pipeline.kafka.enhanced_monitoring {
        EnhancedMonitoring::Default => 0.0,
        EnhancedMonitoring::PerBroker => 30.0 * brokers,
        EnhancedMonitoring::PerTopicPerBroker => 30.0 * brokers + 5.0 * topics * brokers,
        EnhancedMonitoring::PerTopicPerPartition => {
            30.0 * brokers + 5.0 * topics * brokers + 3.0 * partitions
        }
    };
    if metrics > 0.0 {
        assumptions.push("MSK enhanced monitoring: ~30 metrics per broker, ~5 per topic per broker, ~3 per partition (estimate)".to_owned());
    }
    if let Some(price) = monthly.and_then(|g| g.get("metric")) {
        b.add(
            "Monitoring",
            "MSK enhanced-monitoring metrics".to_owned(),
            metrics,
            "metric-month",
            price,
        );
    }
    let created_secrets = pipeline.secrets.iter().filter(|s| s.arn.is_none()).count() as f64;
    if let Some(price) = monthly.and_then(|g| g.get("secret")) {
        b.add(
            "Security",
            "Secrets Manager secrets".to_owned(),
            created_secrets,
            "secret-month",
            price,
        );
    }
    if let Some(price) = monthly.and_then(|g| g.get("kms_key")) {
        b.add(
            "Security",
            "KMS customer-managed keys".to_owned(),
            pipeline.kms.keys.len() as f64,
            "key-month",
            price,
        );
    }
    if pipeline.audit.s3_data_events {
        // CloudTrail data events: $0.10 per 100,000 (write-only selector: PUTs).
        b.add(
            "Audit",
            "CloudTrail S3 data events (write)".to_owned(),
            usage.puts / 100_000.0,
            "100,000 events",
            0.10,
        );
    }
}

/// The estimate as `facts.cost` sees it.
pub fn facts(pipeline: &Pipeline, prices: &Prices) -> serde_json::Value {
    let mut estimate = estimate(pipeline, prices);
    // A region that is no AWS region is CFX-030's finding; that it has no price follows.
    if !crate::aws::REGIONS.contains(&pipeline.pipeline.region.as_str()) {
        estimate.unpriced.retain(|u| u.path != "pipeline.region");
    }
    let first_alert = pipeline.budget.as_ref().and_then(|b| {
        b.alerts
            .iter()
            .map(|a| a.threshold_percent)
            .min_by(f64::total_cmp)
            .map(|p| round(b.monthly_limit_usd * p / 100.0, 2))
    });
    let mut value = serde_json::to_value(&estimate).expect("the estimate serialises");
    value["first_alert_usd"] = serde_json::json!(first_alert);
    value
}

/// The estimate as a text table: component, item, quantity, unit price, monthly; the total;
/// the assumptions.
pub fn table(estimate: &Estimate) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let item_width = estimate
        .lines
        .iter()
        .map(|l| l.item.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:<14} {:<item_width$} {:>14} {:<16} {:>11} {:>11}",
        "COMPONENT", "ITEM", "QUANTITY", "UNIT", "UNIT PRICE", "MONTHLY"
    );
    for line in &estimate.lines {
        let _ = writeln!(
            out,
            "{:<14} {:<item_width$} {:>14} {:<16} {:>11} {:>11}",
            line.component,
            line.item,
            trim_number(line.quantity),
            line.unit,
            format!("${}", trim_number(line.unit_price)),
            format!("${:.2}", line.monthly)
        );
    }
    let _ = writeln!(out);
    for (component, amount) in &estimate.components {
        let _ = writeln!(out, "{component:<14} ${amount:>10.2}");
    }
    let _ = writeln!(
        out,
        "{:<14} ${:>10.2} per month ({})",
        "TOTAL", estimate.total, estimate.region
    );
    if !estimate.unpriced.is_empty() {
        let _ = writeln!(
            out,
            "\nNot priced (missing from the price table): {}",
            estimate
                .unpriced
                .iter()
                .map(|u| u.item.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(out, "\nAssumptions:");
    for assumption in &estimate.assumptions {
        let _ = writeln!(out, "  - {assumption}");
    }
    for (what, amount) in &estimate.savings {
        let advice = match *what {
            "spot_core" => "Spot core nodes would save",
            "spot_task" => "Spot task nodes would save",
            other => other,
        };
        let _ = writeln!(out, "  - {advice} ≈ ${amount:.2}/month");
    }
    out
}

fn trim_number(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
