// Arbitrary bytes as a frame: the parser must stay inside them, and for every parsed frame the
// compiled rule tables (rte_acl) must give the reference first-match verdict, for each of the
// checked-in configs' rule sets.
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <rte_eal.h>

#include <tripath/classify/reference.h>
#include <tripath/classify/rule_table.h>
#include <tripath/config/config.h>
#include <tripath/packet/flow_key.h>

#include "fuzz_check.h"

using namespace tripath;

namespace {

struct CompiledConfig {
	config::Config cfg;
	std::unique_ptr<classify::RuleTable> table;
};

std::vector<CompiledConfig> &configs()
{
	static std::vector<CompiledConfig> all;
	return all;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***argv)
{
	// rte_acl allocates from DPDK memory: a small EAL without hugepages, PCI or shared files.
	// A prefix per process, so parallel fuzz jobs never share EAL state.
	std::string prefix = "tp-fuzz-" + std::to_string(getpid());
	const char *eal_args[] = {(*argv)[0], "--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--file-prefix",
				  prefix.c_str(), "-l", "0", "--no-telemetry", "--log-level", "*:error"};
	FUZZ_CHECK(rte_eal_init(int(std::size(eal_args)), const_cast<char **>(eal_args)) >= 0, "EAL init");
	for (const char *file : {TRIPATH_CONFIG_DIR "/lab.yaml", TRIPATH_CONFIG_DIR "/appliance-e810.yaml",
				 TRIPATH_CONFIG_DIR "/appliance-bnxt.yaml"}) {
		CompiledConfig c{config::load_config_file(file), nullptr};
		c.table = classify::RuleTable::build(c.cfg);
		configs().push_back(std::move(c));
	}
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// An exact-size copy, so ASan flags any read past the frame's last byte.
	std::vector<uint8_t> frame(data, data + size);
	packet::FlowKey key;
	packet::ParseStatus status = packet::parse_frame(frame.data(), frame.size(), uint32_t(size), key);
	FUZZ_CHECK(status < packet::ParseStatus::count_, "status %d", int(status));
	FUZZ_CHECK(packet::parse_status_name(status) != nullptr, "unnamed status");
	if (status != packet::ParseStatus::ok)
		return 0;
	FUZZ_CHECK(key.l3_offset <= size && key.l4_offset <= size, "offsets %u %u past %zu", key.l3_offset,
		   key.l4_offset, size);
	for (const CompiledConfig &c : configs()) {
		classify::Verdict got = c.table->lookup(key);
		classify::Verdict want = classify::reference_lookup(c.cfg, key);
		FUZZ_CHECK(got.rule == want.rule && got.path == want.path, "rte_acl rule %u, reference rule %u",
			   got.rule, want.rule);
	}
	return 0;
}
