#!/usr/bin/env bash
# The test command: installs the external validators the tests run (pinned, cached outside
# the checkout under $PIPEGEN_TOOLS, default ~/.cache/pipegen-tools), then runs cargo test.
# Idempotent: a second run finds everything installed and goes straight to the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${PIPEGEN_TOOLS:-$HOME/.cache/pipegen-tools}"
mkdir -p "$tools"

# SARIF validator (npm): @microsoft/sarif-multitool, pinned.
sarif_version="5.7.0"
sarif_dir="$tools/sarif-multitool-$sarif_version"
if [ ! -x "$sarif_dir/node_modules/.bin/sarif-multitool" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
    else
      echo "npm is needed to install the SARIF validator" >&2
      exit 1
    fi
  fi
  mkdir -p "$sarif_dir"
  npm install --silent --no-audit --no-fund --prefix "$sarif_dir" "@microsoft/sarif-multitool@$sarif_version" >/dev/null
fi
export PIPEGEN_SARIF_MULTITOOL="$sarif_dir/node_modules/.bin/sarif-multitool"

cargo test --locked "$@"
