#!/usr/bin/python3
"""Bulk test traffic as pcap files, and their comparison (standard library only).
  bulk_frames.py gen OUT --bytes N [--frame LEN]   TCP frames to 10.88.0.1:873 adding up to N bytes
  bulk_frames.py compare EXPECTED GOT               same frames, same order, every byte
  bulk_frames.py count FILE                         frames and bytes
"""
import argparse
import struct
import sys

PCAP_HEADER = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def checksum(data):
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(i, length):
    payload_len = length - 14 - 20 - 20
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, length - 14, i & 0xffff, 0x4000, 64, 6, 0,
                     bytes([10, 99, 1, 1]), bytes([10, 88, 0, 1]))
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    tcp = struct.pack('!HHIIBBHHH', 40000 + (i % 1000), 873, i * payload_len & 0xffffffff, 0, 0x50, 0x18, 0xffff, 0, 0)
    # Every frame's payload differs: its index, then a pattern seeded by it.
    seed = i * 2654435761 & 0xffffffff
    body = struct.pack('!I', i) + bytes((seed >> (8 * (k % 4)) ^ k) & 0xff for k in range(payload_len - 4))
    eth = bytes([0x02, 0x74, 0x70, 0x00, 0x00, 0x01, 0x02, 0x74, 0x70, 0x00, 0x00, 0x02]) + b'\x08\x00'
    return eth + ip + tcp + body


def read_frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit('%s: not a pcap file (%d bytes)' % (path, len(data)))
    magic = struct.unpack('<I', data[:4])[0]
    order = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off, frames = 24, []
    while off + 16 <= len(data):
        incl = struct.unpack(order + 'IIII', data[off:off + 16])[2]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    g = sub.add_parser('gen')
    g.add_argument('out')
    g.add_argument('--bytes', type=int, required=True)
    g.add_argument('--frame', type=int, default=1514)
    c = sub.add_parser('compare')
    c.add_argument('expected')
    c.add_argument('got')
    n = sub.add_parser('count')
    n.add_argument('file')
    a = ap.parse_args()
    if a.cmd == 'gen':
        total, i = 0, 0
        with open(a.out, 'wb') as f:
            f.write(PCAP_HEADER)
            while total < a.bytes:
                fr = frame(i, min(a.frame, max(60, a.bytes - total)))
                f.write(struct.pack('<IIII', i // 1000000, i % 1000000, len(fr), len(fr)) + fr)
                total += len(fr)
                i += 1
        print('%s: %d frames, %d bytes' % (a.out, i, total))
    elif a.cmd == 'count':
        fr = read_frames(a.file)
        print('%d frames %d bytes' % (len(fr), sum(map(len, fr))))
    else:
        want, got = read_frames(a.expected), read_frames(a.got)
        for k in range(min(len(want), len(got))):
            if want[k] != got[k]:
                print('frame %d differs (%d vs %d bytes)' % (k, len(want[k]), len(got[k])))
                return 1
        if len(want) != len(got):
            print('expected %d frames, got %d' % (len(want), len(got)))
            return 1
        print('all %d frames (%d bytes) identical, in order' % (len(want), sum(map(len, want))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
