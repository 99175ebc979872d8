# Shared by tools/vm/prepare and tools/vm/run (sourced, not executed).

# Outside the repo so no build dir or git clean ever throws away 70 MB of kernel; override to move it.
vm_cache=${TRIPATH_VM_CACHE:-/var/cache/tripath-vm}

# What the initramfs loads, in this order; modprobe --show-depends adds each one's dependencies.
# crc32_generic must precede rdma_rxe, or `rdma link add` fails with "No such file or directory".
# tun: path A's TAP in the bulk benchmark.
vm_modules=(virtio_pci virtio_console 9pnet_virtio 9p overlay dummy tun crc32_generic rdma_rxe ib_uverbs rdma_ucm)

vm_die() {
	echo "tools/vm: $*" >&2
	exit 125
}

# The unpacked kernel tree prepare selected ("current" points at it).
vm_kernel_root() {
	readlink -f "$vm_cache/current"
}

vm_kernel_version() {
	ls "$(vm_kernel_root)/lib/modules"
}
