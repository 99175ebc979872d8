// Path C's RDMA device and GID, on synthetic /sys/class/infiniband trees.
#include <gtest/gtest.h>

#include "synthetic_host.h"

using namespace tripath::doctor;
using namespace doctor_test;

namespace {

void rdma_gid(SyntheticHost &host, const std::string &dev, unsigned index, const std::string &gid, const std::string &type,
	      const std::string &netdev)
{
	std::string port = "/sys/class/infiniband/" + dev + "/ports/1";
	host.file(port + "/state", "4: ACTIVE");
	host.file(port + "/gids/" + std::to_string(index), gid);
	host.file(port + "/gid_attrs/types/" + std::to_string(index), type);
	host.file(port + "/gid_attrs/ndevs/" + std::to_string(index), netdev);
}

const std::string kLinkLocal = "fe80:0000:0000:0000:b696:91ff:fe9c:7a10";
const std::string kMapped = "0000:0000:0000:0000:0000:ffff:0a00:0001"; // ::ffff:10.0.0.1

} // namespace

TEST(DoctorRdma, RoceV2Ipv4GidIsOk)
{
	SyntheticHost host;
	rdma_gid(host, "irdma0", 0, kLinkLocal, "IB/RoCE v1", "ens1f1");
	rdma_gid(host, "irdma0", 1, kLinkLocal, "RoCE v2", "ens1f1");
	rdma_gid(host, "irdma0", 2, kMapped, "IB/RoCE v1", "ens1f1");
	rdma_gid(host, "irdma0", 3, kMapped, "RoCE v2", "ens1f1");
	host.file("/sys/class/infiniband/irdma0/ports/1/gids/4", "0000:0000:0000:0000:0000:0000:0000:0000");
	Findings f;
	check_rdma(host_config(kIcePort, kBulk), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::ok) << f[0].what;
	EXPECT_EQ(f[0].what, "irdma0 port 1 GID 3 ::ffff:10.0.0.1 (RoCE v2, ens1f1)");
}

TEST(DoctorRdma, NoDeviceWhenBulkIsConfiguredIsFatal)
{
	SyntheticHost host;
	Findings ice, bnxt;
	check_rdma(host_config(kIcePort, kBulk), host.root(), ice);
	ASSERT_EQ(ice.size(), 1u);
	EXPECT_EQ(ice[0].severity, Severity::fatal);
	EXPECT_NE(ice[0].what.find("no RDMA device"), std::string::npos);
	EXPECT_EQ(ice[0].fix, "modprobe irdma");
	check_rdma(host_config(kBnxtPort, kBulk), host.root(), bnxt);
	EXPECT_EQ(bnxt.at(0).fix, "modprobe bnxt_re");
}

TEST(DoctorRdma, OnlyLinkLocalGidsAreFatalWithTheAddressCommand)
{
	SyntheticHost host;
	rdma_gid(host, "irdma0", 0, kLinkLocal, "IB/RoCE v1", "ens1f1");
	rdma_gid(host, "irdma0", 1, kLinkLocal, "RoCE v2", "ens1f1");
	Findings f;
	check_rdma(host_config(kIcePort, kBulk), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::fatal);
	EXPECT_EQ(f[0].fix.rfind("ip addr add ADDRESS/PREFIX dev ens1f1", 0), 0u) << f[0].fix;
}

TEST(DoctorRdma, WrongDeviceNameAndDownPort)
{
	SyntheticHost host;
	rdma_gid(host, "bnxt_re0", 3, kMapped, "RoCE v2", "ens2f1np1");
	Findings wrong;
	check_rdma(host_config(kIcePort, kBulk), host.root(), wrong);
	EXPECT_EQ(wrong.at(0).severity, Severity::fatal);
	EXPECT_NE(wrong[0].what.find("paths.bulk.device irdma0 is not here (RDMA devices: bnxt_re0)"), std::string::npos) << wrong[0].what;

	host.file("/sys/class/infiniband/bnxt_re0/ports/1/state", "1: DOWN");
	Findings down;
	check_rdma(host_config(kBnxtPort, "  bulk: { device: bnxt_re0, peers: [{ name: p, listen: \"0.0.0.0:7500\" }] }\n"),
		   host.root(), down);
	ASSERT_EQ(down.size(), 2u);
	EXPECT_EQ(down[0].severity, Severity::warn);
	EXPECT_EQ(down[0].fix, "ip link set dev ens2f1np1 up");
	EXPECT_EQ(down[1].severity, Severity::ok);
}

TEST(DoctorRdma, NoBulkPeersNeedsNoDevice)
{
	SyntheticHost host;
	Findings f;
	check_rdma(host_config(kIcePort), host.root(), f);
	EXPECT_EQ(f.at(0).severity, Severity::ok);
}

TEST(DoctorHost, AWellPreparedE810HostHasOnlyOkFindings)
{
	SyntheticHost host;
	host.file("/proc/mounts", "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n"
				  "bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0");
	host.file("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "1024");
	host.file("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "1024");
	host.file("/proc/self/limits", "Max locked memory         unlimited            unlimited            bytes");
	host.dir("/sys/kernel/iommu_groups/17");
	host.pci("0000:3b:00.0", "0x8086", "vfio-pci");
	host.file("/sys/devices/system/cpu/online", "0-7");
	host.file("/proc/cmdline", "root=/dev/nvme0n1p2 intel_iommu=on iommu=pt isolcpus=2-3 nohz_full=2-3 rcu_nocbs=2-3");
	host.file("/proc/irq/24/smp_affinity_list", "0-1");
	host.file("/proc/irq/25/smp_affinity_list", "4-7");
	rdma_gid(host, "irdma0", 1, kMapped, "RoCE v2", "ens1f1");
	host.file("/etc/group", "tripath:x:998:\ntripath-admin:x:997:");
	tripath::config::Config cfg = host_config(kIcePort, kBulk);
	cfg.control.group = "tripath";
	cfg.control.admin_group = "tripath-admin";
	Findings all = run_checks(cfg, host.root());
	for (const Finding &f : all)
		EXPECT_EQ(f.severity, Severity::ok) << f.check << ": " << f.what << " / fix: " << f.fix;
	EXPECT_EQ(worst(all), Severity::ok);
	// One finding per check (queues: none, wire0 is on vfio-pci).
	std::string checks;
	for (const Finding &f : all)
		checks += f.check + " ";
	EXPECT_EQ(checks, "hugepages memlock bpffs iommu vfio isolation irq rdma access ");
}
