#!/usr/bin/env bash
# Reserves 2 MiB hugepages and mounts hugetlbfs for DPDK. Where that is not allowed it says
# so and exits 0: tripath's `hugepages: auto` then runs with --no-huge.
# usage: tools/hugepages.sh [MiB]   (default 512)
set -u
want_mb=${1:-512}
pages=$(( want_mb / 2 ))
nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
if [ ! -w "$nr" ]; then
	echo "hugepages: $nr is not writable here: tripath will run with --no-huge"
	exit 0
fi
have=$(cat "$nr")
if [ "$have" -lt "$pages" ]; then
	echo "$pages" > "$nr" 2>/dev/null
	have=$(cat "$nr")
fi
if ! grep -q ' hugetlbfs ' /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages 2>/dev/null ||
		echo "hugepages: cannot mount hugetlbfs: tripath will run with --no-huge"
fi
echo "hugepages: $have x 2 MiB reserved ($(( have * 2 )) MiB), hugetlbfs: $(grep -c ' hugetlbfs ' /proc/mounts) mount(s)"
