#!/usr/bin/env bash
# Fault 1: path A's TAP deleted while tripath runs (`ip link del kern0`). Path B keeps answering;
# path A's packets are counted (tap_tx_full); tripath notices (log, show port info: link down).
# net_tap never re-opens its queues on a TAP made again; tripath's link watch sees the new
# interface and re-attaches the port, so path A comes back by itself (time measured).
export LAB_PREFIX=tfa-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
start_agents
path_a_ok || fail "path A before the fault"
path_b_ok || fail "path B before the fault"
snap before

echo "== traffic on both paths; kern0 deleted after 1 s"
rpc_bg load-a "$PATH_A_TARGET" 4
rpc_bg load-b "$PATH_B_TARGET" 4
sleep 1
"$lab" exec-host ip link del kern0
sleep 1.5
alive
ctl show port info kern0 --json > "$work/info.json"
[ "$(j "$work/info.json" "['link_up']")" = False ] || fail "show port info kern0: link not down after the TAP was deleted"
grep -q "port kern0 (TAP kern0): link down" "$log" || fail "tripath did not log the TAP's link down"
wait_loads
snap during
alive
[ "$(lost load-b)" = 0 ] || fail "path B lost $(lost load-b) RPCs while path A's TAP was gone"
[ "$(lost load-a)" -gt 0 ] || fail "path A lost nothing: was the TAP deleted?"
tap_drops=$(( $(drop during tap_tx_full) - $(drop before tap_tx_full) ))
[ "$tap_drops" -gt 0 ] || fail "path A's packets to the deleted TAP were not counted as tap_tx_full"
echo "   path B: $(answered load-b) of $(sent load-b) answered; path A: $(answered load-a) of $(sent load-a), tap_tx_full +$tap_drops"
balance_closes after-delete

echo "== the TAP made again (tools/lab.sh up): does path A come back by itself?"
"$lab" up >/dev/null
self_ms=$(wait_ok 15000 path_a_ok) && self=yes || self=no
echo "   path A by itself: $self"
grep -q "made again" "$log" && echo "   tripath logged: $(grep -m1 'made again' "$log")"
[ "$self" = yes ] || fail "path A did not come back after the TAP was made again"
path_b_ok || fail "path B after the TAP came back"
snap final
final_tap=$(drop final tap_tx_full)

result "fault=tap_deleted sent=$(( $(sent load-a) + $(sent load-b) )) delivered=$(( $(answered load-a) + $(answered load-b) ))" \
	"lost_a=$(lost load-a) lost_b=$(lost load-b) counted=tap_tx_full:$final_tap recovered=self recovered_ms=$self_ms"
echo "PASS"
