#!/usr/bin/env bash
# An external agent proposes as who the kernel says it is: a non-admin socket client whose uid
# (or group) intent.clients names proposes with plain `guardian propose` as that client, within
# its tenants; any other non-admin is refused; a reader still cannot change rules itself; the
# audit log names the client, not the operator.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for EAL and setpriv"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: no setpriv (util-linux)"; exit 77; }

work=$(mktemp -d /tmp/tripath-agentid.XXXXXX)
chmod 755 "$work"
sock="$work/ctl.sock"
log="$work/tripath.log"
# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"
cleanup() { stop_tripath; rm -rf "$work"; }
trap cleanup EXIT

as_uid() { local uid=$1; shift; setpriv --reuid="$uid" --regid="$uid" --clear-groups "$TRIPATHCTL" -s "$sock" "$@"; }
expect() { # expect REGEX UID COMMAND...: the answer (either status) matches
	local re=$1 uid=$2; shift 2
	local out; out=$(as_uid "$uid" "$@" 2>&1) || true
	grep -Eq -- "$re" <<<"$out" || fail "uid $uid '$*': expected /$re/, got: $out"
	echo "  ok: uid $uid $1 ${2:-} -> $(head -1 <<<"$out")"
}

cat > "$work/agents.yaml" <<EOF
eal: { lcores: "0-1", main_lcore: 0, memory_mb: 128, hugepages: auto, file_prefix: tripath-agentid }
ports:
  - { name: wire0, driver: "null", args: { no-rx: 1 } }
  - { name: sink0, driver: "null", args: { no-rx: 1 } }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  kernel: { taps: [{ wire: wire0, tap: sink0 }] }
tenants:
  - { name: acme, prefixes: [10.1.0.0/16], quota: { kernel: { pps: 100000 } } }
  - { name: globex, prefixes: [10.2.0.0/16], quota: { kernel: { pps: 100000 } } }
rules:
  - { name: acme-web, priority: 10, match: { src: 10.1.0.0/16, proto: tcp, dst_port: 80 }, path: kernel, tenant: acme }
  - { name: default, priority: 65535, path: kernel }
intent:
  autonomy: bounded
  clients: [{ name: acme-agent, tenants: [acme], uid: 65534 }]
audit: { log: $work/audit/audit.log, key: $work/audit.key, create_key: true }
control: { mode: "0666" }
EOF
"$TRIPATH" -c "$work/agents.yaml" --socket "$sock" --no-doctor > "$log" 2>&1 &
tp_pid=$!
for _ in $(seq 1 150); do ctl show lcores >/dev/null 2>&1 && break; kill -0 "$tp_pid" || fail "tripath exited"; sleep 0.2; done

echo "== the declared agent (uid 65534) proposes as client acme-agent"
expect "^APPROVE ok" 65534 guardian propose '{"kind":"set_meter","tenant":"acme","path":"kernel","pps":90000}'
expect "REJECT isolation.scope" 65534 guardian propose '{"kind":"set_meter","tenant":"globex","path":"kernel","pps":90000}'
expect "needs the admin role; this client is read-only" 65534 rule del acme-web
expect "needs the admin role" 65534 guardian client acme-agent propose '{"kind":"set_meter","tenant":"acme","path":"kernel","pps":80000}'
echo "== an undeclared non-admin (uid 65533) is refused"
expect "uid 65533 \(gid 65533\) is not an admin, and no intent.clients entry" 65533 guardian propose '{"kind":"set_meter","tenant":"acme","path":"kernel","pps":80000}'
echo "== root is the operator"
ctl guardian propose '{"kind":"set_meter","tenant":"globex","path":"kernel","pps":90000}' | grep -q "^APPROVE" || fail "operator propose"
ctl audit tail 4 > "$work/tail.txt"
/usr/bin/python3 - "$work/tail.txt" <<'PY' || fail "audit records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
body = lambda r: r.get("record", r)
who = [(body(r)["proposer"], body(r)["decision"], body(r).get("reason")) for r in recs if body(r).get("kind", "decision") == "decision"]
print("  audit:", who)
assert ("client:acme-agent", "APPROVE", "ok") in who, who
assert ("client:acme-agent", "REJECT", "isolation.scope") in who, who
assert who[-1][0] == "operator", who
PY
ctl audit verify | grep -q "audit verify: OK" || fail "audit verify"
echo "PASS"
