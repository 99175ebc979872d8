#!/bin/bash
# One in-process A/B run of a measurement build (a tree with before- or after-tree-variants.patch
# applied, built with meson): tripath runs YAML for SECS seconds with TP_AB=VARIANT; its worker
# writes one line per ~100 ms window to /tmp/ab/out.PID.txt, and ab_pairs.py prints the ratios.
# YAML: a benchmark config, e.g. WORKDIR/tripath-r1000-t1.yaml left by
#   tools/bench/run --rules 1000 --tenants 1 --workdir WORKDIR
# usage: run.sh VARIANT SECS BUILD_DIR YAML
set -eu
[ $# -eq 4 ] || { echo "usage: $0 VARIANT SECS BUILD_DIR YAML" >&2; exit 2; }
V=$1 S=$2 B=$3 Y=$4
ctl="$B/app/tripathctl/tripathctl"
sock=/tmp/ab.$$.sock fifo=/tmp/ab.$$.stdin
mkdir -p /tmp/ab
mkfifo $fifo
# -i keeps the shell on stdin: a FIFO held open here, so tripath waits for commands on the socket.
TP_AB=$V "$B/app/tripath/tripath" -c "$Y" -i --no-doctor --socket $sock < $fifo > /tmp/ab/log.$$ 2>&1 &
pid=$!
exec 3> $fifo
for _ in $(seq 100); do [ -S $sock ] && break; sleep 0.2; done
"$ctl" -s $sock start > /dev/null
sleep "$S"
"$ctl" -s $sock quit > /dev/null 2>&1 || true
exec 3>&-
wait $pid || true
rm -f $sock $fifo
python3 "$(dirname "$0")/ab_pairs.py" /tmp/ab/out.$pid.txt
