#!/usr/bin/env bash
# Hostile control clients against the running daemon: binary garbage with NULs, 20 slow-loris
# clients dripping a byte a second, 16 idle sessions holding every slot, a client that never
# reads its answers. Throughout, an honest client must be answered within a second, and the
# daemon must keep forwarding (its counters keep moving).
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for EAL"; exit 77; }
py=/usr/bin/python3

work=$(mktemp -d /tmp/tripath-hostctl.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"
# shellcheck source=../integration/tripath_proc.sh
. "$SOURCE_ROOT/tests/integration/tripath_proc.sh"
cleanup() { stop_tripath; rm -rf "$work"; }
trap cleanup EXIT

# A null wire that invents traffic keeps the worker busy: forwarding must go on meanwhile.
cat > "$work/null.yaml" <<'EOF'
eal: { lcores: "0-1", main_lcore: 0, memory_mb: 128, hugepages: auto, file_prefix: tripath-hostctl }
ports:
  - { name: wire0, driver: "null" }
  - { name: sink0, driver: "null", args: { no-rx: 1 } }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  kernel: { taps: [{ wire: wire0, tap: sink0 }] }
rules:
  - { name: default, priority: 65535, path: kernel }
EOF
"$TRIPATH" -c "$work/null.yaml" --socket "$sock" --no-doctor > "$log" 2>&1 &
tp_pid=$!
for _ in $(seq 1 150); do ctl show lcores >/dev/null 2>&1 && break; kill -0 "$tp_pid" || fail "tripath exited"; sleep 0.2; done

"$py" - "$sock" "$TRIPATHCTL" <<'PY' || fail "hostile control clients"
import os, random, socket, subprocess, sys, threading, time
path, ctl = sys.argv[1], sys.argv[2]
rnd = random.Random(5)

def dial():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

def honest(label, within=1.0):
    """An honest one-shot command must be answered promptly."""
    t0 = time.monotonic()
    out = subprocess.run([ctl, "-s", path, "show", "path", "stats", "--json"], capture_output=True, text=True, timeout=10)
    took = time.monotonic() - t0
    assert out.returncode == 0, (label, out.stdout, out.stderr)
    assert took < within, f"{label}: an honest client waited {took:.2f} s"
    return took, int(__import__("json").loads(out.stdout)["rx_packets"])

def read_all(s, timeout):
    s.settimeout(timeout)
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:   # closed with our unread bytes in its buffer: closed all the same
        return data or b"reset"
    return data

took, rx0 = honest("before")
# 1. Binary garbage with NULs and newlines: every line is an error, nothing else happens.
g = dial()
garbage = bytes(rnd.randrange(256) for _ in range(64 * 1024))
g.sendall(garbage)
g.shutdown(socket.SHUT_WR)
answers = read_all(g, 5)
lines = garbage.count(b"\n")
errors = answers.count(b"\0" + b"1")
print(f"garbage: 64 KiB with {lines} newlines -> {errors} errors, {answers.count(bytes([0]) + b'0')} ok (blank or comment lines)")
assert errors > 0
honest("after garbage")

# 2. Slow-loris: 20 clients each drip a byte a second, never a newline. Honest clients are
# served throughout; the slow ones are closed after 5 s (the newest take the oldest's slots).
slow = [dial() for _ in range(20)]
t0 = time.monotonic()
worst = 0.0
while time.monotonic() - t0 < 7:
    for s in slow:
        try:
            s.send(b"x")
        except OSError:
            pass
    worst = max(worst, honest("during slow-loris")[0])
    time.sleep(1)
closed = 0
for s in slow:
    data = read_all(s, 0.5)
    closed += b"unfinished" in data or b"idle longest" in data or data in (b"", b"reset")
print(f"slow-loris: 20 clients, honest answers within {worst * 1000:.0f} ms, {closed} slow clients closed")
assert closed == 20, closed

# 3. Sixteen idle sessions hold every slot: a newcomer evicts the one idle longest.
idle = [dial() for _ in range(16)]
time.sleep(0.3)
honest("with 16 idle sessions")
evicted = sum(b"idle longest" in read_all(s, 0.2) for s in idle)
print(f"idle: 16 sessions held every slot; an honest client evicted {evicted} and was answered")
assert evicted >= 1

# 4. A client that asks for answers and never reads them does not block anyone.
n = dial()
n.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
n.sendall(b"show port xstats all\n" * 2000)
honest("with a client not reading")
took, rx1 = honest("at the end")
print(f"forwarding: rx {rx0} -> {rx1} while the clients misbehaved")
assert rx1 > rx0
PY
kill -0 "$tp_pid" || fail "tripath died"
echo "PASS"
