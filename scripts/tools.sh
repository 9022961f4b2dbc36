# shellcheck shell=bash
# Installs the external tools pipegen's output is checked with, pinned and cached outside the
# checkout under $PIPEGEN_TOOLS (default ~/.cache/pipegen-tools), and exports their paths as
# PIPEGEN_* variables. Sourced by scripts/test.sh and bench/compare.sh; idempotent: a second
# run finds everything in the cache.

tools="${PIPEGEN_TOOLS:-$HOME/.cache/pipegen-tools}"
mkdir -p "$tools"

apt_install() {
  if command -v apt-get >/dev/null 2>&1; then
    if [ -z "${apt_updated:-}" ]; then
      apt-get update -qq
      apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "cannot install $*: no apt-get on this machine" >&2
    exit 1
  fi
}

# chattr (e2fsprogs): the hostile-environment tests make folders immutable, which stops root.
if ! command -v chattr >/dev/null 2>&1; then
  apt_install e2fsprogs
fi

# ShellCheck, from Debian's package.
if ! command -v shellcheck >/dev/null 2>&1; then
  apt_install shellcheck
fi
PIPEGEN_SHELLCHECK="$(command -v shellcheck)"
export PIPEGEN_SHELLCHECK

# cfn-lint and checkov (PyPI), pinned, in a virtualenv.
venv="$tools/venv-cfnlint-1.58.0-checkov-3.3.30"
if [ ! -x "$venv/bin/cfn-lint" ] || [ ! -x "$venv/bin/checkov" ]; then
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    cfn-lint==1.58.0 checkov==3.3.30 soupsieve==2.10
fi
export PIPEGEN_CFN_LINT="$venv/bin/cfn-lint"
export PIPEGEN_CHECKOV="$venv/bin/checkov"
export PIPEGEN_TOOLS_PYTHON="$venv/bin/python"

# The oracles (PyPI), pinned, in one virtualenv: the aws CLI (parameter validation against
# botocore's service models), moto (a local AWS: its server, its IAM policy evaluator, its
# copies of the AWS managed policies; it brings cfn-lint too), policy_sentry and parliament.
oracles_venv="$tools/venv-aws-oracles-awscli-1.46.2-moto-5.2.5"
if [ ! -x "$oracles_venv/bin/aws" ] || ! "$oracles_venv/bin/python" -c 'import moto, policy_sentry, parliament' 2>/dev/null; then
  python3 -m venv "$oracles_venv"
  "$oracles_venv/bin/pip" install --quiet --disable-pip-version-check \
    awscli==1.46.2 'moto[server]==5.2.5' policy_sentry==0.15.2 parliament==1.6.4 cfn-lint==1.58.0
fi
export PIPEGEN_ORACLES_PYTHON="$oracles_venv/bin/python"
export PIPEGEN_AWS="$oracles_venv/bin/aws"

# PySpark pinned to the Spark of the pipelines' EMR release (emr-7.12.0 bundles Spark 3.5.6:
# https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-7120-release.html), with the boto3
# the streaming job publishes metrics with, and pyflakes for the job's lint. It runs on the
# machine's JDK (Spark 3.5 supports Java 8, 11 and 17).
pyspark_venv="$tools/venv-pyspark-3.5.6-boto3-1.44.8"
if [ ! -x "$pyspark_venv/bin/python" ] || ! "$pyspark_venv/bin/python" -c 'import pyspark, boto3, pyflakes' 2>/dev/null; then
  python3 -m venv "$pyspark_venv"
  "$pyspark_venv/bin/pip" install --quiet --disable-pip-version-check \
    pyspark==3.5.6 boto3==1.44.8 pyflakes==3.4.0
fi
if ! command -v java >/dev/null 2>&1; then
  apt_install openjdk-17-jre-headless
fi
export PIPEGEN_PYSPARK_PYTHON="$pyspark_venv/bin/python"

# pre-commit (PyPI), pinned, for the hook tests; its environments and cargo builds are cached.
precommit_venv="$tools/venv-pre-commit-4.7.0"
if [ ! -x "$precommit_venv/bin/pre-commit" ]; then
  python3 -m venv "$precommit_venv"
  "$precommit_venv/bin/pip" install --quiet --disable-pip-version-check pre-commit==4.7.0
fi
export PIPEGEN_PRE_COMMIT="$precommit_venv/bin/pre-commit"
export PIPEGEN_TOOLS="$tools"

# The SARIF validator (npm), pinned.
sarif_version="5.7.0"
sarif_dir="$tools/sarif-multitool-$sarif_version"
if [ ! -x "$sarif_dir/node_modules/.bin/sarif-multitool" ]; then
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  mkdir -p "$sarif_dir"
  npm install --silent --no-audit --no-fund --prefix "$sarif_dir" "@microsoft/sarif-multitool@$sarif_version" >/dev/null
fi
export PIPEGEN_SARIF_MULTITOOL="$sarif_dir/node_modules/.bin/sarif-multitool"

