# Sourced by the integration tests: start tripath in a namespace, talk to it, stop it.
# The caller sets `sock` (control socket) and `log` (tripath's output) first.

ctl() { "$TRIPATHCTL" -s "$sock" "$@"; }

fail() {
	echo "FAIL: $*"
	echo "---- tripath log"; cat "$log" || true
	exit 1
}

# start_tripath NETNS CONFIG: run tripath there and wait until its control socket answers.
start_tripath() {
	ip netns exec "$1" "$TRIPATH" -c "$2" --socket "$sock" > "$log" 2>&1 &
	tp_pid=$!
	for _ in $(seq 1 150); do
		ctl show lcores >/dev/null 2>&1 && return 0
		kill -0 "$tp_pid" 2>/dev/null || fail "tripath exited during start-up"
		sleep 0.2
	done
	fail "control socket never answered"
}

# SIGTERM (tripath prints its totals and exits), SIGKILL after 10 s.
stop_tripath() {
	[ -n "${tp_pid:-}" ] || return 0
	kill -TERM "$tp_pid" 2>/dev/null || true
	timeout 10 tail --pid="$tp_pid" -f /dev/null || kill -KILL "$tp_pid" 2>/dev/null || true
}
