#!/usr/bin/env bash
# meson test bulk_verbs_vm: boots the soft-RoCE VM and runs test_bulk_verbs on rxe0 inside.
# Exit 77 (skip) only when the VM cannot be had here: no qemu, or no kernel package reachable.
set -uo pipefail
source_root=$1
test_exe=$2
shift 2

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP: qemu-system-x86_64 is not installed (tools/install-deps installs it)"
	exit 77
fi
if ! "$source_root/tools/vm/prepare"; then
	echo "SKIP: the VM kernel could not be prepared (no network to the Debian archive?)"
	exit 77
fi
exec "$source_root/tools/vm/run" --timeout 540 -- "$test_exe" "$@"
