#!/usr/bin/env bash
# The EMR bootstrap action of pipegen's streaming job (rendered verbatim as spark/bootstrap.sh;
# deploy.sh uploads it to code/bootstrap.sh in the artifact bucket). It makes boto3 importable
# by the python3 the job runs on: the driver looks up the brokers, reads secrets, polls the
# stop marker and publishes metrics through it; the Polaris sync step reads its files, the
# catalog's secret and the stop marker through it too (docs/job-contract.md).
#
# EMR runs bootstrap actions on every node as it starts, as the hadoop user (sudo for root),
# before the applications are installed; a failing one stops the cluster from starting, and
# its output is in the cluster's bootstrap-action logs (EMR Management Guide, "Create bootstrap
# actions to install additional software").
set -euo pipefail

if python3 -c 'import boto3' 2>/dev/null; then
  echo "bootstrap: boto3 $(python3 -c 'import boto3; print(boto3.__version__)') is installed"
  exit 0
fi
if ! python3 -m pip --version >/dev/null 2>&1; then
  # EMR 7 nodes run Amazon Linux 2023 (dnf), EMR 6 nodes Amazon Linux 2 (yum).
  sudo dnf install -y python3-pip 2>/dev/null || sudo yum install -y python3-pip
fi
# Any boto3 1.x the node's python3 supports (pip honours each release's Requires-Python): the
# job uses only long-stable calls. Without internet egress, point pip at a mirror
# (PIP_INDEX_URL in /etc/pip.conf) or use an AMI that has boto3.
sudo python3 -m pip install --quiet 'boto3>=1.26,<2'
python3 -c 'import boto3'
echo "bootstrap: boto3 installed"
