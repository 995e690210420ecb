#!/usr/bin/env bash
# Rendering benchmark: the corpus scanned with its Kustomize overlays (and Helm charts, when helm
# is installed) rendered, `--jobs 2`, first with an empty render cache (cold: every overlay is
# built), then again with the cache it filled (warm: nothing is built), then with `--no-render`
# for reference. Best of RUNS runs each (default 3). Budgets on 2 cores: cold 4 s, warm 1.5 s.
# Usage: bench/render.sh [CORPUS_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/real}
runs=${2:-3}
if [ ! -d "$corpus" ]; then
  echo "bench: skipped, no corpus at $corpus"
  exit 0
fi
if ! command -v kustomize >/dev/null && ! command -v kubectl >/dev/null; then
  echo "bench: skipped, neither kustomize nor kubectl is installed"
  exit 0
fi
cargo build --release --quiet
bin=$PWD/target/release/rampart
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Wall time of one scan, in seconds.
scan() {
  local start end
  start=$(date +%s%N)
  "$bin" scan --jobs 2 --no-progress --format json "$@" "$corpus" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  awk "BEGIN {printf \"%.2f\\n\", ($end - $start) / 1e9}"
}

best() {
  sort -n | head -n1
}

cold=$(for i in $(seq "$runs"); do RAMPART_CACHE_DIR="$work/cold-$i" scan; done | best)
RAMPART_CACHE_DIR="$work/warm" scan >/dev/null
warm=$(for _ in $(seq "$runs"); do RAMPART_CACHE_DIR="$work/warm" scan; done | best)
none=$(for _ in $(seq "$runs"); do scan --no-render; done | best)
overlays=$(find "$corpus" -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization | wc -l)
entries=$(find "$work/warm" -name '*.entry' | wc -l)
echo "corpus with rendering, --jobs 2, $(nproc) cores, $overlays kustomizations, best of $runs:"
echo "  cold (empty render cache): $cold s   budget 4 s"
echo "  warm (cache of $entries renders): $warm s   budget 1.5 s"
echo "  --no-render:               $none s"
