#!/bin/bash
# Three shards against one attacker, for docs/distributed.md: does splitting
# open-6000 (GET /hello, keep-alive, 6000/s for 10 s) into three attackers of
# 2000/s move its answers/s, p50 or p99? epoll on CPU 0 with its whole CPU,
# every generator on CPU 1. The two setups run in turns, ROUNDS times, the
# order swapped every round so a drift of the machine falls on both; the
# summary gives each setup's median over the rounds and the median of the
# per-round ratios (three shards over one attacker) with a distribution-free
# interval for it (the narrowest between order statistics that holds the
# true median ratio with 95% confidence or more, the extremes where none
# does; the confidence is printed: 98% for 10 rounds, the 2nd smallest to
# the 2nd largest ratio; 97% for 6, the extremes; 96% for 20, the 6th). Each run's steal is
# the most the hypervisor took of a CPU during it (summary.json's steal);
# the ratios are given again over the calm rounds, those where neither
# setup lost 1% or more (summary.StealLimit).
#
#   ENGINE=native (default): netbench processes on this host, a free port
#     18123; also one shard alone at 2000/s each round (LONE=1, default).
#   ENGINE=compose: make shards SHARDS=3 against make shards SHARDS=1
#     (images built by make images; about 35 s a run).
#   STAMPS=1: every generator runs with -rx-stamps, so that
#     latencies end when the kernel received each answer and the wait for
#     the generator to read it is kept apart (the read wait column); the
#     read p99 column is the same attack's p99 had it ended at the read,
#     and the ratios are given on both clocks (p99 and read p99).
#   STAMPS=2: -rx-stamps and -tx-stamps, so that latencies also start
#     when the kernel sent each request: the kernel's clock at both ends,
#     the wait for the generator to send kept apart too (the send wait
#     column).
#   CGROUPS=1 (native only): every generator process in a cpu cgroup of
#     its own, as each compose replica is in its container's, so that the
#     kernel schedules the shards as groups (cgroup v1, as root).
#
# The summary is scripts/shard-p50.py's, which also pools the rounds of
# several runs (python3 scripts/shard-p50.py OUT1 OUT2).
#
# Needs make build first. ROUNDS (default 10): native takes about 40 s a
# round, compose about 75 s. Files under OUT (default /tmp/netmodels-shard-p50).
set -e
ROUNDS=${ROUNDS:-10}
ENGINE=${ENGINE:-native}
LONE=${LONE:-1}
CGROUPS=${CGROUPS:-0}
STAMPS=${STAMPS:-0}
OUT=${OUT:-/tmp/netmodels-shard-p50}
cd "$(dirname "$0")/.."
rm -rf "$OUT"; mkdir -p "$OUT"

one() { # one attacker, 6000/s, into $1
  if [ "$ENGINE" = compose ]; then
    make -s shards SHARDS=1 STAMPS=$STAMPS >"$1.log" 2>&1 && mkdir -p "$1" && mv results/shards "$1/shards" && mv "$(ls -d results/2*/ | tail -1)" "$1/"
  else
    gen one -out "$1" >"$1.log" 2>&1
  fi
}
gen() { # gen NAME ARGS...: a generator process, in cgroup NAME if CGROUPS=1
  local g=$1; shift
  if [ "$CGROUPS" = 1 ]; then
    mkdir -p /sys/fs/cgroup/cpu/netmodels-p50-$g
    sh -c 'echo $$ > /sys/fs/cgroup/cpu/netmodels-p50-'$g'/tasks && exec "$@"' sh $B "$@"
  else
    $B "$@"
  fi
}
three() { # three shards of 2000/s, started together, merged into $1
  if [ "$ENGINE" = compose ]; then
    make -s shards SHARDS=3 STAMPS=$STAMPS >"$1.log" 2>&1 && mkdir -p "$1" && mv results/shards "$1/shards" && mv "$(ls -d results/2*/ | tail -1)" "$1/"
  else
    mkdir -p "$1.shards"
    pids=""
    for i in 0 1 2; do gen shard$i -shard $i/3 -start-at next:4s -out "$1.shards" >"$1.$i.log" 2>&1 & pids="$pids $!"; done
    for p in $pids; do wait $p; done
    bin/netbench merge "$1" "$1".shards/2*/ >"$1.log" 2>&1
  fi
}

if [ "$ENGINE" = native ]; then
  taskset -c 0 bin/netserver -model epoll -addr 127.0.0.1:18123 >"$OUT/server.log" 2>&1 &
  SP=$!
  trap 'kill $SP; [ "$CGROUPS" = 1 ] && rmdir /sys/fs/cgroup/cpu/netmodels-p50-* 2>/dev/null; true' EXIT
  sleep 1
  B="taskset -c 1 bin/netbench run -url http://127.0.0.1:18123 -pid $SP -name epoll -scenarios open-6000 -warmup 0s"
  if [ "$STAMPS" = 1 ]; then B="$B -rx-stamps"; fi
  if [ "$STAMPS" = 2 ]; then B="$B -rx-stamps -tx-stamps"; fi
else
  LONE=0
  make -s images >/dev/null
fi

for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then one "$OUT/one$r"; three "$OUT/three$r"; else three "$OUT/three$r"; one "$OUT/one$r"; fi
  if [ "$LONE" = 1 ]; then gen shard0 -shard 0/3 -out "$OUT/lone$r" >"$OUT/lone$r.log" 2>&1; fi
  sleep 1
done

python3 scripts/shard-p50.py "$OUT"
