#!/usr/bin/env bash
# Compare rampart's rules with Checkov's on a corpus, for one Checkov framework (kubernetes or
# terraform): for each Checkov check that a rampart rule lists as an equivalent, the files each
# tool flags. Checkov comes from PyPI, installed in a virtualenv outside the repository.
# Usage: compare/checkov.sh [kubernetes|terraform] [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
framework=${1:-kubernetes}
case "$framework" in
  kubernetes) suffixes=".yaml,.yml,.json" ;;
  terraform) suffixes=".tf,.tf.json" ;;
  *) echo "compare: unknown framework $framework" >&2; exit 2 ;;
esac
corpus=${2:-../shared/corpus/real}
if [ ! -d "$corpus" ]; then
  echo "compare: skipped, no corpus at $corpus"
  exit 0
fi
venv=${RAMPART_COMPARE_VENV:-${TMPDIR:-/tmp}/rampart-checkov-venv}
[ -x "$venv/bin/checkov" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet checkov; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# RAMPART_CHECKOV_OUT=FILE keeps Checkov's report, and reuses it when it exists (Checkov takes
# about 20 minutes on the corpus's Terraform part).
start=$(date +%s.%N)
if [ -n "${RAMPART_CHECKOV_OUT:-}" ] && [ -s "$RAMPART_CHECKOV_OUT" ]; then
  cp "$RAMPART_CHECKOV_OUT" "$work/checkov.json"
  echo "compare: Checkov's report reused from $RAMPART_CHECKOV_OUT"
else
  "$venv/bin/checkov" -d "$corpus" --framework "$framework" --output json --quiet --compact \
    --skip-download >"$work/checkov.json" 2>/dev/null || true
  [ -z "${RAMPART_CHECKOV_OUT:-}" ] || cp "$work/checkov.json" "$RAMPART_CHECKOV_OUT"
fi
mid=$(date +%s.%N)
target/release/rampart scan --no-render --format json -o "$work/rampart.json" "$corpus" || true
end=$(date +%s.%N)
target/release/rampart rules --format json >"$work/rules.json"
awk -v a="$start" -v b="$mid" -v c="$end" 'BEGIN {printf "checkov %.1f s, rampart %.2f s (%.0fx)\n", b-a, c-b, (b-a)/(c-b)}'
python3 - "$work" "$corpus" "$suffixes" <<'PYEOF'
import collections, json, os, sys
work, corpus, suffixes = sys.argv[1], sys.argv[2], tuple(sys.argv[3].split(","))
ck = json.load(open(os.path.join(work, "checkov.json")))
if isinstance(ck, dict):
    ck = [ck]
failed = [c for report in ck for c in report.get("results", {}).get("failed_checks", [])]
rampart = json.load(open(os.path.join(work, "rampart.json")))
rules = json.load(open(os.path.join(work, "rules.json")))
pairs = collections.defaultdict(set)  # checkov id -> rampart codes
for r in rules:
    for ckid in r["equivalents"].get("checkov", []):
        pairs[ckid].add(r["code"])
# Checkov writes paths relative to the working directory with a leading slash.
ck_files = collections.defaultdict(set)
for c in failed:
    ck_files[c["check_id"]].add(os.path.normpath(c["file_path"].lstrip("/")))
# rampart writes paths as given on the command line: make them relative to the corpus too.
rp_files = collections.defaultdict(set)
for f in rampart["findings"]:
    rp_files[f["code"]].add(os.path.normpath(os.path.relpath(f["path"], corpus)))
print(f"{'checkov':<14}{'rampart':<22}{'checkov':>8}{'rampart':>8}{'both':>6}{'only checkov':>14}{'only rampart':>14}")
for ckid in sorted(pairs, key=lambda x: (len(x), x)):
    codes = sorted(pairs[ckid])
    cf = ck_files.get(ckid, set())
    rf = {f for c in codes for f in rp_files.get(c, set()) if f.endswith(suffixes)}
    if not cf and not rf:
        continue
    only = sorted(cf - rf)
    print(f"{ckid:<14}{','.join(codes):<22}{len(cf):>8}{len(rf):>8}{len(cf & rf):>6}{len(only):>14}{len(rf - cf):>14}")
    for f in only[:3]:
        print(f"    only checkov: {f}")
    for f in sorted(rf - cf)[:3]:
        print(f"    only rampart: {f}")
unmapped = collections.Counter(c["check_id"] for c in failed if c["check_id"] not in pairs)
print("checkov checks with no rampart equivalent:", ", ".join(f"{k} ({v})" for k, v in unmapped.most_common()))
PYEOF
