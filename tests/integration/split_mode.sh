#!/usr/bin/env bash
# Split mode end to end: tripath's XDP classifier on the wire veth passes kernel-path frames
# to the host's own stack at the driver (ping answered with no worker involved), drops what a
# rule drops, redirects fast-path frames into the XSK for the worker, and a rule added from
# the shell reaches the XDP maps at once.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }

client=tps-client
host=tps-host
work=$(mktemp -d /tmp/tripath-split.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"
pids=()
# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	stop_tripath
	ip netns del "$client" 2>/dev/null || true
	ip netns del "$host" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
stat_of() { sed -n "s/^ *$1: \([0-9]*\) packets.*/\1/p" <<<"$2" | head -1; }

ip netns del "$client" 2>/dev/null || true
ip netns del "$host" 2>/dev/null || true
ip netns add "$client"
ip netns add "$host"
ip link add cl-wire netns "$client" type veth peer name wire0 netns "$host"
ip -n "$client" link set lo up
ip -n "$host" link set lo up
ip netns exec "$client" ethtool -K cl-wire tx off >/dev/null
ip -n "$client" addr add 10.78.0.2/24 dev cl-wire
ip -n "$client" link set cl-wire up
# In split mode the wire interface keeps its address: the kernel answers on it directly.
ip -n "$host" addr add 10.78.0.1/24 dev wire0
ip -n "$host" link set wire0 up

cat > "$work/split.yaml" <<'YAML'
eal: { lcores: "0-1", main_lcore: 0, memory_mb: 256, hugepages: auto, file_prefix: tripath-split }
ports:
  - { name: wire0, driver: af_xdp, ingress: split, args: { iface: wire0 } }
  - { name: agent0, driver: "null", args: { no-rx: 1 } }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  fast: { endpoints: [{ name: agent, port: agent0 }] }
rules:
  - { name: rpc, priority: 10, match: { proto: udp, dst_port: 7000 }, path: fast, endpoint: agent }
  - { name: blocked, priority: 10, match: { proto: udp, dst_port: 7001 }, path: drop }
  - { name: default, priority: 65535, path: kernel }
YAML

start_tripath "$host" "$work/split.yaml"
ctl show xdp stats | grep -q "3 rules in force" || fail "split port did not get the rules: $(ctl show xdp stats)"

echo "== ping: kernel path at the driver"
ip netns exec "$client" ping -c 5 -i 0.2 -w 10 10.78.0.1 || fail "ping through XDP_PASS"

echo "== UDP 7000 (fast) and 7001 (dropped)"
for i in $(seq 1 20); do echo "rpc $i" | ip netns exec "$client" socat -u - UDP4:10.78.0.1:7000; done
for i in $(seq 1 10); do echo "blocked $i" | ip netns exec "$client" socat -u - UDP4:10.78.0.1:7001; done
sleep 0.5
xdp=$(ctl show xdp stats)
echo "$xdp"
[ "$(stat_of fast "$xdp")" = 20 ] || fail "XDP should have redirected 20 fast frames"
[ "$(stat_of drop "$xdp")" = 10 ] || fail "XDP should have dropped 10 frames"
[ "$(stat_of kernel "$xdp")" -ge 5 ] || fail "the 5 pings should have passed to the kernel"
paths=$(ctl show path stats)
rx=$(sed -n 's/.*RX-packets: \([0-9]*\).*/\1/p' <<<"$paths")
[ "$rx" = 20 ] || fail "the worker should have taken exactly the 20 fast frames, took $rx: $paths"
grep -Eq "^ +fast +20 " <<<"$paths" || fail "the 20 fast frames must go to the endpoint (path B): $paths"

echo "== a rule from the shell reaches XDP"
ip netns exec "$host" socat UDP4-RECVFROM:7001,fork EXEC:/bin/cat & pids+=($!)
sleep 0.3
ctl rule add "{name: open7001, priority: 5, match: {proto: udp, dst_port: 7001}, path: kernel}" || fail "rule add"
got=$(echo "hello-7001" | ip netns exec "$client" socat -t 3 - UDP4:10.78.0.1:7001)
[ "$got" = "hello-7001" ] || fail "UDP 7001 after rule add returned '$got'"
ctl show xdp stats | grep -q "4 rules in force" || fail "XDP maps did not get the new rule"
echo "PASS"
