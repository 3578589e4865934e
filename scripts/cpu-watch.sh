#!/bin/bash
# Every second for SECONDS (default 12), each CPU's time from /proc/stat
# in ticks of 1/100 s: user, system, idle, softirq and steal, the time the
# hypervisor gave to another guest while this one wanted to run. Run it
# beside an attack to see when the machine, not the model, stalled:
#
#   scripts/cpu-watch.sh 12 & taskset -c 1 bin/netbench run -url ... -scenarios open-6000
#
# netbench records each attack's worst steal itself (summary.json "steal",
# the ‡ mark in reports); this shows it second by second.
N=${1:-12}
snap() { grep '^cpu[0-9]' /proc/stat; }
prev=$(snap)
for i in $(seq 1 "$N"); do
  sleep 1
  cur=$(snap)
  paste <(echo "$prev") <(echo "$cur") | awk -v t="$i" '{
    n = NF / 2
    printf "%s%s us %3d sy %3d id %3d si %3d st %3d", (NR == 1 ? sprintf("%3d s  ", t) : " | "), $1,
      $(n+2)-$2, $(n+4)-$4, $(n+5)-$5, $(n+8)-$8, $(n+9)-$9
  } END { print "" }'
  prev=$cur
done
