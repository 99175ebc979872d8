#!/usr/bin/python3
"""Mixed agent workload as a pcap, for replay by net_pcap (rx_pcap=FILE,infinite_rx=1).

Classes (DESIGN.md names): rpc (64-512 B UDP/TCP requests to agent ports), retrieval
(1-16 KiB responses cut into frames of up to 1514 B), bulk (1514 B TCP segments), and some
control traffic (ARP, ICMP, ICMPv6 echo, DNS, SSH). IPv4 and some IPv6. Sources are spread
over the tenant address space of address_plan.py. Deterministic for a given seed.

Writes FILE.pcap and FILE.flows.json (every flow with its 5-tuple, class and packet sizes),
which config.py reads to write rules that this traffic actually hits.

Python 3 standard library only.
"""
import argparse
import array
import json
import random
import struct
import sys
from pathlib import Path

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import address_plan as plan  # noqa: E402

HOST_MAC = bytes.fromhex("027470000001")
ETH_IPV4, ETH_IPV6, ETH_ARP = 0x0800, 0x86DD, 0x0806
TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58
MAX_FRAME = 1514                   # Ethernet header + 1500 B MTU, no FCS

# Packet share of each class (control is the rest).
DEFAULT_MIX = {"rpc": 0.55, "retrieval": 0.27, "bulk": 0.13}


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    words = array.array("H", data)
    if sys.byteorder == "little":
        words.byteswap()
    s = sum(words)
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def src_mac(addr: bytes) -> bytes:
    return b"\x02\x10" + addr[-4:]


def l4_header(proto, sport, dport, payload_len, seq=0, flags=0x18):
    if proto == UDP:
        return struct.pack("!HHHH", sport, dport, 8 + payload_len, 0)
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0)


def with_l4_checksum(pseudo: bytes, l4: bytes, payload: bytes, proto) -> bytes:
    c = checksum(pseudo + l4 + payload)
    if proto == UDP and c == 0:
        c = 0xFFFF
    at = 6 if proto == UDP else 16
    return l4[:at] + struct.pack("!H", c) + l4[at + 2:] + payload


def ipv4_frame(src, dst, proto, l4_and_payload_fn, frame_len, dscp=0):
    """Build an IPv4 frame of exactly frame_len bytes (>= 60 padded by the NIC; we pad)."""
    ip_len = frame_len - 14
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, dscp << 2, ip_len, 0, 0x4000, 64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    body = l4_and_payload_fn(ip_len - 20, struct.pack("!4s4sBBH", src, dst, 0, proto, ip_len - 20))
    return struct.pack("!6s6sH", HOST_MAC, src_mac(src), ETH_IPV4) + hdr + body


def ipv6_frame(src, dst, proto, l4_and_payload_fn, frame_len):
    pl = frame_len - 14 - 40
    hdr = struct.pack("!IHBB16s16s", 6 << 28, pl, proto, 64, src, dst)
    body = l4_and_payload_fn(pl, struct.pack("!16s16sIxxxB", src, dst, pl, proto))
    return struct.pack("!6s6sH", HOST_MAC, src_mac(src), ETH_IPV6) + hdr + body


def transport(proto, sport, dport, seq=0):
    def build(l4_len, pseudo):
        hl = 8 if proto == UDP else 20
        payload = bytes((i * 7 + sport) & 0xFF for i in range(l4_len - hl))
        l4 = l4_header(proto, sport, dport, l4_len - hl, seq)
        return with_l4_checksum(pseudo, l4, payload, proto)
    return build


def icmp_echo(ident, seq, v6=False):
    def build(l4_len, pseudo):
        payload = bytes(i & 0xFF for i in range(l4_len - 8))
        h = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, seq)
        c = checksum((pseudo if v6 else b"") + h + payload)
        return h[:2] + struct.pack("!H", c) + h[4:] + payload
    return build


def arp_request(sender_ip, target_ip):
    mac = src_mac(sender_ip)
    arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_IPV4, 6, 4, 1, mac, sender_ip, b"\0" * 6, target_ip)
    frame = struct.pack("!6s6sH", b"\xff" * 6, mac, ETH_ARP) + arp
    return frame + b"\0" * (60 - len(frame))


class Flow:
    def __init__(self, cls, family, proto, src, dst, sport, dport, sizes, block):
        self.cls, self.family, self.proto = cls, family, proto
        self.src, self.dst, self.sport, self.dport = src, dst, sport, dport
        self.sizes = sizes          # frame length of each packet, in order
        self.block = block          # tenant-space source block (address_plan), None for ARP

    def frames(self):
        out = []
        seq = 1000
        for i, n in enumerate(self.sizes):
            if self.cls == "arp":
                out.append(arp_request(self.src, self.dst))
                continue
            v6 = self.family == 6
            if self.proto in (ICMP, ICMPV6):
                fn = icmp_echo(self.sport, i, v6)
            else:
                fn = transport(self.proto, self.sport, self.dport, seq)
                seq += n
            out.append(ipv6_frame(self.src, self.dst, self.proto, fn, n) if v6
                       else ipv4_frame(self.src, self.dst, self.proto, fn, n))
        return out

    def describe(self):
        fam = self.family
        return {
            "class": self.cls, "family": fam,
            "proto": self.proto, "src": plan.fmt(self.src), "dst": plan.fmt(self.dst),
            "sport": self.sport, "dport": self.dport, "block": self.block,
            "sizes": self.sizes,
        }


def make_flows(rng: random.Random, packets: int, flows: int, v6_share: float, mix: dict):
    """Flows per class sized so that packet shares follow `mix` and flow count ~ `flows`."""
    active = plan.active_blocks(rng, max(64, flows // 3))
    weights = [1.0 / (i + 1) ** 0.6 for i in range(len(active))]   # a few busy tenants, a long tail

    def source(family):
        b = rng.choices(active, weights)[0]
        return b, plan.source_address(family, b, rng.randrange(1, 255))

    def family():
        return 6 if rng.random() < v6_share else 4

    out = []
    budget = {c: int(packets * s) for c, s in mix.items()}
    budget["control"] = packets - sum(budget.values())
    # Flow counts: rpc is many short flows, retrieval a few frames each, bulk few long flows.
    n_rpc = int(flows * 0.70)
    n_ret = int(flows * 0.20)
    n_bulk = max(8, flows // 80)
    n_ctl = max(16, flows - n_rpc - n_ret - n_bulk)

    def spread(total, n, lo):
        """n positive counts >= lo summing to total, skewed."""
        w = [rng.paretovariate(1.5) for _ in range(n)]
        s = sum(w)
        counts = [max(lo, int(total * x / s)) for x in w]
        i = 0
        while sum(counts) > total and any(c > lo for c in counts):
            if counts[i % n] > lo:
                counts[i % n] -= 1
            i += 1
        while sum(counts) < total:
            counts[rng.randrange(n)] += 1
        return counts

    for count in spread(budget["rpc"], n_rpc, 1):
        fam = family()
        proto = UDP if rng.random() < 0.5 else TCP
        blk, src = source(fam)
        svc = rng.randrange(plan.RPC_SERVICES)
        dst = plan.service_address(fam, "rpc", svc)
        dport = plan.RPC_PORT_BASE + svc % plan.RPC_PORTS
        sizes = [rng.randint(64, 512) for _ in range(count)]
        out.append(Flow("rpc", fam, proto, src, dst, rng.randrange(32768, 61000), dport, sizes, blk))

    # Retrieval: each flow is one or more responses of 1-16 KiB, cut into 1514 B frames.
    for count in spread(budget["retrieval"], n_ret, 1):
        fam = family()
        hdr = 14 + (40 if fam == 6 else 20) + 20
        mss_frame = MAX_FRAME
        sizes = []
        while len(sizes) < count:
            resp = rng.randint(1024, 16384)
            while resp > 0 and len(sizes) < count:
                seg = min(resp, mss_frame - hdr)
                sizes.append(max(64, seg + hdr))
                resp -= seg
        blk, src = source(fam)
        srv = rng.randrange(plan.RETRIEVAL_PORTS)
        dst = plan.service_address(fam, "retrieval", rng.randrange(plan.RETRIEVAL_SERVICES))
        out.append(Flow("retrieval", fam, TCP, src, dst, plan.RETRIEVAL_PORT_BASE + srv,
                        rng.randrange(32768, 61000), sizes, blk))

    for count in spread(budget["bulk"], n_bulk, 4):
        fam = family()
        blk, src = source(fam)
        dst = plan.service_address(fam, "bulk", rng.randrange(plan.BULK_SERVICES))
        out.append(Flow("bulk", fam, TCP, src, dst, rng.randrange(32768, 61000),
                        plan.BULK_PORT_BASE + rng.randrange(plan.BULK_PORTS), [MAX_FRAME] * count, blk))

    # Control: ARP, ICMP/ICMPv6 echo, DNS, SSH. Each flow a few packets.
    for count in spread(budget["control"], n_ctl, 1):
        kind = rng.choices(["arp", "icmp", "icmpv6", "dns", "ssh"], [3, 3, 1, 2, 2])[0]
        if kind == "arp":
            blk, src = source(4)
            out.append(Flow("arp", 0, 0, src, plan.service_address(4, "rpc", 0), 0, 0, [60] * count, None))
        elif kind in ("icmp", "icmpv6"):
            fam = 6 if kind == "icmpv6" else 4
            blk, src = source(fam)
            out.append(Flow("control", fam, ICMPV6 if fam == 6 else ICMP, src,
                            plan.service_address(fam, "rpc", rng.randrange(plan.RPC_SERVICES)),
                            rng.randrange(1, 65535), 0, [98 if fam == 4 else 118] * count, blk))
        else:
            fam = family()
            blk, src = source(fam)
            proto, port = (UDP, 53) if kind == "dns" else (TCP, 22)
            out.append(Flow("control", fam, proto, src, plan.service_address(fam, "infra", port),
                            rng.randrange(32768, 61000), port,
                            [rng.randint(74, 200) for _ in range(count)], blk))
    return out


def interleave(rng: random.Random, flows):
    """Packets of all flows in one stream: each flow's packets keep their order, flows overlap."""
    events = []
    for fi, f in enumerate(flows):
        t = rng.random()
        for pi in range(len(f.sizes)):
            events.append((t, fi, pi))
            t += rng.expovariate(len(f.sizes) * 4.0) if f.cls != "bulk" else rng.expovariate(400.0)
    events.sort()
    return [(fi, pi) for _, fi, pi in events]


def write_pcap(path: Path, frames):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            usec = i * 2
            out.write(struct.pack("<IIII", usec // 1000000, usec % 1000000, len(frame), len(frame)))
            out.write(frame)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path, help="output pcap (FILE.flows.json is written beside it)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--packets", type=int, default=12000,
                    help="frames in the file; net_pcap's infinite_rx keeps them all in mbufs (default 12000)")
    ap.add_argument("--flows", type=int, default=3000, help="about this many distinct flows (default 3000)")
    ap.add_argument("--ipv6-share", type=float, default=0.2, help="share of IP flows that are IPv6 (default 0.2)")
    a = ap.parse_args(argv)

    rng = random.Random(a.seed)
    flows = make_flows(rng, a.packets, a.flows, a.ipv6_share, DEFAULT_MIX)
    built = [f.frames() for f in flows]
    order = interleave(rng, flows)
    frames = [built[fi][pi] for fi, pi in order]
    a.out.parent.mkdir(parents=True, exist_ok=True)
    write_pcap(a.out, frames)

    classes = {}
    for f in flows:
        c = classes.setdefault(f.cls, {"flows": 0, "packets": 0, "bytes": 0})
        c["flows"] += 1
        c["packets"] += len(f.sizes)
        c["bytes"] += sum(f.sizes)
    summary = {
        "generator": "tools/bench/workload.py",
        "seed": a.seed, "packets": len(frames), "flows": len(flows),
        "ipv6_share": a.ipv6_share, "bytes": sum(len(x) for x in frames),
        "ipv6_packets": sum(len(f.sizes) for f in flows if f.family == 6),
        "classes": classes,
    }
    doc = dict(summary, flow_list=[f.describe() for f in flows])
    Path(str(a.out) + ".flows.json").write_text(json.dumps(doc))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
