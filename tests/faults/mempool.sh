#!/usr/bin/env bash
# Fault 5: the mbuf pool exhausted (`mempool inject exhaust 100`, a drill: every free mbuf taken
# and held, as a leak or a stuck consumer would). The wire PMD cannot refill its rx ring: what
# it could not take is counted: by the PMD (rx_nombuf: failed refills, per attempt) and by the
# kernel (show port xsk: frames that found the XSK rx ring full or no fill-ring buffer); nothing
# is dropped at the worker; when the mbufs come back both paths answer again.
export LAB_PREFIX=tfe-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
start_agents
path_a_ok || fail "path A before the fault"
path_b_ok || fail "path B before the fault"
snap before

echo "== every free mbuf held; path A burst and path B RPCs"
ctl mempool inject exhaust 100 | tee "$work/exhaust.out"
rpc_bg load-b "$PATH_B_TARGET" 2 200
burst_sent=$(burst 20000 10.77.0.1 9)
wait_loads
alive
snap during
missed=$(( $(portstat during wire0 rx_missed) - $(portstat before wire0 rx_missed) ))
nombuf=$(( $(portstat during wire0 rx_nombuf) - $(portstat before wire0 rx_nombuf) ))
rx=$(( $(pathstat during "['rx_packets']") - $(pathstat before "['rx_packets']") ))
xsk_lost=0
for f in rx_ring_full fill_ring_empty rx_dropped; do
	xsk_lost=$(( xsk_lost + $(xsk during wire0 $f) - $(xsk before wire0 $f) ))
done
dropped=$(( $(pathstat during "['drops_total']") - $(pathstat before "['drops_total']") ))
echo "   burst $burst_sent + path B $(sent load-b) RPCs: tripath rx $rx, XSK drops (ring full, no fill buffer) +$xsk_lost, wire0 rx_nombuf +$nombuf, rx_missed +$missed, dropped at worker +$dropped; path B answered $(answered load-b)"
[ "$xsk_lost" -gt 0 ] || fail "an exhausted pool: no frames counted by the kernel (show port xsk)"
[ "$nombuf" -gt 0 ] || fail "an exhausted pool: no rx_nombuf counted"
frames=$(( burst_sent + $(sent load-b) ))
unaccounted=$(( frames - rx - xsk_lost ))
[ "$unaccounted" -lt 0 ] && unaccounted=0
[ "$unaccounted" -le $(( frames / 10 )) ] || fail "rx $rx + XSK drops $xsk_lost: $unaccounted of $frames frames lost uncounted"

echo "== the mbufs given back"
ctl mempool inject release | tee "$work/release.out"
t0=$(now_ms)
wait_ok 10000 path_a_ok >/dev/null || fail "path A after the pool came back"
wait_ok 10000 path_b_ok >/dev/null || fail "path B after the pool came back"
recovered_ms=$(( $(now_ms) - t0 ))
rpc after-b "$PATH_B_TARGET" 400
[ "$(lost after-b)" = 0 ] || fail "path B lost $(lost after-b) of 400 after recovery"
balance_closes final
result "fault=mempool_exhausted sent=$(( burst_sent + $(sent load-b) )) delivered=$rx counted=xsk_drops:$xsk_lost,rx_nombuf_attempts:$nombuf,imissed:$missed,worker_drops:$dropped" \
	"unaccounted=$unaccounted lost_b=$(lost load-b) recovered=self recovered_ms=$recovered_ms"
echo "PASS"
