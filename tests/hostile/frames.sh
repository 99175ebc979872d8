#!/usr/bin/env bash
# Hostile frames at full rate: a pcap wire replays, endlessly, every malformed and odd kind of
# frame (runts, truncated and over-deep VLAN stacks, VLAN floods, bad IPv4 versions, IHLs and
# lengths, IP options, fragments, truncated IPv6, extension chains too long or past the end,
# bad TCP offsets, truncated L4, a 9000-byte frame beyond the TAP's MTU) through path A (a real
# TAP into the kernel), path B (an endpoint) and path C (a peer that is never up: its
# traffic falls back to path A), and drop rules. tripath must stay up and answer, count each
# malformed kind under its own reason in proportion to the file, and account for every frame.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a namespace and a TAP"; exit 77; }
py=/usr/bin/python3
seconds=${HOSTILE_SECONDS:-6}
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d /tmp/tripath-hostile.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"
ns="tph-$$"
# shellcheck source=../integration/tripath_proc.sh
. "$SOURCE_ROOT/tests/integration/tripath_proc.sh"

cleanup() {
	stop_tripath
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

"$py" "$here/frames.py" "$work/hostile.pcap" "$work/hostile.json" "$work/jumbo.pcap"
ip netns add "$ns"
ip -n "$ns" link set lo up
cat > "$work/hostile.yaml" <<EOF
eal: { lcores: "0-1", main_lcore: 0, memory_mb: 256, hugepages: auto, file_prefix: tripath-hostile }
ports:
  - { name: wire0, driver: pcap, args: { rx_pcap: $work/hostile.pcap, tx_pcap: /dev/null, infinite_rx: 1 } }
  - { name: kern0, driver: tap, args: { iface: hkern0, mac: "02:74:70:00:00:01" } }
  - { name: agent0, driver: "null", args: { no-rx: 1 } }
  - { name: wire1, driver: pcap, args: { rx_pcap: $work/jumbo.pcap, tx_pcap: /dev/null } }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }, { port: wire1, queue: 0 }], idle: { enabled: false } }
paths:
  kernel: { taps: [{ wire: wire0, tap: kern0 }] }
  fast: { endpoints: [{ name: agents, port: agent0, wire: wire0 }] }
  bulk:
    reconnect_ms: 1000
    peers: [{ name: away, address: "127.0.0.1:9", wire: wire0 }]
rules:
  - { name: ssh, priority: 10, match: { proto: tcp, dst_port: 22 }, path: kernel }
  - { name: rpc, priority: 20, match: { proto: udp, dst_port: "7000-7099" }, path: fast, endpoint: agents }
  - { name: bulk, priority: 20, match: { proto: udp, dst_port: 9000 }, path: bulk, peer: away }
  - { name: blocked, priority: 30, match: { proto: udp, dst_port: 6666 }, path: drop }
  - { name: default, priority: 65535, path: kernel }
EOF
ip netns exec "$ns" "$TRIPATH" -c "$work/hostile.yaml" --socket "$sock" --no-doctor > "$log" 2>&1 &
tp_pid=$!
for _ in $(seq 1 150); do ctl show lcores >/dev/null 2>&1 && break; kill -0 "$tp_pid" || fail "tripath exited"; sleep 0.2; done
ip -n "$ns" link set hkern0 up 2>/dev/null || true

echo "== $seconds s of hostile frames at full rate"
for _ in $(seq 1 "$seconds"); do
	sleep 1
	ctl show path stats >/dev/null || fail "tripath stopped answering under hostile frames"
done
ctl stop > "$work/totals.txt" || fail "stop"
ctl show path stats --json > "$work/paths.json"
ctl show port stats all --json > "$work/ports.json"
kill -0 "$tp_pid" || fail "tripath died"

"$py" - "$work/hostile.json" "$work/paths.json" "$work/ports.json" "$seconds" <<'PY' || fail "accounts"
import json, sys
manifest, paths, ports = (json.load(open(f)) for f in sys.argv[1:4])
seconds = float(sys.argv[4])
rx, drops, per_path = paths["rx_packets"], paths["drops"], paths["paths"]
loops = rx / manifest["frames"]
print(f"hostile: {rx} frames taken in {seconds:.0f} s ({rx / seconds:,.0f}/s), {loops:.1f} passes over "
      f"{manifest['frames']} frames of {len(manifest['kinds'])} kinds")
assert loops >= 10, "too few passes over the file to judge proportions"
expected = {}
for kind in manifest["kinds"].values():
    expected[kind["expected"]] = expected.get(kind["expected"], 0) + kind["count"]
for reason, n in expected.items():
    if reason.startswith("path:"):
        continue
    got = drops[reason]
    low, high = (int(loops) - 1) * n, (int(loops) + 1) * n
    print(f"  {reason:22s} {got:>10} (file: {n} per pass)")
    assert low <= got <= high, f"{reason}: {got} not in [{low}, {high}]"
unexpected = {r: v for r, v in drops.items() if v and r not in expected and r not in
              ("kernel_ring_full", "tap_tx_full", "fast_tx_full", "wire_tx_full", "return_ring_full", "bulk_ring_full",
               "shutdown",        # on the rings when `stop` came
               "no_kernel_tap")}  # wire1 (the jumbo frames) has no TAP: its kernel-path frame ends here
assert not unexpected, f"drops under reasons no frame asked for: {unexpected}"
b = paths["balance"]
assert b["in_flight"] == 0 and b["rx"] == b["to_paths"] + b["dropped_at_worker"], b
fast_min = (int(loops) - 1) * expected["path:fast"]
assert per_path["fast"]["packets"] >= fast_min, (per_path["fast"], fast_min)
assert paths["fallback_to_kernel"] > 0, "path C's traffic (peer away) must fall back to path A"
kernel_side = paths["tap_tx_packets"] + drops["kernel_ring_full"] + drops["tap_tx_full"] + drops["shutdown"]
print(f"  path A: {per_path['kernel']['packets']} handed over, into the TAP {paths['tap_tx_packets']}, "
      f"ring full {drops['kernel_ring_full']}, TAP refused {drops['tap_tx_full']}; path B {per_path['fast']['packets']}; "
      f"fallback from path C {paths['fallback_to_kernel']}; rule drops {drops['rule_drop']}")
assert per_path["kernel"]["packets"] <= kernel_side + 64, "path A packets unaccounted for"
wire = next(p for p in ports if p["name"] == "wire0")
print(f"  wire0 port: rx {wire['rx_packets']} errors {wire['rx_errors']} nombuf {wire['rx_nombuf']} missed {wire['rx_missed']}")
jumbo = next(p for p in ports if p["name"] == "wire1")
# wire1 read its two 9000-byte frames once: taken (and then on a path or dropped by reason, in
# the balance above) or refused by the port as rx errors; either way none is silent.
print(f"  jumbo frames (wire1): rx {jumbo['rx_packets']}, rx errors {jumbo['rx_errors']}")
assert jumbo["rx_packets"] + jumbo["rx_errors"] == manifest["jumbo_frames"], jumbo
PY
grep -E "Segmentation|Assertion|panic|PANIC" "$log" && fail "tripath's log shows a crash"
echo "PASS"
