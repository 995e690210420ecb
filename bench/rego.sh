#!/usr/bin/env bash
# Cost of Rego policies: the corpus scanned by the release binary without and with 36 generated
# conftest rules (12 on Kubernetes objects, 12 on Dockerfiles, 12 on Terraform resources, each
# file of them in package main), best of 3 runs each (CPU time, user + system). Policies are
# compiled once per scan; evaluations reuse copies of the compiled engine. Prints both times and the
# time added; fails when it is over MAX_PERCENT (default 300).
# Usage: bench/rego.sh [CORPUS_DIR] [MAX_PERCENT]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/real}
max=${2:-300}
if [ ! -d "$corpus" ]; then
  echo "bench: skipped, no corpus at $corpus"
  exit 0
fi
cargo build --release --quiet --bin rampart
bin=$PWD/target/release/rampart
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/policy"

k8s=(
  'some c in input.spec.template.spec.containers; c.securityContext.privileged == true'
  'not input.metadata.labels.team'
  'some c in input.spec.template.spec.containers; endswith(c.image, ":latest")'
  'some c in input.spec.template.spec.containers; not c.resources.limits'
  'input.spec.template.spec.hostNetwork == true'
  'input.kind == "Service"; input.spec.type == "NodePort"'
)
docker=(
  'some i in input; i.Cmd == "from"; endswith(i.Value[0], ":latest")'
  'not any_user'
  'some i in input; i.Cmd == "run"; contains(i.Original, "curl ")'
  'some i in input; i.Cmd == "add"'
  'some i in input; i.Cmd == "user"; i.Value[0] == "root"'
  'some i in input; i.Cmd == "run"; contains(i.Original, "sudo ")'
)
tf=(
  'input.type == "aws_s3_bucket"; input.attributes.acl == "public-read"'
  'input.type == "aws_instance"; not input.attributes.tags.owner'
  'input.type == "aws_security_group"; some r in input.attributes.ingress; "0.0.0.0/0" in r.cidr_blocks'
  'startswith(input.type, "google_"); not input.attributes.labels'
  'input.attributes.tags == {}'
  'input.type == "aws_db_instance"; input.attributes.publicly_accessible == true'
)
write() { # file, rule prefix, conditions...
  local file=$1 prefix=$2 n=0
  shift 2
  { echo "package main"; echo; echo "import rego.v1"; echo
    echo 'any_user if { some i in input; i.Cmd == "user" }'; echo
    for round in 1 2; do
      for cond in "$@"; do
        n=$((n + 1))
        printf 'deny_%s_%d contains msg if {\n\t%s\n\tmsg := "%s rule %d"\n}\n\n' \
          "$prefix" "$n" "${cond//; /$'\n\t'}" "$prefix" "$n"
      done
    done
  } >"$file"
}
write "$work/policy/k8s.rego" k8s "${k8s[@]}"
write "$work/policy/docker.rego" docker "${docker[@]}"
write "$work/policy/terraform.rego" tf "${tf[@]}"

best() {
  local t best=""
  for _ in 1 2 3; do
    t=$( { /usr/bin/time -f '%U %S' "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -n1 | awk '{print $1 + $2}')
    if [ -z "$best" ] || awk "BEGIN {exit !($t < $best)}"; then best=$t; fi
  done
  echo "$best"
}
"$bin" rules --policy "$work/policy" | grep -c 'REGO\.' | sed 's/^/rules loaded (one per kind of file): /'
plain=$(best "$bin" scan --no-render --format json "$corpus")
with=$(best "$bin" scan --no-render --format json --policy "$work/policy" "$corpus")
added=$(awk "BEGIN {printf \"%.1f\", ($with - $plain) / $plain * 100}")
echo "plain scan: ${plain}s CPU; with 36 Rego rules: ${with}s CPU; added: ${added}%"
awk "BEGIN {exit !($added <= $max)}" || { echo "bench: over ${max}%"; exit 1; }
