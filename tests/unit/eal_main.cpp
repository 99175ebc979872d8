// Tests whose code allocates from DPDK memory (rte_acl, rte_fib, rte_lpm6, rte_meter) run
// under a small no-huge EAL of their own: one lcore, no shared files, no telemetry.
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include <rte_eal.h>

int main(int argc, char **argv)
{
	::testing::InitGoogleTest(&argc, argv);
	// Each binary its own prefix, so parallel test binaries never share EAL state.
	const char *slash = std::strrchr(argv[0], '/');
	std::string prefix = std::string("tp-") + (slash ? slash + 1 : argv[0]);
	const char *eal_args[] = {argv[0], "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "-l", "0",
				  "--file-prefix", prefix.c_str(), "--no-telemetry", "--log-level", "*:warning"};
	if (rte_eal_init(int(std::size(eal_args)), const_cast<char **>(eal_args)) < 0) {
		std::fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	int rc = RUN_ALL_TESTS(); // global test environments tear down here, before EAL goes
	rte_eal_cleanup();
	return rc;
}
