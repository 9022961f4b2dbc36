"""The pipeline's streaming job: Kafka (MSK) topics into Hudi tables on S3.

Written by `pipegen render` as spark/streaming_job.py and run by the EMR step as

    spark-submit ... streaming_job.py s3://<artifact bucket>/code/job-settings.json

Everything it does comes from that settings file (spark/job-settings.json, whose JSON Schema is
schemas/job-settings.schema.json); docs/job-contract.md describes the behaviour below, which a
job of your own (spark.job.script) must honour as well. In short:

- one streaming query per table, named after the table, reading the table's topic with its own
  consumer group and checkpoint, decoding each value into the table's declared columns, and
  writing the records that decode (with their record key and precombine fields) to the table;
- the brokers are looked up at start (kafka:GetBootstrapBrokers on the cluster ARN the cluster's
  Spark settings hold), and the pipeline's missing topics created (Kafka's Admin client);
- with a Polaris catalog, its OAuth credential is read from Secrets Manager and set on the
  session before the catalog's first use, and the tables' namespace created in it;
- a StreamingQueryListener publishes the custom metrics to CloudWatch after every micro-batch;
- when the stop marker appears, each query finishes its running micro-batch and stops (the
  marker stays, for the Polaris sync step; the next start removes it).

The one seam: PIPEGEN_JOB_SEAM may name a Python file defining `read_stream(spark, table,
kafka)` (returns a streaming DataFrame with Kafka's `value` and `timestamp` columns),
`write_stream(frame, table)` (returns a DataStreamWriter) and/or `admin(spark, settings)` (an
object with KafkaAdmin's `existing`, `create` and `add_partitions`); they replace the Kafka
source, the Hudi sink and the Kafka admin client, everything else runs as on EMR. The tests use it; nothing on EMR sets it.
"""

import datetime
import importlib.util
import json
import logging
import os
import sys
import time

from pyspark.sql import SparkSession, functions as F
from pyspark.sql.streaming import StreamingQueryListener

SETTINGS_VERSION = 1
# The observation each query reports its batch figures under (Dataset.observe).
OBSERVATION = "pipegen"
KAFKA_TIMESTAMP = "_pipegen_kafka_timestamp"
log = logging.getLogger("pipegen.job")


def read_settings(spark, uri):
    """The settings file, read through Spark's file systems (EMRFS for s3://)."""
    text = spark.read.text(uri, wholetext=True).first()[0]
    settings = json.loads(text)
    if settings.get("version") != SETTINGS_VERSION:
        raise SystemExit(f"{uri}: settings version {settings.get('version')!r}, this job reads {SETTINGS_VERSION}")
    return settings


def load_seam():
    path = os.environ.get("PIPEGEN_JOB_SEAM")
    if not path:
        return None
    spec = importlib.util.spec_from_file_location("pipegen_job_seam", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    log.warning("PIPEGEN_JOB_SEAM=%s replaces %s", path,
                ", ".join(n for n in ("read_stream", "write_stream", "admin") if hasattr(module, n)))
    return module


def aws_client(service, region):
    import boto3  # on the EMR nodes' python3; imported late so the seam's tests choose the endpoint

    return boto3.client(service, region_name=region, endpoint_url=os.environ.get("PIPEGEN_AWS_ENDPOINT_URL") or None)


def kafka_connection(spark, settings):
    """The Kafka source options of every query: brokers, client security, SCRAM credentials."""
    kafka = settings["kafka"]
    options = dict(kafka["options"])
    arn = spark.conf.get(kafka["cluster_arn_setting"], None)
    if not arn:
        raise SystemExit(f"the Spark setting {kafka['cluster_arn_setting']} (the MSK cluster's ARN) is not set on this cluster")
    brokers = aws_client("kafka", settings["region"]).get_bootstrap_brokers(ClusterArn=arn)
    servers = brokers.get(kafka["bootstrap_field"])
    if not servers:
        raise SystemExit(f"GetBootstrapBrokers on {arn} has no {kafka['bootstrap_field']}: the cluster does not offer the client listener")
    options["kafka.bootstrap.servers"] = servers
    if kafka.get("scram_secret"):
        secret = aws_client("secretsmanager", settings["region"]).get_secret_value(SecretId=kafka["scram_secret"])
        value = json.loads(secret["SecretString"])
        quote = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')  # noqa: E731
        options["kafka.sasl.jaas.config"] = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{quote(value["username"])}" password="{quote(value["password"])}";'
        )
    return options


def catalog_credential(secret_string):
    """The Iceberg REST catalog's `credential`, `client_id:client_secret`, as the secret holds it."""
    client_id, _, client_secret = secret_string.strip().partition(":")
    if not (client_id and client_secret):
        raise ValueError("the secret does not hold client_id:client_secret")
    return f"{client_id}:{client_secret}"


def attach_catalog(spark, settings):
    """Sets the Polaris catalog's credential before its first use (Spark loads a catalog when a
    query first names it, from the session's settings), then creates the tables' namespace.
    Neither stops the queries: the lake is written either way, and the error is logged."""
    polaris = settings.get("polaris")
    if not polaris:
        return
    try:
        secret = aws_client("secretsmanager", settings["region"]).get_secret_value(SecretId=polaris["credential_secret"])
        spark.conf.set(polaris["credential_setting"], catalog_credential(secret["SecretString"]))
    except Exception as error:
        log.error("Polaris catalog %s: no credential from secret %s: %s", polaris["catalog"], polaris["credential_secret"], error)
        return
    quoted = lambda name: "`" + name.replace("`", "``") + "`"  # noqa: E731
    namespace = ".".join(quoted(part) for part in [polaris["catalog"], *polaris["namespace"].split(".")])
    try:
        spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {namespace}")
        log.info("Polaris catalog %s: namespace %s is there", polaris["catalog"], polaris["namespace"])
    except Exception as error:
        log.error("Polaris catalog %s: cannot create namespace %s (the sync step registers the tables in it): %s",
                  polaris["catalog"], polaris["namespace"], error)


class KafkaAdmin:
    """Kafka's Admin client (kafka-clients, on the job's classpath with the connector), through
    py4j, with the same connection settings as the queries' source."""

    def __init__(self, spark, options):
        jvm = spark.sparkContext._jvm
        properties = jvm.java.util.Properties()
        for key, value in options.items():
            if key.startswith("kafka."):
                properties.setProperty(key[len("kafka."):], value)
        self.jvm = jvm
        self.client = jvm.org.apache.kafka.clients.admin.Admin.create(properties)

    def _list(self, items):
        out = self.jvm.java.util.ArrayList()
        for item in items:
            out.add(item)
        return out

    def existing(self, names):
        """name -> (partitions, replication factor) of the topics among `names` that exist."""
        present = self.client.listTopics().names().get()
        wanted = [name for name in names if present.contains(name)]
        if not wanted:
            return {}
        described = self.client.describeTopics(self._list(wanted)).all().get()
        out = {}
        for name in wanted:
            partitions = described.get(name).partitions()
            out[name] = (partitions.size(), partitions.get(0).replicas().size())
        return out

    def create(self, topics):
        jvm = self.jvm
        new = []
        for topic in topics:
            configs = jvm.java.util.HashMap()
            for key, value in topic["configs"].items():
                configs.put(key, value)
            created = jvm.org.apache.kafka.clients.admin.NewTopic(
                topic["name"],
                jvm.java.util.Optional.of(jvm.java.lang.Integer.valueOf(str(topic["partitions"]))),
                jvm.java.util.Optional.of(jvm.java.lang.Short.valueOf(str(topic["replication_factor"]))),
            )
            new.append(created.configs(configs))
        self.client.createTopics(self._list(new)).all().get()

    def add_partitions(self, name, total):
        jvm = self.jvm
        increase = jvm.java.util.HashMap()
        increase.put(name, jvm.org.apache.kafka.clients.admin.NewPartitions.increaseTo(total))
        self.client.createPartitions(increase).all().get()

    def close(self):
        self.client.close()


def ensure_topics(admin, topics):
    """Creates the pipeline's missing topics and adds partitions a topic lacks; logs what it
    cannot change (fewer partitions, another replication factor: see docs/job-contract.md)."""
    existing = admin.existing([t["name"] for t in topics])
    missing = [t for t in topics if t["name"] not in existing]
    if missing:
        admin.create(missing)
        log.info("created topics %s", ", ".join(t["name"] for t in missing))
    for topic in topics:
        if topic["name"] not in existing:
            continue
        partitions, replicas = existing[topic["name"]]
        if partitions < topic["partitions"]:
            admin.add_partitions(topic["name"], topic["partitions"])
            log.info("topic %s: partitions %d -> %d", topic["name"], partitions, topic["partitions"])
        elif partitions > topic["partitions"]:
            log.warning("topic %s has %d partitions, more than the %d declared: Kafka cannot remove partitions",
                        topic["name"], partitions, topic["partitions"])
        if replicas != topic["replication_factor"]:
            log.warning("topic %s has replication factor %d, not the %d declared: that takes a partition reassignment",
                        topic["name"], replicas, topic["replication_factor"])


def kafka_stream(spark, table, kafka):
    reader = spark.readStream.format("kafka").options(**kafka)
    reader = reader.option("subscribe", table["topic"]).option("kafka.group.id", table["group_id"])
    reader = reader.option("startingOffsets", table["starting_offsets"])
    reader = reader.option("failOnDataLoss", "true" if table["fail_on_data_loss"] else "false")
    if table.get("max_offsets_per_trigger"):
        reader = reader.option("maxOffsetsPerTrigger", str(table["max_offsets_per_trigger"]))
    return reader.load()


def hudi_stream(frame, table):
    return frame.writeStream.format("hudi").options(**table["hudi_options"]).option("path", table["path"])


def ddl(columns):
    quote = lambda name: "`" + name.replace("`", "``") + "`"  # noqa: E731
    return ", ".join(f"{quote(c['name'])} {c['type'].upper()}" for c in columns)


def required_fields(table):
    """The fields a record cannot be written without: the record key(s) and precombine field."""
    options = table["hudi_options"]
    fields = [f.strip() for f in options.get("hoodie.datasource.write.recordkey.field", "").split(",")]
    fields.append(options.get("hoodie.datasource.write.precombine.field", ""))
    return [f for f in fields if f]


def decoded(raw, table):
    """The table's rows from the Kafka records, with the batch figures observed on the way."""
    if table["value_format"] != "json":
        raise SystemExit(f"table {table['name']}: value_format {table['value_format']!r} is not one this job decodes")
    columns = [c["name"] for c in table["columns"]]
    record = F.from_json(F.col("value").cast("string"), ddl(table["columns"]))
    frame = raw.select(record.alias("r"), F.col("timestamp").alias(KAFKA_TIMESTAMP))
    valid = F.col("r").isNotNull()
    for field in required_fields(table):
        valid = valid & F.col("r").getField(field).isNotNull()
    frame = frame.withColumn("_pipegen_valid", valid).observe(
        OBSERVATION,
        F.count(F.lit(1)).alias("input"),
        F.sum(F.when(F.col("_pipegen_valid"), 0).otherwise(1)).alias("errors"),
        F.min(KAFKA_TIMESTAMP).alias("oldest"),
    )
    return frame.where("_pipegen_valid").select(*[F.col("r").getField(c).alias(c) for c in columns])


class Metrics(StreamingQueryListener):
    """Publishes each query's batch figures to CloudWatch: the metrics the rendered alarms read."""

    def __init__(self, settings, client):
        self.namespace = settings["metrics"]["namespace"]
        self.dimension_sets = settings["metrics"]["dimension_sets"]
        self.units = settings["metrics"]["units"]
        self.client = client

    def onQueryStarted(self, event):
        log.info("query %s started (%s)", event.name, event.id)

    def onQueryProgress(self, event):
        try:
            self.publish(event.progress)
        except Exception:  # a metric lost must never stop the pipeline
            log.exception("publishing the metrics of query %s failed", event.progress.name)

    def onQueryIdle(self, event):
        pass

    def onQueryTerminated(self, event):
        log.info("query %s ended%s", event.id, f": {event.exception}" if event.exception else "")

    def figures(self, progress):
        observed = progress.observedMetrics.get(OBSERVATION)
        count = progress.numInputRows
        errors = (observed["errors"] or 0) if observed is not None else 0
        values = {"InputRecords": float(count), "ErrorRecords": float(errors),
                  "BatchDuration": float(progress.batchDuration)}
        if count:
            values["ErrorRate"] = 100.0 * errors / count
        oldest = observed["oldest"] if observed is not None else None
        if oldest is not None:
            started = datetime.datetime.fromisoformat(progress.timestamp.replace("Z", "+00:00"))
            # PySpark hands a TIMESTAMP as a naive datetime in the driver's local time zone;
            # astimezone reads a naive one as local time.
            oldest = oldest.astimezone(datetime.timezone.utc)
            values["ProcessingLag"] = max(0.0, (started - oldest).total_seconds())
        behind = [float(s.metrics["maxOffsetsBehindLatest"]) for s in progress.sources
                  if s.metrics and s.metrics.get("maxOffsetsBehindLatest") is not None]
        if behind:
            values["MaxOffsetsBehindLatest"] = max(behind)
        return values

    def publish(self, progress):
        table = progress.name
        data = []
        for name, value in sorted(self.figures(progress).items()):
            if name not in self.units:  # the settings name what the alarms and panels read
                continue
            for dimensions in self.dimension_sets:
                data.append({
                    "MetricName": name, "Value": value, "Unit": self.units[name],
                    "Dimensions": [{"Name": d["name"], "Value": d["value"].replace("{table}", table)} for d in dimensions],
                })
        for start in range(0, len(data), 1000):  # PutMetricData takes at most 1,000 datums
            self.client.put_metric_data(Namespace=self.namespace, MetricData=data[start:start + 1000])


def prepare_topics(spark, settings, seam):
    """Creates the missing topics before any query reads: from the cluster, inside the VPC."""
    topics = settings["kafka"]["topics"]
    if not topics:
        return None
    if seam is not None and hasattr(seam, "admin"):
        ensure_topics(seam.admin(spark, settings), topics)
        return None
    kafka = kafka_connection(spark, settings)
    admin = KafkaAdmin(spark, kafka)
    try:
        ensure_topics(admin, topics)
    finally:
        admin.close()
    return kafka


def start_queries(spark, settings, seam):
    kafka = prepare_topics(spark, settings, seam)
    queries = []
    for table in settings["tables"]:
        if seam is not None and hasattr(seam, "read_stream"):
            raw = seam.read_stream(spark, table, settings["kafka"])
        else:
            kafka = kafka if kafka is not None else kafka_connection(spark, settings)
            raw = kafka_stream(spark, table, kafka)
        rows = decoded(raw, table)
        if seam is not None and hasattr(seam, "write_stream"):
            writer = seam.write_stream(rows, table)
        else:
            writer = hudi_stream(rows, table)
        writer = writer.queryName(table["name"]).option("checkpointLocation", table["checkpoint"])
        writer = writer.trigger(processingTime=f"{settings['trigger_interval_seconds']} seconds")
        queries.append(writer.start())
        log.info("table %s: reading %s", table["name"], table["topic"])
    return queries


class Marker:
    """The stop marker, through Hadoop's file systems (EMRFS for s3://)."""

    def __init__(self, spark, uri):
        jvm = spark.sparkContext._jvm
        self.path = jvm.org.apache.hadoop.fs.Path(uri)
        self.fs = self.path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
        self.uri = uri

    def present(self):
        return self.fs.exists(self.path)

    def remove(self):
        self.fs.delete(self.path, False)


def stop_gracefully(queries):
    """Lets each query finish the micro-batch it is running, then stops it."""
    for query in queries:
        while query.isActive and query.status["isTriggerActive"]:
            time.sleep(0.2)
        query.stop()
        log.info("query %s stopped after its batch", query.name)


def run(spark, settings, seam):
    client = aws_client("cloudwatch", settings["region"])
    spark.streams.addListener(Metrics(settings, client))
    stop = settings["stop"]
    marker = Marker(spark, stop["marker"]) if stop.get("marker") else None
    if marker is not None and marker.present():
        log.warning("removing a stop marker left from before: %s", marker.uri)
        marker.remove()
    attach_catalog(spark, settings)
    queries = start_queries(spark, settings, seam)
    while any(q.isActive for q in queries):
        failed = [q for q in queries if not q.isActive and q.exception() is not None]
        if failed:
            for q in queries:
                if q.isActive:
                    q.stop()
            raise SystemExit(f"query {failed[0].name} failed: {failed[0].exception()}")
        if marker is not None and marker.present():
            log.info("stop marker %s found: stopping after the running batches", marker.uri)
            stop_gracefully(queries)
            break
        spark.streams.awaitAnyTermination(stop["poll_seconds"])
        spark.streams.resetTerminated()
    failed = [q for q in queries if q.exception() is not None]
    if failed:
        raise SystemExit(f"query {failed[0].name} failed: {failed[0].exception()}")


def main(argv):
    # Its own handler: PySpark may have configured the root logger already.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    if len(argv) < 2:
        raise SystemExit("usage: streaming_job.py SETTINGS_URI [ARG ...]")
    spark = SparkSession.builder.appName("pipegen-streaming-job").getOrCreate()
    settings = read_settings(spark, argv[1])
    run(spark, settings, load_seam())


if __name__ == "__main__":
    main(sys.argv)
