#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 30), seeded with the test fixtures and the
# examples. Needs cargo-fuzz (`cargo install cargo-fuzz`); builds without a sanitizer, so it
# runs on the stable toolchain. Crashes are written to fuzz/artifacts/TARGET/; copy them to
# fuzz/regressions/TARGET/ once fixed so `cargo test` replays them.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(yaml hcl dockerfile terraform_module lint)
command -v cargo-fuzz >/dev/null || cargo install --quiet --locked cargo-fuzz
cargo fuzz build --sanitizer none -O
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
mkdir -p "$seeds"/{yaml,hcl,dockerfile,terraform_module,lint}
i=0
while IFS= read -r -d '' f; do
  i=$((i + 1))
  case "$f" in
    *.yaml | *.yml | *.json) dir=yaml kind='\x00' ;;
    *.tf | *.tfvars) dir=hcl kind='\x02' ;;
    *Dockerfile* | *Containerfile*) dir=dockerfile kind='\x01' ;;
    *) continue ;;
  esac
  cp "$f" "$seeds/$dir/$i"
  [ "$dir" = hcl ] && cp "$f" "$seeds/terraform_module/$i"
  { printf "$kind"; cat "$f"; } >"$seeds/lint/$i"
done < <(find ../testdata ../examples -type f -size -64k -print0)
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== fuzz $t for ${seconds}s"
  log=$(mktemp)
  if ! cargo fuzz run --sanitizer none -O "$t" "corpus/$t" "$seeds/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz $t: FAILED (artifacts in fuzz/artifacts/$t)"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}')
  echo "fuzz $t: ${runs:-?} executions, no crash"
  rm -f "$log"
done
