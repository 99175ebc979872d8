# Sourced by the fault matrix (tests/faults/*.sh): the lab of config/lab.yaml under the
# caller's LAB_PREFIX, tripath in it (tests/integration/tripath_proc.sh), agents on both paths,
# traffic, the counters as JSON, and the one machine-readable line each fault reports:
#   RESULT fault=NAME key=value ...
# The caller exports LAB_PREFIX (unique per script) before sourcing.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${TRIPATH_AGENT:?}" "${TRIPATH_LOAD:?}" "${SOURCE_ROOT:?}" "${LAB_PREFIX:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }

lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d "/tmp/tripath-fault-${LAB_PREFIX%-}.XXXXXX")
sock="$work/ctl.sock"
log="$work/tripath.log"
bg_pids=()
load_pids=()
mounts=()

# shellcheck source=../integration/tripath_proc.sh
. "$SOURCE_ROOT/tests/integration/tripath_proc.sh"

fault_cleanup() {
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	stop_tripath
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done
	"$lab" down >/dev/null 2>&1 || true
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap fault_cleanup EXIT

now_ms() { date +%s%3N; }

# fault_lab_up: the lab, and $work/lab.yaml (lab.yaml with this script's file prefix) to edit.
fault_lab_up() {
	"$lab" down >/dev/null 2>&1 || true
	"$lab" up >/dev/null
	sed -e "s/file_prefix: tripath-lab/file_prefix: tripath-${LAB_PREFIX%-}/" "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"
}

# Agents: path B's in netns agent1 (UDP 7000-7001, reached through ag1) and path A's in netns
# host, behind the TAP (UDP 8000: the lab's default rule sends it to the kernel).
start_agents() {
	"$lab" exec-agent "$TRIPATH_AGENT" --mode udp --port 7000-7001 > "$work/agent-b.log" 2>&1 &
	bg_pids+=($!)
	"$lab" exec-host "$TRIPATH_AGENT" --mode udp --port 8000 > "$work/agent-a.log" 2>&1 &
	bg_pids+=($!)
	for _ in $(seq 1 100); do
		grep -q "tripath-agent: ready" "$work/agent-b.log" && grep -q "tripath-agent: ready" "$work/agent-a.log" && return 0
		sleep 0.1
	done
	fail "agents never became ready"
}

PATH_A_TARGET=10.77.0.1:8000
PATH_B_TARGET=10.77.1.2:7000,10.77.1.2:7001

# rpc NAME TARGET COUNT [TIMEOUT_MS]: a closed loop of COUNT requests; JSON in $work/NAME.json.
rpc() {
	"$lab" exec-client "$TRIPATH_LOAD" rpc --target "$2" --fanout 4 --count "$3" --warmup 0 \
		--timeout-ms "${4:-300}" --json "$work/$1.json" > "$work/$1.out" 2>&1 || true
}

# rpc_bg NAME TARGET SECONDS [TIMEOUT_MS]: the same for SECONDS, in the background ($! in bg_pids).
rpc_bg() {
	"$lab" exec-client "$TRIPATH_LOAD" rpc --target "$2" --fanout 4 --duration "$3" --warmup 0 \
		--timeout-ms "${4:-300}" --json "$work/$1.json" > "$work/$1.out" 2>&1 &
	bg_pids+=($!)
	load_pids+=($!)
}

# wait_loads: wait for the rpc_bg loads (not the agents).
wait_loads() {
	for p in "${load_pids[@]}"; do wait "$p" || true; done
	load_pids=()
}

# j FILE EXPR: one value of a JSON file (EXPR is Python subscripts, e.g. "['metrics']['timeouts']").
j() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval('d' + sys.argv[2]))" "$1" "$2"; }

sent() { j "$work/$1.json" "['metrics']['requests']"; }
answered() { j "$work/$1.json" "['metrics']['requests_completed']"; }
lost() { j "$work/$1.json" "['metrics']['timeouts']"; }

# snap NAME: show path stats, show port stats all and show errors as JSON in $work/NAME.*.json.
snap() {
	ctl show path stats --json > "$work/$1.paths.json" || fail "show path stats --json"
	ctl show port stats all --json > "$work/$1.ports.json" || fail "show port stats all --json"
	ctl show errors --json > "$work/$1.errors.json" || fail "show errors --json"
	ctl show port xsk --json > "$work/$1.xsk.json" || fail "show port xsk --json"
}
# xsk NAME PORT FIELD: the kernel's count for that af_xdp port's socket in snapshot NAME
# (rx_ring_full, fill_ring_empty, rx_dropped...: show port xsk).
xsk() { python3 -c "import json,sys; print(sum(x[sys.argv[3]] for x in json.load(open(sys.argv[1])) if x['name'] == sys.argv[2]))" "$work/$1.xsk.json" "$2" "$3"; }
# drop NAME REASON: that drop reason's count in snapshot NAME.
drop() { j "$work/$1.paths.json" "['drops']['$2']"; }
pathstat() { j "$work/$1.paths.json" "$2"; }
# portstat NAME PORT FIELD: a port's counter in snapshot NAME.
portstat() {
	python3 - "$work/$1.ports.json" "$2" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ports = d if isinstance(d, list) else d.get("ports", [d])
print(next(p[sys.argv[3]] for p in ports if p["name"] == sys.argv[2]))
EOF
}

# The balance must close: rx = to paths + dropped at worker + in flight, and in flight is zero
# once traffic stops (show path stats --json's balance).
balance_closes() {
	sleep 0.5
	snap "${1:-balance}"
	local inflight
	inflight=$(pathstat "${1:-balance}" "['balance']['in_flight']")
	[ "$inflight" = 0 ] || fail "balance: $inflight packets in flight after traffic stopped"
	echo "   balance: rx $(pathstat "${1:-balance}" "['balance']['rx']") = to paths $(pathstat "${1:-balance}" "['balance']['to_paths']") + dropped $(pathstat "${1:-balance}" "['balance']['dropped_at_worker']") + in flight 0"
}

# Every reason in show errors --json with a count, as "reason=N,reason=N" (show errors lists
# only reasons that counted).
counted_reasons() {
	python3 - "$work/$1.paths.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(",".join(f"{k}:{v}" for k, v in d["drops"].items() if v) or "none")
EOF
}

alive() { kill -0 "$tp_pid" 2>/dev/null || fail "tripath died"; ctl show lcores >/dev/null || fail "tripath stopped answering"; }

# wait_ok MAX_MS CMD...: run CMD until it succeeds; prints how long it took (ms), or fails.
wait_ok() {
	local max=$1 t0
	shift
	t0=$(now_ms)
	while ! "$@" >/dev/null 2>&1; do
		[ $(($(now_ms) - t0)) -lt "$max" ] || return 1
		sleep 0.05
	done
	echo $(($(now_ms) - t0))
}

# One answered RPC on each path.
path_a_ok() { echo x | "$lab" exec-client "$TRIPATH_LOAD" rpc --target "$PATH_A_TARGET" --count 1 --warmup 0 --timeout-ms 200 --json "$work/probe-a.json" >/dev/null 2>&1 && [ "$(answered probe-a)" = 1 ]; }
path_b_ok() { "$lab" exec-client "$TRIPATH_LOAD" rpc --target 10.77.1.2:7000 --count 1 --warmup 0 --timeout-ms 200 --json "$work/probe-b.json" >/dev/null 2>&1 && [ "$(answered probe-b)" = 1 ]; }

# burst COUNT DST PORT: COUNT UDP datagrams of 64 bytes from the client as fast as one core
# sends them; prints how many left the socket.
burst() {
	"$lab" exec-client python3 - "$1" "$2" "$3" <<'EOF'
import socket, sys
n, dst, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
payload = b"\0" * 22
sent = 0
for _ in range(n):
    try:
        s.sendto(payload, (dst, port))
        sent += 1
    except OSError:
        pass
print(sent)
EOF
}

# result KEY=VALUE...: the fault's measured outcome, for the log and doc/reliability.md.
result() {
	echo "RESULT $*"
	[ -z "${FAULT_RESULTS:-}" ] || echo "RESULT $*" >> "$FAULT_RESULTS"
}
