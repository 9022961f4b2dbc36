//! References between entries: subnets, KMS keys and secrets.

use super::prelude::*;

/// CFX-025: References to subnets, KMS keys and secrets resolve.
pub static CFX_025: Builtin = Builtin {
    id: "CFX-025",
    stage: Stage::Consistency,
    title: "References to subnets, KMS keys and secrets resolve",
    severities: ERROR,
    why: "the template refers to resources that do not exist",
    fix: "Refer only to subnets, KMS keys and secrets the file declares, by their `name`; declare each once.",
    example: Some(Example {
        fails: r#"
[emr]
subnet = "private-a"
"#,
        passes: r#"
[storage]
versioning = true
[storage.replication]
destination_bucket = "minimal-replica"
destination_region = "us-west-2"
replica_kms_key_arn = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_025];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    references(pipeline, ctx, out);
}

// CFX-025
fn references(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let subnet_names: Vec<&str> = pipeline
        .network
        .subnets
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let mut subnet_refs: Vec<(KeyPath, &String)> = pipeline
        .kafka
        .subnets
        .iter()
        .enumerate()
        .map(|(i, s)| (p("kafka.subnets").index(i), s))
        .collect();
    subnet_refs.push((p("emr.subnet"), &pipeline.emr.subnet));
    for (path, name) in subnet_refs {
        if pipeline.subnet(name).is_none() {
            out.push(unresolved(
                path,
                "subnet",
                name,
                &subnet_names,
                "network.subnets",
            ));
        }
    }

    let key_names: Vec<&str> = pipeline.kms.keys.iter().map(|k| k.name.as_str()).collect();
    let mut names = Names::new(&CFX_025, "KMS key");
    for (i, key) in pipeline.kms.keys.iter().enumerate() {
        names.declare(&key.name, p("kms.keys").index(i).key("name"), out);
    }
    let key_refs = pipeline.kms_key_references();
    for (path, reference) in key_refs {
        if let Some(reference) = reference
            && !pipeline.kms_key_resolves(reference)
        {
            out.push(unresolved(
                path,
                "KMS key",
                reference,
                &key_names,
                "kms.keys (or give a key ARN)",
            ));
        }
    }
    // S3 encrypts the replicas with a key of the destination bucket's region (S3 User Guide,
    // "Replicating objects created with server-side encryption": "the KMS key must have been
    // created in the same AWS Region as the destination buckets").
    if let Some(r) = &pipeline.storage.replication
        && let Some(arn) = &r.replica_kms_key_arn
        && let Some(region) = arn.split(':').nth(3)
        && arn.starts_with("arn:")
        && region != r.destination_region
    {
        out.push(
            Finding::error(
                &CFX_025,
                p("storage.replication.replica_kms_key_arn"),
                format!(
                    "the replica key is in `{region}`, but the replicas are written in `{}`",
                    r.destination_region
                ),
            )
            .with_related(p("storage.replication.destination_region"), "the destination region")
            .with_help("give a key of the destination region, or remove replica_kms_key_arn and the replica stack creates one"),
        );
    }
    let storage_enc = &pipeline.storage.encryption;
    if storage_enc.algorithm == SseAlgorithm::Aes256 && storage_enc.kms_key.is_some() {
        out.push(
            Finding::error(
                &CFX_025,
                p("storage.encryption.kms_key"),
                "a KMS key is set but the bucket encrypts with AES256 (SSE-S3)",
            )
            .with_help("set algorithm = \"aws:kms\" to use the key, or remove kms_key"),
        );
    }
    if pipeline.emr.security_configuration.at_rest_encryption
        && pipeline.emr.security_configuration.kms_key.is_none()
    {
        out.push(
            Finding::error(
                &CFX_025,
                p("emr.security_configuration.at_rest_encryption"),
                "at-rest encryption is on but no KMS key is given for local disks",
            )
            .with_help("set emr.security_configuration.kms_key to a key from [kms]"),
        );
    }

    let secret_names: Vec<&str> = pipeline.secrets.iter().map(|s| s.name.as_str()).collect();
    let mut names = Names::new(&CFX_025, "secret");
    for (i, secret) in pipeline.secrets.iter().enumerate() {
        names.declare(&secret.name, p("secrets").index(i).key("name"), out);
    }
    let mut secret_refs: Vec<(KeyPath, &String, Option<SecretPurpose>)> = pipeline
        .kafka
        .auth
        .scram_secrets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                p("kafka.auth.scram_secrets").index(i),
                s,
                Some(SecretPurpose::Scram),
            )
        })
        .collect();
    if let Some(polaris) = &pipeline.polaris {
        secret_refs.push((
            p("polaris.credential_secret"),
            &polaris.credential_secret,
            Some(SecretPurpose::Polaris),
        ));
    }
    if let Some(secret) = &pipeline.kafka.client.truststore_password_secret {
        secret_refs.push((p("kafka.client.truststore_password_secret"), secret, None));
    }
    for (path, name, purpose) in secret_refs {
        match pipeline.secret(name) {
            None => out.push(unresolved(
                path,
                "secret",
                name,
                &secret_names,
                "[[secrets]]",
            )),
            Some(secret) => {
                if let Some(purpose) = purpose
                    && secret.purpose != purpose
                    && secret.purpose != SecretPurpose::Other
                {
                    out.push(Finding::error(
                        &CFX_025,
                        path,
                        format!("secret `{name}` is declared for another purpose"),
                    ));
                }
            }
        }
    }
}

fn unresolved(path: KeyPath, what: &str, name: &str, known: &[&str], declare_in: &str) -> Finding {
    let help = match suggest::closest(name, known.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None if known.is_empty() => format!("declare it in {declare_in}"),
        None => format!("declared in {declare_in}: {}", known.join(", ")),
    };
    Finding::error(&CFX_025, path, format!("no {what} named `{name}`")).with_help(help)
}
