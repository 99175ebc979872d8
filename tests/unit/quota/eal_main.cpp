// Prefix tables and meters live in DPDK memory: the quota tests run under a small no-huge EAL.
// A table with IPv4 and IPv6 prefixes takes about 100 MB (32 MB DIR-24-8, 64 MB rte_lpm6).
#include <cstdio>
#include <iterator>

#include <gtest/gtest.h>

#include <rte_eal.h>

int main(int argc, char **argv)
{
	::testing::InitGoogleTest(&argc, argv);
	const char *eal_args[] = {"test_quota", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "-l", "0",
				  "--file-prefix", "tp-test-quota", "--no-telemetry", "--log-level", "*:warning"};
	if (rte_eal_init(int(std::size(eal_args)), const_cast<char **>(eal_args)) < 0) {
		std::fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	int rc = RUN_ALL_TESTS();
	rte_eal_cleanup();
	return rc;
}
