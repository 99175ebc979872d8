#!/usr/bin/env bash
# Fault 10: SIGTERM while both paths carry traffic. tripath stops forwarding, prints its totals
# and exits 0 within the 10 s stop_tripath allows; the balance in the totals closes (rx = to
# paths + dropped at worker + in flight, in flight 0: what was on a ring is counted `shutdown`).
export LAB_PREFIX=tfj-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
start_agents
path_a_ok || fail "path A before the fault"
path_b_ok || fail "path B before the fault"

echo "== SIGTERM during RPCs on both paths and a path A burst"
rpc_bg load-a "$PATH_A_TARGET" 3 200
rpc_bg load-b "$PATH_B_TARGET" 3 200
sleep 1
burst 200000 10.77.0.1 9 > "$work/burst.out" &
bg_pids+=($!)
load_pids+=($!)
sleep 0.3
t0=$(now_ms)
kill -TERM "$tp_pid"
rc=0
timeout 10 tail --pid="$tp_pid" -f /dev/null || rc=$?
[ "$rc" = 0 ] || fail "tripath did not exit within 10 s of SIGTERM"
wait "$tp_pid" && status=0 || status=$?
exit_ms=$(( $(now_ms) - t0 ))
tp_pid=""
wait_loads
[ "$status" = 0 ] || fail "tripath exited with status $status after SIGTERM"
grep -q "Bye" "$log" || fail "no clean exit (Bye) in the log"
balance=$(grep "balance: rx" "$log" | tail -1)
[ -n "$balance" ] || fail "no balance in the totals"
echo "   $balance"
inflight=$(sed -n 's/.*in flight \(-\?[0-9]*\).*/\1/p' <<<"$balance")
rx=$(sed -n 's/.*balance: rx \([0-9]*\) .*/\1/p' <<<"$balance")
shutdown=$(grep -Eo "shutdown[: ]+[0-9]+" "$log" | tail -1 | grep -Eo "[0-9]+$" || echo 0)
[ "$inflight" = 0 ] || fail "in flight $inflight at exit"
result "fault=sigterm_under_traffic rx=$rx in_flight=$inflight shutdown_counted=${shutdown:-0} exit_status=$status exit_ms=$exit_ms" \
	"sent=$(( $(sent load-a) + $(sent load-b) + $(cat "$work/burst.out") )) recovered=exit"
echo "PASS"
