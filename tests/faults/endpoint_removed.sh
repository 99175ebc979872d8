#!/usr/bin/env bash
# Fault 2: path B's endpoint netdev (ag1, the af_xdp endpoint port's veth) removed while RPCs run,
# then made again. Path A keeps answering. An AF_XDP socket is bound to an interface index for
# good: frames sent on it after its netdev went would be queued and never leave, counted nowhere,
# so tripath watches the endpoint's interface (about once a second) and from then on drops path
# B's packets to it as endpoint_down. When the interface is back, tripath pauses forwarding,
# replaces the af_xdp device and starts again: path B comes back by itself (time measured).
export LAB_PREFIX=tfb-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
start_agents
path_a_ok || fail "path A before the fault"
path_b_ok || fail "path B before the fault"
snap before

echo "== traffic on both paths; ag1 deleted after 1 s"
rpc_bg load-a "$PATH_A_TARGET" 4
rpc_bg load-b "$PATH_B_TARGET" 4
sleep 1
"$lab" exec-host ip link del ag1
wait_loads
alive
snap during
[ "$(lost load-a)" = 0 ] || fail "path A lost $(lost load-a) RPCs while path B's endpoint was gone"
[ "$(lost load-b)" -gt 0 ] || fail "path B lost nothing: was ag1 deleted?"
reasons=$(counted_reasons during)
echo "   path A: $(answered load-a) of $(sent load-a) answered; path B: $(answered load-b) of $(sent load-b); drops: $reasons"
down_drops=$(( $(drop during endpoint_down) - $(drop before endpoint_down) ))
[ "$down_drops" -gt 0 ] || fail "path B's packets to the gone endpoint were not counted as endpoint_down"
grep -q "endpoint agent1 (port agent1, af_xdp on ag1): the interface is gone" "$log" || fail "tripath did not log the endpoint's interface gone"
ctl show port info agent1 --json > "$work/info.json"
echo "   show port info agent1: link_up $(j "$work/info.json" "['link_up']")"
balance_closes after-delete

echo "== ag1 made again (tools/lab.sh up): does path B come back by itself?"
"$lab" up >/dev/null # the agent's sockets (bound to any address) outlive its veth
self_ms=$(wait_ok 15000 path_b_ok) && self=yes || self=no
echo "   path B by itself: $self"
path_a_ok || fail "path A after ag1 came back"
snap final
[ "$self" = yes ] || fail "path B did not come back after ag1 was made again"
grep -q "endpoint agent1 (port agent1, af_xdp on ag1): the interface is back .*re-attached" "$log" || fail "no re-attach logged"
echo "   tripath logged: $(grep -m1 'the interface is back' "$log")"
rpc after-b "$PATH_B_TARGET" 400
[ "$(lost after-b)" = 0 ] || fail "path B lost $(lost after-b) of 400 after recovery"
balance_closes final
result "fault=endpoint_removed sent=$(( $(sent load-a) + $(sent load-b) )) delivered=$(( $(answered load-a) + $(answered load-b) ))" \
	"lost_a=$(lost load-a) lost_b=$(lost load-b) counted=$(counted_reasons final) endpoint_down_during=$down_drops recovered=self recovered_ms=$self_ms"
echo "PASS"
