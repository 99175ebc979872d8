#!/usr/bin/env bash
# tripath --check-config: valid configs pass; a broken one fails with FILE:LINE:COL on stderr
# and exit 1, before EAL starts (no EAL output). Needs no root.
set -euo pipefail
: "${TRIPATH:?}" "${SOURCE_ROOT:?}"
work=$(mktemp -d /tmp/tripath-cc.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$TRIPATH" --check-config "$SOURCE_ROOT/config/lab.yaml" | grep -q ": ok:" || fail "config/lab.yaml should pass"
for f in appliance-e810 appliance-bnxt; do # the appliance examples pass on any host
	out=$("$TRIPATH" --check-config "$SOURCE_ROOT/config/$f.yaml" 2>&1) || fail "config/$f.yaml should pass: $out"
	grep -q "config/$f.yaml: ok: " <<<"$out" || fail "config/$f.yaml: $out"
	! grep -q "warning" <<<"$out" || fail "config/$f.yaml has warnings: $out"
done
# The systemd unit parses (its binary swapped for one that exists here).
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/local/bin/tripath|$TRIPATH|" "$SOURCE_ROOT/tools/systemd/tripath.service" > "$work/tripath.service"
	out=$(systemd-analyze verify "$work/tripath.service" 2>&1) || fail "tools/systemd/tripath.service: $out"
	[ -z "$out" ] || fail "tools/systemd/tripath.service: systemd-analyze says: $out"
fi
"$TRIPATH" --dump-default-config > "$work/embedded.yaml"
cmp -s "$work/embedded.yaml" "$SOURCE_ROOT/config/lab.yaml" || fail "embedded config differs from config/lab.yaml"

check_bad() { # FILE EXPECTED-PREFIX PHRASE
	set +e
	out=$("$TRIPATH" --check-config "$1" 2>&1)
	rc=$?
	set -e
	[ $rc -eq 1 ] || fail "$1: exit $rc, want 1; output: $out"
	grep -q "^$2" <<<"$out" || fail "$1: want an error starting '$2', got: $out"
	grep -q "$3" <<<"$out" || fail "$1: want '$3' in: $out"
	! grep -q "EAL" <<<"$out" || fail "$1: EAL ran for a bad config: $out"
}

sed 's/    queues: 1/    queues: lots/' "$SOURCE_ROOT/config/lab.yaml" > "$work/badtype.yaml"
line=$(grep -n 'queues: lots' "$work/badtype.yaml" | cut -d: -f1)
check_bad "$work/badtype.yaml" "$work/badtype.yaml:$line:13: " "queues"

sed 's/    path: kernel\r\?$/    path: fast\n    endpoint: nowhere/' "$SOURCE_ROOT/config/lab.yaml" > "$work/dangling.yaml"
check_bad "$work/dangling.yaml" "$work/dangling.yaml:[0-9]*:[0-9]*: " "nowhere"

printf 'eal: { lcores: "0-1" }\nports: []\nlcores: []\nbogus: 1\n' > "$work/unknown.yaml"
check_bad "$work/unknown.yaml" "$work/unknown.yaml:4:1: " "unknown key 'bogus'"

set +e; out=$("$TRIPATH" --check-config "$work/missing.yaml" 2>&1); rc=$?; set -e
[ $rc -eq 1 ] || fail "missing file: exit $rc"
grep -q "missing.yaml" <<<"$out" || fail "missing file not named: $out"

set +e; out=$("$TRIPATH" --bogus-flag 2>&1); rc=$?; set -e
[ $rc -eq 2 ] && grep -q "unknown option --bogus-flag" <<<"$out" || fail "bad flag: exit $rc: $out"
echo "PASS"
