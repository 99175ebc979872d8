// Hugepages, memlock, bpffs, CPU isolation and IRQ affinity on synthetic procfs/sysfs trees.
#include <gtest/gtest.h>

#include "synthetic_host.h"

using namespace tripath::doctor;
using namespace doctor_test;

namespace {

const char *kHugeMount = "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0";

void hugepages(SyntheticHost &host, unsigned total, unsigned free)
{
	host.file("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", std::to_string(total));
	host.file("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", std::to_string(free));
}

} // namespace

TEST(DoctorHugepages, EnoughFreeOnAMountIsOk)
{
	SyntheticHost host;
	hugepages(host, 1024, 600);
	host.file("/proc/mounts", kHugeMount);
	Findings f;
	check_hugepages(host_config(kIcePort), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::ok) << f[0].what;
	EXPECT_NE(f[0].what.find("1200 MiB free"), std::string::npos) << f[0].what;
}

TEST(DoctorHugepages, TooFewIsFatalWhenRequiredAndNamesThePageCount)
{
	SyntheticHost host;
	hugepages(host, 100, 100);
	host.file("/proc/mounts", kHugeMount);
	Findings f;
	check_hugepages(host_config(kIcePort), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::fatal);
	// 200 MiB free, 1024 wanted: 412 more 2 MiB pages on top of the 100 reserved.
	EXPECT_EQ(f[0].fix, "echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
}

TEST(DoctorHugepages, NoMountOnAutoIsAWarning)
{
	SyntheticHost host;
	hugepages(host, 512, 512);
	host.file("/proc/mounts", "proc /proc proc rw 0 0");
	Findings f;
	check_hugepages(host_config(kAfXdpPort, "", "auto"), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::warn);
	EXPECT_NE(f[0].what.find("--no-huge"), std::string::npos);
	EXPECT_EQ(f[0].fix, "mkdir -p /dev/hugepages && mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages");
}

TEST(DoctorMemlock, LimitedWithoutCapIpcLockIsFatalForVfio)
{
	SyntheticHost host;
	host.file("/proc/self/limits", "Max locked memory         8388608              8388608              bytes");
	host.file("/proc/self/status", "CapEff:\t0000000000003000"); // CAP_NET_ADMIN|CAP_NET_RAW only
	Findings f;
	check_memlock(host_config(kIcePort), host.root(), f);
	EXPECT_EQ(f.at(0).severity, Severity::fatal);
	EXPECT_NE(f[0].what.find("ulimit -l is 8192 KiB"), std::string::npos) << f[0].what;
	EXPECT_EQ(f[0].fix.rfind("ulimit -l unlimited", 0), 0u);

	host.file("/proc/self/status", "CapEff:\t0000000000004000"); // CAP_IPC_LOCK
	Findings capable;
	check_memlock(host_config(kIcePort), host.root(), capable);
	EXPECT_EQ(capable.at(0).severity, Severity::ok);
}

TEST(DoctorBpffs, AfXdpWithoutBpffsIsAWarningWithTheMount)
{
	SyntheticHost host;
	host.file("/proc/mounts", kHugeMount);
	Findings f;
	check_bpffs(host_config(kAfXdpPort), host.root(), f);
	EXPECT_EQ(f.at(0).severity, Severity::warn);
	EXPECT_EQ(f[0].fix, "mount -t bpf bpf /sys/fs/bpf");

	host.file("/proc/mounts", "bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0");
	Findings mounted;
	check_bpffs(host_config(kAfXdpPort), host.root(), mounted);
	EXPECT_EQ(mounted.at(0).severity, Severity::ok);
}

TEST(DoctorIsolation, MissingIsolcpusGivesTheCmdline)
{
	SyntheticHost host;
	host.file("/sys/devices/system/cpu/online", "0-7");
	host.file("/proc/cmdline", "root=/dev/sda1 nohz_full=2-3 rcu_nocbs=2");
	Findings f;
	check_cpu_isolation(host_config(kIcePort), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::warn);
	EXPECT_NE(f[0].what.find("isolcpus lacks 2-3, rcu_nocbs lacks 3"), std::string::npos) << f[0].what;
	EXPECT_EQ(f[0].fix.rfind("kernel cmdline: isolcpus=2-3 rcu_nocbs=2-3 ", 0), 0u) << f[0].fix;
}

TEST(DoctorIsolation, IsolatedWorkersAreOkAndFlagsAreSkipped)
{
	SyntheticHost host;
	host.file("/sys/devices/system/cpu/online", "0-7");
	host.file("/proc/cmdline", "isolcpus=managed_irq,domain,2-5 nohz_full=2-5 rcu_nocbs=2-5 -- init=2");
	Findings f;
	check_cpu_isolation(host_config(kIcePort), host.root(), f);
	EXPECT_EQ(f.at(0).severity, Severity::ok) << f[0].what;
}

TEST(DoctorIsolation, LcoresThatAreNotOnlineAreFatal)
{
	SyntheticHost host;
	host.file("/sys/devices/system/cpu/online", "0-1");
	Findings f;
	check_cpu_isolation(host_config(kIcePort), host.root(), f);
	EXPECT_EQ(f.at(0).severity, Severity::fatal);
	EXPECT_NE(f[0].what.find("eal.lcores 2-3 are not online CPUs here (online: 0-1)"), std::string::npos) << f[0].what;
}

TEST(DoctorIrq, IrqsOnWorkerCoresAreMovedToTheOthers)
{
	SyntheticHost host;
	host.file("/sys/devices/system/cpu/online", "0-7");
	host.file("/proc/irq/24/smp_affinity_list", "0-7");
	host.file("/proc/irq/25/smp_affinity_list", "3");
	host.file("/proc/irq/26/smp_affinity_list", "0-1");
	host.dir("/proc/irq/0"); // no affinity file: skipped
	Findings f;
	check_irq_affinity(host_config(kIcePort), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::warn);
	EXPECT_NE(f[0].what.find("2 IRQs may run on worker CPUs 2-3: 24 25"), std::string::npos) << f[0].what;
	EXPECT_EQ(f[0].fix.rfind("for i in 24 25; do echo 0-1,4-7 > /proc/irq/$i/smp_affinity_list; done", 0), 0u) << f[0].fix;

	host.file("/proc/irq/24/smp_affinity_list", "0");
	host.file("/proc/irq/25/smp_affinity_list", "4-7");
	Findings moved;
	check_irq_affinity(host_config(kIcePort), host.root(), moved);
	EXPECT_EQ(moved.at(0).severity, Severity::ok);
}

TEST(DoctorReport, WorstAndFormat)
{
	Findings f = {{Severity::ok, "bpffs", "mounted", ""}, {Severity::fatal, "vfio", "bound to ice", "dpdk-devbind.py -b vfio-pci X"}};
	EXPECT_EQ(worst(f), Severity::fatal);
	EXPECT_EQ(format_findings(f), "  ok     bpffs      mounted\n"
				      "  fatal  vfio       bound to ice\n"
				      "         fix: dpdk-devbind.py -b vfio-pci X\n"
				      "1 ok, 0 warn, 1 fatal\n");
}

TEST(DoctorAccess, ControlGroupsMustExist)
{
	SyntheticHost host;
	host.file("/etc/group", "root:x:0:\ntripath:x:998:alice");
	tripath::config::Config cfg = host_config(kIcePort);
	cfg.control.group = "tripath";
	cfg.control.admin_group = "tripath-admin";
	Findings f;
	check_control_groups(cfg, host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::fatal);
	EXPECT_EQ(f[0].what, "no such group on this host: control.admin_group 'tripath-admin'");
	EXPECT_EQ(f[0].fix, "groupadd --system tripath-admin");

	host.file("/etc/group", "root:x:0:\ntripath:x:998:alice\ntripath-admin:x:997:bob");
	cfg.control.mode = 0660;
	Findings ok;
	check_control_groups(cfg, host.root(), ok);
	EXPECT_EQ(ok.at(0).severity, Severity::ok);
	EXPECT_EQ(ok[0].what, "control socket mode 0660, group tripath; admins: uid 0 and group tripath-admin");
}
