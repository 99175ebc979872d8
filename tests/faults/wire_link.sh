#!/usr/bin/env bash
# Fault 3: the wire's link down for 2 s and up again (wire0, tripath's af_xdp port). While it is
# down nothing reaches tripath (the client's RPCs time out on the client); tripath logs the
# netdev's link down and up (the af_xdp PMD's own link status stays up), stays up, its balance
# closes, and both paths answer again once the link is up (time measured).
export LAB_PREFIX=tfc-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
start_agents
path_a_ok || fail "path A before the fault"
path_b_ok || fail "path B before the fault"
snap before

echo "== traffic on both paths; wire0 down for 2 s"
rpc_bg load-a "$PATH_A_TARGET" 5
rpc_bg load-b "$PATH_B_TARGET" 5
sleep 1
"$lab" exec-host ip link set wire0 down
sleep 1
sleep 1.2 # one link watch
grep -q "port wire0 (af_xdp on wire0): netdev link down" "$log" || fail "tripath did not log wire0's link down"
"$lab" exec-host ip link set wire0 up
t_up=$(now_ms)
ms_a=$(wait_ok 10000 path_a_ok) || fail "path A never answered after the link came up"
ms_b=$(wait_ok 10000 path_b_ok) || fail "path B never answered after the link came up"
recovered_ms=$(( $(now_ms) - t_up ))
wait_loads
alive
grep -q "port wire0 (af_xdp on wire0): netdev link up" "$log" || fail "tripath did not log wire0's link up"
echo "   path A: $(answered load-a) of $(sent load-a) answered, path B: $(answered load-b) of $(sent load-b); both back after $recovered_ms ms"
balance_closes after
reasons=$(counted_reasons after)
rx=$(( $(pathstat after "['rx_packets']") - $(pathstat before "['rx_packets']") ))
result "fault=wire_link_down sent=$(( $(sent load-a) + $(sent load-b) )) delivered=$(( $(answered load-a) + $(answered load-b) ))" \
	"lost_on_wire=$(( $(lost load-a) + $(lost load-b) )) tripath_rx=$rx counted=$reasons recovered=self recovered_ms=$recovered_ms"
echo "PASS"
