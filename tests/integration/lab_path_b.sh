#!/usr/bin/env bash
# Path B end to end in namespaces: RPCs from netns client to the agent in netns agent1 go
# wire0 -> worker -> ag1 (af_xdp endpoint) -> agent, and the answers come back ag1 -> worker ->
# wire0; every request is answered, with the agent on UDP sockets and then on its own AF_XDP
# socket. Kernel-path traffic to the agent (ping) shares the way back. Counters must balance.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${TRIPATH_AGENT:?}" "${TRIPATH_LOAD:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }

export LAB_PREFIX=tpb-
lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d /tmp/tripath-pb.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"
agent_pid=""

# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"

cleanup() {
	if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null || true; fi
	stop_tripath
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# The agents' logs too, on failure.
fail_with_agents() {
	for f in "$work"/agent-*.log; do [ -f "$f" ] && { echo "---- $f"; cat "$f"; }; done
	fail "$@"
}
json() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval('d' + sys.argv[1]))" "$2"; }

# Start the agent in its namespace and wait for its ready line.
start_agent() {
	local mode=$1
	"$lab" exec-agent "$TRIPATH_AGENT" --mode "$mode" --iface a1-eth --port 7000-7001 \
		--stats-json "$work/agent-$mode.json" > "$work/agent-$mode.log" 2>&1 &
	agent_pid=$!
	for _ in $(seq 1 100); do
		grep -q "tripath-agent: ready" "$work/agent-$mode.log" && return 0
		kill -0 "$agent_pid" 2>/dev/null || fail_with_agents "tripath-agent --mode $mode exited"
		sleep 0.1
	done
	fail_with_agents "tripath-agent --mode $mode never became ready"
}

stop_agent() {
	kill -TERM "$agent_pid"
	wait "$agent_pid" || true
	agent_pid=""
}

# RPCs with fan-out from the client; every one must be answered.
rpc_round() {
	local name=$1 size=$2 fanout=$3 count=$4
	"$lab" exec-client "$TRIPATH_LOAD" rpc --target 10.77.1.2:7000,10.77.1.2:7001 --size "$size" \
		--fanout "$fanout" --count "$count" --warmup 0 --timeout-ms 2000 --json "$work/$name.json" \
		|| fail_with_agents "tripath-load $name"
	local done timeouts
	done=$(json "$work/$name.json" "['metrics']['requests_completed']")
	timeouts=$(json "$work/$name.json" "['metrics']['timeouts']")
	echo "   $name: $done of $count answered, p50 $(json "$work/$name.json" "['metrics']['rtt_us']['p50']") us"
	[ "$done" = "$count" ] && [ "$timeouts" = 0 ] || fail "$name: $done of $count answered, $timeouts timeouts"
}

"$lab" down >/dev/null 2>&1 || true
"$lab" up
sed -e 's/file_prefix: tripath-lab/file_prefix: tripath-pb/' "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"

echo "== agent on UDP sockets"
start_agent udp
rpc_round udp-64 64 1 500
rpc_round udp-512 512 32 3200
echo "== retrieval: answers of 1-16 KiB (IP fragments on the way back)"
"$lab" exec-client "$TRIPATH_LOAD" retrieval --target 10.77.1.2:7000 --response 1024-16384 --fanout 4 \
	--count 200 --warmup 0 --timeout-ms 2000 --json "$work/retrieval.json" || fail "retrieval"
[ "$(json "$work/retrieval.json" "['metrics']['requests_completed']")" = 200 ] || fail "retrieval: not every answer came back"
echo "== ping the agent: path A there, its reply back through the endpoint"
"$lab" exec-client ping -c 3 -i 0.2 -w 10 10.77.1.2 >/dev/null || fail "ping 10.77.1.2"
stop_agent
udp_requests=$(json "$work/agent-udp.json" "['requests']")

echo "== agent on its own AF_XDP socket"
start_agent xsk
rpc_round xsk-64 64 8 2000
rpc_round xsk-256 256 32 3200
stop_agent
xsk_requests=$(json "$work/agent-xsk.json" "['requests']")

endpoints=$(ctl show endpoints)
paths=$(ctl show path stats)
echo "$endpoints"
echo "$paths"
to_agent=$(sed -n 's/.*to agent: *\([0-9]*\) packets.*/\1/p' <<<"$endpoints")
answers=$(sed -n 's/.*answers: *\([0-9]*\) packets.*/\1/p' <<<"$endpoints")
# Each request is one frame to the agent; the agents saw every one of them.
[ "$to_agent" -ge $((500 + 3200 + 200 + 2000 + 3200)) ] || fail "endpoint got $to_agent frames"
[ "$udp_requests" -ge $((500 + 3200 + 200)) ] || fail "UDP agent counted $udp_requests requests"
[ "$xsk_requests" -ge $((2000 + 3200)) ] || fail "XSK agent counted $xsk_requests requests"
[ "$answers" -ge "$to_agent" ] || fail "fewer answers ($answers) than requests ($to_agent)"
grep -q "next hop on wire0: 02:74:70:00:00:" <<<"$endpoints" && fail "next hop should be the client's MAC" || true
grep -q "learned from requests" <<<"$endpoints" || fail "next hop not learned"
grep -Eq "in flight -?[0-9]+" <<<"$paths" || fail "no balance line"
inflight=$(sed -n 's/.*in flight \(-\?[0-9]*\).*/\1/p' <<<"$paths")
[ "$inflight" = 0 ] || fail "balance: $inflight packets unaccounted for"
for reason in fast_tx_full answer_tx_full no_wire_neighbor kernel_ring_full; do
	grep -q "$reason" <<<"$paths" && fail "drops under $reason"
done
echo "PASS"
