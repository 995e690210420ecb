#!/usr/bin/env bash
# Cost of users' rules: the corpus scanned by the release binary without and with 100 generated
# rule files' rules (40 on every container, 20 on workloads' objects, 10 on pod specs, 20 on
# Terraform resources, 10 on Dockerfile instructions), best of 3 runs each (CPU time, user +
# system, so the result does not depend on the other load of the machine). Prints both times and
# the time added; fails when it is over MAX_PERCENT (default 50).
# Usage: bench/policy.sh [CORPUS_DIR] [MAX_PERCENT]; BIN=path/to/rampart uses a binary built
# earlier instead of building the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/real}
max=${2:-50}
if [ ! -d "$corpus" ]; then
  echo "bench: skipped, no corpus at $corpus"
  exit 0
fi
if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  cargo build --release --quiet --bin rampart
  bin=$PWD/target/release/rampart
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/policy" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out)
rules = []
def rule(code, match, cond, report=None):
    r = [f"  - code: BENCH-{code:03d}", f"    name: bench-rule-{code}", f"    title: Generated rule {code}",
         f"    match: {match}", f"    condition: {cond!r}"]
    if report:
        r.append(f"    report-at: {report}")
    rules.append("\n".join(r))
n = 1
container = [
    "has(effective.privileged) && effective.privileged == true",
    "!has(effective.runAsNonRoot) || effective.runAsNonRoot != true",
    "has(container.image) && container.image.endsWith(':latest')",
    "!has(container.resources) || !has(container.resources.limits)",
    "has(container.ports) && container.ports.exists(p, has(p.hostPort))",
    "has(container.env) && container.env.exists(e, has(e.name) && e.name.contains('PASSWORD'))",
    "has(effective.capabilities) && has(effective.capabilities.add) && 'SYS_ADMIN' in effective.capabilities.add",
    "!has(container.livenessProbe)",
]
for i in range(40):
    rule(n, '{containers: ["*"]}', container[i % len(container)], "container.image"); n += 1
objects = [
    "!has(object.metadata.labels) || !('team' in object.metadata.labels)",
    "has(object.metadata.namespace) && object.metadata.namespace == 'default'",
    "!has(object.metadata.annotations) || size(object.metadata.annotations) > 20",
    "has(object.spec) && has(object.spec.replicas) && object.spec.replicas < 2",
]
for i in range(20):
    rule(n, "{kinds: [Deployment, StatefulSet, DaemonSet, Pod, Service]}", objects[i % len(objects)], "object.metadata.name"); n += 1
pods = [
    "has(podSpec.hostNetwork) && podSpec.hostNetwork == true",
    "has(podSpec.volumes) && podSpec.volumes.exists(v, has(v.hostPath))",
]
for i in range(10):
    rule(n, '{pod-specs: ["*"]}', pods[i % len(pods)]); n += 1
tf = [
    ("[aws_s3_bucket]", "!has(resource.versioning) || !resource.versioning.exists(v, has(v.enabled) && v.enabled == true)"),
    ("[aws_instance]", "!has(resource.tags) || !('owner' in resource.tags)"),
    ("[aws_security_group]", "has(resource.ingress) && resource.ingress.exists(i, has(i.cidr_blocks) && '0.0.0.0/0' in i.cidr_blocks)"),
    ("[google_storage_bucket, azurerm_storage_account]", "!has(resource.location)"),
    ('["*"]', "has(resource.tags) && size(resource.tags) == 0"),
]
for i in range(20):
    m, c = tf[i % len(tf)]
    rule(n, "{resources: " + m + "}", c); n += 1
df = [
    ("[RUN]", "instruction.arguments.contains('curl ')"),
    ("[ADD, COPY]", "has(instruction.flags.chown)"),
]
for i in range(10):
    m, c = df[i % len(df)]
    rule(n, "{instructions: " + m + "}", c); n += 1
for k in range(10):
    with open(os.path.join(out, f"rules-{k}.yaml"), "w") as f:
        f.write("rules:\n" + "\n".join(rules[k * 10:(k + 1) * 10]) + "\n")
PY

best() {
  local t best=""
  for _ in 1 2 3; do
    /usr/bin/time -o "$work/time" -f '%U %S' "$@" >/dev/null 2>&1 || true
    t=$(tail -n1 "$work/time" | awk '{print $1 + $2}')
    if [ -z "$best" ] || awk "BEGIN {exit !($t < $best)}"; then best=$t; fi
  done
  echo "$best"
}
"$bin" rules --policy "$work/policy" | grep -c BENCH- | sed 's/^/rules loaded: /'
plain=$(best "$bin" scan --no-render --format json "$corpus")
with=$(best "$bin" scan --no-render --format json --policy "$work/policy" "$corpus")
added=$(awk "BEGIN {printf \"%.1f\", ($with - $plain) / $plain * 100}")
echo "plain scan: ${plain}s CPU; with 100 users' rules: ${with}s CPU; added: ${added}%"
awk "BEGIN {exit !($added <= $max)}" || { echo "bench: over ${max}%"; exit 1; }
