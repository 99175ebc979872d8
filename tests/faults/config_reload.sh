#!/usr/bin/env bash
# Fault 9 and config reload: `config reload [FILE]` and SIGHUP on a running daemon with RPCs on
# path B. A valid file's rules and tenants are applied (and become the guardian's static
# profile); an invalid file is refused naming FILE:LINE:COL and changes nothing; a file that
# changes ports/lcores/eal/paths is refused naming each difference ("restart to apply").
export LAB_PREFIX=tfi-
. "$(dirname "$0")/fault_lib.sh"

fault_lab_up
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
start_agents
path_b_ok || fail "path B before the reloads"
generation() { ctl show rules | sed -n 's/.*generation \([0-9]*\),.*/\1/p'; }
rpc_bg load-b "$PATH_B_TARGET" 6 500

echo "== SIGHUP reloads the file tripath started with"
python3 - "$work/lab.yaml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("rules:\n", "rules:\n  - name: hup-probe\n    priority: 15\n    match: { proto: udp, dst_port: 9001 }\n    path: drop\n", 1)
open(p, "w").write(s)
EOF
g0=$(generation)
kill -HUP "$tp_pid"
for _ in $(seq 1 50); do ctl show rules | grep -q hup-probe && break; sleep 0.1; done
ctl show rules | grep -q hup-probe || fail "SIGHUP did not apply the file's new rule"
grep -q "tripath: SIGHUP: config reloaded from $work/lab.yaml" "$log" || fail "SIGHUP's reload not logged"
[ "$(generation)" -gt "$g0" ] || fail "no new rule generation after SIGHUP"

echo "== an invalid file: FILE:LINE:COL, nothing changes"
sed -e 's/    path: fast$/    path: fastest/' "$work/lab.yaml" > "$work/bad.yaml"
bad_line=$(grep -n "path: fastest" "$work/bad.yaml" | cut -d: -f1)
g1=$(generation)
t0=$(now_ms)
if out=$(ctl config reload "$work/bad.yaml" 2>&1); then fail "an invalid file was accepted: $out"; fi
invalid_ms=$(( $(now_ms) - t0 ))
echo "   $out"
grep -Eq "$work/bad.yaml:$bad_line:[0-9]+: " <<<"$out" || fail "the error does not name bad.yaml:$bad_line:COL"
grep -q "nothing changed" <<<"$out" || fail "the error does not say nothing changed"
[ "$(generation)" = "$g1" ] || fail "an invalid file published rules"
printf 'rules: [ {name: x\n' > "$work/broken.yaml"
if out=$(ctl config reload "$work/broken.yaml" 2>&1); then fail "a broken YAML file was accepted"; fi
grep -Eq "$work/broken.yaml:[0-9]+:[0-9]+: " <<<"$out" || fail "a YAML syntax error without FILE:LINE:COL: $out"
if out=$(ctl config reload "$work/missing.yaml" 2>&1); then fail "a missing file was accepted"; fi
echo "   $out"

echo "== a structural change: refused, naming what differs"
sed -e 's/    queues: 1$/    queues: 1\n    rx_desc: 512/' -e 's/ring_size: 1024/ring_size: 2048/' "$work/lab.yaml" > "$work/struct.yaml"
if out=$(ctl config reload "$work/struct.yaml" 2>&1); then fail "a structural change was accepted: $out"; fi
echo "$out"
grep -q "restart to apply" <<<"$out" || fail "no 'restart to apply'"
grep -q "ports\[0\] (wire0).rx_desc" <<<"$out" || fail "the wire0 rx_desc difference not named"
grep -q "paths.kernel.ring_size" <<<"$out" || fail "the ring_size difference not named"
[ "$(generation)" = "$g1" ] || fail "a structural change published rules"

echo "== a valid change: the RPC rule moved to path A, the guardian's static profile follows"
python3 - "$work/lab.yaml" "$work/moved.yaml" <<'EOF'
import sys
s = open(sys.argv[1]).read()
s = s.replace("    path: fast\n    endpoint: agent1\n", "    path: kernel\n", 1)
open(sys.argv[2], "w").write(s)
EOF
t0=$(now_ms)
ctl config reload "$work/moved.yaml" | tee "$work/reload.out" || fail "a valid reload refused"
valid_ms=$(( $(now_ms) - t0 ))
ctl show rules | grep -Eq "agent-rpc +30 +kernel " || fail "the moved rule is not in force"
snap moved0
rpc moved "$PATH_B_TARGET" 200 500
snap moved1
k=$(( $(pathstat moved1 "['paths']['kernel']['packets']") - $(pathstat moved0 "['paths']['kernel']['packets']") ))
[ "$(answered moved)" = 200 ] || fail "RPCs after the move: $(answered moved) of 200"
[ "$k" -ge 200 ] || fail "path A carried $k packets of 200 RPCs after the move"
ctl guardian failsafe enter >/dev/null || fail "guardian failsafe enter"
ctl show rules | grep -Eq "agent-rpc +30 +kernel " || fail "FAILSAFE restored the old static profile, not the reloaded file's"
ctl guardian failsafe exit >/dev/null || fail "guardian failsafe exit"
echo "== SIGHUP now reloads moved.yaml (the last file named)"
kill -HUP "$tp_pid"
sleep 0.3
grep -q "tripath: SIGHUP: config reloaded from $work/moved.yaml" "$log" || fail "SIGHUP did not reload the last file named"

wait_loads
alive
[ "$(lost load-b)" = 0 ] || fail "path B lost $(lost load-b) RPCs across the reloads"
balance_closes final
result "fault=config_reload_invalid sent=$(sent load-b) delivered=$(answered load-b) lost=$(lost load-b)" \
	"invalid_refused=yes structural_refused=yes valid_applied=yes refuse_ms=$invalid_ms apply_ms=$valid_ms counted=$(counted_reasons final) recovered=unaffected"
echo "PASS"
