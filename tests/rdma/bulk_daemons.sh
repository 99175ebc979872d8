#!/usr/bin/env bash
# Path C end to end, inside the soft-RoCE VM (run by bulk_daemons_vm.sh): two tripath daemons,
# "west" sending and "east" receiving, over rxe0 (one device, two RC QPs), each with a pcap
# wire and a null port standing in for its TAP.
#   transfer: 64 MiB of bulk frames read by west from a pcap cross to east and leave on east's
#             wire, every byte compared; west's first batch carries a wrong rkey, so a remote
#             access error is reported and survived on the way.
#   kill:     east is killed (SIGKILL) mid-stream: west falls back to path A, counting; a new
#             east comes up and path C resumes; west's accounts balance.
#   [BULK_DEVICE=rxe0 BULK_GID=1 BULK_ADDR=10.99.0.1] bulk_daemons.sh BUILD_DIR INPUT_PCAP
# The variables run it unchanged on a host with an RDMA NIC (doc/rdma.md, "On real RDMA NICs").
set -uo pipefail
build=$1
input=$2
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TRIPATH=$build/app/tripath/tripath
TRIPATHCTL=$build/app/tripathctl/tripathctl
frames=$src/tests/rdma/bulk_frames.py
device=${BULK_DEVICE:-rxe0} gid=${BULK_GID:-1} addr=${BULK_ADDR:-10.99.0.1}
work=$(mktemp -d /tmp/bulk-daemons.XXXXXX)
pids=()

fail() {
	echo "FAIL: $*"
	for f in "$work"/*.log; do echo "---- $f"; tail -40 "$f"; done
	kill -KILL "${pids[@]}" 2>/dev/null
	exit 1
}
# A daemon whose control loop is stuck must fail the test, not hang it.
ctl() { timeout 20 "$TRIPATHCTL" -s "$work/$1.sock" "${@:2}"; }

# config NAME PEER ROLE ADDR RX_ARGS TX_FILE BULK_RING MEMORY_MB
config() {
	cat >"$work/$1.yaml" <<EOF
eal: { lcores: "0-1", main_lcore: 0, hugepages: off, memory_mb: $8, file_prefix: tp-$1 }
ports:
  - { name: wire, driver: pcap, args: { $5, tx_pcap: $6 } }
  - { name: kern, driver: null, args: { no-rx: "1" } }
lcores:
  - { id: 0, role: control, idle: { sleep_max_us: 100 } }
  - { id: 1, role: worker, poll: [{ port: wire, queue: 0 }], idle: { sleep_max_us: 100 } }
paths:
  kernel: { taps: [{ wire: wire, tap: kern }] }
  bulk:
    device: $device
    gid_index: $gid
    ring_size: $7
    reconnect_ms: 300
    peers: [{ name: $2, $3: "$4" }]
rules:
  - { name: sync, priority: 10, match: { dst: 10.88.0.0/16 }, path: bulk, peer: $2 }
  - { name: default, priority: 65535, path: kernel }
EOF
}

# start NAME [tripath options]: run it and wait for its control socket.
start() {
	local name=$1
	shift
	# stdin named on the command itself: a background job's stdin is otherwise /dev/null.
	"$TRIPATH" -c "$work/$name.yaml" --socket "$work/$name.sock" "$@" <"${stdin_of:-/dev/null}" >>"$work/$name.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	eval "pid_$name=$pid"
	for _ in $(seq 1 300); do
		ctl "$name" show lcores >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || fail "$name exited during start-up"
		sleep 0.2
	done
	fail "$name: control socket never answered"
}

# start_interactive NAME: like start, but forwarding waits for `start` over the socket.
start_interactive() {
	mkfifo "$work/$1.stdin"
	sleep 100000 >"$work/$1.stdin" &
	pids+=("$!")
	stdin_of="$work/$1.stdin" start "$1" -i
}

stop() {
	local pid
	eval "pid=\$pid_$1"
	kill -TERM "$pid" 2>/dev/null
	timeout 30 tail --pid="$pid" -f /dev/null || { kill -KILL "$pid"; fail "$1 did not stop on SIGTERM"; }
}

# field NAME REGEX: the first number after REGEX in `show bulk`.
field() { ctl "$1" show bulk | sed -nE "s/.*$2 *([0-9]+).*/\1/p" | head -1; }

# wait_for SECONDS WHAT CMD...: until CMD succeeds.
wait_for() {
	local secs=$1 what=$2
	shift 2
	echo "waiting for $what"
	for i in $(seq 1 $((secs * 5))); do
		"$@" && return 0
		sleep 0.2
		[ $((i % 50)) -eq 0 ] && { echo "  still waiting ($((i / 5)) s):"; ctl west show bulk | head -4; ctl west show path stats | grep -E "RX-packets|bulk|kernel|drops|balance"; tail -3 "$work/west.log"; }
	done
	fail "waited ${secs}s for $what"
}

expected_frames=$(python3 "$frames" count "$input" | cut -d' ' -f1)
echo "input: $(python3 "$frames" count "$input")"

# ---- transfer ---------------------------------------------------------------------------
python3 - "$work/empty.pcap" <<'EOF'
import struct, sys
open(sys.argv[1], 'wb').write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
EOF
config east west listen $addr:7471 "rx_pcap: $work/empty.pcap" "$work/east-out.pcap" 1024 256
config west east address $addr:7471 "rx_pcap: $input" "$work/west-out.pcap" 65536 640
start east
# West waits for `start` (-i; its shell reads a pipe that stays open) until east is connected:
# traffic before that would rightly take path A and this test wants every byte on path C.
start_interactive west
ctl west bulk inject wrong-rkey east
up() { ctl "$1" show bulk | grep -q ": up,"; }
wait_for 120 "west: connected to east" up west
ctl west start
acked() { [ "$(field west 'acked:')" = "$expected_frames" ]; }
wait_for 240 "west: all $expected_frames frames acknowledged by east" acked
wait_for 60 "east: all $expected_frames frames received" \
	bash -c "[ \"\$($TRIPATHCTL -s $work/east.sock show bulk | sed -nE 's/.*received: *([0-9]+).*/\1/p')\" = $expected_frames ]"
ctl west show bulk
ctl east show bulk
west_bulk=$(ctl west show bulk)
grep -q "last error remote_access" <<<"$west_bulk" || fail "west never reported the remote access error"
grep -qE "reconnects [1-9]" <<<"$west_bulk" || fail "west did not reconnect after the remote access error"
grep -qE "fallback to path A: 0 packets" <<<"$west_bulk" || fail "west fell back during the transfer"
stop east
stop west
python3 "$frames" compare "$input" "$work/east-out.pcap" || fail "what left east is not what entered west"
grep -q "drops: 0" "$work/east.log" || fail "east dropped packets"
echo "PASS transfer: $expected_frames frames over path C, byte for byte; wrong rkey reported and survived"

# ---- kill ---------------------------------------------------------------------------------
python3 "$frames" gen "$work/loop.pcap" --bytes 1500000 >/dev/null
config east west listen $addr:7472 "rx_pcap: $work/empty.pcap" "$work/east2-out.pcap" 1024 256
config west east address $addr:7472 "rx_pcap: $work/loop.pcap, infinite_rx: 1" "$work/west2-out.pcap" 4096 384
: >"$work/east.log"
: >"$work/west.log"
start east
start west
acked_over() { [ "$(field west 'acked:')" -gt "$1" ] 2>/dev/null; }
wait_for 120 "west: path C carrying traffic" acked_over 2000
kill -KILL "$pid_east"
wait "$pid_east" 2>/dev/null
down() { ctl west show bulk | grep -q ": down,"; }
wait_for 60 "west: peer east seen down" down
fb1=$(field west 'fallback to path A:')
carried() { [ "$(ctl west show path stats | sed -nE 's/.*carried by kernel: *([0-9]+).*/\1/p')" -gt 1000 ]; }
wait_for 60 "west: bulk traffic on path A while east is gone" carried
config east west listen $addr:7472 "rx_pcap: $work/empty.pcap" "$work/east3-out.pcap" 1024 256
start east
wait_for 60 "west: east back up" up west
received() { [ "$(ctl east show bulk | sed -nE 's/.*received: *([0-9]+).*/\1/p')" -gt 1000 ] 2>/dev/null; }
wait_for 120 "the new east: path C resumed" received
ctl west stop >/dev/null
ctl west show bulk
stats=$(ctl west show path stats)
echo "$stats"
grep -qE "in flight 0$" <<<"$stats" || fail "west's balance does not close: $(grep balance <<<"$stats")"
west_bulk=$(ctl west show bulk)
grep -qE "losses [1-9]" <<<"$west_bulk" || fail "west did not count the loss"
# Every bulk verdict west handed to the bulk lcore: acknowledged by an east, carried by path A,
# or stranded at stop (shutdown, which may also hold a few of path A's own packets).
to_bulk=$(sed -nE 's/^ *bulk +([0-9]+) .*/\1/p' <<<"$stats")
acked=$(sed -nE 's/.*acked: *([0-9]+).*/\1/p' <<<"$west_bulk")
fallback=$(sed -nE 's/.*fallback to path A: *([0-9]+).*/\1/p' <<<"$west_bulk")
stranded=$(sed -nE 's/^ *shutdown +([0-9]+).*/\1/p' <<<"$stats")
echo "west: to bulk $to_bulk = acknowledged $acked + path A $fallback + stranded at stop ${stranded:-0}"
[ $((acked + fallback)) -le "$to_bulk" ] && [ "$to_bulk" -le $((acked + fallback + ${stranded:-0})) ] ||
	fail "west's bulk packets do not add up"
# Whatever west dropped is under a named reason; only these may appear here. West's wire is an
# endless pcap, far more than its exception lcore drains (kernel_ring_full): the bulk lcore's
# fallback meets the same full path A ring (bulk_emit_full), above all when east's unacknowledged
# batches all fall back at once.
bad=$(sed -n '/drops:/,/balance/p' <<<"$stats" | grep -vE "drops:|balance|shutdown|bulk_ring_full|bulk_emit_full|tap_tx_full|kernel_ring_full" || true)
[ -z "$bad" ] || fail "unexpected drop reasons: $bad"
stop east
stop west
echo "PASS kill: fell back to path A after ${fb1:-0} in-flight packets, resumed on the new peer, accounts balance"
rm -rf "$work"
