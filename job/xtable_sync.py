"""The Polaris sync step: Apache XTable's RunSync, every interval, until the stop marker.

Written by `pipegen render` as polaris/xtable_sync.py; `deploy.sh` uploads it to the artifact
bucket, and the cluster's step `pipegen-polaris-sync` runs it on the primary node, beside the
streaming step, as

    python3 xtable_sync.py s3://<artifact bucket>/code/job-settings.json <region>

It reads the `polaris` part of the job's settings file (schemas/job-settings.schema.json),
downloads the XTable bundle and the two configs once, and then, each round:

- reads the catalog's OAuth credential (`client_id:client_secret`) from Secrets Manager, so a
  rotated secret is picked up by the next round;
- writes RunSync's --icebergCatalogConfig, the rendered polaris/xtable-catalog.json plus
  `catalogOptions.credential`, into a folder only this user can read, removed after the run
  (JSON is YAML, which is what RunSync reads);
- runs `java -jar <bundle> --datasetConfig xtable-config.yaml --icebergCatalogConfig <that file>`:
  XTable writes each Hudi table's Iceberg metadata next to its data and commits it to the
  catalog, so the tables are registered in Polaris;
- waits for the rest of the interval.

A failed round is logged and the next one runs. When the stop marker (the streaming job's) is
written after this step started, one last round runs and the step ends. docs/job-contract.md
has the details and the prerequisites on the Polaris side.
"""

import datetime
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time

log = logging.getLogger("pipegen.polaris-sync")
SETTINGS_VERSION = 1


def aws_client(service, region):
    import boto3  # on the EMR nodes' python3 (spark/bootstrap.sh)

    return boto3.client(service, region_name=region, endpoint_url=os.environ.get("PIPEGEN_AWS_ENDPOINT_URL") or None)


def split_s3(uri):
    if not uri.startswith("s3://") or "/" not in uri[len("s3://"):]:
        raise SystemExit(f"{uri}: not an s3://bucket/key location")
    bucket, key = uri[len("s3://"):].split("/", 1)
    return bucket, key


def download(s3, uri, path):
    bucket, key = split_s3(uri)
    s3.download_file(bucket, key, path)
    return path


def credential(secret_string):
    """The Iceberg REST catalog's `credential`, `client_id:client_secret`, as the secret holds it."""
    client_id, _, client_secret = secret_string.strip().partition(":")
    if not (client_id and client_secret):
        raise ValueError("the secret does not hold client_id:client_secret")
    return f"{client_id}:{client_secret}"


class Marker:
    """The stop marker, if it was written after `since`."""

    def __init__(self, s3, uri, since):
        self.s3, self.since = s3, since
        self.bucket, self.key = split_s3(uri) if uri else (None, None)

    def present(self):
        if self.bucket is None:
            return False
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=self.key)
        except Exception as error:  # botocore's ClientError; 404 is "not yet"
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code not in ("404", "NoSuchKey", "NotFound"):
                log.warning("stop marker s3://%s/%s: %s", self.bucket, self.key, error)
            return False
        return head["LastModified"] >= self.since


def java():
    home = os.environ.get("JAVA_HOME")
    return os.path.join(home, "bin", "java") if home else "java"


def sync_once(settings, work, secrets, catalog):
    """One RunSync with `catalog` (the rendered catalog config) and the secret's credential;
    True when it succeeded."""
    polaris = settings["polaris"]
    try:
        secret = secrets.get_secret_value(SecretId=polaris["credential_secret"])
        catalog_credential = credential(secret["SecretString"])
    except Exception as error:
        log.error("secret %s: %s", polaris["credential_secret"], error)
        return False
    options = dict(catalog.get("catalogOptions", {}), credential=catalog_credential)
    given = dict(catalog, catalogOptions=options)
    private = tempfile.mkdtemp(prefix="catalog-", dir=work)  # mode 0700
    try:
        config = os.path.join(private, "catalog.yaml")
        descriptor = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as f:
            json.dump(given, f)
        command = [java(), "-jar", os.path.join(work, "xtable.jar"),
                   "--datasetConfig", os.path.join(work, "xtable-config.yaml"),
                   "--icebergCatalogConfig", config]
        started = time.monotonic()
        finished = subprocess.run(command, stdin=subprocess.DEVNULL, check=False)
        seconds = time.monotonic() - started
    finally:
        shutil.rmtree(private, ignore_errors=True)
    if finished.returncode != 0:
        log.error("RunSync exited with %s after %.0f s", finished.returncode, seconds)
        return False
    log.info("RunSync synced %d table(s) in %.0f s", len(settings["tables"]), seconds)
    return True


def run(settings, work):
    """Syncs until the stop marker; whether the last round succeeded."""
    # S3's LastModified has whole seconds.
    started = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    polaris = settings["polaris"]
    sync = polaris["sync"]
    s3 = aws_client("s3", settings["region"])
    secrets = aws_client("secretsmanager", settings["region"])
    download(s3, sync["jar"], os.path.join(work, "xtable.jar"))
    download(s3, sync["dataset_config"], os.path.join(work, "xtable-config.yaml"))
    with open(download(s3, sync["catalog_config"], os.path.join(work, "xtable-catalog.json"))) as f:
        catalog = json.load(f)
    stop = settings["stop"]
    marker = Marker(s3, stop.get("marker"), started)
    rounds = failures = 0
    while True:
        deadline = time.monotonic() + sync["interval_seconds"]
        stopping = marker.present()
        rounds += 1
        succeeded = sync_once(settings, work, secrets, catalog)
        failures += 0 if succeeded else 1
        if stopping:
            log.info("stop marker found: the step ends after %d round(s), %d failed", rounds, failures)
            return succeeded
        while time.monotonic() < deadline and not marker.present():
            time.sleep(max(0.1, min(stop["poll_seconds"], deadline - time.monotonic())))


def main(argv):
    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s", level=logging.INFO)
    if len(argv) != 3:
        raise SystemExit("usage: xtable_sync.py SETTINGS_URI REGION")
    region = argv[2]
    work = tempfile.mkdtemp(prefix="pipegen-polaris-sync-")
    try:
        bucket, key = split_s3(argv[1])
        body = aws_client("s3", region).get_object(Bucket=bucket, Key=key)["Body"].read()
        settings = json.loads(body)
        if settings.get("version") != SETTINGS_VERSION:
            raise SystemExit(f"{argv[1]}: settings version {settings.get('version')!r}, this step reads {SETTINGS_VERSION}")
        if not settings.get("polaris"):
            raise SystemExit(f"{argv[1]}: the settings configure no Polaris catalog")
        succeeded = run(settings, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # The last round decides the step's state; the rounds before were logged as they failed.
    return 0 if succeeded else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
