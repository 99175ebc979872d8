// The compiled rte_acl tables must give the reference first-match verdict for every packet:
// random rule sets, and keys drawn around every rule boundary.
#include <random>

#include <gtest/gtest.h>

#include <tripath/classify/reference.h>
#include <tripath/classify/rule_table.h>

#include "random_rules.h"

using namespace tripath;

using namespace tripath::testing;


TEST(AclVsReference, RandomRuleSetsAgreeOnEveryKey)
{
	Gen g(20261121);
	unsigned checked = 0;
	for (unsigned set = 0; set < 40; set++) {
		config::Config cfg = random_rules(g, 1 + g.below(set < 30 ? 24 : 400));
		auto table = classify::RuleTable::build(cfg);
		std::vector<packet::FlowKey> keys(3000);
		for (packet::FlowKey &k : keys)
			k = random_key(g, cfg);
		std::vector<classify::Verdict> got(keys.size());
		table->lookup_burst(keys.data(), got.data(), unsigned(keys.size()));
		for (size_t i = 0; i < keys.size(); i++) {
			classify::Verdict want = classify::reference_lookup(cfg, keys[i]);
			ASSERT_EQ(got[i].rule, want.rule) << "rule set " << set << " key " << i << ": " << describe(keys[i]);
			ASSERT_EQ(got[i].path, want.path);
			checked++;
		}
	}
	EXPECT_EQ(checked, 120000u);
}
