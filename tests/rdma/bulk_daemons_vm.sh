#!/usr/bin/env bash
# meson test bulk_daemons_vm: makes the 64 MiB input on the host (python in TCG is slow), boots
# the soft-RoCE VM and runs bulk_daemons.sh inside. Exit 77 (skip) only when the VM cannot be
# had here: no qemu, or no kernel package reachable.
set -uo pipefail
source_root=$1
build_dir=$2
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP: qemu-system-x86_64 is not installed (tools/install-deps installs it)"
	exit 77
fi
if ! "$source_root/tools/vm/prepare"; then
	echo "SKIP: the VM kernel could not be prepared (no network to the Debian archive?)"
	exit 77
fi
# In the build tree, not /tmp: the VM sees the host's files but has a /tmp of its own.
input_dir=$(mktemp -d "$build_dir/bulk-input.XXXXXX")
trap 'rm -rf "$input_dir"' EXIT
"$source_root/tests/rdma/bulk_frames.py" gen "$input_dir/in.pcap" --bytes $((64 << 20)) || exit 1
"$source_root/tools/vm/run" --timeout 840 --mem 2560 -- bash "$source_root/tests/rdma/bulk_daemons.sh" "$build_dir" "$input_dir/in.pcap"
