#!/usr/bin/env bash
# Fault 8: the guardian's lcore (the control lcore: guardian, path A's TAP I/O, shell) stalled
# for 2 s (`guardian inject stall 2000`, a drill). The worker keeps answering path B; path A's
# packets pile up on the worker's ring to the control lcore and what does not fit is counted
# (kernel_ring_full); everything answers again after the stall.
export LAB_PREFIX=tfh-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
start_agents
path_a_ok || fail "path A before the fault"
path_b_ok || fail "path B before the fault"
snap before

echo "== path B RPCs and a path A burst while the control lcore is stalled for 2 s"
rpc_bg load-b "$PATH_B_TARGET" 3 500
sleep 0.5
ctl guardian inject stall 2000 > "$work/stall.out" 2>&1 &
stall_pid=$!
sleep 0.2
burst_sent=$(burst 20000 10.77.0.1 9)
wait "$stall_pid" || fail "guardian inject stall: $(cat "$work/stall.out")"
t_end=$(now_ms)
cat "$work/stall.out"
recovered_ms=$(wait_ok 10000 path_a_ok) || fail "path A never answered after the stall"
wait_loads
alive
snap after
ring_full=$(( $(drop after kernel_ring_full) - $(drop before kernel_ring_full) ))
[ "$(lost load-b)" = 0 ] || fail "path B lost $(lost load-b) RPCs during the stall"
[ "$ring_full" -gt 0 ] || fail "no kernel_ring_full drops counted during the stall (burst of $burst_sent)"
echo "   path B: $(answered load-b) of $(sent load-b) answered; path A burst $burst_sent, kernel_ring_full +$ring_full; path A back $recovered_ms ms after the stall"
balance_closes final
result "fault=guardian_stall stall_ms=2000 sent=$(( burst_sent + $(sent load-b) )) delivered_b=$(answered load-b) lost_b=$(lost load-b)" \
	"burst_a=$burst_sent counted=$(counted_reasons final) recovered=self recovered_ms=$recovered_ms"
echo "PASS"
