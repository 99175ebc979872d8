#!/usr/bin/env python3
"""Hostile frames for tests/hostile/frames.sh: writes a pcap of every malformed and odd kind of
frame, and a JSON manifest of how many of each kind the file holds and what tripath must do
with them (a named drop reason, or a path by the test config's rules).

usage: frames.py OUT.pcap OUT.json JUMBO.pcap

The 9000-byte frames go to JUMBO.pcap: net_pcap replays a file endlessly only when every frame
fits one mbuf, so the test reads them once from a second port.
"""
import json
import random
import struct
import sys

DST = bytes.fromhex("027470000001")   # the TAP's MAC in the test config
SRC = bytes.fromhex("02aabbccdd01")
rnd = random.Random(7)


def eth(ether_type, payload, vlans=()):
    hdr = DST + SRC
    for tpid, vid in vlans:
        hdr += struct.pack("!HH", tpid, vid & 0x0FFF)
    return hdr + struct.pack("!H", ether_type) + payload


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, payload, ihl=5, options=b"", total=None, version=4, frag=0, src="10.66.0.9", dst="10.66.1.1"):
    length = total if total is not None else ihl * 4 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, length & 0xFFFF, rnd.randrange(65536), frag, 64, proto, 0,
                      bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    hdr += options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp(dport, data=b"x" * 18, sport=40000):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def tcp(dport, offset=5, data=b""):
    return struct.pack("!HHIIBBHHH", 40000, dport, 1, 0, offset << 4, 0x02, 65535, 0, 0) + data


def ipv6(next_header, payload, version=6, plen=None):
    src = bytes.fromhex("fd000000000000000000000000000009")
    dst = bytes.fromhex("fd000000000000000000000000010001")
    return struct.pack("!IHBB", version << 28, plen if plen is not None else len(payload), next_header, 64) + src + dst + payload


def ext(next_header, length_units=0):
    """One IPv6 extension header (hop-by-hop / destination options / routing shape)."""
    body = bytes(6 + 8 * length_units)
    return struct.pack("!BB", next_header, length_units) + body


def ext_chain(n, last_next=17, last_payload=None):
    payload = last_payload if last_payload is not None else udp(7000)
    nh = last_next
    for _ in range(n):
        payload = ext(nh) + payload
        nh = 60   # destination options
    return nh, payload


# kind -> (expected, frames). expected: a drop reason, or "path:NAME" by the config's rules.
KINDS = {}


def kind(name, expected, frames):
    KINDS[name] = (expected, frames)


kind("runt", "truncated_ethernet", [bytes(rnd.randrange(256) for _ in range(n)) for n in (1, 6, 12, 13)])
kind("vlan_truncated", "truncated_vlan", [DST + SRC + b"\x81\x00\x00", DST + SRC + b"\x88\xa8\x00\x01"])
kind("vlan_three_deep", "too_many_vlans",
     [eth(0x0800, ipv4(17, udp(7000)), vlans=((0x88A8, 10), (0x8100, 20), (0x8100, 30)))] * 2)
kind("vlan_flood", "path:fast",
     [eth(0x0800, ipv4(17, udp(7000)), vlans=((0x8100, rnd.randrange(1, 4095)),)) for _ in range(24)] +
     [eth(0x0800, ipv4(17, udp(7000)), vlans=((0x88A8, rnd.randrange(4095)), (0x8100, rnd.randrange(4095)))) for _ in range(8)])
kind("ipv4_truncated", "truncated_ipv4", [eth(0x0800, ipv4(17, udp(7000))[:12])])
kind("ipv4_bad_version", "bad_ipv4_version", [eth(0x0800, ipv4(17, udp(7000), version=6))])
kind("ipv4_bad_ihl", "bad_ipv4_ihl", [eth(0x0800, ipv4(17, udp(7000), ihl=3)),
                                      eth(0x0800, ipv4(17, b"", ihl=15, options=bytes(8)))])
kind("ipv4_total_below_header", "bad_ipv4_length", [eth(0x0800, ipv4(17, udp(7000), total=12))])
kind("ipv4_options", "path:fast", [eth(0x0800, ipv4(17, udp(7000), ihl=5 + n, options=b"\x01" * (4 * n))) for n in (1, 4, 10)])
kind("ipv4_first_fragment", "path:fast", [eth(0x0800, ipv4(17, udp(7000, b"y" * 64), frag=0x2000))])
# Later fragments carry no ports: they match on addresses only, so the default rule takes them.
kind("ipv4_later_fragment", "path:kernel", [eth(0x0800, ipv4(17, b"z" * 64, frag=0x2000 | 8)), eth(0x0800, ipv4(17, b"z" * 32, frag=16))])
kind("ipv4_length_beyond_frame", "path:any", [eth(0x0800, ipv4(17, udp(7000), total=1400))])
kind("ipv6_truncated", "truncated_ipv6", [eth(0x86DD, ipv6(17, udp(7000))[:30])])
kind("ipv6_bad_version", "bad_ipv6_version", [eth(0x86DD, ipv6(17, udp(7000), version=4))])
nh3, chain3 = ext_chain(3)
kind("ipv6_extension_chain", "path:fast", [eth(0x86DD, ipv6(nh3, chain3))])
nh12, chain12 = ext_chain(12)
kind("ipv6_extension_chain_too_long", "bad_ipv6_extension", [eth(0x86DD, ipv6(nh12, chain12))])
nh2, chain2 = ext_chain(2)
kind("ipv6_extension_past_end", "bad_ipv6_extension", [eth(0x86DD, ipv6(nh2, chain2[:6]))])
kind("tcp_bad_offset", "bad_tcp_offset", [eth(0x0800, ipv4(6, tcp(22, offset=2))), eth(0x0800, ipv4(6, tcp(22, offset=15)))])
kind("l4_truncated", "truncated_l4", [eth(0x0800, ipv4(6, tcp(22)[:10])), eth(0x0800, ipv4(17, udp(7000)[:5]))])
kind("tcp_ssh", "path:kernel", [eth(0x0800, ipv4(6, tcp(22)))])
kind("udp_drop_port", "rule_drop", [eth(0x0800, ipv4(17, udp(6666)))])
# The test's bulk peer is never up (no RDMA here): these fall back to path A.
kind("udp_bulk_port", "path:kernel", [eth(0x0800, ipv4(17, udp(9000, b"b" * 900)))])
kind("unknown_ethertype", "path:kernel", [eth(0x88B5, bytes(46)), eth(0x0806, bytes(28))])
# Beyond a 1500-byte MTU (written to JUMBO.pcap).
JUMBO = [eth(0x0800, ipv4(17, udp(7000, b"j" * 8960))), eth(0x0800, ipv4(6, tcp(22, data=b"k" * 9000)))]


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1, i, len(fr), len(fr)) + fr)


def main():
    out_pcap, out_json, jumbo_pcap = sys.argv[1], sys.argv[2], sys.argv[3]
    frames, manifest = [], {}
    for name, (expected, fs) in KINDS.items():
        manifest[name] = {"expected": expected, "count": len(fs)}
        frames += fs
    rnd.shuffle(frames)
    write_pcap(out_pcap, frames)
    write_pcap(jumbo_pcap, JUMBO)
    json.dump({"frames": len(frames), "kinds": manifest, "jumbo_frames": len(JUMBO)}, open(out_json, "w"), indent=1)


if __name__ == "__main__":
    main()
