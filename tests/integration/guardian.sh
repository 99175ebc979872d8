#!/usr/bin/env bash
# The guardian in the running daemon, in the lab's namespaces with the agent behind path B:
# an operator proposal approved and applied (the RPCs follow the rule to path A and back), a
# protected class refused, a client outside intent.clients refused, a client out of its scope
# refused, CLAMP of a meter cut, rollback after an injected SLO regression, FAILSAFE by the
# operator and by repeated invariant rejects, exit, and `audit verify` OK after all of it
# (and `tripath-audit verify` offline, which names the record when a byte is changed).
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${TRIPATH_AGENT:?}" "${TRIPATH_LOAD:?}" "${TRIPATH_AUDIT:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }

export LAB_PREFIX=tpg-
lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d /tmp/tripath-gd.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"
agent_pid=""

# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"

cleanup() {
	if [ -n "$agent_pid" ]; then kill "$agent_pid" 2>/dev/null || true; fi
	stop_tripath
	"$lab" down >/dev/null 2>&1 || true
	if mountpoint -q "$work/full"; then umount "$work/full"; fi
	rm -rf "$work"
}
trap cleanup EXIT

json() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval('d' + sys.argv[1]))" "$2"; }

# expect_ok|expect_error PATTERN CMD...: the command's status and output both as said.
expect_ok() {
	local pattern=$1 out; shift
	out=$(ctl "$@" 2>&1) || fail "'$*' failed: $out"
	grep -Eq -- "$pattern" <<<"$out" || fail "'$*': expected /$pattern/, got: $out"
	echo "   ok: $* -> $(head -1 <<<"$out")"
}
expect_error() {
	local pattern=$1 out; shift
	if out=$(ctl "$@" 2>&1); then fail "'$*' should have failed: $out"; fi
	grep -Eq -- "$pattern" <<<"$out" || fail "'$*': expected /$pattern/, got: $out"
	echo "   refused: $* -> $(head -1 <<<"$out")"
}

# Packets handed to path A (kernel) and B (fast) so far, from `show path stats`.
path_packets() { ctl show path stats | awk -v p="$1" '$1 == p { print $2; exit }'; }

rpc_round() {
	local name=$1 count=$2
	"$lab" exec-client "$TRIPATH_LOAD" rpc --target 10.77.1.2:7000 --size 64 --fanout 4 --count "$count" \
		--warmup 0 --timeout-ms 2000 --json "$work/$name.json" || fail "tripath-load $name"
	[ "$(json "$work/$name.json" "['metrics']['requests_completed']")" = "$count" ] || fail "$name: not every RPC answered"
}

# The RPCs of one round land on path `want` (kernel or fast), not on the other.
rpcs_take() {
	local want=$1 other=$2 count=400 w0 o0 w1 o1
	w0=$(path_packets "$want"); o0=$(path_packets "$other")
	rpc_round "rpc-$want-$RANDOM" $count
	w1=$(path_packets "$want"); o1=$(path_packets "$other")
	[ $((w1 - w0)) -ge $count ] || fail "path $want carried $((w1 - w0)) packets of $count RPCs"
	[ $((o1 - o0)) -lt 20 ] || fail "path $other still carried $((o1 - o0)) packets"
	echo "   $count RPCs answered, path $want +$((w1 - w0)), path $other +$((o1 - o0))"
}

status_field() { ctl guardian status | sed -n "s/.*$1 \([0-9]*\).*/\1/p" | head -1; }

"$lab" down >/dev/null 2>&1 || true
"$lab" up
# lab.yaml plus the guardian's sections; the lab tenant gets a path A meter to cut.
sed -e 's/file_prefix: tripath-lab/file_prefix: tripath-gd/' \
    -e 's|^    prefixes: \[10.77.0.0/24, "fd77::/64"\]|&\n    quota: { kernel: { pps: 100000 } }|' \
    "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"
cat >> "$work/lab.yaml" <<EOF
intent:
  autonomy: bounded
  slo: { fast_p99_us: 1000000 }
  limits: { mutations_per_s: 100, mutation_burst: 100, max_change_pct: 50, max_adaptive_actions: 100 }
  canary: { window_ms: 2000, regression_pct: 20 }
  failsafe: { rejects: 3, reject_window_s: 60, breach_ms: 3600000 }
  clients: [{ name: sched, tenants: [lab] }]
audit: { log: $work/audit/audit.log, key: $work/audit.key, fsync: always, create_key: true }
EOF
grep -q "quota: { kernel" "$work/lab.yaml" || fail "could not add the lab tenant's quota"
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
grep -q "audit log $work/audit/audit.log (created" "$log" || fail "no audit log opened"

"$lab" exec-agent "$TRIPATH_AGENT" --mode udp --iface a1-eth --port 7000-7001 > "$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 100); do grep -q "tripath-agent: ready" "$work/agent.log" && break; sleep 0.1; done
grep -q "tripath-agent: ready" "$work/agent.log" || fail "agent never ready"

echo "== autonomy bounded, not in FAILSAFE"
expect_ok "autonomy bounded, not in FAILSAFE" guardian status
samples0=$(status_field "flow samples (1 in 64): counted")
rpcs_take fast kernel
# The worker sampled 1 in 64 of the RPCs for the policy's sketches; the control lcore counted them.
samples1=$(status_field "flow samples (1 in 64): counted")
[ $((samples1 - samples0)) -ge 5 ] || fail "the guardian counted $((samples1 - samples0)) flow samples of 400 RPCs: $(ctl guardian status)"
expect_ok "lost 0; last window: kernel [0-9]+, fast [0-9]+, bulk [0-9]+" guardian status
counted=$(ctl guardian status --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['flow_samples_counted'], d['flow_samples_lost'])")
[ "${counted% *}" -ge "$samples1" ] && [ "${counted#* }" = 0 ] || fail "guardian status --json: counted and lost are '$counted', text said $samples1 and 0"
echo "   flow samples counted: +$((samples1 - samples0)) (--json: $counted)"

echo "== operator: move the RPC rule to path A; the RPCs follow, then come back"
expect_ok "^APPROVE ok" guardian propose '{"kind":"move_rule","rule":"agent-rpc","path":"kernel"}'
ctl show rules | grep -Eq "agent-rpc +30 +kernel " || fail "show rules: agent-rpc is not on path A"
rpcs_take kernel fast
expect_ok "^APPROVE ok" guardian propose '{"kind":"move_rule","rule":"agent-rpc","path":"fast","endpoint":"agent1"}'
ctl show rules | grep -Eq "agent-rpc +30 +fast:agent1 " || fail "show rules: agent-rpc is not back on path B"
rpcs_take fast kernel

echo "== refusals: protected class, unknown client, out of scope, malformed"
expect_error "REJECT connectivity.protected.*dns" guardian propose '{"kind":"move_rule","rule":"dns","path":"fast","endpoint":"agent1"}'
ctl show rules | grep -Eq "dns +20 +kernel " || fail "the refused proposal changed rule dns"
expect_error "no such client in .*intent.clients \(declared: sched\)" guardian client ghost propose '{"kind":"set_meter","tenant":"lab","path":"kernel","pps":90000}'
expect_error "REJECT isolation.scope" guardian client sched propose '{"kind":"move_rule","rule":"agent-rpc","path":"kernel"}'
expect_error "field kind: expected one of" guardian client sched propose '{"kind":"grow","tenant":"lab"}'

echo "== client: a meter change approved, then one beyond max_change_pct clamped"
expect_ok "^APPROVE ok" guardian client sched propose '{"kind":"set_meter","tenant":"lab","path":"kernel","pps":80000}'
ctl show tenants | grep -Eq "kernel +quota 80000 pps" || fail "lab's kernel quota is not 80000 pps"
expect_ok "^CLAMP magnitude.limit" guardian client sched propose '{"kind":"set_meter","tenant":"lab","path":"kernel","pps":10000}'
ctl show tenants | grep -Eq "kernel +quota 40000 pps" || fail "the clamp did not leave 40000 pps (50% of 80000)"

echo "== rollback: a change, then the fast p99 regresses within its canary window"
sleep 2.5 # the changes above pass their canary windows (2 s): only the next one is rolled back
[ "$(status_field canaries)" = 0 ] || fail "canaries still open: $(ctl guardian status)"
expect_ok "reads 100 us" guardian inject fast-p99 100 60000
sleep 0.5 # a sample with the baseline in it
expect_ok "^APPROVE ok" guardian client sched propose '{"kind":"set_meter","tenant":"lab","path":"kernel","pps":50000}'
ctl show tenants | grep -Eq "kernel +quota 50000 pps" || fail "the meter change did not apply"
expect_ok "reads 500 us" guardian inject fast-p99 500 60000
sleep 0.5
ctl show tenants | grep -Eq "kernel +quota 40000 pps" || fail "no rollback to the quota before the change (40000 pps): $(ctl show tenants)"
[ "$(status_field rollbacks)" -ge 1 ] || fail "guardian status counts no rollback"
expect_ok "ROLLBACK" audit tail 20
expect_ok "reads 0 us for 0 ms" guardian inject fast-p99 0 0

echo "== FAILSAFE by the operator: the static profile, clients refused, exit"
expect_ok "^APPROVE ok" guardian propose '{"kind":"move_rule","rule":"agent-rpc","path":"kernel"}'
expect_ok "FAILSAFE entered" guardian failsafe enter
ctl show rules | grep -Eq "agent-rpc +30 +fast:agent1 " || fail "FAILSAFE did not restore the static rules"
ctl show tenants | grep -Eq "kernel +quota 100000 pps" || fail "FAILSAFE did not restore the static quota"
expect_ok "FAILSAFE \(failsafe.operator" guardian status
expect_error "REJECT failsafe.active" guardian client sched propose '{"kind":"set_meter","tenant":"lab","path":"kernel","pps":90000}'
rpcs_take fast kernel
expect_ok "FAILSAFE left" guardian failsafe exit
expect_error "not in FAILSAFE" guardian failsafe exit

echo "== FAILSAFE by repeated invariant rejects (failsafe.rejects: 3)"
flow='{"kind":"promote_flow","flow":{"src":"10.77.0.2","proto":"udp","dst_port":53},"endpoint":"agent1","tenant":"lab"}'
expect_error "REJECT connectivity.protected" guardian client sched propose "$flow"
expect_error "REJECT connectivity.protected" guardian client sched propose "$flow"
expect_error "FAILSAFE failsafe.rejects" guardian client sched propose "$flow"
expect_ok "FAILSAFE \(failsafe.rejects" guardian status
expect_ok "FAILSAFE left" guardian failsafe exit

echo "== autonomy off: clients refused, the operator still decides"
expect_ok "autonomy off" guardian autonomy off
expect_error "REJECT autonomy.off" guardian client sched propose '{"kind":"set_meter","tenant":"lab","path":"kernel","pps":90000}'
expect_ok "^APPROVE ok" guardian propose '{"kind":"set_meter","tenant":"lab","path":"kernel","pps":90000}'
expect_ok "autonomy bounded" guardian autonomy bounded

echo "== the shell's own rule commands are on the record too"
expect_ok "rule 'probe' added" rule add '{name: probe, priority: 40, match: {proto: udp, dst_port: 9999}, path: kernel}'
expect_ok '"decision":"APPLIED".*"reason":"operator.shell"' audit tail 1

echo "== audit verify: online and offline, and a changed byte is named"
expect_ok "audit verify: OK: [0-9]+ records" audit verify
records=$(ctl audit verify | sed -n 's/.*OK: \([0-9]*\) records.*/\1/p')
[ "$records" -ge 25 ] || fail "only $records audit records"
for d in APPROVE CLAMP REJECT ROLLBACK CANARY_PASSED FAILSAFE FAILSAFE_EXIT APPLIED; do
	grep -q "\"decision\":\"$d\"" "$work/audit/audit.log" || fail "no $d record in the log"
done
stop_tripath
tp_pid=""
"$TRIPATH_AUDIT" verify --log "$work/audit/audit.log" --key "$work/audit.key" > "$work/verify.txt" 2>&1 \
	|| { cat "$work/verify.txt"; fail "tripath-audit verify after a clean stop"; }
# The first approval becomes a refusal after the fact: verify must name that record.
edited=$(grep -m1 '"decision":"APPROVE"' "$work/audit/audit.log" | sed 's/^{"seq":\([0-9]*\),.*/\1/')
sed -i "/^{\"seq\":$edited,/s/\"decision\":\"APPROVE\"/\"decision\":\"REJECT\"/" "$work/audit/audit.log"
if "$TRIPATH_AUDIT" verify --log "$work/audit/audit.log" --key "$work/audit.key" > "$work/verify.txt" 2>&1; then
	fail "an edited record passed verify"
fi
grep -q "seq $edited" "$work/verify.txt" || { cat "$work/verify.txt"; fail "verify did not name record $edited"; }

echo "== an audit log that cannot be written: FAILSAFE (failsafe.audit), the change not applied"
# A small file system of its own, mounted before tripath starts (ip netns exec copies the mounts).
mkdir -p "$work/full"
mount -t tmpfs -o size=256k tmpfs "$work/full"
sed -e "s|$work/audit/audit.log|$work/full/audit.log|; s|$work/audit.key|$work/full/audit.key|" "$work/lab.yaml" > "$work/full.yaml"
start_tripath "${LAB_PREFIX}host" "$work/full.yaml"
expect_ok "^APPROVE ok" guardian propose '{"kind":"move_rule","rule":"agent-rpc","path":"kernel"}'
dd if=/dev/zero of="$work/full/filler" bs=4k >/dev/null 2>&1 || true # no space left
# Records still fit in the log's last page; the first that needs a new one fails.
refused=""
for i in $(seq 1 40); do
	if ! refused=$(ctl guardian propose "{\"kind\":\"set_meter\",\"tenant\":\"lab\",\"path\":\"kernel\",\"pps\":$((90000 + i))}" 2>&1); then
		break
	fi
	refused=""
done
grep -Eq "audit log: .*No space left on device; nothing applied, FAILSAFE in force" <<<"$refused" || fail "a full audit log did not refuse the change: ${refused:-40 proposals applied}"
echo "   refused after $i proposals: $(head -1 <<<"$refused")"
expect_ok "FAILSAFE \(failsafe.audit" guardian status
ctl show tenants | grep -Eq "kernel +quota 100000 pps" || fail "the unaudited meter change was applied"
ctl show rules | grep -Eq "agent-rpc +30 +fast:agent1 " || fail "the audit failure's FAILSAFE did not restore the static rules"
expect_error "not applied: audit log" guardian propose '{"kind":"move_rule","rule":"agent-rpc","path":"kernel"}'
expect_error "rule add: not applied: audit log" rule add '{name: probe, priority: 40, match: {proto: udp, dst_port: 9999}, path: kernel}'
ctl show rules | grep -q "probe" && fail "an unaudited rule add was applied"
stop_tripath
tp_pid=""
echo "PASS"
