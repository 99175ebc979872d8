// A proposed steering change, in one format for its three sources: the built-in adaptive
// policy, the operator (shell) and external clients (control socket, JSON).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tripath/config/config.h>

namespace tripath::guardian {

enum class SourceKind { policy, operator_, client };

// Who proposes. The transport sets it, never the JSON: a client cannot claim to be the operator.
struct Proposer {
	SourceKind kind = SourceKind::operator_;
	std::string client_id;                 // client: [A-Za-z0-9_.-]{1,64}
	std::vector<std::string> tenants;      // client: the tenants it may touch (from its credentials)

	static Proposer policy() { return {SourceKind::policy, {}, {}}; }
	static Proposer operator_shell() { return {SourceKind::operator_, {}, {}}; }
	static Proposer client(std::string id, std::vector<std::string> tenants)
	{
		return {SourceKind::client, std::move(id), std::move(tenants)};
	}
	std::string name() const;              // "policy" | "operator" | "client:<id>" (audit proposer)
	bool may_touch(std::string_view tenant) const; // policy/operator: any; client: its own only
};

enum class ProposalKind {
	move_rule,    // rule (by name) -> path + target
	promote_flow, // flow -> path B endpoint: inserted as a rule ahead of what catches the flow now
	demote_flow,  // flow -> path C peer: likewise
	set_meter,    // tenant's quota on one path: pps and/or bps
	set_weight,   // queue/endpoint weight: parsed, always REJECTed `unsupported` (no weights yet)
};
const char *proposal_kind_name(ProposalKind kind);

struct Proposal {
	Proposer source;
	ProposalKind kind = ProposalKind::move_rule;
	std::string rule;                      // move_rule: the rule; promote/demote: the new rule's name ("" = generated)
	config::PathKind path = config::PathKind::kernel; // move_rule: the new path; set_meter: the metered path
	std::string target;                    // fast: endpoint, bulk: peer; set_weight: the queue/endpoint
	config::RuleMatch flow;                // promote/demote: src/dst prefixes, proto, ports
	std::string tenant;                    // promote/demote: the new rule's tenant; set_meter: the tenant
	std::optional<uint64_t> pps;           // set_meter; unset = leave as is
	std::optional<uint64_t> bps;
	uint32_t weight = 0;                   // set_weight
	std::optional<uint32_t> priority;      // promote/demote: unset = just ahead of the rule that has the flow now

};

// {"kind":"move_rule","rule":"web","path":"fast","endpoint":"agent0"}
// {"kind":"promote_flow","flow":{"src":"10.1.0.7","dst":"10.9.0.1","proto":"tcp","dst_port":7000},
//  "endpoint":"agent0","tenant":"acme","name":"hot-7000","priority":100}
// {"kind":"demote_flow","flow":{...},"peer":"peer0","tenant":"acme"}
// {"kind":"set_meter","tenant":"acme","path":"fast","pps":8000,"bps":40000000}
// {"kind":"set_weight","target":"agent0","weight":3}
// `flow` uses the rule match syntax (config's parse_match). Unknown keys are refused.
struct ParseResult {
	std::optional<Proposal> proposal;
	std::string field;                     // the offending field ("flow.dst_port", "kind", "" = the text)
	std::string error;                     // "field FIELD: message", or why the text is not JSON
};
ParseResult parse_proposal(std::string_view json, const Proposer &source);

// The same format back, keys in a fixed order (what the audit record stores as `proposal`).
std::string to_json(const Proposal &proposal);

// A match in one line for diffs and messages: its JSON ({"dst":"10.9.0.1/32","proto":"tcp"}), or "any".
std::string describe_match(const config::RuleMatch &match);

} // namespace tripath::guardian
