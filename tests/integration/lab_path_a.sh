#!/usr/bin/env bash
# Path A end to end in namespaces: from netns client, ping (v4 and v6), a UDP request/response
# and TCP connections (one carrying 2 MB, checked by hash) reach servers in the host namespace
# through tripath (af_xdp wire port -> worker -> TAP -> kernel, and back), and the counters
# show the packets on path A with nothing dropped or stuck.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }

export LAB_PREFIX=tpt-
lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d /tmp/tripath-it.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"
pids=()

# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	stop_tripath
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

"$lab" down >/dev/null 2>&1 || true
"$lab" up
# HUGEPAGES=off runs the same test the way a host without hugepages would (--no-huge).
sed -e 's/file_prefix: tripath-lab/file_prefix: tripath-it/' \
    -e "s/hugepages: auto/hugepages: ${HUGEPAGES:-auto}/" "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"

start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
if [ "${HUGEPAGES:-auto}" = off ]; then
	grep -q -- "--no-huge" "$log" || fail "hugepages: off did not run EAL with --no-huge"
fi

# Servers live in the kernel of netns host, behind the TAP.
"$lab" exec-host socat UDP4-RECVFROM:7001,fork EXEC:/bin/cat & pids+=($!)
"$lab" exec-host socat TCP4-LISTEN:7002,reuseaddr,fork EXEC:/bin/cat & pids+=($!)
"$lab" exec-host socat TCP4-LISTEN:7003,reuseaddr SYSTEM:sha256sum & pids+=($!)
"$lab" exec-host socat TCP6-LISTEN:7004,reuseaddr,fork EXEC:/bin/cat & pids+=($!)
sleep 0.5

echo "== ping 10.77.0.1"
"$lab" exec-client ping -c 5 -i 0.2 -w 15 10.77.0.1 || fail "IPv4 ping through path A"
echo "== ping fd77::1"
"$lab" exec-client ping -6 -c 3 -i 0.2 -w 15 fd77::1 || fail "IPv6 ping through path A"

echo "== UDP request/response"
got=$(echo "udp-request-1" | "$lab" exec-client socat -t 3 - UDP4:10.77.0.1:7001)
[ "$got" = "udp-request-1" ] || fail "UDP echo returned '$got'"

echo "== TCP echo over IPv4 and IPv6"
got=$(echo "tcp-hello" | "$lab" exec-client socat -t 3 - TCP4:10.77.0.1:7002)
[ "$got" = "tcp-hello" ] || fail "TCP echo returned '$got'"
got=$(echo "tcp6-hello" | "$lab" exec-client socat -t 3 - TCP6:[fd77::1]:7004)
[ "$got" = "tcp6-hello" ] || fail "TCP/IPv6 echo returned '$got'"

echo "== TCP 2 MB, checked by hash"
head -c 2000000 /dev/urandom > "$work/blob"
want=$(sha256sum < "$work/blob" | cut -d' ' -f1)
got=$("$lab" exec-client socat -t 10 -T 30 TCP4:10.77.0.1:7003 - < "$work/blob" | cut -d' ' -f1)
[ "$got" = "$want" ] || fail "2 MB over TCP: hash '$got' != '$want'"

sleep 0.5 # let the last frames leave the rings before reading the counters
stats=$(ctl show path stats)
echo "$stats"
kernel_pkts=$(awk '$1 == "kernel" && $2 ~ /^[0-9]+$/ {print $2}' <<<"$stats")
drops=$(awk '$1 == "drops:" {print $2}' <<<"$stats")
in_flight=$(sed -n 's/.*in flight \(-\?[0-9]*\).*/\1/p' <<<"$stats")
into_tap=$(sed -n 's/.*into TAP \([0-9]*\),.*/\1/p' <<<"$stats")
on_wire=$(sed -n 's/.*sent on wire \([0-9]*\).*/\1/p' <<<"$stats")
[ "${kernel_pkts:-0}" -gt 1300 ] || fail "expected >1300 packets on path A, saw '${kernel_pkts}'"
[ "$drops" = "0" ] || fail "expected no drops, saw $drops"
[ "$in_flight" = "0" ] || fail "expected nothing in flight, saw $in_flight"
[ "$into_tap" = "$kernel_pkts" ] || fail "path A enqueued $kernel_pkts but $into_tap reached the TAP"
[ "${on_wire:-0}" -gt 50 ] || fail "expected the kernel's replies on the wire, saw '$on_wire'"

ports=$(ctl show port stats all)
echo "$ports"
grep -q "NIC statistics for port .* (wire0)" <<<"$ports" || fail "show port stats all lacks wire0"
ctl show lcores
ctl show port info all

echo "== stats on SIGUSR1"
kill -USR1 "$tp_pid"
for _ in $(seq 1 50); do grep -q "path statistics" "$log" && break; sleep 0.1; done
grep -q "path statistics" "$log" || fail "SIGUSR1 printed no stats"

echo "== totals on SIGTERM"
kill -TERM "$tp_pid"
wait "$tp_pid" || fail "tripath exited non-zero on SIGTERM"
tp_pid=
grep -q "path statistics" "$log" || fail "no totals printed at exit"
grep -q "Bye" "$log" || fail "no clean exit"
echo "PASS"
