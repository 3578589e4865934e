#!/bin/bash
# What Docker's default seccomp profile costs a server, for docs/docker.md:
# each model's container (netmodels-server, host network, CPU 0 with its
# whole CPU) under the default profile and unconfined, in turns, ROUNDS
# times; netbench natively on CPU 1 attacks it (hello-keepalive and
# hello-close, DURATION each) and reads the container's process from
# /proc for server CPU per answer. Prints one line per attack and each
# model's median CPU per answer under each profile with their ratio.
# Needs make build and make images first, and a free port 18200.
set -e
MODELS=${MODELS:-epoll thread}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-3s}
OUT=${OUT:-/tmp/netmodels-seccomp-cost}
cd "$(dirname "$0")/.."
rm -rf "$OUT"; mkdir -p "$OUT"
C=netmodels-seccomp-cost
trap 'docker rm -f $C >/dev/null 2>&1 || true' EXIT
for r in $(seq 1 "$ROUNDS"); do
  for m in $MODELS; do
    # the order of the two profiles swaps every round
    if [ $((r % 2)) = 1 ]; then profiles="default unconfined"; else profiles="unconfined default"; fi
    for p in $profiles; do
      opt=""; [ "$p" = unconfined ] && opt="--security-opt seccomp=unconfined"
      docker run -d --rm --name $C --network host --cpuset-cpus 0 $opt netmodels-server:latest \
        -model "$m" -addr 127.0.0.1:18200 >/dev/null
      sleep 1
      pid=$(docker inspect -f '{{.State.Pid}}' $C)
      d="$OUT/$m-$p-$r"
      taskset -c 1 bin/netbench run -url http://127.0.0.1:18200 -pid "$pid" -name "$m" \
        -scenarios hello-keepalive,hello-close -duration "$DURATION" -out "$d" >"$d.log" 2>&1
      docker rm -f $C >/dev/null
    done
  done
done
python3 - "$OUT" <<'PY'
import glob, json, os, statistics, sys
out = sys.argv[1]
cpu = {}
for f in sorted(glob.glob(out + '/*/*/summary.json')):
    m, p, r = os.path.basename(os.path.dirname(os.path.dirname(f))).rsplit('-', 2)
    for s in json.load(open(f)):
        print('%-10s %-10s round %s %-16s answers/s %8.0f  server CPU %6.1f us/answer  generator %.2f' % (m, p, r, s['scenario'], s['throughput_rps'], s['server_cpu_us_per_answer'], s['harness_cpu_share']))
        cpu.setdefault((m, s['scenario'], p), []).append(s['server_cpu_us_per_answer'])
print()
for (m, sc, p) in sorted(cpu):
    if p != 'default':
        continue
    d, u = statistics.median(cpu[(m, sc, 'default')]), statistics.median(cpu.get((m, sc, 'unconfined'), [float('nan')]))
    print('%-10s %-16s median server CPU us/answer: default profile %.1f, unconfined %.1f, default over unconfined %.3f' % (m, sc, d, u, d / u))
PY
