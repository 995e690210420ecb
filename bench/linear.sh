#!/usr/bin/env bash
# Linear-scaling check: generated inputs at size N and 2N, each scanned by the release binary
# (best of 5 runs, CPU time); fails when doubling the input more than doubles the time by a margin
# (ratio over 2.5). Inputs: a manifest of many Pods in the human format, a minified JSON
# `kind: List`, a Dockerfile of many RUN lines, a Dockerfile of many stages, a Dockerfile of
# many suppression comments, and a stream of NetworkPolicies and Pods in many namespaces.
# Usage: bench/linear.sh [MAX_RATIO]
set -euo pipefail
cd "$(dirname "$0")/.."
max_ratio=${1:-2.5}
cargo build --release --quiet
bin=$PWD/target/release/rampart
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$bin" "$work" "$max_ratio" <<'PY'
import json, os, subprocess, sys, time

bin, work, max_ratio = sys.argv[1], sys.argv[2], float(sys.argv[3])

def pods(n):
    return "".join(
        f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  containers:\n"
        f"    - name: c\n      image: nginx\n" for i in range(n))

def json_list(n):
    items = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i}"},
              "spec": {"containers": [{"name": "c", "image": "nginx"}]}} for i in range(n)]
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": items}, separators=(",", ":"))

def run_lines(n):
    return "FROM alpine:3.19\n" + "".join(f"RUN echo {i}\n" for i in range(n))

def stages(n):
    return "".join(f"FROM alpine:3.19 AS s{i}\nCOPY --from=s{i // 2} /a /b\n" for i in range(n))

def suppressions(n):
    return "FROM alpine:3.19\n" + "# rampart:ignore[DOCKER-001] reason\n" * n + "RUN echo\n"

def policies(n):
    return "".join(
        f"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: n{i}\n"
        f"  namespace: ns{i}\nspec:\n  podSelector: {{matchLabels: {{app: x{i}}}}}\n"
        f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: ns{i}\n"
        f"  labels: {{app: x{i}}}\nspec:\n  containers:\n    - name: c\n      image: nginx\n"
        for i in range(n))

cases = [
    # (label, generator, file name, N, format)
    ("Pods, human format", pods, "pods.yaml", 2_000, "human"),
    ("JSON List, one line", json_list, "list.json", 5_000, "json"),
    ("Dockerfile RUN lines", run_lines, "Dockerfile", 40_000, "json"),
    ("Dockerfile stages", stages, "Dockerfile", 20_000, "json"),
    ("suppression comments", suppressions, "Dockerfile", 30_000, "json"),
    ("NetworkPolicies, Pods", policies, "netpol.yaml", 3_000, "json"),
]

def once(path, fmt):
    """(CPU seconds, wall seconds) of one scan. CPU time (user + system, all threads) is what
    the ratio uses: on a shared machine wall time mostly measures the neighbours."""
    start = time.perf_counter()
    proc = subprocess.Popen([bin, "scan", "--no-progress", "--no-render", "--format", fmt,
                             "-o", "/dev/null", path], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1) or b"panicked" in stderr:
        sys.exit(f"rampart failed on {path}: {stderr.decode(errors='replace')}")
    return usage.ru_utime + usage.ru_stime, wall

def measure(paths, fmt, runs=5):
    """Best of `runs` for each path, the paths taking turns so that a change of load hits
    every size alike."""
    best = [None] * len(paths)
    for _ in range(runs):
        for i, path in enumerate(paths):
            cpu, wall = once(path, fmt)
            if best[i] is None or cpu < best[i][0]:
                best[i] = (cpu, wall)
    return best

failed = []
print(f"linear scaling (CPU time at 2N / at N, best of 5; fails over {max_ratio}):")
for label, gen, name, n, fmt in cases:
    paths = []
    for size in (n, 2 * n):
        d = os.path.join(work, f"{name}-{size}")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(gen(size))
        paths.append(path)
    (c1, w1), (c2, w2) = measure(paths, fmt)
    b1, b2 = (os.path.getsize(p) for p in paths)
    ratio = c2 / max(c1, 1e-3)
    verdict = "ok" if ratio <= max_ratio else "NOT LINEAR"
    print(f"  {label:<22} N={n:>6} ({b1 / 1e6:4.1f} MB) {c1:5.2f} s CPU ({w1:5.2f} s wall)   "
          f"2N={2 * n:>6} ({b2 / 1e6:4.1f} MB) {c2:5.2f} s CPU ({w2:5.2f} s wall)   "
          f"ratio {ratio:4.2f}  {verdict}")
    if ratio > max_ratio:
        failed.append(label)
if failed:
    sys.exit(f"linear scaling: {', '.join(failed)} grew more than {max_ratio}x when doubled")
PY
