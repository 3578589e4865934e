#!/usr/bin/env bash
# fork against fork+exec, on one table: what starting a connection's
# process costs in the blog's Python server (os.fork of a warm interpreter,
# by multiprocessing's fork start method) and in netmodels' fork model
# (fork+exec of netchild), beside the floor of any process start (an empty
# static binary, and /bin/true). Every figure is CPU time (user + system)
# per start, measured in this one run on CPU $CPU (default 0):
#
#   1. per start, apart from any server: scripts/startcost for the execs
#      (the children's rusage), a Python loop for the forks (the parent's
#      and the children's rusage: a fork's cost is mostly the parent's
#      copy of its page tables);
#   2. per answer, in a server: netbench run's hello-close (50
#      connections, a new one per request) on py-fork, fork, and the
#      one-at-a-time servers of both languages, with a whole CPU.
#
# Usage: scripts/fork-vs-exec.sh [OUT]   (make build first; needs python3)
set -euo pipefail
cd "$(dirname "$0")/.."
CPU=${CPU:-0}
GEN=${GEN:-1}
OUT=${1:-$(mktemp -d)}
PY=${NETMODELS_PYTHON:-/usr/bin/python3}
mkdir -p "$OUT"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'package main\n\nfunc main() {}\n' > "$tmp/empty.go"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$tmp/empty" "$tmp/empty.go"
CGO_ENABLED=0 go build -o "$tmp/startcost" ./scripts/startcost
{
  echo "# $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $($PY --version 2>&1), $(go version | cut -d' ' -f3)"
  echo "## exec, per start (children's CPU), 3 rounds of 400"
  NETMODELS_CHILD=fork GOMAXPROCS=1 taskset -c "$CPU" "$tmp/startcost" /bin/true "$tmp/empty" bin/netchild
  echo "## Python fork, per start (parent's and children's CPU), 3 rounds of 400"
  taskset -c "$CPU" "$PY" - <<'PYEOF'
import multiprocessing, os, resource, time
ctx = multiprocessing.get_context("fork")
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
def osfork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
def mpfork():
    p = ctx.Process(target=int)
    p.start()
    p.join()
n = 400
for r in range(3):
    for name, f in (("os.fork+_exit+waitpid", osfork), ("multiprocessing fork", mpfork)):
        c, t = cpu(), time.perf_counter()
        for i in range(n):
            f()
        print("%-22s cpu %6.0f us  wall %6.0f us" % (name, (cpu() - c) / n * 1e6, (time.perf_counter() - t) / n * 1e6))
PYEOF
} | tee "$OUT/starts.txt"
echo "## per answer in a server: hello-close, a whole CPU" | tee -a "$OUT/starts.txt"
taskset -c "$GEN" bin/netbench run -out "$OUT" -server-cpus "$CPU" -server-cpu 1 \
  -models py-fork,fork,py-single,iterative -scenarios hello-close -duration 5s 2>/dev/null | grep '^|' | tee -a "$OUT/starts.txt"
