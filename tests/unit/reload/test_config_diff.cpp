// config reload refuses what cannot change live and names it; rules, tenants and intent may change.
#include <gtest/gtest.h>

#include "config_diff.h"

namespace tripath::app {
namespace {

const char *kBase = R"(eal: { lcores: "0-1", main_lcore: 0, memory_mb: 256, file_prefix: t }
ports:
  - { name: wire0, driver: null, queues: 1 }
  - { name: tap0, driver: null, args: { no-rx: 1 } }
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
paths:
  kernel: { ring_size: 1024, taps: [{ wire: wire0, tap: tap0 }] }
tenants:
  - { name: lab, prefixes: [10.0.0.0/8] }
rules:
  - { name: ssh, priority: 10, match: { proto: tcp, dst_port: 22 }, path: kernel }
  - { name: default, priority: 100, path: kernel }
)";

config::Config load(const std::string &text) { return config::load_config_text(text, "t.yaml"); }

std::string edited(std::string text, const std::string &from, const std::string &to)
{
	size_t at = text.find(from);
	EXPECT_NE(at, std::string::npos) << from;
	return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(ConfigDiff, SameFileNoDifference)
{
	EXPECT_TRUE(structural_differences(load(kBase), load(kBase)).empty());
}

TEST(ConfigDiff, RulesTenantsAndIntentAreNotStructural)
{
	std::string next = edited(kBase, "dst_port: 22 }, path: kernel", "dst_port: 2222 }, path: drop");
	next = edited(next, "prefixes: [10.0.0.0/8]", "prefixes: [10.0.0.0/8, 192.168.0.0/16]");
	next += "intent: { autonomy: off }\n";
	EXPECT_TRUE(structural_differences(load(kBase), load(next)).empty());
}

TEST(ConfigDiff, EachStructuralChangeIsNamed)
{
	const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
		{{"memory_mb: 256", "memory_mb: 512"}, "eal.memory_mb"},
		{{"file_prefix: t", "file_prefix: u"}, "eal.file_prefix"},
		{{"{ name: wire0, driver: null, queues: 1 }", "{ name: wire0, driver: null, queues: 1, rx_desc: 512 }"},
		 "ports[0] (wire0).rx_desc"},
		{{"{ id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }",
		  "{ id: 1, role: worker, poll: [{ port: wire0, queue: 0 }], idle: { enabled: false } }"},
		 "lcores[1] (lcore 1).idle"},
		{{"ring_size: 1024", "ring_size: 2048"}, "paths.kernel.ring_size"},
	};
	for (const auto &[edit, named] : cases) {
		std::vector<std::string> d = structural_differences(load(kBase), load(edited(kBase, edit.first, edit.second)));
		ASSERT_EQ(d.size(), 1u) << named;
		EXPECT_EQ(d[0], named);
	}
}

TEST(ConfigDiff, AddedPortIsNamedOnce)
{
	std::string next = edited(kBase, "  - { name: tap0, driver: null, args: { no-rx: 1 } }\n", "  - { name: tap0, driver: null, args: { no-rx: 1 } }\n  - { name: extra, driver: null }\n");
	std::vector<std::string> d = structural_differences(load(kBase), load(next));
	ASSERT_EQ(d.size(), 1u);
	EXPECT_EQ(d[0], "ports: 2 -> 3 ports");
}

} // namespace
} // namespace tripath::app
