//! `deploy.sh` and its two small stacks: linted by their real consumers, run with the real
//! AWS CLI against a local moto server (phases in order, prerequisites before any change,
//! idempotent, `--dry-run` changes nothing), and run with hostile pipeline values that must stay
//! single arguments.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sha2::{Digest, Sha256};
use yaml_rust2::{Yaml, YamlLoader};

use common::moto::Moto;
use common::{pipegen, succeeds, tool};

const MAIN_STACK: &str = "data-pipeline";
const ARTIFACTS: &str = "data-pipeline-prod-bucket-artifacts";
const REPLICA: &str = "data-pipeline-backup-bucket";
const SECRET_PARAMETER: &str = "SecretDataPipelinePolarisCredentialsValue";
/// A secret value with a space and a quote: it must reach the CLI as one argument.
const SECRET_VALUE: &str = "client-id:s3 cr'et";

/// Renders a pipeline file's text with `pipegen render` (the policy gate included) into
/// `dir/<name>`.
fn render_text(text: &str, dir: &Path, name: &str) -> PathBuf {
    let input = dir.join(format!("{name}.toml"));
    std::fs::write(&input, text).unwrap();
    let out = dir.join(name);
    let output = pipegen(&[
        "render",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "render failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// Renders an example through the library (no policy gate: the policies reject minimal.toml).
fn render_example(example: &str, out: &Path) {
    let check = common::check_example(example);
    let pipeline = check.model.as_ref().expect("the example builds");
    let input = check.source.as_deref().unwrap();
    let artifacts = pipegen::render::render(pipeline, example, input.as_bytes(), None).unwrap();
    pipegen::render::write(out, &artifacts).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn yaml(path: &Path) -> Yaml {
    YamlLoader::load_from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap()
        .remove(0)
}

/// What both small stacks must say about their bucket (the YAML reader drops tags: `!Ref X`
/// reads as `X`).
fn bucket_is_locked_down(template: &Yaml, id: &str, name: &str) {
    let bucket = &template["Resources"][id];
    assert_eq!(bucket["Type"].as_str(), Some("AWS::S3::Bucket"));
    assert_eq!(bucket["DeletionPolicy"].as_str(), Some("Retain"));
    assert_eq!(bucket["UpdateReplacePolicy"].as_str(), Some("Retain"));
    let p = &bucket["Properties"];
    assert_eq!(p["BucketName"].as_str(), Some(name));
    assert_eq!(
        p["VersioningConfiguration"]["Status"].as_str(),
        Some("Enabled")
    );
    let sse = &p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0];
    assert!(
        sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
            .as_str()
            .is_some()
    );
    for flag in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            p["PublicAccessBlockConfiguration"][flag].as_bool(),
            Some(true),
            "{id}: {flag}"
        );
    }
    assert_eq!(
        p["OwnershipControls"]["Rules"][0]["ObjectOwnership"].as_str(),
        Some("BucketOwnerEnforced")
    );
    let policy = &template["Resources"][format!("{id}Policy").as_str()];
    assert_eq!(policy["Properties"]["Bucket"].as_str(), Some(id));
    let deny = &policy["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(deny["Effect"].as_str(), Some("Deny"));
    assert_eq!(
        deny["Condition"]["Bool"]["aws:SecureTransport"].as_str(),
        Some("false")
    );
}

#[test]
fn deploy_script_and_small_stacks_pass_their_linters() {
    let dir = tempfile::tempdir().unwrap();
    let production = dir.path().join("production");
    let output = pipegen(&[
        "render",
        "examples/production.toml",
        "--out",
        production.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let minimal = dir.path().join("minimal");
    render_example("minimal.toml", &minimal);

    for out in [&production, &minimal] {
        let script = out.join("deploy.sh");
        let mode = std::fs::metadata(&script).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "deploy.sh is executable");
        succeeds(Command::new(tool("PIPEGEN_SHELLCHECK")).arg(&script));
        succeeds(Command::new("bash").arg("-n").arg(&script));
        // --help needs no AWS at all.
        let help = succeeds(Command::new("bash").arg(&script).arg("--help"));
        assert!(text(&help.stdout).contains("--dry-run"));
    }
    let help = succeeds(
        Command::new("bash")
            .arg(production.join("deploy.sh"))
            .arg("--help"),
    );
    assert!(
        text(&help.stdout).contains(SECRET_PARAMETER),
        "--help names the secret's environment variable"
    );
    // Replication is set only in production.toml: only it has a replica stack.
    assert!(production.join("cloudformation/replica.yaml").is_file());
    assert!(!minimal.join("cloudformation/replica.yaml").exists());

    let lint = Command::new(tool("PIPEGEN_CFN_LINT"))
        .arg(production.join("cloudformation/bootstrap.yaml"))
        .arg(production.join("cloudformation/replica.yaml"))
        .arg(minimal.join("cloudformation/bootstrap.yaml"))
        .output()
        .unwrap();
    assert!(
        lint.status.success() && lint.stdout.is_empty(),
        "cfn-lint: {}{}",
        text(&lint.stdout),
        text(&lint.stderr)
    );

    bucket_is_locked_down(
        &yaml(&production.join("cloudformation/bootstrap.yaml")),
        "ArtifactBucket",
        ARTIFACTS,
    );
    bucket_is_locked_down(
        &yaml(&production.join("cloudformation/replica.yaml")),
        "ReplicaBucket",
        REPLICA,
    );
    bucket_is_locked_down(
        &yaml(&minimal.join("cloudformation/bootstrap.yaml")),
        "ArtifactBucket",
        "minimal-pipeline-lake-artifacts",
    );
    // "aws cloudformation deploy" sends a template of more than 51,200 bytes only through S3
    // (--s3-bucket): the reason phase 4 passes it.
    let main = std::fs::metadata(production.join("cloudformation/pipeline.yaml")).unwrap();
    assert!(
        main.len() > 51_200,
        "the main template is {} bytes",
        main.len()
    );
}

// ---------------------------------------------------------------- moto

/// The `aws` the deployment runs: the real CLI against moto, which records each call. moto's
/// CloudFormation cannot create the main stack (MSK, EMR, …), nor read a template from the
/// S3 URL `deploy --s3-bucket` passes it, so for the main stack only, `cloudformation deploy`
/// and `describe-stacks` are recorded and answered here ("does not exist" until deployed).
const WRAPPER: &str = r#"
import json, os, sys
args = sys.argv[1:]
with open(os.environ["DEPLOY_TEST_CALLS"], "a") as f:
    f.write(json.dumps(args) + "\n")
main, deployed = os.environ["DEPLOY_TEST_MAIN_STACK"], os.environ["DEPLOY_TEST_MAIN_DEPLOYED"]
stack = args[args.index("--stack-name") + 1] if "--stack-name" in args[:-1] else None
if args[:1] == ["cloudformation"] and stack == main:
    if args[1] == "deploy":
        open(deployed, "w").close()
        print("Successfully created/updated stack - " + main + " (recorded, not deployed)")
        sys.exit(0)
    if args[1] == "describe-stacks":
        if not os.path.exists(deployed):
            sys.stderr.write("An error occurred (ValidationError) when calling the DescribeStacks"
                             " operation: Stack with id " + main + " does not exist\n")
            sys.exit(254)
        print("CREATE_COMPLETE" if "Stacks[0].StackStatus" in args else "outputs of " + main)
        sys.exit(0)
# Every client the CLI makes goes to moto, also those it makes itself (deploy's S3 uploader).
os.environ["AWS_ENDPOINT_URL"] = os.environ["DEPLOY_TEST_ENDPOINT"]
real = os.environ["DEPLOY_TEST_AWS"]
os.execv(real, [real, "--endpoint-url", os.environ["DEPLOY_TEST_ENDPOINT"],
                "--cli-connect-timeout", "5", "--cli-read-timeout", "30"] + args)
"#;

/// Sets moto up and reads its state back (boto3, from the CLI's virtualenv).
const MOTO_PY: &str = r#"
import hashlib, json, sys
import boto3
from botocore.config import Config
url, command = sys.argv[1], sys.argv[2]
def client(service, region="us-east-1"):
    return boto3.client(service, region_name=region, endpoint_url=url,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(connect_timeout=5, read_timeout=30))
if command == "secret":
    print(client("secretsmanager").create_secret(Name=sys.argv[3], SecretString="x")["ARN"])
elif command == "bucket":
    client("s3").create_bucket(Bucket=sys.argv[3])
elif command == "delete-bucket":
    client("s3").delete_bucket(Bucket=sys.argv[3])
elif command == "key-pair":
    client("ec2").create_key_pair(KeyName=sys.argv[3])
elif command == "state":
    s3, buckets, stacks = client("s3"), {}, {}
    for b in s3.list_buckets()["Buckets"]:
        name = b["Name"]
        objects = {}
        for v in s3.list_object_versions(Bucket=name).get("Versions", []):
            got = s3.get_object(Bucket=name, Key=v["Key"], VersionId=v["VersionId"])
            objects[v["Key"] + "@" + v["VersionId"]] = {
                "modified": str(v["LastModified"]), "metadata": got["Metadata"],
                "sha256": hashlib.sha256(got["Body"].read()).hexdigest()}
        try:
            tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}
        except Exception:
            tags = {}
        try:
            rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]
            encryption = rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        except Exception:
            encryption = None
        buckets[name] = {
            "region": s3.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1",
            "objects": objects, "tags": tags, "encryption": encryption}
    for region in ("us-east-1", "us-west-2"):
        for s in client("cloudformation", region).list_stacks()["StackSummaries"]:
            stacks[s["StackName"]] = {"region": region, "status": s["StackStatus"],
                                      "updated": str(s.get("LastUpdatedTime", ""))}
    keys = sorted(k["KeyName"] for k in client("ec2").describe_key_pairs()["KeyPairs"])
    print(json.dumps({"buckets": buckets, "stacks": stacks, "key_pairs": keys}, sort_keys=True))
"#;

/// One deployment environment: moto, the wrapper, the folder the script is started from.
struct Env {
    moto: Moto,
    root: PathBuf,
    bin: PathBuf,
    work: PathBuf,
    calls: PathBuf,
}

impl Env {
    fn new(root: &Path) -> Env {
        let moto = Moto::start(root);
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let python = tool("PIPEGEN_ORACLES_PYTHON");
        let wrapper = bin.join("aws");
        std::fs::write(&wrapper, format!("#!{}\n{WRAPPER}", python.display())).unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(root.join("moto.py"), MOTO_PY).unwrap();
        let work = root.join("work");
        std::fs::create_dir_all(&work).unwrap();
        Env {
            moto,
            root: root.to_owned(),
            bin,
            work,
            calls: root.join("calls.jsonl"),
        }
    }

    /// Runs moto.py: setup or state.
    fn moto_py(&self, args: &[&str]) -> String {
        let output = succeeds(
            Command::new(tool("PIPEGEN_ORACLES_PYTHON"))
                .arg(self.root.join("moto.py"))
                .arg(&self.moto.url)
                .args(args),
        );
        text(&output.stdout).trim().to_owned()
    }

    fn state(&self) -> Value {
        serde_json::from_str(&self.moto_py(&["state"])).unwrap()
    }

    /// Runs `deploy.sh` from the work folder with `vars` set, in a clean environment, bounded
    /// in time; returns what it printed and the calls it made.
    fn deploy(&self, script: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let _ = std::fs::remove_file(&self.calls);
        let mut command = Command::new("timeout");
        command
            .args(["--kill-after=5", "120", "bash"])
            .arg(script)
            .args(args)
            .current_dir(&self.work)
            .env_clear()
            .env(
                "PATH",
                format!("{}:/usr/local/bin:/usr/bin:/bin", self.bin.display()),
            )
            .env("HOME", &self.root)
            .env("LANG", "C.UTF-8")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("DEPLOY_TEST_CALLS", &self.calls)
            .env("DEPLOY_TEST_MAIN_STACK", MAIN_STACK)
            .env("DEPLOY_TEST_MAIN_DEPLOYED", self.root.join("main-deployed"))
            .env("DEPLOY_TEST_ENDPOINT", &self.moto.url)
            .env("DEPLOY_TEST_AWS", tool("PIPEGEN_AWS"));
        for (k, v) in vars {
            command.env(k, v);
        }
        let output = command.output().unwrap();
        let calls = std::fs::read_to_string(&self.calls)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        Run {
            output,
            calls,
            log: self.moto.log.clone(),
        }
    }
}

/// One run of `deploy.sh`.
struct Run {
    output: Output,
    calls: Vec<Vec<String>>,
    log: PathBuf,
}

impl Run {
    fn stdout(&self) -> String {
        text(&self.output.stdout)
    }

    fn stderr(&self) -> String {
        text(&self.output.stderr)
    }

    fn explain(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        format!(
            "exit {:?}\nstdout:\n{}\nstderr:\n{}\ncalls: {:#?}\nmoto log (last lines, newest first):\n{}",
            self.output.status.code(),
            self.stdout(),
            self.stderr(),
            self.calls,
            tail.join("\n")
        )
    }

    fn succeeded(&self) {
        assert_eq!(self.output.status.code(), Some(0), "{}", self.explain());
    }

    /// The calls that change something (anything but describe-, get-, head-, list-).
    fn changes(&self) -> Vec<&Vec<String>> {
        self.calls.iter().filter(|c| changes(c)).collect()
    }

    fn position(&self, operation: &str) -> usize {
        self.calls
            .iter()
            .position(|c| c[1] == operation)
            .unwrap_or_else(|| panic!("no {operation} call: {}", self.explain()))
    }
}

fn changes(call: &[String]) -> bool {
    let operation = call.get(1).map(String::as_str).unwrap_or_default();
    !["describe-", "get-", "head-", "list-"]
        .iter()
        .any(|p| operation.starts_with(p))
}

/// A call as `service operation target region`, for comparing sequences.
fn summary(call: &[String]) -> String {
    let after = |flag: &str| {
        call.iter()
            .position(|a| a == flag)
            .and_then(|i| call.get(i + 1))
            .cloned()
            .unwrap_or_default()
    };
    let target = match call[1].as_str() {
        "cp" => call.last().cloned().unwrap_or_default(),
        _ => after("--stack-name"),
    };
    format!("{} {} {target} {}", call[0], call[1], after("--region"))
}

fn contains_pair(call: &[String], flag: &str, value: &str) -> bool {
    call.windows(2).any(|w| w[0] == flag && w[1] == value)
}

/// production.toml plus a secret declared by ARN (`arn`), and `extra` TOML.
fn production_with_declared_secret(arn: &str, extra: &str) -> String {
    common::patched_text(
        "production.toml",
        &format!(
            "[[secrets]]\n[[secrets]]\nname = \"external-credentials\"\n\
             purpose = \"other\"\nkms_key = \"pipeline\"\narn = {}\n{extra}",
            serde_json::to_string(arn).unwrap()
        ),
    )
}

#[test]
fn deploys_against_moto_in_phases_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::new(dir.path());
    let arn = env.moto_py(&["secret", "external-credentials"]);
    assert!(
        arn.starts_with("arn:aws:secretsmanager:us-east-1:"),
        "{arn}"
    );
    let good = render_text(
        &production_with_declared_secret(&arn, ""),
        dir.path(),
        "good",
    );
    let missing_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf";
    let broken = render_text(
        &production_with_declared_secret(
            missing_arn,
            "[spark.job]\nscript = \"s3://elsewhere-code/job.py\"\n",
        ),
        dir.path(),
        "broken",
    );
    std::fs::write(env.work.join("job.py"), "print('streaming')\n").unwrap();
    std::fs::write(env.work.join("certs.zip"), b"PK\x05\x06 not really a zip").unwrap();
    std::fs::write(env.work.join("xtable.jar"), b"PK\x05\x06 the XTable bundle").unwrap();
    let xtable = &pipegen::aws::emr_releases().xtable.file;
    let xtable_key = format!("jars/{xtable}");
    // A bucket of the main stack's whose name is taken already.
    env.moto_py(&["bucket", "data-pipeline-logs"]);
    let before = env.state();

    // Prerequisites missing: no key pair, no secret value, a job script that is not there
    // to upload to a bucket that is not there either, no certificates anywhere, a declared
    // secret that does not exist, a bucket name taken. All are named, with what to do, and
    // nothing changes.
    let run = env.deploy(
        &broken.join("deploy.sh"),
        &[],
        &[("SPARK_JOB_SCRIPT", "no-such-job.py")],
    );
    assert_eq!(run.output.status.code(), Some(1), "{}", run.explain());
    let stderr = run.stderr();
    for expected in [
        "missing: EC2 key pair 'my-key' in us-east-1",
        "aws ec2 create-key-pair --region us-east-1 --key-name=my-key",
        &format!(
            "missing: the value of secret 'data-pipeline/polaris-credentials' (the Polaris catalog's OAuth client credential, client_id:client_secret): export {SECRET_PARAMETER}=..."
        ),
        "missing: the job script: SPARK_JOB_SCRIPT=no-such-job.py is not a readable file",
        "missing: bucket elsewhere-code for the job script: it does not exist",
        &format!(
            "missing: the EMR in-transit encryption certificates s3://{ARTIFACTS}/certs/emr-tls.zip (a zip of privateKey.pem and certificateChain.pem, plus trustedCertificates.pem for a private CA): set EMR_TLS_CERTIFICATES_ZIP"
        ),
        &format!(
            "missing: secret 'external-credentials', declared with ARN {missing_arn}: it does not exist in us-east-1"
        ),
        "missing: a free name for bucket data-pipeline-logs: it exists already, outside stack data-pipeline",
        &format!(
            "missing: the Apache XTable bundle s3://{ARTIFACTS}/jars/{xtable}: set XTABLE_JAR to the file"
        ),
        "deploy.sh: 8 prerequisite(s) missing; nothing was changed",
    ] {
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{}",
            run.explain()
        );
    }
    assert!(stderr.contains("==> 1/5 prerequisites") && !stderr.contains("==> 2/5"));
    assert!(run.changes().is_empty(), "{}", run.explain());
    assert_eq!(env.state(), before, "a failed prerequisite changed moto");
    env.moto_py(&["delete-bucket", "data-pipeline-logs"]);

    // The first deployment: prerequisites, bootstrap and replica stacks, uploads, main stack,
    // outputs, in this order; the local files are named relative to the starting folder.
    env.moto_py(&["key-pair", "my-key"]);
    let vars = [
        ("SPARK_JOB_SCRIPT", "job.py"),
        ("EMR_TLS_CERTIFICATES_ZIP", "certs.zip"),
        ("XTABLE_JAR", "xtable.jar"),
        (SECRET_PARAMETER, SECRET_VALUE),
    ];
    let script = good.join("deploy.sh");
    let first = env.deploy(&script, &[], &vars);
    first.succeeded();
    let stderr = first.stderr();
    let phases: Vec<usize> = [
        "==> 1/5 prerequisites",
        "==> 2/5 bootstrap stack",
        "==> 3/5 uploads",
        "==> 4/5 main stack",
        "==> 5/5 outputs",
    ]
    .iter()
    .map(|p| {
        stderr
            .find(p)
            .unwrap_or_else(|| panic!("{p}: {}", first.explain()))
    })
    .collect();
    assert!(phases.windows(2).all(|w| w[0] < w[1]), "{stderr}");
    let first_change = first.calls.iter().position(|c| changes(c)).unwrap();
    for check in [
        "get-caller-identity",
        "describe-key-pairs",
        "describe-secret",
    ] {
        assert!(
            first.position(check) < first_change,
            "{check} after a change: {}",
            first.explain()
        );
    }
    let sequence: Vec<String> = first.changes().iter().map(|c| summary(c)).collect();
    assert_eq!(
        sequence,
        [
            "cloudformation deploy data-pipeline-bootstrap us-east-1".to_owned(),
            "cloudformation deploy data-pipeline-replica us-west-2".to_owned(),
            format!("s3 cp s3://{ARTIFACTS}/code/streaming_job.py us-east-1"),
            format!("s3 cp s3://{ARTIFACTS}/code/job-settings.json us-east-1"),
            format!("s3 cp s3://{ARTIFACTS}/code/bootstrap.sh us-east-1"),
            format!("s3 cp s3://{ARTIFACTS}/code/xtable_sync.py us-east-1"),
            format!("s3 cp s3://{ARTIFACTS}/code/xtable-config.yaml us-east-1"),
            format!("s3 cp s3://{ARTIFACTS}/code/xtable-catalog.json us-east-1"),
            format!("s3 cp s3://{ARTIFACTS}/jars/{xtable} us-east-1"),
            format!("s3 cp s3://{ARTIFACTS}/certs/emr-tls.zip us-east-1"),
            "cloudformation deploy data-pipeline us-east-1".to_owned(),
        ],
        "{}",
        first.explain()
    );
    assert!(
        first
            .calls
            .iter()
            .all(|c| c.contains(&"--region".to_owned())),
        "every call names its region: {:#?}",
        first.calls
    );
    let main = first.changes().last().unwrap().to_vec();
    for (flag, value) in [
        ("--template-file", "cloudformation/pipeline.yaml"),
        ("--s3-bucket", ARTIFACTS),
        ("--s3-prefix", "templates"),
        ("--capabilities", "CAPABILITY_IAM"),
        (
            "--parameter-overrides",
            &format!("{SECRET_PARAMETER}={SECRET_VALUE}"),
        ),
    ] {
        assert!(
            contains_pair(&main, flag, value),
            "{flag} {value}: {main:?}"
        );
    }
    assert!(main.contains(&"--no-fail-on-empty-changeset".to_owned()));
    // The lake is SSE-KMS: the replica stack created the replicas' key in its region, and the
    // main stack's replication rule is given its ARN.
    assert!(
        main.iter()
            .any(|a| a.starts_with("ReplicaKmsKeyArn=arn:aws:kms:us-west-2:123456789012:key/")),
        "{main:?}"
    );
    assert!(
        first.stdout().contains("outputs of data-pipeline"),
        "{}",
        first.explain()
    );

    // What moto holds now: both buckets in their regions, from their stacks, and the uploads.
    let state = env.state();
    assert_eq!(
        state["stacks"]["data-pipeline-bootstrap"]["status"],
        "CREATE_COMPLETE"
    );
    assert_eq!(
        state["stacks"]["data-pipeline-replica"]["region"],
        "us-west-2"
    );
    assert_eq!(state["buckets"][ARTIFACTS]["region"], "us-east-1");
    assert_eq!(state["buckets"][ARTIFACTS]["encryption"], "AES256");
    assert_eq!(
        state["buckets"][ARTIFACTS]["tags"]["pipegen:pipeline"],
        "data-pipeline"
    );
    assert_eq!(state["buckets"][REPLICA]["region"], "us-west-2");
    assert_eq!(state["buckets"][REPLICA]["encryption"], "aws:kms");
    let objects = state["buckets"][ARTIFACTS]["objects"].as_object().unwrap();
    for (key, file) in [
        ("code/streaming_job.py", env.work.join("job.py")),
        (
            "code/job-settings.json",
            script.with_file_name("spark/job-settings.json"),
        ),
        (
            "code/bootstrap.sh",
            script.with_file_name("spark/bootstrap.sh"),
        ),
        ("certs/emr-tls.zip", env.work.join("certs.zip")),
        (
            "code/xtable_sync.py",
            script.with_file_name("polaris/xtable_sync.py"),
        ),
        (
            "code/xtable-config.yaml",
            script.with_file_name("polaris/xtable-config.yaml"),
        ),
        (
            "code/xtable-catalog.json",
            script.with_file_name("polaris/xtable-catalog.json"),
        ),
        (xtable_key.as_str(), env.work.join("xtable.jar")),
    ] {
        let file = file.display().to_string();
        let sum = sha256_hex(&std::fs::read(&file).unwrap());
        let object = objects
            .iter()
            .find(|(k, _)| k.starts_with(&format!("{key}@")))
            .unwrap_or_else(|| panic!("{key} was not uploaded: {state:#}"))
            .1;
        assert_eq!(object["sha256"], sum.as_str(), "{key} holds {file}");
        assert_eq!(object["metadata"]["sha256"], sum.as_str());
    }

    // Again, unchanged: success, and nothing new (no upload, no stack update).
    let second = env.deploy(&script, &[], &vars);
    second.succeeded();
    assert_eq!(env.state(), state, "the second run changed moto");
    assert!(
        !second.calls.iter().any(|c| c[..2] == ["s3", "cp"]),
        "{}",
        second.explain()
    );
    assert_eq!(second.stderr().matches("is up to date").count(), 8);
    assert_eq!(second.stdout().matches("No changes to deploy").count(), 2);

    // --dry-run with a changed job: the calls it would make, the secret masked, no change.
    std::fs::write(env.work.join("job.py"), "print('streaming, v2')\n").unwrap();
    let dry = env.deploy(&script, &["--dry-run"], &vars);
    dry.succeeded();
    assert!(dry.changes().is_empty(), "{}", dry.explain());
    assert_eq!(env.state(), state, "--dry-run changed moto");
    let printed = dry.stdout();
    assert!(!printed.contains("s3 cr") && !dry.stderr().contains("s3 cr"));
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 5, "{printed}");
    assert!(lines.iter().all(|l| l.starts_with("aws ")), "{printed}");
    let parsed = shell_words(&lines, dir.path());
    assert_eq!(
        parsed[2][..3],
        ["aws", "s3", "cp"],
        "only the changed job: {printed}"
    );
    assert!(
        parsed[2]
            .last()
            .unwrap()
            .ends_with("/code/streaming_job.py")
    );
    let mut expected = vec!["aws".to_owned()];
    expected.extend(main.iter().cloned());
    for arg in &mut expected {
        if arg.starts_with(&format!("{SECRET_PARAMETER}=")) {
            *arg = format!("{SECRET_PARAMETER}=****");
        }
    }
    assert_eq!(
        parsed[3], expected,
        "the main deployment, its secret masked"
    );
}

/// Reads printed command lines back as bash does (one array per line).
fn shell_words(lines: &[&str], dir: &Path) -> Vec<Vec<String>> {
    let file = dir.join("lines.txt");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let read = succeeds(
        Command::new("bash")
            .arg("-c")
            .arg(
                r#"while IFS= read -r line; do eval "words=($line)"; printf '%s\0' "${words[@]}"; printf '\n\0'; done < "$1""#,
            )
            .arg("bash")
            .arg(&file)
            .current_dir(dir),
    );
    let mut out = vec![Vec::new()];
    for word in read.stdout.split(|b| *b == 0).filter(|w| !w.is_empty()) {
        if word == b"\n" {
            out.push(Vec::new());
        } else {
            out.last_mut().unwrap().push(text(word));
        }
    }
    out.pop();
    out
}

// ---------------------------------------------------------------- hostile values

/// A value that breaks out of any quoting it is not escaped for, starting with `-` so it
/// would read as an option.
const HOSTILE: &str = "-x'\"$(touch PWNED)`touch PWNED`;\\n new=line:#! $HOME ${HOME}";

#[test]
fn hostile_values_stay_single_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let h = serde_json::to_string(HOSTILE).unwrap();
    let polaris_secret = format!("data-pipeline/{HOSTILE}");
    let declared_name = format!("ext-{HOSTILE}");
    let arn = format!("arn:aws:secretsmanager:eu-west-1:123456789012:secret:{HOSTILE}");
    let s = |v: &str| serde_json::to_string(v).unwrap();
    let patch = format!(
        "[pipeline.tags]\nHostile = {h}\n[emr]\nkey_name = {h}\n[polaris]\ncredential_secret = {ps}\n\
         [[secrets]]\nname = {ps}\n[[secrets]]\nname = {dn}\narn = {arn}\nkms_key = \"pipeline\"\n",
        ps = s(&polaris_secret),
        dn = s(&declared_name),
        arn = s(&arn),
    );
    let out = render_text(
        &common::patched_text("production.toml", &patch),
        dir.path(),
        "hostile",
    );
    let script = out.join("deploy.sh");
    succeeds(Command::new(tool("PIPEGEN_SHELLCHECK")).arg(&script));
    succeeds(
        Command::new(tool("PIPEGEN_CFN_LINT"))
            .arg(out.join("cloudformation/bootstrap.yaml"))
            .arg(out.join("cloudformation/replica.yaml")),
    );

    // The stub CLI records each call's arguments (tests/oracles/aws-recorder) and succeeds.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(
        common::root().join("tests/oracles/aws-recorder"),
        bin.join("aws"),
    )
    .unwrap();
    std::fs::set_permissions(bin.join("aws"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let record = dir.path().join("calls.jsonl");
    let parameter = format!(
        "{}Value",
        pipegen::facts::logical_id("Secret", &polaris_secret)
    );
    let secret_value = "$(touch PWNED)'";
    let run = |with_secret: bool| {
        let _ = std::fs::remove_file(&record);
        let mut command = Command::new("timeout");
        command
            .args(["--kill-after=5", "60", "bash"])
            .arg(&script)
            .arg("--dry-run")
            .current_dir(&work)
            .env(
                "PATH",
                format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
            )
            .env("PIPEGEN_AWS_RECORD", &record)
            .env(
                "PIPEGEN_AWS_RECORDER_PYTHON",
                tool("PIPEGEN_ORACLES_PYTHON"),
            )
            .env_remove(&parameter);
        if with_secret {
            command.env(&parameter, secret_value);
        }
        let output = command.output().unwrap();
        let calls: Vec<Vec<String>> = std::fs::read_to_string(&record)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (output, calls)
    };

    // Without the secret's value: the message names the secret exactly.
    let (output, _) = run(false);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains(&format!("the value of secret '{polaris_secret}'")),
        "{}",
        text(&output.stderr)
    );

    let (output, calls) = run(true);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    for place in [&work, &out, &dir.path().to_path_buf()] {
        assert!(!place.join("PWNED").exists(), "a command substitution ran");
    }
    let find = |operation: &str| {
        calls
            .iter()
            .find(|c| c[1] == operation)
            .unwrap_or_else(|| panic!("no {operation}: {calls:#?}"))
    };
    assert!(find("describe-key-pairs").contains(&format!("--key-names={HOSTILE}")));
    let describe = find("describe-secret");
    assert!(
        describe.contains(&format!("--secret-id={arn}")),
        "{describe:?}"
    );
    assert!(contains_pair(describe, "--region", "eu-west-1"));

    let printed = text(&output.stdout);
    assert!(!printed.contains(secret_value), "{printed}");
    let lines: Vec<&str> = printed.lines().collect();
    let parsed = shell_words(&lines, dir.path());
    assert!(!work.join("PWNED").exists() && !dir.path().join("PWNED").exists());
    let main = parsed
        .iter()
        .find(|c| contains_pair(c, "--stack-name", MAIN_STACK) && c[2] == "deploy")
        .unwrap_or_else(|| panic!("{printed}"));
    assert!(main.contains(&format!("{parameter}=****")), "{main:?}");

    // The real CLI's parser and botocore's validation accept every call, made or printed.
    let printed_calls: Vec<String> = parsed
        .iter()
        .map(|c| serde_json::to_string(&c[1..]).unwrap())
        .collect();
    let printed_file = dir.path().join("printed.jsonl");
    std::fs::write(&printed_file, printed_calls.join("\n") + "\n").unwrap();
    let oracle = Command::new(tool("PIPEGEN_ORACLES_PYTHON"))
        .arg(common::root().join("tests/oracles/consumers.py"))
        .args(["aws"])
        .arg(&record)
        .arg(&printed_file)
        .current_dir(&out)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&oracle.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&oracle.stdout), text(&oracle.stderr)));
    // (The oracle answers every HEAD with 404: a head-object "fails" after it was accepted.)
    let failures: Vec<&Value> = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["error"].as_str().unwrap_or_default().contains("(404)"))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(
        report["calls"].as_u64().unwrap() as usize,
        calls.len() + parsed.len()
    );

    // The tag reaches the bootstrap stack's template as the same value.
    let decode = succeeds(Command::new(tool("PIPEGEN_TOOLS_PYTHON")).args([
        "-c",
        "import json,sys; from cfnlint.decode import decode; t,_=decode(sys.argv[1]); \
         j=lambda v: v['Fn::Join'][0].join(v['Fn::Join'][1]) if isinstance(v,dict) else v; \
         print(json.dumps([j(x['Value']) for x in t['Resources']['ArtifactBucket']['Properties']['Tags'] if x['Key']=='Hostile']))",
        out.join("cloudformation/bootstrap.yaml").to_str().unwrap(),
    ]));
    let values: Vec<String> = serde_json::from_slice(&decode.stdout).unwrap();
    assert_eq!(values, vec![HOSTILE.to_owned()]);
}
