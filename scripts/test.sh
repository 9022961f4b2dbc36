#!/usr/bin/env bash
# The test command: installs the external tools the tests run against pipegen's output
# (scripts/tools.sh: pinned, cached outside the checkout), then runs cargo test. The tests
# fail, loudly, when a tool they need is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tools.sh
source scripts/tools.sh

cargo test --locked "$@"
