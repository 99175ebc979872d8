#!/usr/bin/env bash
# tripath doctor on this machine: what it reports for a ring/null config (exit 0, findings that
# match /proc and /sys here), for the appliance examples (fatal: no such NIC, no RDMA device...,
# each with its fix), that the daemon refuses to start on those before EAL, and that the lab's
# af_xdp/tap config passes inside its namespace and starts with warnings only.
set -euo pipefail
: "${TRIPATH:?}" "${TRIPATHCTL:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }

export LAB_PREFIX=tpdoc-
lab="$SOURCE_ROOT/tools/lab.sh"
work=$(mktemp -d /tmp/tripath-doc.XXXXXX)
sock="$work/ctl.sock"
log="$work/tripath.log"

# shellcheck source=tripath_proc.sh
. "$(dirname "$0")/tripath_proc.sh"

cleanup() {
	stop_tripath
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# expect_line TEXT PATTERN WHAT: PATTERN (grep -E) must match a line of TEXT.
expect_line() { grep -qE -- "$2" <<<"$1" || { echo "$1"; fail "$3: no line matching '$2'"; }; }

echo "== a ring/null config on this host"
cat > "$work/ring.yaml" <<'YAML'
eal: { lcores: "0-1", main_lcore: 0, memory_mb: 64, hugepages: auto, file_prefix: tripath-doc }
ports:
  - { name: wire0, driver: ring }
  - { name: sink, driver: "null", args: { no-rx: 1 } }
lcores: [{ id: 0, role: control }, { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }]
paths: { kernel: { taps: [{ wire: wire0, tap: sink }] } }
rules: [{ name: default, priority: 65535, path: kernel }]
YAML
set +e; out=$("$TRIPATH" doctor -c "$work/ring.yaml" 2>&1); rc=$?; set -e
echo "$out"
[ $rc -eq 0 ] || fail "doctor on a ring/null config: exit $rc, want 0"
expect_line "$out" "^tripath doctor: $work/ring.yaml on this host$" "header"
expect_line "$out" " 0 fatal$" "summary"
free_mb=$(awk '/^HugePages_Free:/ {f=$2} /^Hugepagesize:/ {s=$2} END {print int(f*s/1024)}' /proc/meminfo)
if grep -q " hugetlbfs " /proc/mounts && [ "$free_mb" -ge 64 ]; then
	expect_line "$out" "^  ok     hugepages  [0-9]+ MiB free for eal.memory_mb 64 " "hugepages here"
else
	expect_line "$out" "^  warn   hugepages  .*--no-huge" "hugepages here"
fi
capeff=$((16#$(awk '/^CapEff:/ {print $2}' /proc/self/status)))
if (( (capeff >> 14) & 1 )) && [ "$(ulimit -l)" != unlimited ]; then # CAP_IPC_LOCK
	expect_line "$out" "^  ok     memlock    ulimit -l is $(ulimit -l) KiB, but CAP_IPC_LOCK lifts the limit" "memlock as root"
fi
expect_line "$out" "^  ok     bpffs      " "bpffs (no af_xdp port)"
expect_line "$out" "^  ok     iommu      no ice/bnxt port" "iommu"
if grep -qw "isolcpus=1" /proc/cmdline; then
	expect_line "$out" "^  ok     isolation" "isolation"
else
	expect_line "$out" "^  warn   isolation  worker CPUs 1 .*isolcpus lacks 1" "isolation"
	expect_line "$out" "fix: kernel cmdline: isolcpus=1 " "isolation's fix"
fi
irqs_on_1=0
for f in /proc/irq/*/smp_affinity_list; do
	python3 -c 'import sys
cpus=set()
for p in sys.argv[1].split(","):
    a,_,b=p.partition("-"); cpus.update(range(int(a),int(b or a)+1))
sys.exit(0 if 1 in cpus else 1)' "$(cat "$f")" && irqs_on_1=$((irqs_on_1 + 1))
done
if [ "$irqs_on_1" -gt 0 ]; then
	expect_line "$out" "^  warn   irq        $irqs_on_1 IRQs may run on worker CPUs 1: " "IRQs on the worker"
	expect_line "$out" "fix: for i in .*; do echo .* > /proc/irq/\\\$i/smp_affinity_list; done" "IRQ fix"
else
	expect_line "$out" "^  ok     irq " "IRQs"
fi
expect_line "$out" "^  ok     rdma       no paths.bulk peers" "rdma"

echo "== the appliance examples on this host (no E810, no BCM57508, no RDMA device)"
for f in appliance-e810 appliance-bnxt; do
	set +e; out=$("$TRIPATH" doctor -c "$SOURCE_ROOT/config/$f.yaml" 2>&1); rc=$?; set -e
	echo "$out"
	[ $rc -eq 1 ] || fail "$f: doctor exit $rc, want 1"
	if [ "$f" = appliance-e810 ]; then pci=0000:3b:00.0 drv=ice vendor=8086 rdma="modprobe irdma"
	else pci=0000:5e:00.0 drv=bnxt vendor=14e4 rdma="modprobe bnxt_re"; fi
	if [ -e "/sys/bus/pci/devices/$pci" ]; then
		expect_line "$out" "^  (fatal|ok)     vfio       port wire0 \($drv\) $pci" "$f: vfio"
	else
		expect_line "$out" "^  fatal  vfio       port wire0 \($drv\) $pci: no such PCI device on this host$" "$f: vfio"
		expect_line "$out" "^         fix: lspci -Dnn -d $vendor: " "$f: vfio's fix"
	fi
	if [ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
		expect_line "$out" "^  fatal  iommu      no IOMMU groups" "$f: iommu"
		expect_line "$out" "^         fix: kernel cmdline: (intel|amd)_iommu=on iommu=pt" "$f: iommu's fix"
	fi
	if [ -z "$(ls /sys/class/infiniband 2>/dev/null)" ]; then
		expect_line "$out" "^  fatal  rdma       paths.bulk has peers but this host has no RDMA device" "$f: rdma"
		expect_line "$out" "^         fix: $rdma$" "$f: rdma's fix"
	fi
	getent group tripath >/dev/null || expect_line "$out" "^         fix: groupadd --system tripath" "$f: groups"
	expect_line "$out" " [1-9][0-9]* fatal$" "$f: summary"

	echo "== the daemon refuses $f before EAL"
	set +e; out=$("$TRIPATH" -c "$SOURCE_ROOT/config/$f.yaml" --no-socket 2>&1); rc=$?; set -e
	[ $rc -eq 1 ] || fail "$f: tripath exit $rc, want 1: $out"
	expect_line "$out" "^tripath: doctor: fatal: (vfio|rdma|iommu|cpus|hugepages): " "$f: the fatal finding at start"
	expect_line "$out" "^tripath: refusing to start: [0-9]+ fatal doctor findings above \(tripath doctor -c .*$f.yaml lists every check; --no-doctor skips them\)$" "$f: refusal"
	! grep -q "EAL" <<<"$out" || fail "$f: EAL ran although the doctor refused: $out"
done

echo "== the lab's af_xdp/tap config in its namespace"
"$lab" down >/dev/null 2>&1 || true
"$lab" up >/dev/null
sed -e 's/file_prefix: tripath-lab/file_prefix: tripath-doc/' "$SOURCE_ROOT/config/lab.yaml" > "$work/lab.yaml"
set +e; out=$(ip netns exec "${LAB_PREFIX}host" "$TRIPATH" doctor -c "$work/lab.yaml" 2>&1); rc=$?; set -e
echo "$out"
[ $rc -eq 0 ] || fail "doctor in the lab: exit $rc, want 0"
expect_line "$out" "^  ok     queues     port wire0 \(af_xdp\) on wire0: [0-9]+ queues?, the config wants queues 0..0$" "lab: wire0's queues"
expect_line "$out" "^  ok     queues     port agent1 \(af_xdp\) on ag1: " "lab: ag1's queues"
start_tripath "${LAB_PREFIX}host" "$work/lab.yaml"
ctl show lcores >/dev/null || fail "tripath did not answer after starting with doctor warnings"
! grep -q "doctor: fatal" "$log" || fail "the lab config had a fatal doctor finding at start"
echo "PASS"
