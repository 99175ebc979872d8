// Proposals <-> JSON, and their one-line descriptions.
#include <tripath/guardian/proposal.h>


#include <arpa/inet.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

namespace tripath::guardian {

namespace {

using nlohmann::json;

constexpr std::array<const char *, 5> kind_names = {"move_rule", "promote_flow", "demote_flow", "set_meter", "set_weight"};
constexpr std::array<const char *, 4> path_names = {"kernel", "fast", "bulk", "drop"};

// Thrown inside parse_proposal only, turned into ParseResult there.
struct FieldError {
	std::string field;
	std::string message;
};

[[noreturn]] void bad(const std::string &field, const std::string &message) { throw FieldError{field, message}; }

const json &need(const json &j, const char *key)
{
	auto it = j.find(key);
	if (it == j.end())
		bad(key, "missing");
	return *it;
}

std::string read_text(const json &j, const char *key, size_t max_len = 64)
{
	const json &v = need(j, key);
	if (!v.is_string() || v.get_ref<const std::string &>().empty() || v.get_ref<const std::string &>().size() > max_len)
		bad(key, "expected a string of 1.." + std::to_string(max_len) + " characters, got " + v.dump());
	return v.get<std::string>();
}

uint64_t read_number(const json &j, const char *key, uint64_t lo, uint64_t hi)
{
	const json &v = need(j, key);
	if (!v.is_number_unsigned() || v.get<uint64_t>() < lo || v.get<uint64_t>() > hi)
		bad(key, "expected an integer " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + v.dump());
	return v.get<uint64_t>();
}

size_t read_choice(const json &j, const char *key, std::span<const char *const> names)
{
	const json &v = need(j, key);
	if (v.is_string())
		for (size_t i = 0; i < names.size(); i++)
			if (v.get_ref<const std::string &>() == names[i])
				return i;
	std::string list;
	for (auto n : names)
		list += (list.empty() ? "" : ", ") + std::string(n);
	bad(key, "expected one of " + list + ", got " + v.dump());
}

void only_keys(const json &j, std::initializer_list<const char *> keys, std::string_view kind)
{
	for (auto it = j.begin(); it != j.end(); ++it)
		if (std::ranges::none_of(keys, [&](const char *k) { return it.key() == k; })) {
			std::string list;
			for (auto k : keys)
				list += (list.empty() ? "" : ", ") + std::string(k);
			bad(it.key(), "unknown for kind " + std::string(kind) + " (expected one of: " + list + ")");
		}
}

config::RuleMatch read_flow(const json &j)
{
	const json &v = need(j, "flow");
	if (!v.is_object() || v.empty())
		bad("flow", "expected a match object such as {\"dst\":\"10.0.0.5\",\"proto\":\"tcp\",\"dst_port\":7000}, got " + v.dump());
	try {
		return config::parse_match(v.dump(), "flow", "flow");
	} catch (const config::ConfigError &e) {
		// The message starts with the field's path ("flow.dst_port: ..."); keep it whole.
		const std::string &m = e.message();
		size_t colon = m.find(": ");
		std::string field = colon != std::string::npos && m.starts_with("flow") ? m.substr(0, colon) : "flow";
		bad(field, colon != std::string::npos && m.starts_with("flow") ? m.substr(colon + 2) : m);
	}
}

void read_target(const json &j, Proposal &p)
{
	if (p.path == config::PathKind::fast)
		p.target = read_text(j, "endpoint");
	else if (p.path == config::PathKind::bulk)
		p.target = read_text(j, "peer");
	else if (j.contains("endpoint") || j.contains("peer"))
		bad(j.contains("endpoint") ? "endpoint" : "peer", "only for path fast (endpoint) or bulk (peer)");
}

Proposal read_proposal(const json &j, const Proposer &source)
{
	if (!j.is_object())
		bad("", "expected a JSON object, got " + std::string(j.type_name()));
	Proposal p;
	p.source = source;
	p.kind = static_cast<ProposalKind>(read_choice(j, "kind", kind_names));
	std::string_view kind = kind_names[size_t(p.kind)];
	switch (p.kind) {
	case ProposalKind::move_rule:
		only_keys(j, {"kind", "rule", "path", "endpoint", "peer"}, kind);
		p.rule = read_text(j, "rule");
		p.path = static_cast<config::PathKind>(read_choice(j, "path", std::span(path_names).first(3)));
		read_target(j, p);
		break;
	case ProposalKind::promote_flow:
	case ProposalKind::demote_flow: {
		bool promote = p.kind == ProposalKind::promote_flow;
		only_keys(j, {"kind", "flow", promote ? "endpoint" : "peer", "tenant", "name", "priority"}, kind);
		p.flow = read_flow(j);
		p.path = promote ? config::PathKind::fast : config::PathKind::bulk;
		read_target(j, p);
		if (j.contains("tenant"))
			p.tenant = read_text(j, "tenant");
		if (j.contains("name"))
			p.rule = read_text(j, "name", 63);
		if (j.contains("priority"))
			p.priority = uint32_t(read_number(j, "priority", 0, 65535));
		break;
	}
	case ProposalKind::set_meter:
		only_keys(j, {"kind", "tenant", "path", "pps", "bps"}, kind);
		p.tenant = read_text(j, "tenant");
		p.path = static_cast<config::PathKind>(read_choice(j, "path", std::span(path_names).first(3)));
		if (j.contains("pps"))
			p.pps = read_number(j, "pps", 1, 1'000'000'000);
		if (j.contains("bps"))
			p.bps = read_number(j, "bps", 1000, 400'000'000'000);
		if (!p.pps && !p.bps)
			bad("pps", "set_meter needs pps, bps or both");
		break;
	case ProposalKind::set_weight:
		only_keys(j, {"kind", "target", "weight"}, kind);
		p.target = read_text(j, "target");
		p.weight = uint32_t(read_number(j, "weight", 0, 1000));
		break;
	}
	return p;
}

std::string format_prefix(const config::Prefix &p)
{
	char buf[INET6_ADDRSTRLEN] = {};
	inet_ntop(p.family == 4 ? AF_INET : AF_INET6, p.addr.data(), buf, sizeof buf);
	return std::string(buf) + "/" + std::to_string(p.len);
}

std::string format_range(const config::Range &r)
{
	return r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + "-" + std::to_string(r.hi);
}

std::string proto_name(uint8_t proto)
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	default: return std::to_string(proto);
	}
}

json match_json(const config::RuleMatch &m)
{
	json j = json::object();
	if (m.ether_type)
		j["ether_type"] = *m.ether_type;
	if (m.src)
		j["src"] = format_prefix(*m.src);
	if (m.dst)
		j["dst"] = format_prefix(*m.dst);
	if (m.proto)
		j["proto"] = proto_name(*m.proto);
	if (m.src_port)
		j["src_port"] = format_range(*m.src_port);
	if (m.dst_port)
		j["dst_port"] = format_range(*m.dst_port);
	if (m.dscp)
		j["dscp"] = *m.dscp;
	if (m.vlan)
		j["vlan"] = *m.vlan;
	if (m.frame_size)
		j["frame_size"] = format_range(*m.frame_size);
	return j;
}

} // namespace

std::string Proposer::name() const
{
	switch (kind) {
	case SourceKind::policy: return "policy";
	case SourceKind::operator_: return "operator";
	case SourceKind::client: return "client:" + client_id;
	}
	return "?";
}

bool Proposer::may_touch(std::string_view tenant) const
{
	return kind != SourceKind::client || (!tenant.empty() && std::ranges::find(tenants, tenant) != tenants.end());
}

const char *proposal_kind_name(ProposalKind kind) { return kind_names.at(size_t(kind)); }

ParseResult parse_proposal(std::string_view text, const Proposer &source)
{
	ParseResult out;
	json j;
	try { // the control lcore, not a worker: exceptions are fine here
		j = json::parse(text);
	} catch (const json::parse_error &e) {
		out.error = "not JSON: byte " + std::to_string(e.byte) + ": " + e.what();
		return out;
	} catch (const json::exception &e) { // a number too large for a double (out_of_range)
		out.error = std::string("not JSON: ") + e.what();
		return out;
	}
	try {
		out.proposal = read_proposal(j, source);
	} catch (const FieldError &e) {
		out.field = e.field;
		out.error = e.field.empty() ? e.message : "field " + e.field + ": " + e.message;
	}
	return out;
}

std::string to_json(const Proposal &p)
{
	json j = json::object(); // nlohmann sorts keys: the text is the same for equal proposals
	j["kind"] = proposal_kind_name(p.kind);
	switch (p.kind) {
	case ProposalKind::move_rule:
		j["rule"] = p.rule;
		j["path"] = path_names[size_t(p.path)];
		break;
	case ProposalKind::promote_flow:
	case ProposalKind::demote_flow:
		j["flow"] = match_json(p.flow);
		if (!p.tenant.empty())
			j["tenant"] = p.tenant;
		if (!p.rule.empty())
			j["name"] = p.rule;
		if (p.priority)
			j["priority"] = *p.priority;
		break;
	case ProposalKind::set_meter:
		j["tenant"] = p.tenant;
		j["path"] = path_names[size_t(p.path)];
		if (p.pps)
			j["pps"] = *p.pps;
		if (p.bps)
			j["bps"] = *p.bps;
		break;
	case ProposalKind::set_weight:
		j["target"] = p.target;
		j["weight"] = p.weight;
		break;
	}
	if (p.kind != ProposalKind::set_meter && p.kind != ProposalKind::set_weight) {
		if (p.path == config::PathKind::fast)
			j["endpoint"] = p.target;
		else if (p.path == config::PathKind::bulk)
			j["peer"] = p.target;
	}
	return j.dump();
}

std::string describe_match(const config::RuleMatch &m)
{
	json j = match_json(m);
	return j.empty() ? "any" : j.dump();
}

} // namespace tripath::guardian
