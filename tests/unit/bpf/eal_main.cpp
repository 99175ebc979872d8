// The agreement test checks against RuleTable, whose rte_acl allocates from DPDK memory: run
// under a small no-huge EAL, as the classify tests do.
#include <gtest/gtest.h>

#include <rte_eal.h>

#include "xdp_harness.h"

int main(int argc, char **argv)
{
	::testing::InitGoogleTest(&argc, argv);
	const char *eal_args[] = {"test_xdp", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "-l", "0",
				  "--file-prefix", "tp-test-xdp", "--no-telemetry", "--log-level", "*:warning"};
	if (rte_eal_init(int(std::size(eal_args)), const_cast<char **>(eal_args)) < 0) {
		std::fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	int rc = RUN_ALL_TESTS();
	tripath::test::XdpHarness::release();
	rte_eal_cleanup();
	return rc;
}
