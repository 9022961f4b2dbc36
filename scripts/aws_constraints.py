"""Extract the AWS value constraints on pipegen's output into data/aws-constraints.toml.

Sources, imported from the python that runs this script (one process does both): the
CloudFormation resource provider schemas bundled with cfn-lint (found through cfnlint.__file__;
never the `cfn-lint --update-specs` cache) for [[cloudformation]], and botocore's service models
(botocore.loaders, the installed copy only) for [[api]]. Run it with the oracles venv's python
(scripts/tools.sh exports it as PIPEGEN_ORACLES_PYTHON): its botocore is the aws CLI's, the one
the rendered scripts' calls are validated with, and it has cfn-lint 1.58.0. WHICH values to
extract is the literal target list below.

    PY=$PIPEGEN_ORACLES_PYTHON
    $PY scripts/aws_constraints.py --write   # regenerate data/aws-constraints.toml
    $PY scripts/aws_constraints.py --check   # exit 1 with a diff when the file is stale
"""

import argparse
import difflib
import json
import sys
import tomllib
from pathlib import Path

import botocore
import botocore.loaders
import cfnlint
import cfnlint.version

OUTPUT = Path(__file__).resolve().parent.parent / "data" / "aws-constraints.toml"
PROVIDERS = "cfnlint/data/schemas/providers/us-east-1.json"  # type -> resources/<hash>.json
TAGS = ["Tags/*/Key", "Tags/*/Value"]
EBS = "EbsConfiguration/EbsBlockDeviceConfigs/*/VolumeSpecification/"
GROUP = ["InstanceCount", "InstanceType", "Market", EBS + "SizeInGB", EBS + "VolumeType"]
SSE = "BucketEncryption/ServerSideEncryptionConfiguration/*/ServerSideEncryptionByDefault/"
RULE = "LifecycleConfiguration/Rules/*/"
REPLICA = "ReplicationConfiguration/Rules/*/Destination/"
NOTIFY = "NotificationsWithSubscribers/*/"

# Resource type -> property paths ('/'-separated inside Properties, '*' = array item,
# '{key}'/'{value}' = key/value of a map): every property whose value can come from the
# pipeline file, in pipeline.yaml order. The output leaves out the ones the schema does not
# constrain; a path the schema does not have is an error.
CLOUDFORMATION = {
    "AWS::EC2::VPC": ["CidrBlock", *TAGS],
    "AWS::EC2::InternetGateway": TAGS,
    "AWS::EC2::Subnet": ["CidrBlock", "AvailabilityZone", *TAGS],
    "AWS::EC2::RouteTable": TAGS,
    "AWS::EC2::EIP": TAGS,
    "AWS::EC2::NatGateway": TAGS,
    "AWS::Logs::LogGroup": ["LogGroupName", "RetentionInDays", "KmsKeyId"],
    "AWS::EC2::SecurityGroup": [
        "GroupDescription", "SecurityGroupEgress/*/CidrIp", "SecurityGroupIngress/*/CidrIp",
        *TAGS],
    "AWS::EC2::SecurityGroupIngress": ["Description", "FromPort", "ToPort"],
    "AWS::KMS::Key": ["Description", "PendingWindowInDays", *TAGS],
    "AWS::KMS::Alias": ["AliasName"],
    "AWS::SecretsManager::Secret": [
        "Name", "Description", "KmsKeyId", "GenerateSecretString/SecretStringTemplate", *TAGS],
    "AWS::MSK::Configuration": ["Name", "Description", "KafkaVersionsList/*", "ServerProperties"],
    "AWS::MSK::Cluster": [
        "ClusterName", "KafkaVersion", "NumberOfBrokerNodes", "BrokerNodeGroupInfo/InstanceType",
        "BrokerNodeGroupInfo/StorageInfo/EBSStorageInfo/VolumeSize",
        "BrokerNodeGroupInfo/StorageInfo/EBSStorageInfo/ProvisionedThroughput/VolumeThroughput",
        "BrokerNodeGroupInfo/ConnectivityInfo/PublicAccess/Type",
        "EncryptionInfo/EncryptionAtRest/DataVolumeKMSKeyId",
        "EncryptionInfo/EncryptionInTransit/ClientBroker",
        "ClientAuthentication/Tls/CertificateAuthorityArnList/*", "EnhancedMonitoring",
        "LoggingInfo/BrokerLogs/S3/Bucket", "LoggingInfo/BrokerLogs/S3/Prefix",
        "LoggingInfo/BrokerLogs/Firehose/DeliveryStream", "Tags/{key}", "Tags/{value}"],
    "AWS::MSK::BatchScramSecret": ["SecretArnList/*"],
    "AWS::S3::Bucket": [
        "BucketName", SSE + "SSEAlgorithm", SSE + "KMSMasterKeyID",
        "OwnershipControls/Rules/*/ObjectOwnership", RULE + "Id", RULE + "Prefix",
        RULE + "Transitions/*/TransitionInDays", RULE + "Transitions/*/StorageClass",
        RULE + "ExpirationInDays", RULE + "NoncurrentVersionExpiration/NoncurrentDays",
        RULE + "AbortIncompleteMultipartUpload/DaysAfterInitiation",
        "LoggingConfiguration/DestinationBucketName", "LoggingConfiguration/LogFilePrefix",
        REPLICA + "Bucket", REPLICA + "StorageClass",
        REPLICA + "EncryptionConfiguration/ReplicaKmsKeyID", *TAGS],
    "AWS::IAM::Role": ["Description", "ManagedPolicyArns/*"],
    "AWS::EMR::SecurityConfiguration": ["Name"],
    "AWS::EMR::Cluster": [
        "Name", "ReleaseLabel", "Applications/*/Name", "LogUri",
        "AutoTerminationPolicy/IdleTimeout",
        "ManagedScalingPolicy/ComputeLimits/MinimumCapacityUnits",
        "ManagedScalingPolicy/ComputeLimits/MaximumCapacityUnits", "Instances/Ec2KeyName",
        *["Instances/MasterInstanceGroup/" + p for p in GROUP],
        *["Instances/CoreInstanceGroup/" + p for p in GROUP],
        "Configurations/*/Classification", "Configurations/*/ConfigurationProperties/{key}",
        "Configurations/*/ConfigurationProperties/{value}", "Steps/*/Name",
        "Steps/*/ActionOnFailure", "Steps/*/HadoopJarStep/Jar", "Steps/*/HadoopJarStep/Args/*",
        *TAGS],
    "AWS::EMR::InstanceGroupConfig": ["InstanceCount", "InstanceType", "Market"],
    "AWS::CloudTrail::Trail": [
        "TrailName", "KMSKeyId", "EventSelectors/*/DataResources/*/Values/*", *TAGS],
    "AWS::SNS::Topic": ["TopicName", "KmsMasterKeyId", *TAGS],
    "AWS::SNS::Subscription": ["Protocol", "Endpoint"],
    "AWS::CloudWatch::Alarm": [
        "AlarmName", "AlarmDescription", "MetricName", "Namespace", "ExtendedStatistic",
        "Statistic", "Period", "Threshold", "ComparisonOperator", "EvaluationPeriods",
        "DatapointsToAlarm", "TreatMissingData", "Dimensions/*/Name", "Dimensions/*/Value",
        "AlarmActions/*", "OKActions/*"],
    "AWS::Budgets::Budget": [
        "Budget/BudgetName", "Budget/BudgetType", "Budget/TimeUnit", "Budget/BudgetLimit/Amount",
        "Budget/BudgetLimit/Unit", NOTIFY + "Notification/NotificationType",
        NOTIFY + "Notification/Threshold", NOTIFY + "Subscribers/*/Address",
        NOTIFY + "Subscribers/*/SubscriptionType"],
}

STEP = ["Steps/*/Name", "Steps/*/ActionOnFailure", "Steps/*/HadoopJarStep/Jar",
        "Steps/*/HadoopJarStep/Args/*"]
# (botocore service, operation) -> member paths into the input shape: what the generated scripts
# and the README's commands pass to the AWS CLI (`cloudformation deploy` calls CreateChangeSet).
API = {
    ("cloudwatch", "PutMetricAlarm"): [
        "AlarmName", "AlarmDescription", "MetricName", "Namespace", "Statistic",
        "ExtendedStatistic", "Dimensions/*/Name", "Dimensions/*/Value", "Period",
        "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator",
        "TreatMissingData", "AlarmActions/*", "OKActions/*"],
    ("kafka", "CreateClusterV2"): ["ClusterName", "Tags/{key}", "Tags/{value}"],
    ("kafka", "CreateCluster"): ["ClusterName", "KafkaVersion", "BrokerNodeGroupInfo/InstanceType"],
    ("kafka", "CreateConfiguration"): ["Name", "Description"],
    ("ec2", "DescribeKeyPairs"): ["KeyNames/*"],
    ("cloudformation", "CreateStack"): ["StackName", "TemplateURL"],
    ("cloudformation", "CreateChangeSet"): ["StackName", "TemplateURL", "ChangeSetName"],
    ("s3", "CreateBucket"): ["Bucket"],
    ("secretsmanager", "CreateSecret"): ["Name", "Description"],
    ("sns", "CreateTopic"): ["Name"],
    ("sns", "Subscribe"): ["Protocol", "Endpoint"],
    ("emr", "RunJobFlow"): [
        "Name", "ReleaseLabel", "LogUri", "Instances/Ec2KeyName", "Configurations/*/Classification",
        "Configurations/*/Properties/{key}", "Configurations/*/Properties/{value}", *STEP],
    ("emr", "AddJobFlowSteps"): STEP,  # `aws emr add-steps --steps file://spark/emr-step.json`
    ("logs", "CreateLogGroup"): ["logGroupName"],
    ("logs", "PutRetentionPolicy"): ["retentionInDays"],
    ("kms", "CreateAlias"): ["AliasName"],
    ("cloudtrail", "CreateTrail"): ["Name"],
    ("budgets", "CreateBudget"): ["Budget/BudgetName"],
}

CFN_KEYS = {"minLength": "min_length", "maxLength": "max_length", "pattern": "pattern",
            **{k: k for k in ("enum", "minimum", "maximum")}}
HEADER = """\
# AWS value constraints on the values pipegen writes, extracted from AWS's published models.
# GENERATED by scripts/aws_constraints.py from its target list: do not edit by hand.
#   PY=$PIPEGEN_ORACLES_PYTHON (scripts/tools.sh)
#   $PY scripts/aws_constraints.py --write   # regenerate
#   $PY scripts/aws_constraints.py --check   # exit 1 with a diff when this file is stale
# [[cloudformation]]: the resource provider schemas bundled with cfn-lint (us-east-1 index),
#   schema date @DATE@. [[api]]: botocore's service-2 models (newest API
#   version of each service) from the botocore in the same venv: the aws CLI's.
# resource/property: '/'-separated path inside Properties; service/operation/member: path into
#   the operation's input shape; '*' = array/list item; '{key}'/'{value}' = a key/value of a
#   map (MSK::Cluster Tags is a JSON object, not a Key/Value list: its patternProperties
#   regex, with additionalProperties false, becomes the '{key}' pattern).
# Keys appear only when the model has them: pattern (verbatim, in the model's dialect: JSON
#   Schema or Smithy/ECMA-262, not implicitly anchored), min_length/max_length (characters),
#   minimum/maximum (numbers), enum (sorted). botocore's min/max are lengths for strings and
#   lists, bounds for numbers. Targets whose models constrain nothing are left out.
"""


def cfn_schemas():
    """The bundled provider schema of each resource type, and the schema date."""
    site = Path(cfnlint.__file__).parent.parent
    data, index = site / "cfnlint/data/schemas", json.loads((site / PROVIDERS).read_text())
    date = json.loads((data / "version.json").read_text()).get("schema_date", "unknown")
    return lambda t: json.loads((data / "resources" / f"{index[t]}.json").read_text()), date


def deref(schema, node):
    """Follow '#/definitions/...' references, keeping the referring node's own keys."""
    while "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def cfn_constraints(schema, path):
    """The constraint keys of the property at `path` of a provider schema."""
    node = {"properties": schema["properties"]}
    for seg in path.split("/"):
        node = deref(schema, node)
        if seg == "*":
            node = node["items"]
        elif seg in ("{key}", "{value}"):
            # A patternProperties regex binds the keys only when no other key is allowed.
            patterns, extra = node.get("patternProperties", {}), node.get("additionalProperties")
            if len(patterns) > 1:
                raise ValueError(f"has several patternProperties at {seg}")
            closed = patterns if extra is False else {}
            if seg == "{key}":
                node = {**node.get("propertyNames", {}), **{"pattern": p for p in closed}}
            else:
                node = next(iter(closed.values()), extra if isinstance(extra, dict) else {})
        else:
            node = node["properties"][seg]
    node = deref(schema, node)
    types = node.get("type", [])
    if {"array", "object"} & set(types if isinstance(types, list) else [types]):
        raise ValueError(f"is of type {node['type']}: go on to '*', '{{key}}' or '{{value}}'")
    return {CFN_KEYS[k]: node[k] for k in CFN_KEYS if k in node}


def api_constraints(model, operation, path):
    """The constraint keys of the member at `path` of an operation's input shape."""
    shapes = model["shapes"]
    shape = shapes[model["operations"][operation]["input"]["shape"]]
    for seg in path.split("/"):
        ref = {"*": "member", "{key}": "key", "{value}": "value"}.get(seg)
        shape = shapes[shape[ref]["shape"] if ref else shape["members"][seg]["shape"]]
    if shape["type"] in ("structure", "list", "map"):
        raise ValueError(f"is of type {shape['type']}: go on to '*', '{{key}}' or '{{value}}'")
    numeric = shape["type"] in ("integer", "long", "float", "double")
    names = {"pattern": "pattern", "min": "minimum" if numeric else "min_length",
             "max": "maximum" if numeric else "max_length", "enum": "enum"}
    return {names[k]: shape[k] for k in names if k in shape}


def toml_value(value):
    if isinstance(value, list):
        return "[" + ", ".join(map(toml_value, value)) + "]"
    if isinstance(value, str) and "'" not in value and value.isprintable():
        return f"'{value}'"  # a literal string: backslashes in patterns stay readable
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")  # TOML-compatible


def fields(ids, constraints):
    """One entry: its identifying keys, then its constraints in a fixed order, enums sorted."""
    if "enum" in constraints:
        constraints["enum"] = sorted(set(constraints["enum"]), key=lambda v: (type(v).__name__, v))
    order = ["pattern", "min_length", "max_length", "minimum", "maximum", "enum"]
    return dict(ids + [(k, constraints[k]) for k in order if k in constraints])


def targets(load):
    """(table, identifying keys, extractor, its arguments) of every target, in output order."""
    for resource in sorted(CLOUDFORMATION):
        schema = load(resource)
        for prop in sorted(set(CLOUDFORMATION[resource])):
            yield "cloudformation", [("resource", resource), ("property", prop)], \
                cfn_constraints, (schema, prop)
    loader = botocore.loaders.Loader(extra_search_paths=[botocore.loaders.Loader.BUILTIN_DATA_PATH],
                                     include_default_search_paths=False)  # not ~/.aws/models
    for service, operation in sorted(API):
        model = loader.load_service_model(service, "service-2")
        for member in sorted(set(API[service, operation])):
            yield "api", [("service", service), ("operation", operation), ("member", member)], \
                api_constraints, (model, operation, member)


def generate():
    """The TOML text, and the targets whose model has no constraint (for --write to report)."""
    load, date = cfn_schemas()
    data = {"sources": {"cfn_lint": cfnlint.version.__version__,
                        "botocore": botocore.__version__, "provider_schemas": PROVIDERS}}
    skipped = []
    for table, ids, find, args in targets(load):
        try:
            constraints = find(*args)
        except (KeyError, ValueError) as e:  # a KeyError names the missing step of the path
            sys.exit(" ".join(v for _, v in ids) + f": {'no ' * isinstance(e, KeyError)}{e}")
        if constraints:
            data.setdefault(table, []).append(fields(ids, constraints))
        else:
            skipped.append(" ".join(v for _, v in ids))
    blocks = [("[sources]", data["sources"])] + [
        (f"[[{table}]]", f) for table in ("cloudformation", "api") for f in data.get(table, [])]
    text = HEADER.replace("@DATE@", date) + "\n" + "\n\n".join(
        "\n".join([header] + [f"{k} = {toml_value(v)}" for k, v in f.items()])
        for header, f in blocks) + "\n"
    assert tomllib.loads(text) == data, "the TOML must say exactly the extracted data"
    return text, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help=f"regenerate {OUTPUT.name}")
    mode.add_argument("--check", action="store_true", help="exit 1 with a diff when it is stale")
    args = parser.parse_args()
    text, skipped = generate()
    if args.write:
        OUTPUT.write_text(text)
        print(f"wrote {OUTPUT}; not constrained by the models:", file=sys.stderr)
        print("".join(f"  {s}\n" for s in skipped), end="", file=sys.stderr)
        return 0
    current = OUTPUT.read_text() if OUTPUT.exists() else ""
    if current == text:
        return 0
    diff = difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                f"{OUTPUT.name} (committed)", f"{OUTPUT.name} (regenerated)")
    sys.stdout.writelines(diff)
    print(f"{OUTPUT} is stale: run {Path(__file__).name} --write", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
