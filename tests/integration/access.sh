#!/usr/bin/env bash
# Control socket access against a running tripath: the socket gets control.mode and control.group;
# a non-root client of that group reads (show port stats all, whoami: reader) and is refused a
# rule change with a clear message; a member of control.admin_group may change; anyone else cannot
# connect. Then bad input from an admin: an unknown command, malformed arguments and a 1 MiB line
# each get an error while the daemon keeps running and keeps answering other clients. An unknown
# group stops start-up with FILE:LINE:COL and the fix.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces and setpriv"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: no setpriv (util-linux)"; exit 77; }

export LAB_PREFIX=tpacc-
lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d /tmp/tripath-acc.XXXXXX)
chmod 0711 "$work" # other users may reach the socket inside, not list the directory
sock="$work/ctl.sock"
log="$work/tripath.log"
admin_gid=$(getent group users | cut -d: -f3) # an existing group as control.admin_group

# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"

cleanup() {
	stop_tripath
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# as_user GID-ARGS... -- tripathctl ARGS: tripathctl as uid 65534 with the given group options.
reader() { setpriv --reuid=65534 --regid=65534 --clear-groups "$TRIPATHCTL" -s "$sock" "$@"; }
group_admin() { setpriv --reuid=65534 --regid=65534 --groups="$admin_gid" "$TRIPATHCTL" -s "$sock" "$@"; }
outsider() { setpriv --reuid=65534 --regid=4242 --clear-groups "$TRIPATHCTL" -s "$sock" "$@"; }

# run_rc VAR CMD...: the output (stdout+stderr) in $out and the exit status in $rc.
run_rc() { set +e; out=$("$@" 2>&1); rc=$?; set -e; }

"$lab" down >/dev/null 2>&1 || true
"$lab" up >/dev/null
sed -e 's/file_prefix: tripath-lab/file_prefix: tripath-acc/' "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"
cat >> "$work/lab.yaml" <<'YAML'

control:
  mode: "0660"
  group: nogroup
  admin_group: users
YAML

echo "== an unknown group stops start-up"
sed 's/  group: nogroup/  group: no-such-group-tpacc/' "$work/lab.yaml" > "$work/badgroup.yaml"
line=$(grep -n 'group: no-such-group-tpacc' "$work/badgroup.yaml" | cut -d: -f1)
run_rc ip netns exec "${LAB_PREFIX}host" "$TRIPATH" -c "$work/badgroup.yaml" --socket "$sock"
[ $rc -eq 1 ] || fail "unknown group: exit $rc, want 1: $out"
grep -q "^tripath: doctor: fatal: access: no such group on this host: control.group 'no-such-group-tpacc'; fix: groupadd --system no-such-group-tpacc$" <<<"$out" ||
	fail "unknown group: the doctor did not name it: $out"
run_rc ip netns exec "${LAB_PREFIX}host" "$TRIPATH" -c "$work/badgroup.yaml" --socket "$sock" --no-doctor
[ $rc -eq 1 ] || fail "unknown group with --no-doctor: exit $rc, want 1: $out"
grep -q "^tripath: $work/badgroup.yaml:$line:10: control.group: no group 'no-such-group-tpacc' on this host; create it: groupadd --system no-such-group-tpacc$" <<<"$out" ||
	fail "unknown group with --no-doctor: want FILE:LINE:COL: $out"
! grep -q "EAL" <<<"$out" || fail "EAL ran with an unknown control group: $out"

start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
grep -q "control socket $sock mode 0660 group nogroup" "$log" || fail "start-up did not report the socket's mode and group"
[ "$(stat -c '%a %G' "$sock")" = "660 nogroup" ] || fail "socket is $(stat -c '%a %G' "$sock"), want 660 nogroup"

echo "== a read-only client (uid 65534, group nogroup)"
run_rc reader whoami
[ $rc -eq 0 ] && grep -q "^uid 65534 (nobody), gid 65534: role reader (admins: uid 0 and group users)$" <<<"$out" || fail "reader whoami: $rc: $out"
run_rc reader show port stats all
[ $rc -eq 0 ] && grep -q "wire0" <<<"$out" || fail "reader show port stats all: exit $rc: $out"
run_rc reader rule add '{name: probe, priority: 40, match: {proto: udp, dst_port: 9999}, path: kernel}'
echo "$out"
[ $rc -eq 1 ] || fail "reader rule add: exit $rc, want 1"
grep -q "error: 'rule add .*' changes tripath and needs the admin role; this client is read-only" <<<"$out" || fail "reader rule add: no clear refusal: $out"
ctl show rules | grep -q probe && fail "a read-only client's rule was applied"

echo "== a member of control.admin_group"
run_rc group_admin whoami
grep -q "role admin" <<<"$out" || fail "admin-group whoami: $out"
run_rc group_admin rule add '{name: probe, priority: 40, match: {proto: udp, dst_port: 9999}, path: kernel}'
[ $rc -eq 0 ] || fail "admin-group rule add: exit $rc: $out"
ctl show rules | grep -q probe || fail "the admin group's rule is not in force"
run_rc group_admin rule del probe
[ $rc -eq 0 ] || fail "admin-group rule del: exit $rc: $out"

echo "== a client outside the socket's group"
run_rc outsider show port stats all
[ $rc -eq 2 ] && grep -q "Permission denied" <<<"$out" || fail "outsider: exit $rc, want 2 and Permission denied: $out"

echo "== bad input from an admin: errors, and the daemon keeps answering"
run_rc ctl frobnicate the widgets
[ $rc -eq 1 ] && grep -q "unknown command" <<<"$out" || fail "unknown command: exit $rc: $out"
run_rc ctl rule add '{name: bad, priority: 40, match: {dst: 10.0.0.300/24}, path: kernel}'
[ $rc -eq 1 ] && grep -q "10.0.0.300" <<<"$out" || fail "bad prefix: exit $rc: $out"
run_rc ctl show port stats nosuchport
[ $rc -eq 1 ] && grep -qi "nosuchport" <<<"$out" || fail "unknown port: exit $rc: $out"
run_rc ctl rule del
[ $rc -eq 1 ] || fail "rule del without a name: exit $rc: $out"
python3 - "$sock" <<'PY' || fail "1 MiB line"
import socket, sys
def answer(s):
    buf = b""
    while True:
        d = s.recv(65536)
        if not d:
            return buf
        buf += d
        i = buf.find(b"\0")
        if i >= 0 and len(buf) > i + 1:
            return buf
big, other = socket.socket(socket.AF_UNIX), socket.socket(socket.AF_UNIX)
big.connect(sys.argv[1]); other.connect(sys.argv[1])
try:
    big.sendall(b"x" * (1 << 20) + b"\n")
except OSError as e:  # the daemon stops reading after the limit and closes this client
    print("1 MiB send ended early:", e)
got = answer(big)
assert b"command line longer than 4096 bytes" in got and got.endswith(b"\x001"), got[:200]
assert big.recv(1) == b"", "the daemon kept the connection after the overlong line"
other.sendall(b"show lcores\n")
got = answer(other)
assert got.endswith(b"\x000") and b"worker" in got, got[:200]
print("1 MiB line: error, connection closed; another client answered")
PY
kill -0 "$tp_pid" 2>/dev/null || fail "tripath died after the bad input"
ctl show port stats all | grep -q wire0 || fail "tripath stopped answering after the bad input"
reader show lcores >/dev/null || fail "the read-only client is no longer served"
echo "PASS"
