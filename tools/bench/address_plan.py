"""The address plan shared by workload.py and config.py.

Tenant space: 65,536 source blocks. Block b is 10.(b>>8).(b&255).0/24 in IPv4 and
fd10:b::/32 in IPv6, so 10.0.0.0/8 and fd10::/16 hold every traffic source, and T tenants
split the blocks into T contiguous runs (tenant_ranges). Agent services live on the host
side: 172.16.0.0/16 and fd20::/48.
"""
import ipaddress

BLOCKS = 1 << 16
V4_BASE = 0x0A000000                      # 10.0.0.0/8
V6_BASE = 0xFD10 << 112                   # fd10::/16

RPC_SERVICES, RPC_PORT_BASE, RPC_PORTS = 64, 7000, 64
RETRIEVAL_SERVICES, RETRIEVAL_PORT_BASE, RETRIEVAL_PORTS = 16, 8000, 16
BULK_SERVICES, BULK_PORT_BASE, BULK_PORTS = 8, 9000, 8
SERVICE_KINDS = {"infra": 0, "rpc": 1, "retrieval": 2, "bulk": 3}

HOST_NET4 = "172.16.0.0/16"
HOST_NET6 = "fd20::/48"


def active_blocks(rng, n):
    """The source blocks that carry traffic (a sample of the tenant space, in random order)."""
    return rng.sample(range(BLOCKS), n)


def source_address(family, block, host):
    if family == 4:
        return (V4_BASE | block << 8 | host).to_bytes(4, "big")
    return (V6_BASE | block << 96 | host).to_bytes(16, "big")


def service_address(family, kind, index):
    """Host-side address of service `index` (infra: index is the last byte, e.g. 53 for DNS)."""
    k = SERVICE_KINDS[kind]
    host = index if kind == "infra" else index + 1
    if family == 4:
        return bytes([172, 16, k, host & 0xFF])
    return ((0xFD20 << 112) | (k << 64) | host).to_bytes(16, "big")


def fmt(addr: bytes) -> str:
    return str(ipaddress.ip_address(addr))


def block_prefix(family, block, blocks_log2=0):
    """CIDR of 2**blocks_log2 blocks starting at `block` (aligned)."""
    if family == 4:
        net = ipaddress.IPv4Network((V4_BASE | block << 8, 24 - blocks_log2))
    else:
        net = ipaddress.IPv6Network((V6_BASE | block << 96, 32 - blocks_log2))
    return str(net)


def block_of(family, addr: bytes):
    v = int.from_bytes(addr, "big")
    if family == 4:
        return (v >> 8) & 0xFFFF if (v >> 24) == 10 else None
    return (v >> 96) & 0xFFFF if (v >> 112) == 0xFD10 else None


def aligned_runs(lo, hi):
    """[lo, hi) as aligned power-of-two runs: (start, log2 size)."""
    out = []
    while lo < hi:
        size = lo & -lo if lo else BLOCKS
        while size > hi - lo:
            size >>= 1
        out.append((lo, size.bit_length() - 1))
        lo += size
    return out


def tenant_ranges(tenants):
    """Tenant i owns blocks [lo, hi)."""
    return [(i * BLOCKS // tenants, (i + 1) * BLOCKS // tenants) for i in range(tenants)]


def tenant_of_block(block, tenants):
    # Inverse of tenant_ranges: the i with i*B//T <= block < (i+1)*B//T.
    i = (block * tenants) // BLOCKS
    while (i + 1) * BLOCKS // tenants <= block:
        i += 1
    while i * BLOCKS // tenants > block:
        i -= 1
    return i
