#!/usr/bin/python3
"""tripath benchmark config: N rules and T tenants over the traffic of workload.py.

Ports: wire0 (net_pcap, rx_pcap=FILE, infinite_rx=1) polled by worker lcore 1; its path A
"tap" is sink0, a net_null port, so path A ends in a sink instead of the kernel; the fast
endpoint "agents" is agent0, a net_null port the worker sends path B to directly (path C's
bulk verdicts still ride path A until path C exists). Idle backoff
is off on both lcores.

Rules, in priority order (lower first; ties keep file order):
  head      5 rules: ARP, ICMP, ICMPv6, SSH, DNS -> kernel
  specific  N - 14 rules of varying specificity, hits and fillers shuffled together, so the
            traffic matches at every depth of the table:
              rpc:       src block + dst /32|/128 + proto + dst_port      -> fast
                         src block + proto + dst_port range of 8          -> fast
              retrieval: src host /32|/128 + tcp + src_port               -> fast
              bulk:      src block + dst + tcp + 9000-9007 + frame 1000-1514 -> bulk
            A hit rule is built from a flow of the workload; a filler has the same shape on
            a source block no flow uses (10% of fillers are drop rules).
  tail      8 class rules: rpc ports 7000-7047 (v4/v6, udp/tcp) -> fast, retrieval source
            ports -> fast, bulk -> bulk, telnet -> drop
  default   priority 65535, no match -> kernel (rpc services on 7048-7063 end here)

Tenants: T tenants split the 65,536 source blocks of address_plan.py into T contiguous runs,
each written as its minimal IPv4 and IPv6 CIDR lists; a rule names the tenant owning its
source block.

Also prints (and with --analysis writes) where the workload's packets match: first-match
rule index per packet, computed here with the same semantics as tripath's classifier.
"""
import argparse
import json
import random
import sys
from pathlib import Path

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import address_plan as plan  # noqa: E402

import ipaddress  # noqa: E402

HEAD = 5
TAIL = 8
FIXED = HEAD + TAIL + 1
TCP, UDP = 6, 17
PROTO_NAME = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}
RPC_GENERIC_PORTS = (plan.RPC_PORT_BASE, plan.RPC_PORT_BASE + 47)
BULK_FRAME = (1000, 1514)    # bulk rules match large frames only; None with --no-frame-size


class Rule:
    __slots__ = ("name", "priority", "ether_type", "src", "dst", "proto", "sport", "dport",
                 "frame", "path", "tenant", "kind")

    def __init__(self, name, priority, path, kind, ether_type=None, src=None, dst=None, proto=None,
                 sport=None, dport=None, frame=None, tenant=None):
        self.name, self.priority, self.path, self.kind = name, priority, path, kind
        self.ether_type = ether_type
        self.src = ipaddress.ip_network(src) if src else None
        self.dst = ipaddress.ip_network(dst) if dst else None
        self.proto, self.sport, self.dport, self.frame = proto, sport, dport, frame
        self.tenant = tenant

    def yaml(self):
        m = []
        if self.ether_type:
            m.append(f"ether_type: {self.ether_type}")
        if self.src:
            m.append(f'src: "{self.src}"')
        if self.dst:
            m.append(f'dst: "{self.dst}"')
        if self.proto is not None:
            m.append(f"proto: {PROTO_NAME.get(self.proto, self.proto)}")
        for key, r in (("src_port", self.sport), ("dst_port", self.dport), ("frame_size", self.frame)):
            if r:
                m.append(f"{key}: {r[0]}" if r[0] == r[1] else f'{key}: "{r[0]}-{r[1]}"')
        s = f"  - {{ name: {self.name}, priority: {self.priority}, "
        if m:
            s += "match: { " + ", ".join(m) + " }, "
        s += f"path: {self.path}"
        if self.path == "fast":
            s += ", endpoint: agents"
        elif self.path == "bulk":
            s += ", peer: peer0"
        if self.tenant is not None:
            s += f", tenant: t{self.tenant}"
        return s + " }"

    # Same semantics as lib/classify: IP-only fields never match non-IP frames, ports need an
    # L4 header (tcp/udp here), a prefix matches only its own family.
    def matches(self, pkt):
        if self.ether_type is not None and self.ether_type != pkt["ether_type"]:
            return False
        if self.src is not None and (pkt["src"] is None or self.src.version != pkt["family"]
                                     or pkt["src"] not in self.src):
            return False
        if self.dst is not None and (pkt["dst"] is None or self.dst.version != pkt["family"]
                                     or pkt["dst"] not in self.dst):
            return False
        if self.proto is not None and (pkt["family"] == 0 or self.proto != pkt["proto"]):
            return False
        if (self.sport or self.dport) and not pkt["l4"]:
            return False
        if self.sport and not self.sport[0] <= pkt["sport"] <= self.sport[1]:
            return False
        if self.dport and not self.dport[0] <= pkt["dport"] <= self.dport[1]:
            return False
        if self.frame and not self.frame[0] <= pkt["len"] <= self.frame[1]:
            return False
        return True


def head_rules():
    return [
        Rule("arp", 10, "kernel", "head", ether_type="arp"),
        Rule("icmp", 10, "kernel", "head", proto=1),
        Rule("icmpv6", 10, "kernel", "head", proto=58),
        Rule("ssh", 10, "kernel", "head", proto=TCP, dport=(22, 22)),
        Rule("dns", 10, "kernel", "head", proto=UDP, dport=(53, 53)),
    ]


def tail_rules():
    rpc4 = f"172.16.{plan.SERVICE_KINDS['rpc']}.0/24"
    rpc6 = f"fd20:0:0:{plan.SERVICE_KINDS['rpc']}::/64"
    bulk4 = f"172.16.{plan.SERVICE_KINDS['bulk']}.0/24"
    bulk6 = f"fd20:0:0:{plan.SERVICE_KINDS['bulk']}::/64"
    bulk_ports = (plan.BULK_PORT_BASE, plan.BULK_PORT_BASE + plan.BULK_PORTS - 1)
    ret_ports = (plan.RETRIEVAL_PORT_BASE, plan.RETRIEVAL_PORT_BASE + plan.RETRIEVAL_PORTS - 1)
    return [
        Rule("rpc-udp4", 60000, "fast", "tail", dst=rpc4, proto=UDP, dport=RPC_GENERIC_PORTS),
        Rule("rpc-tcp4", 60000, "fast", "tail", dst=rpc4, proto=TCP, dport=RPC_GENERIC_PORTS),
        Rule("rpc-udp6", 60000, "fast", "tail", dst=rpc6, proto=UDP, dport=RPC_GENERIC_PORTS),
        Rule("rpc-tcp6", 60000, "fast", "tail", dst=rpc6, proto=TCP, dport=RPC_GENERIC_PORTS),
        Rule("retrieval", 60000, "fast", "tail", proto=TCP, sport=ret_ports),
        Rule("bulk4", 60000, "bulk", "tail", dst=bulk4, proto=TCP, dport=bulk_ports, frame=BULK_FRAME),
        Rule("bulk6", 60000, "bulk", "tail", dst=bulk6, proto=TCP, dport=bulk_ports, frame=BULK_FRAME),
        Rule("telnet", 60000, "drop", "tail", proto=TCP, dport=(23, 23)),
    ]


def shaped_rule(rng, cls, family, block, src_addr, dst_addr, proto, sport, dport, tenants, path=None):
    """A specific rule of the shape used for `cls` traffic; returns (Rule args) without a name."""
    tenant = plan.tenant_of_block(block, tenants)
    src_block = plan.block_prefix(family, block)
    if cls == "rpc":
        if rng.random() < 0.5:
            host = f"{dst_addr}/{32 if family == 4 else 128}"
            return dict(path=path or "fast", src=src_block, dst=host, proto=proto, dport=(dport, dport),
                        tenant=tenant)
        lo = dport & ~7
        return dict(path=path or "fast", src=src_block, proto=proto, dport=(lo, lo + 7), tenant=tenant)
    if cls == "retrieval":
        host = f"{src_addr}/{32 if family == 4 else 128}"
        return dict(path=path or "fast", src=host, proto=TCP, sport=(sport, sport), tenant=tenant)
    # bulk
    host = f"{dst_addr}/{32 if family == 4 else 128}"
    lo = plan.BULK_PORT_BASE
    return dict(path=path or "bulk", src=src_block, dst=host, proto=TCP, dport=(lo, lo + plan.BULK_PORTS - 1),
                frame=BULK_FRAME, tenant=tenant)


def overlap_key(r):
    """Rules with the same key could cover one another (an rpc rule with a port range of 8 covers
    the one-port rules of its block and range); one rule per key keeps every rule reachable."""
    port = r.get("dport") or r.get("sport")
    return (r["src"], r.get("dst") if r.get("sport") else None, r["proto"], port[0] & ~7 if port else None,
            "s" if r.get("sport") else "d")


def specific_rules(rng, flows, slots, tenants):
    """`slots` rules: up to half built from the workload's flows (hits), the rest fillers."""
    candidates, seen = [], set()
    eligible = [f for f in flows if f["class"] in ("rpc", "retrieval", "bulk")]
    rng.shuffle(eligible)
    for f in eligible:
        r = shaped_rule(rng, f["class"], f["family"], f["block"], f["src"], f["dst"], f["proto"],
                        f["sport"], f["dport"], tenants)
        key = overlap_key(r)
        if key not in seen:
            seen.add(key)
            candidates.append(r)
    # At most 60% of the flows get a rule of their own: the rest still fall to the class rules
    # and the default, at every table size.
    n_hit = min(len(candidates) * 6 // 10, slots // 2 if slots > 1 else slots)
    chosen = [("hit", r) for r in candidates[:n_hit]]

    used = {f["block"] for f in flows if f["block"] is not None}
    unused = [b for b in range(plan.BLOCKS) if b not in used]
    classes = ["rpc"] * 6 + ["retrieval"] * 3 + ["bulk"]
    n_fill = slots - n_hit
    while n_fill:
        cls = rng.choice(classes)
        family = 6 if rng.random() < 0.2 else 4
        block = rng.choice(unused)
        src = plan.fmt(plan.source_address(family, block, rng.randrange(1, 255)))
        if cls == "rpc":
            svc = rng.randrange(plan.RPC_SERVICES)
            dst = plan.fmt(plan.service_address(family, "rpc", svc))
            sport, dport, proto = 0, plan.RPC_PORT_BASE + svc % plan.RPC_PORTS, rng.choice([TCP, UDP])
        elif cls == "retrieval":
            dst, proto = None, TCP
            sport, dport = plan.RETRIEVAL_PORT_BASE + rng.randrange(plan.RETRIEVAL_PORTS), 0
        else:
            dst = plan.fmt(plan.service_address(family, "bulk", rng.randrange(plan.BULK_SERVICES)))
            sport, dport, proto = 0, 0, TCP
        path = "drop" if rng.random() < 0.1 else None
        r = shaped_rule(rng, cls, family, block, src, dst, proto, sport, dport, tenants, path)
        key = overlap_key(r)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(("filler", r))
        n_fill -= 1
    rng.shuffle(chosen)
    return [Rule(f"s{i}", 1000, kind=kind, **r) for i, (kind, r) in enumerate(chosen)]


def build_rules(flows, n_rules, tenants, seed):
    if n_rules < FIXED:
        raise SystemExit(f"config.py: at least {FIXED} rules (head, tail and default)")
    rng = random.Random(seed * 1000003 + n_rules)
    rules = head_rules() + specific_rules(rng, flows, n_rules - FIXED, tenants) + tail_rules()
    rules.append(Rule("default", 65535, "kernel", "default"))
    return rules


def tenant_yaml(tenants, quota_pps):
    out = []
    for i, (lo, hi) in enumerate(plan.tenant_ranges(tenants)):
        runs = plan.aligned_runs(lo, hi)
        prefixes = [plan.block_prefix(4, s, k) for s, k in runs] + [plan.block_prefix(6, s, k) for s, k in runs]
        line = f"  - {{ name: t{i}, prefixes: [" + ", ".join(f'"{p}"' for p in prefixes) + "]"
        if quota_pps:
            q = f"{{ pps: {quota_pps} }}"
            line += f", quota: {{ kernel: {q}, fast: {q}, bulk: {q} }}"
        out.append(line + " }")
    return out


def packets_of(flows):
    """One dict per packet of the workload (with its multiplicity in the pcap)."""
    for f in flows:
        fam = f["family"]
        base = {
            "family": fam, "ether_type": "arp" if f["class"] == "arp" else ("ipv6" if fam == 6 else "ipv4"),
            "src": ipaddress.ip_address(f["src"]) if fam else None,
            "dst": ipaddress.ip_address(f["dst"]) if fam else None,
            "proto": f["proto"], "l4": f["proto"] in (TCP, UDP), "sport": f["sport"], "dport": f["dport"],
        }
        for n in f["sizes"]:
            yield dict(base, len=n)


def analyse(rules, flows):
    """First-match rule index of every packet. Rules with a source prefix are indexed by the
    source's tenant block so 100,000 rules stay quick; the rest are checked in order."""
    by_block, general = {}, []
    for i, r in enumerate(rules):
        if r.src is not None and r.src.prefixlen >= (24 if r.src.version == 4 else 32):
            fam = r.src.version
            b = plan.block_of(fam, r.src.network_address.packed)
            by_block.setdefault((fam, b), []).append(i)
        else:
            general.append(i)
    depth, hist = [], {}
    for p in packets_of(flows):
        cands = general
        if p["src"] is not None:
            b = plan.block_of(p["family"], p["src"].packed)
            extra = by_block.get((p["family"], b))
            if extra:
                cands = sorted(general + extra)
        hit = next((i for i in cands if rules[i].matches(p)), None)
        depth.append(hit)
        key = rules[hit].kind if hit is not None else "none"
        hist[key] = hist.get(key, 0) + 1
    n = len(rules)
    deciles = [0] * 10
    for d in depth:
        deciles[min(9, d * 10 // n)] += 1
    total = len(depth)
    return {
        "rules": n,
        "packets": total,
        "matched_by": {k: round(v / total, 4) for k, v in sorted(hist.items())},
        "depth_deciles": [round(x / total, 4) for x in deciles],
        "mean_depth_fraction": round(sum(d / n for d in depth) / total, 4),
        "distinct_rules_hit": len(set(depth)),
        "paths": {k: round(sum(1 for d in depth if rules[d].path == k) / total, 4)
                  for k in ("kernel", "fast", "bulk", "drop")},
    }


def config_yaml(a, rules):
    # net_null's rx invents packets; path A's sink must return nothing, or the control lcore
    # would feed invented "kernel output" back to the worker, which sends it on wire0 in the
    # loops it is timed in. no-rx=1 stops it.
    sink_args = "no-rx: 1" if a.null_no_rx == "args" else ""
    lines = [
        f"# tools/bench/config.py --rules {a.rules} --tenants {a.tenants} --seed {a.seed}",
        "# wire0 (pcap replay) -> worker lcore 1 -> path A ring -> control lcore 0 -> sink0 (null)",
        "#                                        -> path B: agent0 (null), sent by the worker itself",
        "eal:",
        '  lcores: "0-1"',
        "  main_lcore: 0",
        f"  memory_mb: {a.memory_mb}",
        f"  hugepages: {a.hugepages}",
        "  mbuf_pool_ops: lf_stack   # LIFO: refills get the mbufs freed last (doc/benchmarks.md)",
        f"  file_prefix: {a.file_prefix}",
        "ports:",
        "  - name: wire0",
        "    driver: pcap",
        f"    args: {{ rx_pcap: {a.pcap}, infinite_rx: 1 }}",
        "  - name: sink0",
        "    driver: \"null\"   # quoted: bare null is YAML's null",
    ]
    if sink_args:
        lines.append(f"    args: {{ {sink_args} }}")
    lines += [
        "  - name: agent0",
        "    driver: \"null\"   # quoted: bare null is YAML's null",
    ]
    if sink_args:
        lines.append(f"    args: {{ {sink_args} }}")
    lines += [
        "lcores:",
        "  - id: 0",
        "    role: control",
        "    idle: { enabled: false }",
        "  - id: 1",
        "    role: worker",
        "    poll:",
        "      - { port: wire0, queue: 0 }",
        "    idle: { enabled: false }",
        "paths:",
        "  kernel:",
        f"    ring_size: {a.ring_size}",
        "    taps:",
        "      - { wire: wire0, tap: sink0 }",
        "  fast:",
        "    endpoints:",
        "      - { name: agents, port: agent0 }",
        "  bulk:",
        "    peers:",
        '      - { name: peer0, address: "127.0.0.1:7000" }',
        "tenants:",
    ]
    lines += tenant_yaml(a.tenants, a.quota_pps)
    lines.append("rules:")
    lines += [r.yaml() for r in rules]
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--flows", type=Path, required=True, help="FILE.flows.json written by workload.py")
    ap.add_argument("--pcap", required=True, help="the pcap wire0 replays")
    ap.add_argument("--rules", type=int, required=True)
    ap.add_argument("--tenants", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hugepages", choices=["on", "off", "auto"], default="auto")
    ap.add_argument("--memory-mb", type=int, default=1024)
    ap.add_argument("--file-prefix", default="tripath-bench")
    ap.add_argument("--ring-size", type=int, default=1024)
    ap.add_argument("--null-no-rx", choices=["args", "none"], default="args",
                    help="give the null ports no-rx=1 in their args (default), or leave them inventing rx")
    ap.add_argument("--quota-pps", type=int, default=0,
                    help="give every tenant a quota of this many packets/s on each path (meters run per packet)")
    ap.add_argument("--analysis", type=Path, help="write the match analysis here (JSON)")
    ap.add_argument("--no-frame-size", action="store_true",
                    help="bulk rules without their frame_size match (to see what that field costs)")
    a = ap.parse_args(argv)
    if a.no_frame_size:
        global BULK_FRAME
        BULK_FRAME = None

    doc = json.loads(a.flows.read_text())
    flows = doc["flow_list"]
    rules = build_rules(flows, a.rules, a.tenants, a.seed)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(config_yaml(a, rules))
    result = analyse(rules, flows)
    result["tenants"] = a.tenants
    if a.analysis:
        a.analysis.write_text(json.dumps(result))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
