#!/bin/bash
# Three shards against one attacker, natively, for docs/distributed.md:
# epoll on CPU 0, every generator on CPU 1; in turns, twice: (a) one
# attacker at 6000/s, (b) one shard alone at 2000/s, (c) three shards of
# 2000/s together, merged. Prints offered, answers/s, p50 and p99 of each.
# Needs make build first and a free port 18123; takes about 80 s.
set -e
OUT=${OUT:-/tmp/netmodels-shard-p50}
cd "$(dirname "$0")/.."
rm -rf $OUT; mkdir -p $OUT
taskset -c 0 bin/netserver -model epoll -addr 127.0.0.1:18123 >$OUT/server.log 2>&1 & SP=$!
trap 'kill $SP' EXIT
sleep 1
B="taskset -c 1 bin/netbench run -url http://127.0.0.1:18123 -pid $SP -name epoll -scenarios open-6000 -warmup 0s"
for round in 1 2; do
  mkdir -p $OUT/a$round $OUT/b$round $OUT/c$round
  $B -out $OUT/a$round >/dev/null 2>&1
  $B -shard 0/3 -out $OUT/b$round >/dev/null 2>&1
  for i in 0 1 2; do $B -shard $i/3 -start-at next:4s -out $OUT/c$round >/dev/null 2>&1 & done; wait %2 %3 %4 2>/dev/null || wait
  sleep 1
  mkdir -p $OUT/m$round
  bin/netbench merge $OUT/m$round $OUT/c$round/2*/ >/dev/null 2>&1
done
for d in $OUT/a1 $OUT/b1 $OUT/m1 $OUT/a2 $OUT/b2 $OUT/m2; do
  python3 - "$d" <<'PY'
import json,glob,sys
d=sys.argv[1]
f=glob.glob(d+'/*/summary.json')
s=json.load(open(f[0]))[0]
print(d, 'offered', round(s['offered_rps']), 'answers', round(s['throughput_rps'],1), 'p50', round(s['p50_ms'],3), 'p99', round(s['p99_ms'],3), 'gen', round(s['harness_cpu_share'],2))
PY
done
