#!/usr/bin/env bash
# Fault 7: the audit log's disk fills (the log on a 256 KiB tmpfs filled up). The next change
# cannot be recorded: it is refused and the guardian enters FAILSAFE (failsafe.audit, the static
# profile in force) as designed; forwarding on both paths goes on; the failure is counted in
# guardian status. When space returns, the operator leaves FAILSAFE (itself an audited record)
# and changes are accepted again.
export LAB_PREFIX=tfg-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
mkdir -p "$work/full"
mount -t tmpfs -o size=256k tmpfs "$work/full"
mounts+=("$work/full")
cat >> "$work/lab.yaml" <<EOF
audit: { log: $work/full/audit.log, key: $work/full/audit.key, fsync: always, create_key: true }
EOF
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
grep -q "audit log $work/full/audit.log (created" "$log" || fail "no audit log opened"
start_agents
path_a_ok || fail "path A before the fault"
path_b_ok || fail "path B before the fault"
ctl guardian status | grep -q "not in FAILSAFE" || fail "in FAILSAFE before the fault"

echo "== the file system full; operator changes until one cannot be recorded"
rpc_bg load-a "$PATH_A_TARGET" 4
rpc_bg load-b "$PATH_B_TARGET" 4
sleep 0.5
dd if=/dev/zero of="$work/full/filler" bs=4k >/dev/null 2>&1 || true
refused=""
changes=0
for i in $(seq 1 200); do
	if ! out=$(ctl rule add "{name: probe$i, priority: 40, match: {proto: udp, dst_port: $((9000 + i))}, path: kernel}" 2>&1); then
		refused=$out
		break
	fi
	changes=$((changes + 1))
done
[ -n "$refused" ] || fail "200 changes recorded on a full file system"
echo "   refused after $changes changes: $refused"
grep -q "No space left on device" <<<"$refused" || fail "the refusal does not name the full disk: $refused"
ctl guardian status > "$work/status.txt"
grep -q "FAILSAFE (failsafe.audit" "$work/status.txt" || { cat "$work/status.txt"; fail "not in FAILSAFE after the audit failure"; }
failures=$(sed -n 's/.*failures \([0-9]*\).*/\1/p' "$work/status.txt" | head -1)
ctl show rules | grep -q probe && fail "FAILSAFE did not restore the static rules"
wait_loads
alive
[ "$(lost load-a)" = 0 ] || fail "path A lost $(lost load-a) RPCs during the audit failure"
[ "$(lost load-b)" = 0 ] || fail "path B lost $(lost load-b) RPCs during the audit failure"
echo "   forwarding went on: path A $(answered load-a)/$(sent load-a), path B $(answered load-b)/$(sent load-b) answered"

echo "== space back; the operator leaves FAILSAFE"
rm -f "$work/full/filler"
t0=$(now_ms)
ctl guardian failsafe exit || fail "guardian failsafe exit with space back"
recovered_ms=$(( $(now_ms) - t0 ))
ctl guardian status | grep -q "not in FAILSAFE" || fail "still in FAILSAFE"
ctl rule add "{name: after, priority: 40, match: {proto: udp, dst_port: 9999}, path: kernel}" || fail "a change after recovery"
ctl audit verify || fail "audit verify after recovery"
balance_closes final
result "fault=audit_disk_full sent=$(( $(sent load-a) + $(sent load-b) )) delivered=$(( $(answered load-a) + $(answered load-b) ))" \
	"changes_recorded=$changes audit_failures=$failures failsafe=failsafe.audit counted=$(counted_reasons final) recovered=operator_failsafe_exit recovered_ms=$recovered_ms"
echo "PASS"
