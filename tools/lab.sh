#!/usr/bin/env bash
# The lab of config/lab.yaml: a client namespace on the wire side, a host namespace where
# tripath runs, owning wire0 (af_xdp) and feeding the kernel through the TAP kern0.
#
# usage: tools/lab.sh up|down|status|exec-host CMD...|exec-client CMD...
# LAB_PREFIX (default empty) prefixes the namespace names, so tests run beside a live lab.
set -euo pipefail

prefix=${LAB_PREFIX:-}
ns_client=${prefix}client
ns_host=${prefix}host

have_ns() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
in_client() { ip netns exec "$ns_client" "$@"; }
in_host() { ip netns exec "$ns_host" "$@"; }

up() {
	have_ns "$ns_client" || ip netns add "$ns_client"
	have_ns "$ns_host" || ip netns add "$ns_host"
	in_client ip link set lo up
	in_host ip link set lo up
	# Both veth ends are created directly inside their namespaces: nothing touches the host's.
	if ! in_host ip link show wire0 >/dev/null 2>&1; then
		ip link add cl-wire netns "$ns_client" type veth peer name wire0 netns "$ns_host"
	fi
	in_client sysctl -qw net.ipv6.conf.cl-wire.accept_dad=0
	in_client ip addr replace 10.77.0.2/24 dev cl-wire
	in_client ip addr replace fd77::2/64 dev cl-wire nodad
	# A veth hands frames over with checksums left to "hardware"; AF_XDP copies them as they
	# are, so the client must checksum in software, as a frame on a real wire would be.
	in_client ethtool -K cl-wire tx off >/dev/null
	in_client ip link set cl-wire up
	# wire0 belongs to tripath: no addresses, and the kernel must not talk on it.
	in_host sysctl -qw net.ipv6.conf.wire0.disable_ipv6=1
	in_host ip link set wire0 up
	# A persistent multi-queue TAP keeps its addresses across tripath restarts; net_tap attaches.
	if ! in_host ip link show kern0 >/dev/null 2>&1; then
		in_host ip tuntap add dev kern0 mode tap multi_queue
	fi
	in_host sysctl -qw net.ipv6.conf.kern0.accept_dad=0
	in_host ip link set kern0 address 02:74:70:00:00:01
	in_host ip addr replace 10.77.0.1/24 dev kern0
	in_host ip addr replace fd77::1/64 dev kern0 nodad
	in_host ip link set kern0 up
	echo "lab: up ($ns_client: cl-wire 10.77.0.2 fd77::2 | $ns_host: wire0 (tripath), kern0 10.77.0.1 fd77::1)"
}

down() {
	for ns in "$ns_client" "$ns_host"; do
		have_ns "$ns" && ip netns del "$ns"
	done
	echo "lab: down"
}

status() {
	for ns in "$ns_client" "$ns_host"; do
		if have_ns "$ns"; then
			echo "== netns $ns"
			ip -n "$ns" -br addr
		else
			echo "== netns $ns: absent"
		fi
	done
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
exec-host) shift; exec ip netns exec "$ns_host" "$@" ;;
exec-client) shift; exec ip netns exec "$ns_client" "$@" ;;
*) echo "usage: $0 up|down|status|exec-host CMD...|exec-client CMD..." >&2; exit 2 ;;
esac
