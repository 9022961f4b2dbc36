//! The template read as CloudFormation runs it: what it creates first, and the names it uses.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use yaml_rust2::{Yaml, YamlLoader};

/// Properties whose value is the physical name of the resource that has it.
const NAME_PROPERTIES: &[&str] = &[
    "AliasName",
    "AlarmName",
    "BucketName",
    "BudgetName",
    "ClusterName",
    "LogGroupName",
    "Name",
    "TopicName",
    "TrailName",
];

/// Keys under which a resource's text describes rather than refers.
const PROSE: &[&str] = &[
    "Description",
    "GroupDescription",
    "AlarmDescription",
    "Tags",
];

fn render(example: &str, patch: &str) -> String {
    let text = common::patched_text(example, patch);
    let check = pipegen::check_source("x.toml".into(), text, common::ctx());
    let pipeline = check.model.expect("a model");
    let files = pipegen::render::render(&pipeline, "x.toml", b"", None).unwrap();
    files
        .into_iter()
        .find(|f| f.path == "cloudformation/pipeline.yaml")
        .unwrap()
        .content
}

fn strings<'a>(node: &'a Yaml, out: &mut Vec<&'a str>) {
    match node {
        Yaml::String(s) => out.push(s),
        Yaml::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Yaml::Hash(map) => {
            for (k, v) in map {
                if !PROSE.contains(&k.as_str().unwrap_or_default()) {
                    strings(v, out);
                }
            }
        }
        _ => {}
    }
}

fn names(node: &Yaml, out: &mut Vec<String>) {
    if let Yaml::Hash(map) = node {
        for (k, v) in map {
            match (k.as_str(), v) {
                (Some(key), Yaml::String(s)) if NAME_PROPERTIES.contains(&key) => {
                    out.push(s.clone());
                }
                (Some("Budget"), _) => names(v, out),
                _ => {}
            }
        }
    }
}

/// Where a physical name stands when it refers to its resource: the whole value, or right
/// after the part of an ARN or URI that introduces it.
const NAME_CONTEXTS: &[&str] = &[
    "s3://",
    ":::",
    "log-group:",
    "cluster/",
    "secret:",
    "trail/",
    "alias/",
];

/// Whether `text` refers to `name`: the whole text, or `name` as a whole after an ARN or URI
/// part that introduces a name.
fn mentions(text: &str, name: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    text == name
        || text.match_indices(name).any(|(i, _)| {
            let after = text[i + name.len()..].chars().next();
            NAME_CONTEXTS.iter().any(|c| text[..i].ends_with(c)) && !after.is_some_and(part)
        })
}

/// Every place outside a resource that writes its physical name literally (CloudFormation
/// would not wait for it), unless the place's resource depends on it.
fn literal_references(template: &str) -> Vec<String> {
    let doc = &YamlLoader::load_from_str(template).unwrap()[0];
    let resources = doc["Resources"].as_hash().unwrap();
    // (The YAML reader drops tags: `!Ref X` reads as `X`. A name that is a logical id is such
    // a reference, not a physical name.)
    let ids: BTreeSet<&str> = resources.keys().filter_map(Yaml::as_str).collect();
    let mut owned: Vec<(String, String)> = Vec::new();
    for (id, resource) in resources {
        let mut found = Vec::new();
        names(&resource["Properties"], &mut found);
        owned.extend(
            found
                .into_iter()
                .filter(|n| !ids.contains(n.as_str()))
                .map(|n| (n, id.as_str().unwrap().to_owned())),
        );
    }
    let mut problems = Vec::new();
    let mut places: Vec<(String, &Yaml)> = resources
        .iter()
        .map(|(id, r)| (id.as_str().unwrap().to_owned(), r))
        .collect();
    places.push(("Outputs".into(), &doc["Outputs"]));
    for (id, resource) in places {
        let depends: BTreeSet<&str> = match &resource["DependsOn"] {
            Yaml::String(s) => [s.as_str()].into(),
            Yaml::Array(a) => a.iter().filter_map(Yaml::as_str).collect(),
            _ => BTreeSet::new(),
        };
        let mut own = Vec::new();
        names(&resource["Properties"], &mut own);
        let mut texts = Vec::new();
        strings(&resource["Properties"], &mut texts);
        // A resource's own names are not references, even when another resource has the same.
        texts.retain(|t| !own.iter().any(|n| n == t));
        if id == "Outputs" {
            strings(resource, &mut texts);
        }
        for (name, owner) in &owned {
            if *owner == id || depends.contains(owner.as_str()) {
                continue;
            }
            for text in &texts {
                if mentions(text, name) {
                    problems.push(format!("{id} names {owner} ({name}) literally in `{text}`"));
                }
            }
        }
    }
    problems
}

#[test]
fn resources_of_the_stack_are_referenced_not_named() {
    for (example, patch) in [
        ("production.toml", ""),
        ("minimal.toml", ""),
        // Logs, trail and the data on buckets of their own.
        (
            "production.toml",
            "[audit]\nbucket = \"trail-of-the-pipeline\"\n[hudi]\nbase_path = \"s3://data-pipeline-logs/hudi\"",
        ),
    ] {
        let problems = literal_references(&render(example, patch));
        assert!(problems.is_empty(), "{example}: {problems:#?}");
    }
}

#[test]
fn the_literal_reference_test_can_fail() {
    let template = "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: lake\n  B:\n    Type: AWS::IAM::Role\n    Properties:\n      Path: /\n      X: arn:aws:s3:::lake/*\n";
    assert_eq!(literal_references(template).len(), 1);
    assert!(!mentions("s3://lake-artifacts", "lake") && mentions("s3://lake/x", "lake"));
    assert!(!mentions("checkpoints/lake/x", "lake") && mentions("lake", "lake"));
}

#[test]
fn every_logical_id_is_named_by_the_model() {
    let template = render("production.toml", "");
    let doc = &YamlLoader::load_from_str(&template).unwrap()[0];
    let pipeline = common::check_example("production.toml").model.unwrap();
    let named: BTreeMap<String, String> = pipegen::facts::named_logical_ids(&pipeline)
        .into_iter()
        .map(|(id, at)| (id, at.to_string()))
        .collect();
    for (id, _) in doc["Resources"].as_hash().unwrap() {
        let id = id.as_str().unwrap();
        let numbered = id.starts_with("MskIngress") || id.starts_with("AlarmSubscription");
        assert!(
            numbered || named.contains_key(id) || pipegen::facts::FIXED_LOGICAL_IDS.contains(&id),
            "logical id {id} is neither named (facts::named_logical_ids) nor fixed (FIXED_LOGICAL_IDS)"
        );
    }
    let source =
        std::fs::read_to_string(common::root().join("templates/cloudformation/pipeline.yaml"))
            .unwrap();
    for id in pipegen::facts::FIXED_LOGICAL_IDS {
        assert!(
            source.contains(&format!("  {id}:\n")),
            "FIXED_LOGICAL_IDS lists {id}, which the template does not define"
        );
    }
}
