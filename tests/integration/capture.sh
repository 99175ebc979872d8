#!/usr/bin/env bash
# Capture while forwarding: `capture start wire0 FILE 20` during pings writes a pcapng that
# tshark reads with exactly 20 packets, a path capture (kernel) holds the echo requests, and
# every ping is answered meanwhile.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark is not installed (tools/install-deps)"; exit 77; }

export LAB_PREFIX=tpc-
lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d /tmp/tripath-cap.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"

# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"

cleanup() {
	stop_tripath
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

"$lab" down >/dev/null 2>&1 || true
"$lab" up
sed -e 's/file_prefix: tripath-lab/file_prefix: tripath-cap/' "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"

# wait_idle: until `show capture` says the capture's file is closed.
wait_idle() {
	for _ in $(seq 1 100); do
		ctl show capture | grep -q "capture: idle" && return 0
		sleep 0.1
	done
	ctl show capture
	fail "the capture never finished"
}

echo "== refused: unknown target, no capture running"
out=$(ctl capture start nosuch "$work/x.pcapng" 2>&1) && fail "unknown target accepted: $out"
grep -q "cannot capture 'nosuch'" <<<"$out" || fail "unknown target: $out"
out=$(ctl capture stop 2>&1) && fail "capture stop without a capture: $out"
grep -q "no capture is running" <<<"$out" || fail "capture stop without a capture: $out"

echo "== capture start wire0 FILE 20 during 30 pings"
ctl capture start wire0 "$work/wire0.pcapng" 20 | tee /dev/stderr | grep -q "Capturing port wire0" || fail "capture start"
"$lab" exec-client ping -c 30 -i 0.05 -w 20 10.77.0.1 >/dev/null || fail "pings lost while capturing"
wait_idle
status=$(ctl show capture)
echo "$status"
grep -q "written 20 packets of 20" <<<"$status" || fail "show capture: expected 20 written"
grep -q "capture_ring_full 0" <<<"$status" || fail "show capture: ring full during a ping"
n=$(tshark -r "$work/wire0.pcapng" 2>/dev/null | wc -l)
[ "$n" = 20 ] || fail "tshark read $n packets, expected 20"
requests=$(tshark -r "$work/wire0.pcapng" -Y "icmp.type == 8 && ip.dst == 10.77.0.1" 2>/dev/null | wc -l)
[ "$requests" -ge 15 ] || fail "expected the client's echo requests in the file, tshark found $requests"

echo "== capture start kernel FILE ... capture stop"
ctl capture start kernel "$work/kernel.pcapng" | grep -q "Capturing path kernel" || fail "capture start kernel"
"$lab" exec-client ping -c 5 -i 0.1 -w 10 10.77.0.1 >/dev/null || fail "pings lost while capturing path kernel"
ctl capture stop | tee /dev/stderr | grep -q "capture: idle" || fail "capture stop did not close the file"
requests=$(tshark -r "$work/kernel.pcapng" -Y "icmp.type == 8" 2>/dev/null | wc -l)
[ "$requests" = 5 ] || fail "path kernel capture: $requests echo requests, expected 5"
replies=$(tshark -r "$work/kernel.pcapng" -Y "icmp.type == 0" 2>/dev/null | wc -l)
[ "$replies" = 0 ] || fail "path kernel capture holds $replies replies: it must hold only what the worker hands to path A"

echo "== forwarding after the captures"
"$lab" exec-client ping -c 3 -i 0.1 -w 10 10.77.0.1 >/dev/null || fail "ping after the captures"
drops=$(ctl show path stats | awk '$1 == "drops:" {print $2}')
[ "$drops" = 0 ] || fail "expected no drops, saw $drops"
echo "PASS"
