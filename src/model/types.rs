//! Validated value types shared by the model.
//!
//! Each type checks its own syntax while deserialising and describes the same rule in the JSON
//! Schema, so the schema (editors, `pipegen schema`) and the loader agree on what is valid.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Implements `Deserialize` through `FromStr` and `Serialize` through `Display`.
macro_rules! string_serde {
    ($ty:ty) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
    };
}

/// An IPv4 or IPv6 network in CIDR notation, e.g. `10.0.0.0/16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr(pub ipnet::IpNet);

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let net: ipnet::IpNet = s
            .parse()
            .map_err(|_| format!("`{s}` is not a CIDR block such as `10.0.0.0/16`"))?;
        if net.trunc() != net {
            return Err(format!(
                "`{s}` has host bits set; the network is `{}`",
                net.trunc()
            ));
        }
        Ok(Cidr(net))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
string_serde!(Cidr);

impl JsonSchema for Cidr {
    fn schema_name() -> Cow<'static, str> {
        "Cidr".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "An IPv4 or IPv6 network in CIDR notation, e.g. `10.0.0.0/16`.",
            "pattern": r"^[0-9a-fA-F:.]+/[0-9]{1,3}$"
        })
    }
}

/// A JVM memory size as Spark reads it: a whole number with an optional `k`, `m`, `g`, `t` or
/// `p` suffix, e.g. `8g`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemorySize(String);

impl MemorySize {
    /// The size in mebibytes (a bare number is bytes, as Spark reads it).
    pub fn mebibytes(&self) -> u64 {
        let (digits, unit) = self
            .0
            .split_at(self.0.trim_end_matches(char::is_alphabetic).len());
        let n: u64 = digits.parse().unwrap_or(0);
        match unit.to_ascii_lowercase().as_str() {
            "k" => n / 1024,
            "m" => n,
            "g" => n.saturating_mul(1024),
            "t" => n.saturating_mul(1024 * 1024),
            "p" => n.saturating_mul(1024 * 1024 * 1024),
            _ => n / (1024 * 1024),
        }
    }
}

impl std::str::FromStr for MemorySize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let digits = s.trim_end_matches(|c: char| "kKmMgGtTpP".contains(c));
        let suffix_len = s.len() - digits.len();
        if digits.is_empty()
            || suffix_len > 1
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.parse::<u64>().is_err()
        {
            return Err(format!(
                "`{s}` is not a memory size such as `512m` or `8g` (a number with an optional k, m, g, t or p suffix)"
            ));
        }
        Ok(MemorySize(s.to_owned()))
    }
}

impl fmt::Display for MemorySize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
string_serde!(MemorySize);

impl JsonSchema for MemorySize {
    fn schema_name() -> Cow<'static, str> {
        "MemorySize".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A JVM memory size: a number with an optional k, m, g, t or p suffix, e.g. `8g`.",
            "pattern": "^[0-9]+[kKmMgGtTpP]?$"
        })
    }
}

/// A CloudWatch statistic: `SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum`, or a
/// percentile such as `p99` or `p99.9`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statistic(String);

impl Statistic {
    /// The five standard statistics; anything else is an extended (percentile) statistic.
    pub const STANDARD: [&'static str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
}

impl Default for Statistic {
    fn default() -> Self {
        Statistic("Average".to_owned())
    }
}

impl std::str::FromStr for Statistic {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let percentile = s.strip_prefix('p').is_some_and(|p| {
            let (whole, frac) = p.split_once('.').unwrap_or((p, "0"));
            !whole.is_empty()
                && whole.len() <= 3
                && whole.bytes().all(|b| b.is_ascii_digit())
                && !frac.is_empty()
                && frac.len() <= 2
                && frac.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<f64>().is_ok_and(|v| v > 0.0 && v <= 100.0)
        });
        if Self::STANDARD.contains(&s) || percentile {
            Ok(Statistic(s.to_owned()))
        } else {
            Err(format!(
                "`{s}` is not a CloudWatch statistic; use one of SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99"
            ))
        }
    }
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
string_serde!(Statistic);

impl JsonSchema for Statistic {
    fn schema_name() -> Cow<'static, str> {
        "Statistic".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A CloudWatch statistic: SampleCount, Average, Sum, Minimum, Maximum, or a percentile such as p99 or p99.9.",
            "pattern": r"^(SampleCount|Average|Sum|Minimum|Maximum|p[0-9]{1,3}(\.[0-9]{1,2})?)$"
        })
    }
}

/// A calendar date, written as a TOML local date (`2027-03-31`) or a string in that form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub jiff::civil::Date);

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let valid_shape = s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !valid_shape {
            return Err(format!("`{s}` is not a date in the form YYYY-MM-DD"));
        }
        s.parse::<jiff::civil::Date>()
            .map(Date)
            .map_err(|_| format!("`{s}` is not a calendar date"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
string_serde!(Date);

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "description": "A calendar date, YYYY-MM-DD (a TOML local date)."
        })
    }
}

/// A configuration value passed through to Kafka, Spark or Hudi as text: a string, an integer,
/// a float or a boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ConfValue {
    /// A boolean, rendered as `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string, rendered as is.
    Text(String),
}

impl fmt::Display for ConfValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfValue::Bool(b) => b.fmt(f),
            ConfValue::Int(i) => i.fmt(f),
            ConfValue::Float(x) => x.fmt(f),
            ConfValue::Text(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_rejects_host_bits_and_garbage() {
        assert!("10.0.0.0/16".parse::<Cidr>().is_ok());
        assert!(
            "10.0.1.5/16"
                .parse::<Cidr>()
                .unwrap_err()
                .contains("host bits")
        );
        assert!("ten".parse::<Cidr>().is_err());
    }

    #[test]
    fn memory_sizes() {
        assert_eq!("8g".parse::<MemorySize>().unwrap().mebibytes(), 8192);
        assert_eq!("512m".parse::<MemorySize>().unwrap().mebibytes(), 512);
        for bad in ["", "g", "8gb", "-1g", "1.5g", "99999999999999999999g"] {
            assert!(bad.parse::<MemorySize>().is_err(), "{bad}");
        }
    }

    #[test]
    fn statistics() {
        for good in ["Average", "p99", "p99.9", "p100", "p0.1"] {
            assert!(good.parse::<Statistic>().is_ok(), "{good}");
        }
        for bad in ["average", "p", "p101", "p9.999", "Mean", "p0"] {
            assert!(bad.parse::<Statistic>().is_err(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert!("2027-03-31".parse::<Date>().is_ok());
        assert!("2027-02-30".parse::<Date>().is_err());
        assert!("2027-3-1".parse::<Date>().is_err());
    }
}
