//! Stage 4: values derived from the model that checks, policies and templates share, so each
//! is computed in one place (effective broker defaults, the listeners the auth modes open, …).

use crate::aws::ports;
use crate::model::{ClientBroker, Kafka, Pipeline, SaslMechanism, SecurityProtocol, Topic};

/// One MSK listener clients can connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listener {
    /// The port inside the VPC.
    pub port: u16,
    /// The client `security.protocol` it speaks.
    pub protocol: SecurityProtocol,
    /// The SASL mechanism, for SASL listeners.
    pub mechanism: Option<SaslMechanism>,
}

/// The listeners MSK opens for the cluster's encryption and authentication settings, most
/// secure first.
pub fn listeners(kafka: &Kafka) -> Vec<Listener> {
    let tls = matches!(
        kafka.encryption.client_broker,
        ClientBroker::Tls | ClientBroker::TlsPlaintext
    );
    let plaintext = matches!(
        kafka.encryption.client_broker,
        ClientBroker::Plaintext | ClientBroker::TlsPlaintext
    );
    let auth = &kafka.auth;
    let mut out = Vec::new();
    if tls && auth.iam {
        out.push(Listener {
            port: ports::IAM,
            protocol: SecurityProtocol::SaslSsl,
            mechanism: Some(SaslMechanism::AwsMskIam),
        });
    }
    if tls && auth.scram {
        out.push(Listener {
            port: ports::SCRAM,
            protocol: SecurityProtocol::SaslSsl,
            mechanism: Some(SaslMechanism::ScramSha512),
        });
    }
    if tls && (auth.tls || auth.effectively_unauthenticated()) {
        out.push(Listener {
            port: ports::TLS,
            protocol: SecurityProtocol::Ssl,
            mechanism: None,
        });
    }
    if plaintext && auth.effectively_unauthenticated() {
        out.push(Listener {
            port: ports::PLAINTEXT,
            protocol: SecurityProtocol::Plaintext,
            mechanism: None,
        });
    }
    out
}

/// The listener clients use: the one matching `kafka.client`, else the most secure.
pub fn client_listener(kafka: &Kafka) -> Option<Listener> {
    let client = &kafka.client;
    listeners(kafka).into_iter().find(|l| {
        client
            .bootstrap_port
            .is_none_or(|p| p == l.port || p == l.port + ports::PUBLIC_OFFSET)
            && client.security_protocol.is_none_or(|p| p == l.protocol)
            && client.sasl_mechanism.is_none_or(|m| Some(m) == l.mechanism)
    })
}

/// Whether the brokers span three (or more) availability zones, which changes MSK's defaults.
fn three_az(pipeline: &Pipeline) -> bool {
    pipeline.msk_az_count() >= 3
}

/// `default.replication.factor` as MSK applies it.
pub fn default_replication_factor(pipeline: &Pipeline) -> u16 {
    let settings = &pipeline.kafka.broker;
    settings
        .default_replication_factor
        .unwrap_or(if three_az(pipeline) { 3 } else { 2 })
}

/// `min.insync.replicas` as MSK applies it.
pub fn min_insync_replicas(pipeline: &Pipeline) -> u16 {
    let settings = &pipeline.kafka.broker;
    settings
        .min_insync_replicas
        .unwrap_or(if three_az(pipeline) { 2 } else { 1 })
}

/// A topic's replication factor after defaults.
pub fn topic_replication_factor(pipeline: &Pipeline, topic: &Topic) -> u16 {
    topic
        .replication_factor
        .unwrap_or_else(|| default_replication_factor(pipeline))
}

/// A topic's `min.insync.replicas` after defaults.
pub fn topic_min_insync_replicas(pipeline: &Pipeline, topic: &Topic) -> u16 {
    topic
        .min_insync_replicas
        .unwrap_or_else(|| min_insync_replicas(pipeline))
}
