#!/usr/bin/env bash
# Scale benchmark: the corpus replicated ×1, ×4 and ×16 into a temporary directory (hard links,
# so the copies cost no disk), a 2,000-line multi-document manifest and a Terraform tree of 200
# local modules, each scanned by the release binary. Prints files/s, MB/s, peak RSS and the
# scaling factor (time at ×16 / time at ×1; linear is 16). With --checkov (Checkov from PyPI in
# a virtualenv outside the repository, RAMPART_COMPARE_VENV), Checkov scans the ×1 copy in the
# same run and the ratio is printed.
# It starts with bench/linear.sh, which fails unless generated large inputs scale linearly.
# Usage: bench/scale.sh [--checkov] [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
checkov=0
if [ "${1:-}" = "--checkov" ]; then
  checkov=1
  shift
fi
corpus=${1:-../shared/corpus/real}
# Generated inputs at N and 2N: fails unless time grows linearly (no corpus needed).
bench/linear.sh
if [ ! -d "$corpus" ]; then
  echo "bench: skipped, no corpus at $corpus"
  exit 0
fi
cargo build --release --quiet
bin=$PWD/target/release/rampart
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
timing="$work/time"

# Runs rampart under /usr/bin/time; sets $secs and $rss_mb.
measure() {
  /usr/bin/time -o "$timing" -f '%e %M' "$bin" scan --no-render --no-progress --format json \
    -o /dev/null "$@" >/dev/null 2>"$work/stderr" || true
  if grep -q 'panicked\|internal error' "$work/stderr"; then
    cat "$work/stderr" >&2
    exit 1
  fi
  secs=$(tail -n1 "$timing" | awk '{print $1}')
  rss_mb=$(tail -n1 "$timing" | awk '{printf "%.0f", $2 / 1024}')
}

echo "rampart $("$bin" --version | awk '{print $2}'), $(nproc) cores"
declare -A wall
for k in 1 4 16; do
  dir="$work/x$k"
  mkdir -p "$dir"
  for i in $(seq "$k"); do
    cp -al "$corpus" "$dir/r$i" 2>/dev/null || cp -r "$corpus" "$dir/r$i"
  done
  files=$(find "$dir" -type f | wc -l)
  bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
  measure "$dir"
  wall[$k]=$secs
  awk -v k="$k" -v f="$files" -v b="$bytes" -v s="$secs" -v r="$rss_mb" 'BEGIN {
    s = (s < 0.01) ? 0.01 : s
    printf "corpus x%-2d %7d files %6.0f MB  %6.2f s  %7.0f files/s  %5.1f MB/s  peak RSS %4d MB\n",
      k, f, b / 1e6, s, f / s, b / 1e6 / s, r
  }'
  [ "$k" = 1 ] || rm -rf "$dir"
done
awk -v a="${wall[1]}" -v b="${wall[16]}" 'BEGIN {
  printf "scaling factor (time x16 / time x1): %.1f (linear is 16)\n", b / ((a < 0.01) ? 0.01 : a)
}'
echo "budget: x16 under 45 s with peak RSS under 500 MB"

# One 2,000-line manifest of 50 Deployments.
manifest="$work/big.yaml"
python3 - "$manifest" <<'PY'
import sys
doc = """---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: shop
  labels:
    app: web-{i}
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web-{i}
  template:
    metadata:
      labels:
        app: web-{i}
    spec:
      hostNetwork: true
      containers:
        - name: web
          image: nginx:1.27.{i}
          ports:
            - containerPort: 8080
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          securityContext:
            privileged: false
            runAsNonRoot: true
        - name: sidecar
          image: example/sidecar:2.{i}
          resources:
            limits: {{cpu: 100m, memory: 64Mi}}
          env:
            - name: MODE
              value: proxy
      terminationGracePeriodSeconds: 30
      dnsPolicy: ClusterFirst
"""
text = "".join(doc.format(i=i) for i in range(50))
assert text.count("\n") == 2000
open(sys.argv[1], "w").write(text)
PY
n=20
start=$(date +%s%N)
for _ in $(seq $n); do "$bin" scan --format compact "$manifest" >/dev/null || true; done
awk -v ns="$(($(date +%s%N) - start))" -v n="$n" \
  'BEGIN {printf "2,000-line manifest: %.1f ms per run incl. process start (mean of %d)\n", ns / 1e6 / n, n}'

# A Terraform root calling 200 local modules, each with variables, locals and resources.
tf="$work/tf"
python3 - "$tf" <<'PY'
import os, sys
root = sys.argv[1]
os.makedirs(root)
calls = []
for i in range(200):
    d = os.path.join(root, "modules", f"m{i:03}")
    os.makedirs(d)
    open(os.path.join(d, "main.tf"), "w").write(f"""variable "name" {{ type = string }}
variable "cidr" {{ default = "10.0.0.0/16" }}
variable "public" {{ default = false }}

locals {{
  tags = {{ Module = "m{i:03}", Name = var.name }}
}}

resource "aws_s3_bucket" "this" {{
  bucket = "${{var.name}}-{i}"
  tags   = local.tags
}}

resource "aws_s3_bucket_public_access_block" "this" {{
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = !var.public
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}

resource "aws_security_group" "this" {{
  name = var.name
  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }}
}}

output "bucket" {{ value = aws_s3_bucket.this.id }}
""")
    cidr = "0.0.0.0/0" if i % 10 == 0 else f"10.{i}.0.0/16"
    calls.append(f"""module "m{i:03}" {{
  source = "./modules/m{i:03}"
  name   = "app-{i}"
  cidr   = "{cidr}"
  public = {"true" if i % 25 == 0 else "false"}
}}
""")
open(os.path.join(root, "main.tf"), "w").write("\n".join(calls))
PY
measure "$tf"
echo "terraform tree of 200 modules ($(find "$tf" -name '*.tf' | wc -l) files): $secs s, peak RSS $rss_mb MB"

if [ "$checkov" = 1 ]; then
  venv=${RAMPART_COMPARE_VENV:-${TMPDIR:-/tmp}/rampart-checkov-venv}
  [ -x "$venv/bin/checkov" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet checkov; }
  start=$(date +%s.%N)
  "$venv/bin/checkov" -d "$work/x1" --framework terraform kubernetes dockerfile --output json \
    --quiet --compact --skip-download >/dev/null 2>&1 || true
  ck=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
  echo "checkov $("$venv/bin/checkov" --version) on x1: $ck s; rampart ${wall[1]} s" \
    "($(awk -v a="$ck" -v b="${wall[1]}" 'BEGIN {printf "%.0f", a / ((b < 0.01) ? 0.01 : b)}')x faster)"
else
  echo "checkov comparison: skipped (bench/scale.sh --checkov runs it)"
fi
