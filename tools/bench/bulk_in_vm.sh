#!/usr/bin/env bash
# Inside the soft-RoCE VM (tools/bench/bulk boots it): the same bulk frames from west's wire to
# a far wire, once over path C (west -> RDMA -> east -> east's wire) and once over path A (west
# -> TAP -> the kernel forwards -> TAP -> west's wire). Prints one "RESULT {json}" line per run.
#   bulk_in_vm.sh BUILD_DIR INPUT_DIR REPS
# INPUT_DIR holds SIZE.pcap files; CPU is the whole VM's busy time (/proc/stat: user, system,
# irq, softirq: rxe's RDMA work and the kernel's forwarding included) while the run moves them.
set -uo pipefail
build=$1 inputs=$2 reps=$3
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TRIPATH=$build/app/tripath/tripath
TRIPATHCTL=$build/app/tripathctl/tripathctl
work=$(mktemp -d /tmp/bench-bulk.XXXXXX)
hz=$(getconf CLK_TCK)

ctl() { timeout 20 "$TRIPATHCTL" -s "$work/$1.sock" "${@:2}"; }
die() { echo "bench: $*" >&2; tail -20 "$work"/*.log >&2; exit 1; }
busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
now_ns() { date +%s%N; }
num() { sed -nE "s/.*$1 *([0-9]+).*/\1/p" | head -1; }

printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' >"$work/empty.pcap"

# config NAME PATH_RULE KERN_PORT RX_PCAP TX_PCAP PEER_LINE KERNEL_RING BULK_RING
# Only the path under test gets a ring that holds a whole run (16 MiB = 11,000 frames): the
# pool is sized from the rings and the VM's memory is not endless.
config() {
	cat >"$work/$1.yaml" <<YAML
eal: { lcores: "0-1", main_lcore: 0, hugepages: off, memory_mb: 1024, file_prefix: tpb-$1 }
ports:
  - { name: wire, driver: pcap, args: { rx_pcap: $4, tx_pcap: $5 } }
  - $3
lcores:
  - { id: 0, role: control, idle: { sleep_max_us: 100 } }
  - { id: 1, role: worker, poll: [{ port: wire, queue: 0 }], idle: { sleep_max_us: 100 } }
paths:
  kernel: { ring_size: $7, taps: [{ wire: wire, tap: kern }] }
  bulk: { device: rxe0, gid_index: 1, ring_size: $8, peers: [$6] }
rules:
  - { name: sync, priority: 10, match: { dst: 10.88.0.0/16 }, $2 }
  - { name: default, priority: 65535, path: kernel }
YAML
}

# start NAME: forwarding waits for `start` (-i on a pipe that stays open).
start() {
	mkfifo "$work/$1.stdin"
	sleep 100000 >"$work/$1.stdin" &
	"$TRIPATH" -c "$work/$1.yaml" --socket "$work/$1.sock" -i <"$work/$1.stdin" >"$work/$1.log" 2>&1 &
	eval "pid_$1=$!"
	for _ in $(seq 1 300); do
		ctl "$1" show lcores >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "$1 did not come up"
}

stop() {
	local pid
	eval "pid=\$pid_$1"
	kill -TERM "$pid" 2>/dev/null
	timeout 30 tail --pid="$pid" -f /dev/null || kill -KILL "$pid"
	rm -f "$work/$1.stdin" "$work/$1.sock"
}

# run SIZE PATH REP: one measured transfer of SIZE.pcap.
run() {
	local size=$1 path=$2 rep=$3 input="$inputs/$1.pcap"
	local frames bytes
	# No process substitution: the VM has no /dev/fd.
	set -- $(python3 "$src/tests/rdma/bulk_frames.py" count "$input")
	frames=$1 bytes=$3
	if [ "$path" = C ]; then
		config east "path: bulk, peer: west" "{ name: kern, driver: null, args: { no-rx: \"1\" } }" \
			"$work/empty.pcap" "$work/east-out.pcap" '{ name: west, listen: "10.99.0.1:7480" }' 1024 1024
		config west "path: bulk, peer: east" "{ name: kern, driver: null, args: { no-rx: \"1\" } }" \
			"$input" "$work/west-out.pcap" '{ name: east, address: "10.99.0.1:7480" }' 1024 16384
		start east
		ctl east start >/dev/null
		start west
		for _ in $(seq 1 300); do ctl west show bulk | grep -q ": up," && break; sleep 0.2; done
		moved() { ctl east show path stats | num 'emitted to TAP or wire'; }
	else
		config west "path: kernel" "{ name: kern, driver: tap, args: { iface: tpa0, mac: \"02:74:70:00:00:01\" } }" \
			"$input" "$work/west-out.pcap" '{ name: east, address: "10.99.0.1:7480" }' 16384 1024
		start west
		# The kernel forwards the frames back out of the TAP towards a static next hop.
		ip link set tpa0 up txqueuelen 20000 && ip addr add 10.89.0.1/24 dev tpa0 &&
			ip neigh replace 10.89.0.2 lladdr 02:74:70:00:00:99 dev tpa0 nud permanent &&
			ip route replace 10.88.0.0/16 via 10.89.0.2 dev tpa0 || die "cannot set up tpa0"
		for k in net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tpa0.rp_filter=0 \
			net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.tpa0.send_redirects=0; do
			sysctl -qw "$k"
		done
		moved() { ctl west show path stats | num 'sent on wire'; }
	fi
	local j0 t0 j1 t1 ok=false
	j0=$(busy_jiffies)
	t0=$(now_ns)
	ctl west start >/dev/null
	# Done when every frame left the far wire; given up after 10 s without progress.
	local last=-1 still=0 got
	while [ "$still" -lt 200 ]; do
		got=$(moved)
		[ "${got:-0}" -ge "$frames" ] && { ok=true; break; }
		[ "${got:-0}" = "$last" ] && still=$((still + 1)) || still=0
		last=${got:-0}
		sleep 0.05
	done
	t1=$(now_ns)
	j1=$(busy_jiffies)
	local stats fallback drops
	stats=$(ctl west show path stats)
	fallback=$(num 'carried by kernel:' <<<"$stats")
	drops=$(num 'drops:' <<<"$stats")
	stop west
	[ "$path" = C ] && stop east
	echo "RESULT {\"size\": \"$size\", \"path\": \"$path\", \"rep\": $rep, \"frames\": $frames, \"bytes\": $bytes," \
		"\"complete\": $ok, \"seconds\": $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')," \
		"\"cpu_seconds\": $(awk -v a="$j0" -v b="$j1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')," \
		"\"west_fallback_to_kernel\": ${fallback:-0}, \"west_drops\": ${drops:-0}}"
}

for rep in $(seq 1 "$reps"); do
	for f in "$inputs"/*.pcap; do
		size=$(basename "$f" .pcap)
		run "$size" C "$rep"   # side by side: C then A for each size and repetition
		run "$size" A "$rep"
	done
done
rm -rf "$work"
