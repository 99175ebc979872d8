#!/usr/bin/env bash
# Telemetry in namespaces: after path A pings and path B datagrams, dpdk-telemetry.py reads the
# /tripath/... endpoints over DPDK's telemetry socket and `tripathctl metrics` parses with
# prometheus_client's strict OpenMetrics parser; the numbers agree with `show path stats`.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }
[ -x /usr/bin/dpdk-telemetry.py ] || { echo "SKIP: no /usr/bin/dpdk-telemetry.py (Debian package dpdk)"; exit 77; }
py=/usr/bin/python3   # Debian's python: python3-prometheus-client lives there
"$py" -c "import prometheus_client" 2>/dev/null || { echo "SKIP: no python3-prometheus-client"; exit 77; }

export LAB_PREFIX=tptel-  # its own namespaces: other lab tests may run meanwhile
lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d /tmp/tripath-it.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"
prefix=tripath-tel

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
sed -e "s/file_prefix: tripath-lab/file_prefix: $prefix/" "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"
printf 'control:\n  metrics_http: "127.0.0.1:19464"\n' >> "$work/lab.yaml"
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
ctl start >/dev/null 2>&1 || true   # already started unless the config says otherwise

echo "== traffic: 20 pings on path A, 40 datagrams on path B (no agent needs to answer)"
"$lab" exec-client ping -c 20 -i 0.05 -w 15 10.77.0.1 >/dev/null || fail "ping through path A"
"$lab" exec-client "$py" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(40):
    s.sendto(b"rpc-%d" % i, ("10.77.1.2", 7000)); time.sleep(0.01)'
sleep 0.5

stats=$(ctl show path stats)
echo "$stats"
fast_stats=$(awk '$1 == "fast" && $2 ~ /^[0-9]+$/ {print $2}' <<<"$stats")
kernel_stats=$(awk '$1 == "kernel" && $2 ~ /^[0-9]+$/ {print $2}' <<<"$stats")

echo "== dpdk-telemetry.py -f $prefix"
tel() { printf '%s\n' "$@" | "$py" /usr/bin/dpdk-telemetry.py -f "$prefix"; }
tel / /tripath/paths /tripath/ports /tripath/rules /tripath/tenants /tripath/fast /tripath/bulk /tripath/guardian \
	> "$work/telemetry.json" || fail "dpdk-telemetry.py failed"
cat "$work/telemetry.json"
"$py" - "$work/telemetry.json" "$kernel_stats" "$fast_stats" <<'PY' || fail "telemetry endpoints"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = {k: v for l in lines for k, v in l.items()}
kernel, fast = int(sys.argv[2]), int(sys.argv[3])
for ep in ("paths", "ports", "rules", "tenants", "fast", "bulk", "guardian"):
    assert "/tripath/" + ep in r["/"], ep + " not registered"
p = r["/tripath/paths"]
# Read after show path stats: at least as many (the lab's kernels may still chatter).
assert p["packets"]["kernel"] >= kernel >= 20, (p["packets"], kernel)
assert p["packets"]["fast"] >= fast >= 40, (p["packets"], fast)
# One read of live counters: a burst the worker holds may be counted in rx and not yet on a path.
assert p["balance"]["rx"] == p["rx_packets"] and 0 <= p["balance"]["in_flight"] <= 32, p["balance"]
assert p["drops_total"] == sum(p["drops"].values()), p
assert r["/tripath/ports"]["wire0"]["rx_packets"] >= p["rx_packets"], r["/tripath/ports"]
assert r["/tripath/ports"]["agent1"]["tx_packets"] >= 40, r["/tripath/ports"]
rules = r["/tripath/rules"]
assert rules["order"][0] == "arp" and rules["path"][rules["order"].index("agent-rpc")] == "fast:agent1", rules
assert rules["tenant"][rules["order"].index("lab-default")] == "lab", rules
assert rules["count"] == len(rules["order"]) == len(rules["path"]), rules
assert r["/tripath/tenants"]["lab"]["kernel_passed_packets"] > 0, r["/tripath/tenants"]
assert r["/tripath/fast"]["agent1"]["to_agent_packets"] >= 40, r["/tripath/fast"]
assert r["/tripath/bulk"] == {"enabled": 0}, r["/tripath/bulk"]
assert r["/tripath/guardian"]["running"] == 1 and r["/tripath/guardian"]["failsafe"] == 0, r["/tripath/guardian"]
print("telemetry endpoints: ok")
PY

echo "== tripathctl metrics (OpenMetrics)"
ctl metrics > "$work/metrics.txt" || fail "tripathctl metrics failed"
head -20 "$work/metrics.txt"
"$py" - "$work/metrics.txt" "$kernel_stats" "$fast_stats" <<'PY' || fail "metrics"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
assert text.endswith("# EOF\n")
kernel, fast = int(sys.argv[2]), int(sys.argv[3])
fam = {f.name: f for f in text_string_to_metric_families(text)}   # strict: raises on bad syntax
def value(name, **labels):
    for f in fam.values():
        for s in f.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    raise KeyError((name, labels))
assert fam["tripath_path_packets"].type == "counter"
assert value("tripath_path_packets_total", path="kernel") >= kernel >= 20
assert value("tripath_path_packets_total", path="fast") >= fast >= 40
assert value("tripath_drops_total", reason="quota_exceeded") == 0
assert value("tripath_port_rx_packets_total", port="wire0") >= value("tripath_rx_packets_total")
assert value("tripath_tenant_passed_packets_total", tenant="lab", path="kernel") > 0
assert value("tripath_fast_to_agent_packets_total", endpoint="agent1") >= 40
h = fam["tripath_fast_to_agent_latency_seconds"]
assert h.type == "histogram"
buckets = [s for s in h.samples if s.name.endswith("_bucket") and s.labels["endpoint"] == "agent1"]
count = value("tripath_fast_to_agent_latency_seconds_count", endpoint="agent1")
assert buckets[-1].labels["le"] == "+Inf" and buckets[-1].value == count, buckets[-1]
assert count >= 40 and value("tripath_fast_to_agent_latency_seconds_sum", endpoint="agent1") > 0
assert all(a.value <= b.value for a, b in zip(buckets, buckets[1:]))
assert value("tripath_guardian_failsafe") == 0
print("metrics: %d families parsed, path B histogram %d samples" % (len(fam), count))
PY

echo "== the same text over HTTP on loopback (control.metrics_http), for Prometheus"
ip netns exec "${LAB_PREFIX}host" "$py" - "$work/metrics.txt" <<'PY' || fail "metrics over HTTP"
import socket, sys, urllib.error, urllib.request
from prometheus_client.openmetrics.parser import text_string_to_metric_families
url = "http://127.0.0.1:19464"
with urllib.request.urlopen(url + "/metrics", timeout=5) as r:
    assert r.status == 200, r.status
    assert r.headers["Content-Type"].startswith("application/openmetrics-text; version=1.0.0"), r.headers["Content-Type"]
    text = r.read().decode()
names = {f.name for f in text_string_to_metric_families(text)}
ctl_names = {f.name for f in text_string_to_metric_families(open(sys.argv[1]).read())}
assert names == ctl_names, names ^ ctl_names
try:
    urllib.request.urlopen(url + "/nope", timeout=5)
    raise AssertionError("/nope answered 200")
except urllib.error.HTTPError as e:
    assert e.code == 404, e.code
slow = socket.create_connection(("127.0.0.1", 19464))   # says nothing: must not hold others up
slow.sendall(b"GET /met")
with urllib.request.urlopen(url + "/metrics", timeout=5) as r:
    assert r.status == 200
slow.settimeout(5)
assert slow.recv(100) == b"", "a silent client is closed after its 2 s"
print("http: %d families, same as tripathctl metrics; 404 for /nope; a slow client closed" % len(names))
PY
echo "PASS"
