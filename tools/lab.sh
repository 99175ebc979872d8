#!/usr/bin/env bash
# The lab of config/lab.yaml: a client namespace on the wire side, a host namespace where
# tripath runs, owning wire0 (af_xdp) and feeding the kernel through the TAP kern0.
#
# Path B: an agent namespace behind the veth ag1 (host side, tripath's af_xdp endpoint port)
# <-> a1-eth (agent side, 10.77.1.2); the client reaches 10.77.1.0/24 through the host.
#
# usage: tools/lab.sh up|down|status|mode baseline|tripath|exec-host CMD...|exec-client CMD...|exec-agent CMD...
# LAB_PREFIX (default empty) prefixes the namespace names, so tests run beside a live lab.
set -euo pipefail

prefix=${LAB_PREFIX:-}
ns_client=${prefix}client
ns_host=${prefix}host
ns_agent=${prefix}agent1

have_ns() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
in_client() { ip netns exec "$ns_client" "$@"; }
in_host() { ip netns exec "$ns_host" "$@"; }
in_agent() { ip netns exec "$ns_agent" "$@"; }

# The agent: its own namespace, reached from the host through ag1. Its gateway's MAC is fixed
# (static neighbour): when tripath owns ag1, no kernel answers ARP there.
agent_up() {
	have_ns "$ns_agent" || ip netns add "$ns_agent"
	in_agent ip link set lo up
	if ! in_host ip link show ag1 >/dev/null 2>&1; then
		ip link add a1-eth netns "$ns_agent" type veth peer name ag1 netns "$ns_host"
	fi
	in_host ip link set ag1 address 02:74:70:01:00:01
	in_host sysctl -qw net.ipv6.conf.ag1.disable_ipv6=1
	in_host ip addr replace 10.77.1.1/24 dev ag1
	in_host ip link set ag1 up
	in_agent ip link set a1-eth address 02:74:70:01:00:02
	in_agent sysctl -qw net.ipv6.conf.a1-eth.disable_ipv6=1
	in_agent ip addr replace 10.77.1.2/24 dev a1-eth
	# Same reason as the client: frames leave through AF_XDP with the checksums they carry.
	in_agent ethtool -K a1-eth tx off >/dev/null
	in_agent ip link set a1-eth up
	in_agent ip route replace default via 10.77.1.1
	in_agent ip neigh replace 10.77.1.1 lladdr 02:74:70:01:00:01 dev a1-eth nud permanent
	# The host kernel reaches the agent through ag1 too (path A traffic to it, case ii), but
	# when tripath owns ag1 the agent's ARP replies go to tripath: the host's entry is static.
	in_host ip neigh replace 10.77.1.2 lladdr 02:74:70:01:00:02 dev ag1 nud permanent
	in_host sysctl -qw net.ipv4.ip_forward=1
	in_client ip route replace 10.77.1.0/24 via 10.77.0.1
}

# baseline: no tripath, the host kernel owns wire0 and routes (the comparison's case i).
# tripath: wire0 belongs to tripath again, the host's address is on the TAP kern0.
mode() {
	case "$1" in
	baseline)
		in_host ip addr del 10.77.0.1/24 dev kern0 2>/dev/null || true
		in_host ip addr replace 10.77.0.1/24 dev wire0
		in_host ip link set wire0 address 02:74:70:00:00:01
		;;
	tripath)
		in_host ip addr del 10.77.0.1/24 dev wire0 2>/dev/null || true
		in_host ip addr replace 10.77.0.1/24 dev kern0
		;;
	*) echo "usage: $0 mode baseline|tripath" >&2; exit 2 ;;
	esac
	in_client ip neigh flush dev cl-wire
}

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
	agent_up
	echo "lab: up ($ns_client: cl-wire 10.77.0.2 fd77::2 | $ns_host: wire0 (tripath), kern0 10.77.0.1 fd77::1 | $ns_agent: a1-eth 10.77.1.2 via ag1)"
}

down() {
	for ns in "$ns_client" "$ns_host" "$ns_agent"; do
		if have_ns "$ns"; then ip netns del "$ns"; fi
	done
	echo "lab: down"
}

status() {
	for ns in "$ns_client" "$ns_host" "$ns_agent"; do
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
exec-agent) shift; exec ip netns exec "$ns_agent" "$@" ;;
mode) shift; mode "${1:-}" ;;
*) echo "usage: $0 up|down|status|mode baseline|tripath|exec-host CMD...|exec-client CMD...|exec-agent CMD..." >&2; exit 2 ;;
esac
