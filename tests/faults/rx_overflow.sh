#!/usr/bin/env bash
# Fault 6: the wire's rx ring overflows under a burst (rx_desc 64; the worker asleep in its idle
# backoff when the burst starts). What did not fit is counted: the af_xdp PMD's imissed
# (show port stats' rx_missed) leaves out frames the kernel found the XSK rx ring full for, so
# tripath reads those from the kernel (show port xsk: rx ring full); every frame tripath took is
# on a path, nothing dropped at the worker, and the balance closes.
export LAB_PREFIX=tff-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
# wire0: a 64-descriptor rx ring; the worker sleeps up to 2 ms when idle; a deep ring to path A
# and a control lcore that sleeps less, so that the TAP side is not what overflows (if it does on
# a loaded host, that is counted kernel_ring_full, reported, and allowed).
python3 - "$work/lab.yaml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("args: { iface: wire0, start_queue: 0, queue_count: 1 }\n    queues: 1",
              "args: { iface: wire0, start_queue: 0, queue_count: 1 }\n    queues: 1\n    rx_desc: 64", 1)
s = s.replace("idle: { pause_after: 256, sleep_min_us: 1, sleep_max_us: 200 }",
              "idle: { pause_after: 16, sleep_min_us: 1000, sleep_max_us: 2000 }", 1)
s = s.replace("ring_size: 1024", "ring_size: 8192", 1)
s = s.replace("idle: { pause_after: 64, sleep_min_us: 10, sleep_max_us: 1000 }",
              "idle: { pause_after: 64, sleep_min_us: 10, sleep_max_us: 100 }", 1)
open(p, "w").write(s)
EOF
grep -q "rx_desc: 64" "$work/lab.yaml" || fail "could not set rx_desc"
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
start_agents
path_a_ok || fail "path A before the fault"
sleep 0.5
snap before

echo "== a burst of 64-byte UDP datagrams to the host's kernel (path A)"
n=60000
burst_sent=$(burst $n 10.77.0.1 9)
sleep 1
alive
snap after
rx=$(( $(pathstat after "['rx_packets']") - $(pathstat before "['rx_packets']") ))
imissed=$(( $(portstat after wire0 rx_missed) - $(portstat before wire0 rx_missed) ))
ring_full=$(( $(xsk after wire0 rx_ring_full) - $(xsk before wire0 rx_ring_full) ))
fill_empty=$(( $(xsk after wire0 fill_ring_empty) - $(xsk before wire0 fill_ring_empty) ))
missed=$(( imissed + ring_full ))
nombuf=$(( $(portstat after wire0 rx_nombuf) - $(portstat before wire0 rx_nombuf) ))
dropped=$(( $(pathstat after "['drops_total']") - $(pathstat before "['drops_total']") ))
echo "   sent $burst_sent: tripath rx $rx, wire0 rx_missed +$imissed, XSK rx ring full +$ring_full (fill ring empty +$fill_empty), rx_nombuf +$nombuf, dropped at worker +$dropped"
[ "$missed" -gt 0 ] || fail "no overflow counted: the ring did not overflow"
ring_full_a=$(( $(drop after kernel_ring_full) - $(drop before kernel_ring_full) ))
[ "$dropped" = "$ring_full_a" ] || fail "drops at the worker other than kernel_ring_full: $(counted_reasons after)"
# What left the client and was neither taken nor counted by the XSK was lost on the "wire"
# (the veth pair's own ring, before XDP: ethtool -S wire0 on the host side).
unaccounted=$(( burst_sent - rx - missed ))
[ "$unaccounted" -lt 0 ] && unaccounted=0
echo "   lost before tripath's socket (the veth wire): $unaccounted"
[ "$unaccounted" -le $(( burst_sent / 10 )) ] || fail "rx $rx + missed $missed: $unaccounted of $burst_sent lost uncounted"
recovered_ms=$(wait_ok 15000 path_a_ok) || fail "path A after the burst"
balance_closes final
result "fault=rx_overflow rx_desc=64 sent=$burst_sent delivered=$rx counted=imissed:$imissed,xsk_rx_ring_full:$ring_full,rx_nombuf:$nombuf,kernel_ring_full:$ring_full_a" \
	"unaccounted=$unaccounted recovered=self recovered_ms=$recovered_ms"
echo "PASS"
