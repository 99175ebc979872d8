// The proposal JSON: every kind round-trips; every bad field is named.
#include "guardian_test.h"

namespace tripath::guardian::test {
namespace {

TEST(GuardianProposal, RoundTripEveryKind)
{
	for (const char *text : {
		     R"({"kind":"move_rule","path":"fast","rule":"web","endpoint":"agent0"})",
		     R"({"kind":"promote_flow","flow":{"src":"10.1.0.7","dst":"10.9.0.1","proto":"tcp","dst_port":7000},"endpoint":"agent0","tenant":"acme","name":"hot","priority":50})",
		     R"({"kind":"demote_flow","flow":{"dst":"10.9.0.0/24","proto":"udp","src_port":"1000-2000"},"peer":"peer0"})",
		     R"({"kind":"set_meter","tenant":"acme","path":"fast","pps":8000,"bps":40000000})",
		     R"({"kind":"set_weight","target":"agent0","weight":3})",
	     }) {
		Proposal p = parse(text, Proposer::client("agent-7", {"acme"}));
		EXPECT_EQ(p.source.name(), "client:agent-7");
		std::string once = to_json(p);
		Proposal again = parse(once);
		EXPECT_EQ(to_json(again), once) << text;
	}
	Proposal p = parse(R"({"kind":"promote_flow","flow":{"src":"10.1.0.7","proto":"tcp","dst_port":7000},"endpoint":"agent0","priority":50})");
	EXPECT_EQ(p.kind, ProposalKind::promote_flow);
	EXPECT_EQ(p.path, config::PathKind::fast);
	EXPECT_EQ(p.target, "agent0");
	EXPECT_EQ(p.flow.src->len, 32);
	EXPECT_EQ(p.flow.dst_port->lo, 7000u);
	EXPECT_EQ(p.priority, 50u);
	p = parse(R"({"kind":"set_meter","tenant":"beta","path":"bulk","bps":1000000})");
	EXPECT_EQ(p.path, config::PathKind::bulk);
	EXPECT_FALSE(p.pps);
	EXPECT_EQ(p.bps, 1000000u);
}

void expect_error(const std::string &json, const std::string &field, const std::string &phrase)
{
	ParseResult r = parse_proposal(json, Proposer::operator_shell());
	EXPECT_FALSE(r.proposal) << json;
	EXPECT_EQ(r.field, field) << json << " -> " << r.error;
	EXPECT_NE(r.error.find(phrase), std::string::npos) << json << " -> " << r.error;
}

// Found by fuzzing: a number past a double's range threw out of parse_proposal and ended tripath.
TEST(GuardianProposal, NumberOutOfRangeIsAnError)
{
	expect_error("444444.4444e0888", "", "not JSON: [json.exception.out_of_range.406]");
	expect_error(R"({"kind":"set_meter","tenant":"acme","path":"fast","pps":1e999})", "", "not JSON: ");
}

TEST(GuardianProposal, ErrorsNameTheField)
{
	expect_error(R"({"kind":"move_rule",)", "", "not JSON: byte");
	expect_error(R"([1,2])", "", "expected a JSON object, got array");
	expect_error(R"({"rule":"x"})", "kind", "field kind: missing");
	expect_error(R"({"kind":"teleport"})", "kind", "field kind: expected one of move_rule, promote_flow, demote_flow, set_meter, set_weight, got \"teleport\"");
	expect_error(R"({"kind":"move_rule","path":"fast","endpoint":"agent0"})", "rule", "field rule: missing");
	expect_error(R"({"kind":"move_rule","rule":"web","path":"drop"})", "path", "field path: expected one of kernel, fast, bulk");
	expect_error(R"({"kind":"move_rule","rule":"web","path":"fast"})", "endpoint", "field endpoint: missing");
	expect_error(R"({"kind":"move_rule","rule":"web","path":"kernel","peer":"p"})", "peer", "only for path fast");
	expect_error(R"({"kind":"move_rule","rule":7,"path":"kernel"})", "rule", "expected a string of 1..64 characters, got 7");
	expect_error(R"({"kind":"move_rule","rule":"w","path":"kernel","colour":"red"})", "colour", "unknown for kind move_rule (expected one of: kind, rule, path, endpoint, peer)");
	expect_error(R"({"kind":"promote_flow","endpoint":"agent0"})", "flow", "field flow: missing");
	expect_error(R"({"kind":"promote_flow","flow":{},"endpoint":"agent0"})", "flow", "expected a match object");
	expect_error(R"({"kind":"promote_flow","flow":{"proto":"tcp","dst_port":70000},"endpoint":"a"})", "flow.dst_port", "field flow.dst_port: expected an integer 0..65535");
	expect_error(R"({"kind":"promote_flow","flow":{"dst_port":80},"endpoint":"a"})", "flow.dst_port", "ports only apply to proto tcp, udp or sctp");
	expect_error(R"({"kind":"promote_flow","flow":{"src":"10.0.0.1/8"},"endpoint":"a"})", "flow.src", "has host bits set");
	expect_error(R"({"kind":"promote_flow","flow":{"sport":1},"endpoint":"a"})", "flow", "unknown key 'sport' in flow");
	expect_error(R"({"kind":"demote_flow","flow":{"proto":"udp"},"endpoint":"a"})", "endpoint", "unknown for kind demote_flow");
	expect_error(R"({"kind":"promote_flow","flow":{"proto":"udp"},"endpoint":"a","priority":-1})", "priority", "field priority: expected an integer 0..65535, got -1");
	expect_error(R"({"kind":"set_meter","tenant":"acme","path":"fast"})", "pps", "set_meter needs pps, bps or both");
	expect_error(R"({"kind":"set_meter","tenant":"acme","path":"fast","pps":0})", "pps", "field pps: expected an integer 1..1000000000, got 0");
	expect_error(R"({"kind":"set_meter","tenant":"acme","path":"fast","bps":"lots"})", "bps", "got \"lots\"");
	expect_error(R"({"kind":"set_weight","target":"agent0"})", "weight", "field weight: missing");
}

TEST(GuardianProposal, SourceComesFromTheTransport)
{
	// A client cannot claim another source: "source" is not a field of the format.
	expect_error(R"({"kind":"set_weight","target":"a","weight":1,"source":"operator"})", "source", "unknown for kind set_weight");
	EXPECT_EQ(Proposer::policy().name(), "policy");
	EXPECT_EQ(Proposer::operator_shell().name(), "operator");
	Proposer c = Proposer::client("bot", {"acme"});
	EXPECT_TRUE(c.may_touch("acme"));
	EXPECT_FALSE(c.may_touch("beta"));
	EXPECT_FALSE(c.may_touch(""));
	EXPECT_TRUE(Proposer::policy().may_touch("beta"));
}

} // namespace
} // namespace tripath::guardian::test
