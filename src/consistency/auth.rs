//! Kafka client authentication, SCRAM secrets and listeners.

use super::prelude::*;

/// CFX-011: SCRAM secrets are named AmazonMSK_* and encrypted with a customer-managed key.
pub static CFX_011: Builtin = Builtin {
    id: "CFX-011",
    stage: Stage::Consistency,
    title: "SCRAM secrets are named AmazonMSK_* and encrypted with a customer-managed key",
    severities: ERROR,
    why: "the secret cannot be associated with the cluster",
    fix: "Name SCRAM secrets `AmazonMSK_…` and encrypt them with a customer-managed key from `[kms]`.",
    example: Some(Example {
        fails: r#"
[kafka.auth]
scram = true
"#,
        passes: r#"
[kafka.auth]
scram = true
scram_secrets = ["AmazonMSK_app"]
[[kms.keys]]
name = "main"
[[secrets]]
name = "AmazonMSK_app"
purpose = "scram"
kms_key = "main"
"#,
    }),
};
/// CFX-012: Authentication, encryption in transit and client listener agree.
pub static CFX_012: Builtin = Builtin {
    id: "CFX-012",
    stage: Stage::Consistency,
    title: "Authentication, encryption in transit and client listener agree",
    severities: &[Severity::Error, Severity::Info],
    why: "the cluster is rejected, or clients cannot connect",
    fix: "Turn on at least one client authentication, with the encryption in transit it needs, and make the client listener match it.",
    example: Some(Example {
        fails: r#"
[kafka.auth]
iam = true
scram = true
scram_secrets = ["AmazonMSK_app"]
[[kms.keys]]
name = "main"
[[secrets]]
name = "AmazonMSK_app"
purpose = "scram"
kms_key = "main"
"#,
        passes: r#"
[kafka.auth]
iam = false
scram = true
scram_secrets = ["AmazonMSK_app"]
[[kms.keys]]
name = "main"
[[secrets]]
name = "AmazonMSK_app"
purpose = "scram"
kms_key = "main"
"#,
    }),
};

/// The codes this module reports.
pub(super) const CODES: &[&Builtin] = &[&CFX_011, &CFX_012];

/// Runs this module's checks.
pub(super) fn run(pipeline: &Pipeline, ctx: &Context, out: &mut Vec<Finding>) {
    scram_secrets(pipeline, ctx, out);
    auth_and_listeners(pipeline, ctx, out);
}

// CFX-011
fn scram_secrets(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let auth = &pipeline.kafka.auth;
    if auth.scram && auth.scram_secrets.is_empty() {
        out.push(
            Finding::error(
                &CFX_011,
                p("kafka.auth.scram"),
                "SASL/SCRAM is on but no credential secret is associated",
            )
            .with_help("declare a [[secrets]] entry named `AmazonMSK_…` and list it in kafka.auth.scram_secrets"),
        );
    }
    for (i, name) in auth.scram_secrets.iter().enumerate() {
        let at = p("kafka.auth.scram_secrets").index(i);
        if !name.starts_with("AmazonMSK_") {
            out.push(
                Finding::error(
                    &CFX_011,
                    at.clone(),
                    format!("SCRAM secret `{name}` must be named `AmazonMSK_…`"),
                )
                .with_help("MSK only associates secrets whose names start with AmazonMSK_"),
            );
        }
        if let Some((j, secret)) = pipeline
            .secrets
            .iter()
            .enumerate()
            .find(|(_, s)| &s.name == name)
            && secret.kms_key.is_none()
        {
            out.push(
                Finding::error(
                    &CFX_011,
                    p("secrets").index(j).key("name"),
                    format!("SCRAM secret `{name}` uses the default AWS-managed key"),
                )
                .with_related(at, "associated with the cluster here")
                .with_help("MSK rejects secrets encrypted with aws/secretsmanager: set `kms_key` to a key from [kms]"),
            );
        }
    }
}

// CFX-012
fn auth_and_listeners(pipeline: &Pipeline, _: &Context, out: &mut Vec<Finding>) {
    let kafka = &pipeline.kafka;
    let auth = &kafka.auth;
    let enc = &kafka.encryption;
    let sasl = auth.iam || auth.scram;
    if sasl && !enc.in_cluster {
        out.push(
            Finding::error(
                &CFX_012,
                p("kafka.encryption.in_cluster"),
                "SASL authentication (IAM or SCRAM) requires in-cluster encryption",
            )
            .with_help("set in_cluster = true"),
        );
    }
    if sasl && enc.client_broker == ClientBroker::Plaintext {
        out.push(
            Finding::error(
                &CFX_012,
                p("kafka.encryption.client_broker"),
                "SASL authentication (IAM or SCRAM) needs TLS between clients and brokers",
            )
            .with_help("set client_broker = \"TLS\""),
        );
    }
    if sasl && enc.client_broker == ClientBroker::TlsPlaintext && !auth.unauthenticated {
        out.push(
            Finding::error(
                &CFX_012,
                p("kafka.encryption.client_broker"),
                "TLS_PLAINTEXT with SASL requires unauthenticated access to be on as well",
            )
            .with_help("use client_broker = \"TLS\" so every client authenticates"),
        );
    }
    if auth.tls && enc.client_broker != ClientBroker::Tls {
        out.push(Finding::error(
            &CFX_012,
            p("kafka.encryption.client_broker"),
            "mutual TLS authentication requires client_broker = \"TLS\"",
        ));
    }
    if auth.tls && auth.tls_certificate_authority_arns.is_empty() {
        out.push(
            Finding::error(
                &CFX_012,
                p("kafka.auth.tls"),
                "mutual TLS is on but no certificate authority is listed",
            )
            .with_help("list the AWS Private CA ARNs in kafka.auth.tls_certificate_authority_arns"),
        );
    }
    let listeners = facts::listeners(kafka);
    let client = &kafka.client;
    if client.security_protocol == Some(SecurityProtocol::SaslPlaintext) {
        out.push(
            Finding::error(
                &CFX_012,
                p("kafka.client.security_protocol"),
                "Amazon MSK offers no SASL_PLAINTEXT listener",
            )
            .with_help("SASL on MSK runs over TLS: use SASL_SSL"),
        );
        return;
    }
    let offered = |l: &facts::Listener| match l.mechanism {
        Some(m) => format!(
            "{} ({}) on {}",
            protocol_name(l.protocol),
            mechanism_name(m),
            l.port
        ),
        None => format!("{} on {}", protocol_name(l.protocol), l.port),
    };
    let offered_list = if listeners.is_empty() {
        "none".to_owned()
    } else {
        listeners.iter().map(offered).collect::<Vec<_>>().join(", ")
    };
    if let Some(protocol) = client.security_protocol
        && !listeners.iter().any(|l| l.protocol == protocol)
    {
        out.push(
            Finding::error(
                &CFX_012,
                p("kafka.client.security_protocol"),
                format!(
                    "clients use {} but the cluster's auth and encryption open no such listener",
                    protocol_name(protocol)
                ),
            )
            .with_help(format!("the cluster offers: {offered_list}")),
        );
    }
    if let Some(mechanism) = client.sasl_mechanism {
        if client
            .security_protocol
            .is_some_and(|p| p != SecurityProtocol::SaslSsl)
        {
            out.push(Finding::error(
                &CFX_012,
                p("kafka.client.sasl_mechanism"),
                "a SASL mechanism is set but the security protocol is not SASL_SSL",
            ));
        } else if !listeners.iter().any(|l| l.mechanism == Some(mechanism)) {
            out.push(
                Finding::error(
                    &CFX_012,
                    p("kafka.client.sasl_mechanism"),
                    format!(
                        "clients use {} but that authentication mode is off in kafka.auth",
                        mechanism_name(mechanism)
                    ),
                )
                .with_help(format!("the cluster offers: {offered_list}")),
            );
        }
    }
    // The rendered clients (the streaming job, producer.properties, consumer.properties) all
    // connect through one listener; SCRAM that none of them uses is an open door to watch.
    if auth.scram
        && let Some(listener) = facts::client_listener(kafka)
        && listener.mechanism != Some(SaslMechanism::ScramSha512)
    {
        out.push(
            Finding::info(
                &CFX_012,
                p("kafka.auth.scram"),
                format!(
                    "SASL/SCRAM is on but the rendered clients authenticate with {}",
                    listener.mechanism.map_or("TLS only", mechanism_name)
                ),
            )
            .with_help("turn SCRAM off unless clients outside this pipeline use it: its secrets are credentials to rotate and guard"),
        );
    }
    if let Some(port) = client.bootstrap_port {
        let public = pipeline.kafka.public_access != crate::model::PublicAccess::Disabled;
        let matches = |l: &facts::Listener| {
            l.port == port || (public && l.port + aws::ports::PUBLIC_OFFSET == port)
        };
        if !listeners.iter().any(matches) {
            out.push(
                Finding::error(
                    &CFX_012,
                    p("kafka.client.bootstrap_port"),
                    format!("no listener is open on port {port} with this auth and encryption"),
                )
                .with_help(format!("the cluster offers: {offered_list}")),
            );
        } else if facts::client_listener(kafka).is_none() {
            out.push(
                Finding::error(
                    &CFX_012,
                    p("kafka.client.bootstrap_port"),
                    format!("port {port} does not serve the client's security protocol and SASL mechanism"),
                )
                .with_help(format!("the cluster offers: {offered_list}")),
            );
        }
    }
}

fn protocol_name(protocol: SecurityProtocol) -> &'static str {
    match protocol {
        SecurityProtocol::Plaintext => "PLAINTEXT",
        SecurityProtocol::Ssl => "SSL",
        SecurityProtocol::SaslSsl => "SASL_SSL",
        SecurityProtocol::SaslPlaintext => "SASL_PLAINTEXT",
    }
}

fn mechanism_name(mechanism: SaslMechanism) -> &'static str {
    match mechanism {
        SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        SaslMechanism::AwsMskIam => "AWS_MSK_IAM",
    }
}
