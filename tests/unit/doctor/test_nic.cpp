// ice/bnxt binding to vfio-pci, the IOMMU, and NIC queue counts, on synthetic sysfs trees.
#include <gtest/gtest.h>

#include "synthetic_host.h"

using namespace tripath::doctor;
using namespace doctor_test;

TEST(DoctorVfio, IceBoundToVfioIsOk)
{
	SyntheticHost host;
	host.pci("0000:3b:00.0", "0x8086", "vfio-pci");
	host.link("/sys/bus/pci/devices/0000:3b:00.0/iommu_group", "../../../kernel/iommu_groups/17");
	Findings f;
	check_pci_binding(host_config(kIcePort).ports[0], host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::ok);
	EXPECT_NE(f[0].what.find("bound to vfio-pci, IOMMU group 17"), std::string::npos) << f[0].what;
}

TEST(DoctorVfio, IceOnKernelDriverIsFatalWithTheBindCommand)
{
	SyntheticHost host;
	host.pci("0000:3b:00.0", "0x8086", "ice", "ens1f0");
	host.dir("/sys/bus/pci/drivers/vfio-pci");
	Findings f;
	check_pci_binding(host_config(kIcePort).ports[0], host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::fatal);
	EXPECT_NE(f[0].what.find("port wire0 (ice) 0000:3b:00.0: bound to ice (netdev ens1f0)"), std::string::npos) << f[0].what;
	EXPECT_EQ(f[0].fix, "ip link set dev ens1f0 down && dpdk-devbind.py -b vfio-pci 0000:3b:00.0");
}

TEST(DoctorVfio, UnloadedVfioModuleIsLoadedFirst)
{
	SyntheticHost host;
	host.pci("0000:5e:00.0", "0x14e4", "");
	Findings f;
	check_pci_binding(host_config(kBnxtPort).ports[0], host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::fatal);
	EXPECT_NE(f[0].what.find("bound to no driver"), std::string::npos) << f[0].what;
	EXPECT_EQ(f[0].fix, "modprobe vfio-pci && dpdk-devbind.py -b vfio-pci 0000:5e:00.0");
}

TEST(DoctorVfio, WrongVendorAndMissingDeviceAreFatal)
{
	SyntheticHost host;
	host.pci("0000:3b:00.0", "0x14e4", "vfio-pci"); // a Broadcom NIC where the config says ice
	Findings f;
	check_pci_binding(host_config(kIcePort).ports[0], host.root(), f);
	ASSERT_EQ(f.size(), 2u);
	EXPECT_EQ(f[0].severity, Severity::fatal);
	EXPECT_NE(f[0].what.find("vendor 0x14e4 is not Intel"), std::string::npos) << f[0].what;

	Findings missing;
	check_pci_binding(host_config(kBnxtPort).ports[0], host.root(), missing);
	ASSERT_EQ(missing.size(), 1u);
	EXPECT_EQ(missing[0].severity, Severity::fatal);
	EXPECT_NE(missing[0].what.find("no such PCI device"), std::string::npos);
	EXPECT_EQ(missing[0].fix.rfind("lspci -Dnn -d 14e4:", 0), 0u) << missing[0].fix;
}

TEST(DoctorIommu, NoGroupsIsFatalWithTheVendorsCmdline)
{
	SyntheticHost host;
	host.dir("/sys/kernel/iommu_groups");
	host.file("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet");
	host.file("/proc/cpuinfo", "vendor_id\t: GenuineIntel");
	Findings f;
	check_iommu(host_config(kIcePort), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::fatal);
	EXPECT_EQ(f[0].fix.rfind("kernel cmdline: intel_iommu=on iommu=pt", 0), 0u) << f[0].fix;

	host.file("/proc/cpuinfo", "vendor_id\t: AuthenticAMD");
	Findings amd;
	check_iommu(host_config(kBnxtPort), host.root(), amd);
	EXPECT_EQ(amd.at(0).fix.rfind("kernel cmdline: amd_iommu=on iommu=pt", 0), 0u) << amd[0].fix;
}

TEST(DoctorIommu, AskedForButOffInFirmware)
{
	SyntheticHost host;
	host.file("/proc/cmdline", "root=/dev/sda1 intel_iommu=on iommu=pt");
	Findings f;
	check_iommu(host_config(kIcePort), host.root(), f);
	EXPECT_EQ(f.at(0).severity, Severity::fatal);
	EXPECT_EQ(f[0].fix, "enable VT-d in the firmware setup, then reboot");
}

TEST(DoctorIommu, GroupsPresentOrNoPciPortIsOk)
{
	SyntheticHost host;
	host.dir("/sys/kernel/iommu_groups/0");
	host.dir("/sys/kernel/iommu_groups/1");
	Findings f;
	check_iommu(host_config(kIcePort), host.root(), f);
	EXPECT_EQ(f.at(0).severity, Severity::ok);
	EXPECT_NE(f[0].what.find("2 IOMMU groups"), std::string::npos);

	SyntheticHost bare;
	Findings none;
	check_iommu(host_config(kAfXdpPort), bare.root(), none);
	EXPECT_EQ(none.at(0).severity, Severity::ok);
}

TEST(DoctorQueues, BnxtOnItsKernelDriverWithTooFewQueues)
{
	SyntheticHost host;
	host.pci("0000:5e:00.0", "0x14e4", "bnxt_en", "ens2f0np0");
	host.netdev_queues("ens2f0np0", 1);
	Findings f;
	check_queues(host_config(kBnxtPort), host.root(), f);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].severity, Severity::warn);
	EXPECT_NE(f[0].what.find("has 1 queue (rx and tx), the config wants queues 0..1"), std::string::npos) << f[0].what;
	EXPECT_EQ(f[0].fix, "ethtool -L ens2f0np0 combined 2");
}

TEST(DoctorQueues, AfXdpNeedsEveryQueueItBinds)
{
	SyntheticHost host;
	host.netdev_queues("ens1f0", 1);
	Findings few;
	check_queues(host_config(kAfXdpPort), host.root(), few);
	ASSERT_EQ(few.size(), 1u);
	EXPECT_EQ(few[0].severity, Severity::fatal);
	EXPECT_EQ(few[0].fix, "ethtool -L ens1f0 combined 2");

	SyntheticHost enough;
	enough.netdev_queues("ens1f0", 4);
	Findings ok;
	check_queues(host_config(kAfXdpPort), enough.root(), ok);
	EXPECT_EQ(ok.at(0).severity, Severity::ok);

	// start_queue 3 + 2 queues needs queues 3..4 of 4.
	Findings shifted;
	check_queues(host_config("driver: af_xdp, args: { iface: ens1f0, start_queue: 3 }"), enough.root(), shifted);
	EXPECT_EQ(shifted.at(0).severity, Severity::fatal);
	EXPECT_EQ(shifted[0].fix, "ethtool -L ens1f0 combined 5");
}

TEST(DoctorQueues, VfioBoundPortIsLeftToPortSetup)
{
	SyntheticHost host;
	host.pci("0000:3b:00.0", "0x8086", "vfio-pci");
	Findings f;
	check_queues(host_config(kIcePort), host.root(), f);
	EXPECT_TRUE(f.empty());
}
