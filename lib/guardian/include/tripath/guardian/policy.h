// The built-in adaptive policy: turns one window of flow sketches and SLO numbers into
// proposals. Deterministic: the same inputs give the same proposals in the same order. It
// proposes only; the guardian decides.
#pragma once

#include <array>
#include <vector>

#include <tripath/config/config.h>
#include <tripath/guardian/observed.h>
#include <tripath/guardian/proposal.h>
#include <tripath/telemetry/flow_sketch.h>

namespace tripath::guardian {

struct PolicyOptions {
	double promote_min_pps = 1000;         // path A flow at least this hot ...
	uint32_t small_max_bytes = 256;        // ... with packets this small on average: promote to B
	double elephant_min_bytes_per_s = 10e6; // path B flow at least this heavy ...
	uint32_t large_min_bytes = 1000;       // ... with packets this large on average: demote to C
	uint32_t meter_cut_pct = 20;           // cut the heaviest other fast-path tenant by this much
	size_t max_proposals = 4;              // per window
};

struct PolicyInput {
	// By PathKind kernel, fast, bulk: telemetry::merge_windows over the workers' closed windows.
	std::array<std::vector<telemetry::FlowEstimate>, 3> flows;
	double window_s = 1;                   // how long the windows were open
	ObservedState observed;
};

class AdaptivePolicy {
public:
	explicit AdaptivePolicy(PolicyOptions options = {}) : options_(options) {}

	// `cfg` gives endpoints, peers, tenants and the protected classes (never proposed: the
	// guardian would refuse them); `rules` and `tenants` are the guardian's current lists.
	// Promotions go to the first fast endpoint, demotions to the first bulk peer; a flow's
	// tenant is the one with the longest prefix holding its source.
	std::vector<Proposal> propose(const PolicyInput &input, const config::Config &cfg,
				      const std::vector<config::RuleConfig> &rules,
				      const std::vector<config::TenantConfig> &tenants) const;

	const PolicyOptions &options() const { return options_; }

private:
	PolicyOptions options_;
};

// The rule match of exactly this flow (host prefixes, protocol, ports for tcp/udp/sctp).
config::RuleMatch flow_match(const telemetry::FlowId &flow);

} // namespace tripath::guardian
