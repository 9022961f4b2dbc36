#!/usr/bin/env bash
# Times pipegen against the tools a team would otherwise run on the same pipeline, in one
# run, with hyperfine: `pipegen check` and `pipegen render` on examples/production.toml, and
# checkov, cfn-lint and cfn-guard on the CloudFormation pipegen renders for it. Prints each
# tool's mean and how many times slower than `pipegen check` it is; the hyperfine JSON goes to
# $PIPEGEN_BENCH_OUT (default target/compare).
#
#   bench/compare.sh                 # the default number of runs
#   RUNS=50 SLOW_RUNS=5 bench/compare.sh
#
# Every tool must accept what it is given (exit 0): a tool that fails stops the comparison.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/tools.sh
source scripts/tools.sh

runs="${RUNS:-100}"
slow_runs="${SLOW_RUNS:-5}"
out="${PIPEGEN_BENCH_OUT:-target/compare}"
mkdir -p "$out"

if ! command -v hyperfine >/dev/null 2>&1; then
  apt_install hyperfine
fi

# cfn-guard (crates.io), pinned.
guard_version="3.2.1"
guard_root="$tools/cfn-guard-$guard_version"
if [ ! -x "$guard_root/bin/cfn-guard" ]; then
  cargo install cfn-guard --locked --version "$guard_version" --root "$guard_root"
fi
guard="$guard_root/bin/cfn-guard"

cargo build --release --locked --quiet
pipegen="target/release/pipegen"
example="examples/production.toml"
"$pipegen" render "$example" --out "$out/deploy" >/dev/null
template="$out/deploy/cloudformation/pipeline.yaml"
rules="bench/guard/encryption.guard"

{
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
  echo "pipegen $("$pipegen" --version | cut -d' ' -f2-), $("$PIPEGEN_CFN_LINT" --version), checkov $("$PIPEGEN_CHECKOV" --version), $("$guard" --version)"
} | tee "$out/machine.txt"

# Fast commands: many runs. Slow ones (Python start-up and rule loading): a few. `render`
# twice: into a new folder (every file written and flushed), and again into a folder that
# already holds the same set (compared, nothing written).
hyperfine -N --warmup 10 --runs "$runs" --export-json "$out/fast.json" \
  -n "pipegen check" "$pipegen check $example" \
  -n "pipegen render (unchanged output)" "$pipegen render $example --out $out/render" \
  -n "cfn-guard validate" "$guard validate --rules $rules --data $template"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$out/render.json" \
  --prepare "rm -rf $out/render-new" \
  -n "pipegen render (new folder)" "$pipegen render $example --out $out/render-new"
hyperfine -N --warmup 1 --runs "$slow_runs" --export-json "$out/slow.json" \
  -n "cfn-lint" "$PIPEGEN_CFN_LINT $template" \
  -n "checkov -f" "$PIPEGEN_CHECKOV --quiet --compact -f $template"

"$PIPEGEN_TOOLS_PYTHON" - "$out/fast.json" "$out/render.json" "$out/slow.json" <<'EOF' | tee "$out/ratios.md"
import json, sys
results = [r for path in sys.argv[1:] for r in json.load(open(path))["results"]]
base = next(r for r in results if r["command"] == "pipegen check")
print("| command | mean | median | × pipegen check |")
print("|---|---|---|---|")
for r in results:
    print(f"| {r['command']} | {r['mean'] * 1000:.1f} ms | {r['median'] * 1000:.1f} ms "
          f"| {r['mean'] / base['mean']:.1f}× |")
EOF
