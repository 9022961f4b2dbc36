"""The streaming job's seam for tests (PIPEGEN_JOB_SEAM, see job/streaming_job.py).

Kafka and Hudi are out of reach here (no Maven repository for their jars), so each table's
Kafka source becomes Spark's built-in `rate` source, shaped like Kafka's records: a `value`
holding a JSON object with the table's declared columns (every 10th one is not JSON, which the
job must count as an error and not write) and the record's `timestamp`. The Hudi sink becomes
Spark's JSON file sink under $PIPEGEN_JOB_SEAM_OUT/<table>, which the test reads back.
Kafka's Admin client becomes a recorder: the cluster it pretends to be already has the first
topic, with one partition and replication factor 1, and it writes every call it is given to
$PIPEGEN_JOB_SEAM_OUT/admin.json. The sink also writes the session's catalog settings, as the
queries start, to $PIPEGEN_JOB_SEAM_OUT/session.json. Everything else — topic planning, decoding, checkpoints,
triggers, the listener, the graceful stop — is the job's own.
"""

import json
import os

from pyspark.sql import functions as F


def field(column):
    n = F.col("value")
    kind = column["type"]
    if kind == "string":
        return F.concat(F.lit(column["name"] + "-"), n.cast("string"))
    if kind in ("int", "bigint"):
        return n
    if kind in ("float", "double"):
        return n * F.lit(1.5)
    if kind == "boolean":
        return (n % 2) == 0
    if kind == "date":
        return F.date_format(F.col("timestamp"), "yyyy-MM-dd")
    if kind == "timestamp":
        return F.date_format(F.col("timestamp"), "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
    raise ValueError(f"no sample for column type {kind}")


def read_stream(spark, table, kafka):
    rows = spark.readStream.format("rate").option("rowsPerSecond", "20").load()
    record = F.to_json(F.struct(*[field(c).alias(c["name"]) for c in table["columns"]]))
    value = F.when(F.col("value") % 10 == 9, F.lit("not json")).otherwise(record)
    return rows.select(value.cast("binary").alias("value"), F.col("timestamp"))


def write_stream(frame, table):
    # The session's catalog settings as the queries start (SET lists those set at run time,
    # with values Spark redacts; conf.get does not).
    session = frame.sparkSession
    keys = [row[0] for row in session.sql("SET").collect() if row[0].startswith("spark.sql.catalog.")]
    catalogs = {key: session.conf.get(key) for key in keys}
    os.makedirs(os.environ["PIPEGEN_JOB_SEAM_OUT"], exist_ok=True)
    with open(os.path.join(os.environ["PIPEGEN_JOB_SEAM_OUT"], "session.json"), "w") as f:
        json.dump(catalogs, f)
    out = os.path.join(os.environ["PIPEGEN_JOB_SEAM_OUT"], table["name"])
    return frame.writeStream.format("json").option("path", out)


class RecordingAdmin:
    def __init__(self, topics):
        self.present = {topics[0]["name"]: (1, 1)} if topics else {}
        self.calls = []

    def _save(self):
        os.makedirs(os.environ["PIPEGEN_JOB_SEAM_OUT"], exist_ok=True)
        with open(os.path.join(os.environ["PIPEGEN_JOB_SEAM_OUT"], "admin.json"), "w") as out:
            json.dump(self.calls, out)

    def existing(self, names):
        self.calls.append(["existing", sorted(names)])
        self._save()
        return {n: self.present[n] for n in names if n in self.present}

    def create(self, topics):
        self.calls.append(["create", topics])
        self._save()

    def add_partitions(self, name, total):
        self.calls.append(["add_partitions", name, total])
        self._save()


def admin(spark, settings):
    return RecordingAdmin(settings["kafka"]["topics"])
