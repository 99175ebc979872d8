#!/usr/bin/env bash
# The operator's shell, on a real terminal (tmux): `tripath -i` and `tripathctl` complete
# commands and names with Tab, show help, change a rule and show where the time goes; then,
# over the socket, every show command's --json parses, and the testpmd words (xstats, fwd
# stats, set verbose, load FILE) do what testpmd's do.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed (tools/install-deps)"; exit 77; }

export LAB_PREFIX=tps-
lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d /tmp/tripath-shell.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"
tm="tps-$$"
json=/usr/bin/python3

# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"

cleanup() {
	tmux kill-session -t "$tm" 2>/dev/null || true
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

screen() { tmux capture-pane -p -J -t "$1"; }
keys() { local t=$1; shift; tmux send-keys -t "$t" "$@"; }
text() { tmux send-keys -t "$1" -l -- "$2"; }
# wait_screen TARGET REGEX WHAT: until the rendered screen matches (3 s), else fail with it.
wait_screen() {
	for _ in $(seq 1 30); do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	echo "---- screen of $1"; screen "$1"
	fail "$3"
}
# The prompt line as it stands (trailing blanks kept: a completed word ends with one).
prompt_is() {
	for _ in $(seq 1 30); do
		[ "$(screen "$1" | grep '^tripath> ' | tail -1)" = "$2" ] && return 0
		sleep 0.1
	done
	echo "---- screen of $1"; screen "$1"
	fail "$3: expected the prompt line '$2'"
}

"$lab" down >/dev/null 2>&1 || true
"$lab" up
sed -e 's/file_prefix: tripath-lab/file_prefix: tripath-shell/' "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"

echo "== tripath -i on a terminal"
tmux new-session -d -s "$tm" -x 200 -y 60 -n daemon \
	"ip netns exec ${LAB_PREFIX}host $TRIPATH -i --auto-start -c $work/lab.yaml --socket $sock; sleep 600"
tmux pipe-pane -t "$tm" "cat > $log"
for _ in $(seq 1 150); do ctl show lcores >/dev/null 2>&1 && break; sleep 0.2; done
ctl show lcores >/dev/null || fail "control socket never answered"
d="$tm:daemon"
wait_screen "$d" '^tripath> $' "no prompt"

text "$d" "sh"; keys "$d" Tab
prompt_is "$d" "tripath> show " "Tab completes a command word"
text "$d" "port st"; keys "$d" Tab
prompt_is "$d" "tripath> show port stats " "Tab completes the next word"
keys "$d" Tab
wait_screen "$d" '^ wire0$' "a second Tab lists the port names"
wait_screen "$d" '^ all$' "... and 'all'"
text "$d" "wi"; keys "$d" Tab
prompt_is "$d" "tripath> show port stats wire0 " "Tab completes a port name"
text "$d" "--json"; keys "$d" Enter
wait_screen "$d" '"name": "wire0"' "show port stats wire0 --json on the terminal"

text "$d" "help rul"; keys "$d" Tab Enter
wait_screen "$d" '^  rule add <spec\.\.\.>' "help rules lists the rule commands"

echo "== a rule change typed at the prompt, its name completed"
text "$d" "rule add {name: shell-test, priority: 40, match: {proto: 17, dst_port: 9999}, path: drop}"; keys "$d" Enter
wait_screen "$d" "rule 'shell-test' added" "rule add at the prompt"
text "$d" "rule del she"; keys "$d" Tab
prompt_is "$d" "tripath> rule del shell-test " "Tab completes a rule name"
keys "$d" Enter
wait_screen "$d" "rule 'shell-test' deleted" "rule del at the prompt"

echo "== show runtime at the prompt, after pings"
"$lab" exec-client ping -c 5 -i 0.05 -w 10 10.77.0.1 >/dev/null || fail "pings through path A"
text "$d" "show runt"; keys "$d" Tab
prompt_is "$d" "tripath> show runtime " "Tab completes show runtime"
keys "$d" Enter
wait_screen "$d" 'classify' "show runtime lists the worker's stages"
wait_screen "$d" '^tripath> $' "the prompt comes back after show runtime"

echo "== tripathctl on a terminal"
tmux new-window -t "$tm" -n ctl "$TRIPATHCTL -s $sock; echo tripathctl-exit=\$?; sleep 600"
c="$tm:ctl"
wait_screen "$c" '^tripath> $' "tripathctl shows no prompt"
text "$c" "show po"; keys "$c" Tab
prompt_is "$c" "tripath> show port " "tripathctl: Tab completes through the daemon"
keys "$c" Tab
wait_screen "$c" '^ xstats$' "tripathctl: a second Tab lists the choices"
text "$c" "in"; keys "$c" Tab
prompt_is "$c" "tripath> show port info " "tripathctl: completes 'info'"
text "$c" "all"; keys "$c" Enter
wait_screen "$c" 'port 0 wire0: driver' "tripathctl: show port info all"
text "$c" "guardian fa"; keys "$c" Tab
prompt_is "$c" "tripath> guardian failsafe " "tripathctl: completes 'failsafe'"
keys "$c" Tab
prompt_is "$c" "tripath> guardian failsafe e" "tripathctl: completes what enter and exit share"
keys "$c" Tab
wait_screen "$c" '^ enter$' "tripathctl: choices written in the grammar are listed"
keys "$c" C-u
text "$c" "tenant quota "; keys "$c" Tab Tab
keys "$c" C-u
text "$c" "show runtime"; keys "$c" Enter
wait_screen "$c" 'classify' "tripathctl: show runtime"
text "$c" "quit"; keys "$c" Enter
wait_screen "$c" '^tripathctl-exit=0$' "tripathctl: quit ends the session with status 0"

echo "== every show command answers --json"
shows=$(ctl help | sed -n 's/^  \(show [^ ]*\( [^ ]*\)*\) \{2,\}.*/\1/p' | sed 's/ *$//')
[ "$(wc -l <<<"$shows")" -ge 15 ] || fail "help lists too few show commands: $shows"
while read -r grammar; do
	cmd=${grammar//<port>/wire0}
	case $cmd in *"<"*) echo "  skip (parameter): $grammar"; continue ;; esac
	out=$(ctl "$cmd" --json) || fail "'$cmd --json' failed: $out"
	$json -m json.tool <<<"$out" >/dev/null || fail "'$cmd --json' is not JSON: $out"
	echo "  ok: $cmd --json"
done <<<"$shows"
for cmd in "guardian status" "audit tail 1"; do
	out=$(ctl "$cmd" --json 2>&1) || { grep -q "no audit log" <<<"$out" && continue; fail "'$cmd --json': $out"; }
	$json -m json.tool <<<"$out" >/dev/null || fail "'$cmd --json' is not JSON: $out"
done
ctl "rule del arp" --json >/dev/null 2>&1 && fail "--json on a change must be refused, not run"
ctl show rules | grep -q " arp " || fail "a refused --json must leave the rule"

echo "== testpmd words"
ctl show port xstats wire0 | grep -q "^rx_good_packets: " || fail "show port xstats: no rx_good_packets"
refused() { ! ctl "$@" >"$work/refused" 2>&1; }
refused show port xstats nosuch && grep -q "error: no port 'nosuch'" "$work/refused" || fail "show port xstats: unknown port"
ctl clear fwd stats all | grep -q "forward statistics cleared" || fail "clear fwd stats all"
"$lab" exec-client ping -c 4 -i 0.05 -w 10 10.77.0.1 >/dev/null || fail "pings through path A"
fwd=$(ctl show fwd stats all)
grep -q "Forward statistics for port 0  (wire0)" <<<"$fwd" || fail "show fwd stats all layout: $fwd"
grep -q "Accumulated forward statistics for all ports" <<<"$fwd" || fail "show fwd stats all: no totals"
rx=$(ctl show fwd stats all --json | $json -c 'import json,sys; print(json.load(sys.stdin)["ports"][0]["rx_packets"])')
[ "$rx" -ge 4 ] && [ "$rx" -lt 40 ] || fail "fwd stats since clear: wire0 rx $rx, expected the 4 pings and little else"
ctl set verbose 2 | grep -q "Change verbose level from 1 to 2" || fail "set verbose 2"
refused set verbose 7 && grep -q "error: set verbose: '7'" "$work/refused" || fail "set verbose 7 must be refused"
cat > "$work/cmds.txt" <<'EOF'
# a comment
rule add {name: loaded, priority: 41, match: {proto: 17, dst_port: 9998}, path: drop}
show rules
no such command here
EOF
out=$(ctl load "$work/cmds.txt" 2>&1) && fail "load with a bad line must fail"
grep -q "$work/cmds.txt:4: error: unknown command" <<<"$out" || fail "load names FILE:LINE: $out"
grep -q " loaded " <<<"$out" || fail "load runs the lines before and after: $out"
wait_screen "$d" "tripath: published rules" "verbose 2 logs each publish"
ctl rule del loaded >/dev/null
refused load /nonexistent && grep -q "error: load: cannot read /nonexistent" "$work/refused" || fail "load of a missing file"

keys "$d" C-u; text "$d" "quit"; keys "$d" Enter
wait_screen "$d" '^Bye\.\.\.$' "quit at the prompt ends tripath"
echo "PASS"
