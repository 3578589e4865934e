#!/usr/bin/env bash
# Takes loopback traffic out of the kernel's connection tracking, or puts
# it back with --undo. Where nf_conntrack is loaded (Docker's rules load
# it), every closed loopback connection holds an entry of its table for
# the TIME_WAIT timeout (120 s by default); a new-connection load of a few
# thousand a second fills the table, and the kernel then drops SYNs,
# which the client sends again 1, 3 and 7 s later. netbench marks such
# attacks ‡ and `netbench doctor` says whether loopback is tracked.
#
# Two NOTRACK rules in the raw table (iptables), for lo only: the
# containers' traffic and the host's other interfaces keep their tracking
# (Docker's NAT needs it). Needs root. Idempotent.
set -euo pipefail
if [ "$(id -u)" != 0 ]; then
  echo "loopback-notrack: needs root (iptables)" >&2
  exit 1
fi
command -v iptables >/dev/null || { echo "loopback-notrack: no iptables (apt-get install iptables)" >&2; exit 1; }
rules=("PREROUTING -i lo -j NOTRACK" "OUTPUT -o lo -j NOTRACK")
for r in "${rules[@]}"; do
  # shellcheck disable=SC2086
  if [ "${1:-}" = --undo ]; then
    while iptables -w -t raw -C $r 2>/dev/null; do iptables -w -t raw -D $r; done
  elif ! iptables -w -t raw -C $r 2>/dev/null; then
    iptables -w -t raw -I $r
  fi
done
if [ "${1:-}" = --undo ]; then
  echo "loopback-notrack: loopback is tracked again"
else
  echo "loopback-notrack: loopback traffic is not tracked (iptables -t raw: NOTRACK on lo); --undo puts it back"
fi
