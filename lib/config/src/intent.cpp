// intent: and audit: — the guardian's envelope and its log, checked against tenants.
#include "document.h"
#include "intent_reader.h"
#include "names.h"
#include "sections.h"
#include "values.h"

#include <algorithm>
#include <charconv>

namespace tripath::config {

namespace detail {

namespace {

constexpr const char *autonomy_names[] = {"off", "propose-only", "bounded"};
constexpr const char *builtin_names[] = {"arp", "icmp", "ssh", "bgp", "dns"};

RuleMatch proto_port(uint8_t proto, uint16_t port)
{
	RuleMatch m;
	m.proto = proto;
	m.dst_port = Range{port, port};
	return m;
}

ProtectedClass builtin_class(std::string_view name)
{
	ProtectedClass c;
	c.name = std::string(name);
	c.builtin = true;
	if (name == "arp") {
		c.matches.emplace_back().ether_type = 0x0806;
	} else if (name == "icmp") {
		c.matches.emplace_back().proto = 1;
		c.matches.emplace_back().proto = 58;
	} else if (name == "ssh") {
		c.matches.push_back(proto_port(6, 22));
	} else if (name == "bgp") {
		c.matches.push_back(proto_port(6, 179));
	} else if (name == "dns") {
		c.matches.push_back(proto_port(17, 53));
		c.matches.push_back(proto_port(6, 53));
	}
	return c;
}

bool has_tenant(const Config &cfg, const std::string &name)
{
	return std::ranges::any_of(cfg.tenants, [&](const auto &t) { return t.name == name; });
}

std::string read_tenant_ref(const Field &f, const Config &cfg)
{
	std::string name = read_name(f, 63);
	if (!has_tenant(cfg, name))
		f.fail("tenant '" + name + "' is not defined in tenants");
	return name;
}

SloConfig read_slo(const Field &f, const Config &cfg)
{
	MapReader m(f, {"fast_p99_us", "tenants", "min_kernel_share_pct", "bulk_budget_bytes_per_s"});
	SloConfig slo;
	if (auto v = m.get("fast_p99_us"))
		slo.fast_p99.push_back({"", static_cast<uint32_t>(read_uint(*v, 1, 10'000'000))});
	if (auto v = m.get("tenants")) {
		UniqueNames names("tenant in intent.slo.tenants");
		for (const auto &item : list_items(*v)) {
			MapReader t(item, {"tenant", "fast_p99_us"});
			Field name = t.need("tenant");
			LatencySlo s;
			s.tenant = read_tenant_ref(name, cfg);
			names.add(name, s.tenant);
			s.fast_p99_us = static_cast<uint32_t>(read_uint(t.need("fast_p99_us"), 1, 10'000'000));
			slo.fast_p99.push_back(s);
		}
	}
	if (auto v = m.get("min_kernel_share_pct"))
		slo.min_kernel_share_pct = static_cast<uint32_t>(read_uint(*v, 0, 100));
	if (auto v = m.get("bulk_budget_bytes_per_s"))
		slo.bulk_budget_bytes_per_s = read_uint(*v, 1, 1'000'000'000'000);
	return slo;
}

std::vector<ProtectedClass> read_protected(const Field &f)
{
	MapReader m(f, {"builtin", "extra"});
	std::vector<ProtectedClass> classes;
	UniqueNames names("protected class name");
	if (auto v = m.get("builtin")) {
		for (const auto &item : list_items(*v)) {
			size_t i = read_choice(item, builtin_names);
			names.add(item, builtin_names[i]);
			classes.push_back(builtin_class(builtin_names[i]));
		}
	} else {
		classes = builtin_protected_classes();
		for (const auto &c : classes)
			names.add(f, c.name);
	}
	if (auto v = m.get("extra")) {
		for (const auto &item : list_items(*v)) {
			MapReader e(item, {"name", "match"});
			Field name = e.need("name");
			ProtectedClass c;
			c.name = read_name(name, 63);
			names.add(name, c.name);
			Field match = e.need("match");
			c.matches.push_back(read_match(match));
			if (!match.node.IsMap() || match.node.size() == 0)
				match.fail("an empty match would protect every packet; name the fields");
			classes.push_back(std::move(c));
		}
	}
	return classes;
}

// A reserved minimum above the tenant's own quota could never be honoured.
void check_under_quota(const Field &at, const TenantConfig &t, size_t path, const ReservedRate &r)
{
	const auto &q = t.quota[path];
	if (!q)
		return;
	std::string where = "reserved " + std::string(path_kind_names[path]);
	if (r.pps && q->pps && *r.pps > *q->pps)
		at.fail(where + ".pps " + std::to_string(*r.pps) + " is above tenant '" + t.name +
			"' quota." + path_kind_names[path] + ".pps " + std::to_string(*q->pps));
	if (r.bps && q->bps && *r.bps > *q->bps)
		at.fail(where + ".bps " + std::to_string(*r.bps) + " is above tenant '" + t.name +
			"' quota." + path_kind_names[path] + ".bps " + std::to_string(*q->bps));
}

std::vector<ReservedMinimum> read_reserved(const Field &f, const Config &cfg)
{
	std::vector<ReservedMinimum> out;
	UniqueNames names("tenant in intent.reserved");
	for (const auto &item : list_items(f)) {
		MapReader m(item, {"tenant", path_kind_names[0], path_kind_names[1], path_kind_names[2]});
		Field name = m.need("tenant");
		ReservedMinimum r;
		r.tenant = read_tenant_ref(name, cfg);
		names.add(name, r.tenant);
		const TenantConfig &t = *std::ranges::find(cfg.tenants, r.tenant, &TenantConfig::name);
		for (size_t p = 0; p < r.path.size(); p++) {
			auto v = m.get(path_kind_names[p]);
			if (!v)
				continue;
			MapReader rate(*v, {"pps", "bps"});
			if (auto n = rate.get("pps"))
				r.path[p].pps = read_uint(*n, 1, 1'000'000'000);
			if (auto n = rate.get("bps"))
				r.path[p].bps = read_uint(*n, 1000, 400'000'000'000);
			if (!r.path[p].pps && !r.path[p].bps)
				v->fail("needs pps, bps or both");
			check_under_quota(*v, t, p, r.path[p]);
		}
		out.push_back(std::move(r));
	}
	return out;
}

uint32_t read_u32(const MapReader &m, std::string_view key, uint32_t lo, uint32_t hi, uint32_t def)
{
	auto v = m.get(key);
	return v ? static_cast<uint32_t>(read_uint(*v, lo, hi)) : def;
}

IntentLimits read_limits(const Field &f)
{
	MapReader m(f, {"mutations_per_s", "mutation_burst", "max_change_pct", "max_adaptive_actions",
			"max_rules_per_tenant"});
	IntentLimits d, l;
	l.mutations_per_s = read_u32(m, "mutations_per_s", 1, 100'000, d.mutations_per_s);
	l.mutation_burst = read_u32(m, "mutation_burst", 1, 100'000, d.mutation_burst);
	l.max_change_pct = read_u32(m, "max_change_pct", 1, 1000, d.max_change_pct);
	l.max_adaptive_actions = read_u32(m, "max_adaptive_actions", 1, 1000, d.max_adaptive_actions);
	l.max_rules_per_tenant = read_u32(m, "max_rules_per_tenant", 1, 100'000, d.max_rules_per_tenant);
	return l;
}

CanaryConfig read_canary(const Field &f)
{
	MapReader m(f, {"window_ms", "regression_pct"});
	CanaryConfig d, c;
	c.window_ms = read_u32(m, "window_ms", 1, 3'600'000, d.window_ms);
	c.regression_pct = read_u32(m, "regression_pct", 1, 1000, d.regression_pct);
	return c;
}

FailsafeConfig read_failsafe(const Field &f)
{
	MapReader m(f, {"rejects", "reject_window_s", "breach_ms"});
	FailsafeConfig d, c;
	c.rejects = read_u32(m, "rejects", 1, 1'000'000, d.rejects);
	c.reject_window_s = read_u32(m, "reject_window_s", 1, 86'400, d.reject_window_s);
	c.breach_ms = read_u32(m, "breach_ms", 1, 86'400'000, d.breach_ms);
	return c;
}

// lib/audit's FsyncPolicy::parse grammar, repeated here so lib/config needs no lib/audit.
bool valid_fsync(std::string_view text)
{
	auto count = [](std::string_view s) {
		uint32_t n = 0;
		auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
		return !s.empty() && ec == std::errc() && end == s.data() + s.size() && n > 0;
	};
	size_t blank = text.find(' ');
	std::string_view word = text.substr(0, blank);
	std::string_view arg = blank == std::string_view::npos ? std::string_view() : text.substr(blank + 1);
	if (word == "always" || word == "never")
		return blank == std::string_view::npos;
	return (word == "every" || word == "interval") && count(arg);
}

std::vector<ClientScope> read_clients(const Field &f, const Config &cfg)
{
	std::vector<ClientScope> out;
	UniqueNames names("client name in intent.clients");
	for (const auto &item : list_items(f)) {
		MapReader m(item, {"name", "tenants", "uid", "group"});
		Field name = m.need("name");
		ClientScope c;
		c.name = read_name(name, 63);
		names.add(name, c.name);
		Field tenants = m.need("tenants");
		UniqueNames seen("tenant of client '" + c.name + "'");
		for (const auto &t : list_items(tenants)) {
			c.tenants.push_back(read_tenant_ref(t, cfg));
			seen.add(t, c.tenants.back());
		}
		if (c.tenants.empty())
			tenants.fail("a client needs at least one tenant (its scope)");
		if (auto v = m.get("uid"))
			c.uid = uint32_t(read_uint(*v, 1, 4294967294u)); // not 0: root is the operator, never a client
		if (auto v = m.get("group"))
			c.group = read_name(*v, 32);
		out.push_back(std::move(c));
	}
	return out;
}

} // namespace

IntentConfig read_intent(const std::optional<Field> &f, const Config &cfg)
{
	IntentConfig intent;
	if (!f) {
		intent.protected_classes = builtin_protected_classes();
		return intent;
	}
	intent.present = true;
	MapReader m(*f, {"autonomy", "slo", "protected", "reserved", "limits", "canary", "failsafe", "clients"});
	if (auto v = m.get("autonomy"))
		intent.autonomy = static_cast<Autonomy>(read_choice(*v, autonomy_names));
	if (auto v = m.get("slo"))
		intent.slo = read_slo(*v, cfg);
	if (auto v = m.get("protected"))
		intent.protected_classes = read_protected(*v);
	else
		intent.protected_classes = builtin_protected_classes();
	if (auto v = m.get("reserved"))
		intent.reserved = read_reserved(*v, cfg);
	if (auto v = m.get("limits"))
		intent.limits = read_limits(*v);
	if (auto v = m.get("canary"))
		intent.canary = read_canary(*v);
	if (auto v = m.get("failsafe"))
		intent.failsafe = read_failsafe(*v);
	if (auto v = m.get("clients"))
		intent.clients = read_clients(*v, cfg);
	return intent;
}

AuditConfig read_audit(const Field &f)
{
	MapReader m(f, {"log", "key", "fsync", "checkpoint_every", "checkpoint_interval_ms", "create_key"});
	AuditConfig a;
	Field log = m.need("log");
	a.log = read_string(log);
	a.key = read_string(m.need("key"));
	if (auto v = m.get("fsync")) {
		a.fsync = read_string(*v);
		if (!valid_fsync(a.fsync))
			v->fail("expected always, every N (records), interval MS (milliseconds) or never, got '" +
				a.fsync + "'");
	}
	a.checkpoint_every = read_u32(m, "checkpoint_every", 0, 10'000'000, a.checkpoint_every);
	a.checkpoint_interval_ms = read_u32(m, "checkpoint_interval_ms", 0, 86'400'000, a.checkpoint_interval_ms);
	if (auto v = m.get("create_key"))
		a.create_key = read_bool(*v);
	return a;
}

} // namespace detail

const char *autonomy_name(Autonomy a)
{
	return detail::autonomy_names[static_cast<size_t>(a)];
}

uint32_t SloConfig::fast_p99_us_for(std::string_view tenant) const
{
	uint32_t all = 0;
	for (const auto &s : fast_p99) {
		if (s.tenant == tenant && !tenant.empty())
			return s.fast_p99_us;
		if (s.tenant.empty())
			all = s.fast_p99_us;
	}
	return all;
}

const ReservedMinimum *IntentConfig::reserved_for(std::string_view tenant) const
{
	for (const auto &r : reserved)
		if (r.tenant == tenant)
			return &r;
	return nullptr;
}

const ClientScope *IntentConfig::client_named(std::string_view name) const
{
	for (const auto &c : clients)
		if (c.name == name)
			return &c;
	return nullptr;
}

std::vector<ProtectedClass> builtin_protected_classes()
{
	std::vector<ProtectedClass> out;
	for (auto name : detail::builtin_names)
		out.push_back(detail::builtin_class(name));
	return out;
}

RuleMatch parse_match(std::string_view text, const std::string &source, const std::string &path)
{
	detail::Reader reader(source, std::string(text));
	YAML::Node doc = detail::parse_document(reader, text);
	SourceLoc at = doc.IsNull() ? SourceLoc{source, 1, 1} : reader.at(doc.Mark());
	detail::Field root{&reader, doc, path, at};
	if (doc.IsNull())
		return RuleMatch{};
	try {
		return detail::read_match(root);
	} catch (const YAML::Exception &e) {
		reader.fail(reader.at(e.mark), std::string("YAML error: ") + e.msg);
	}
}

} // namespace tripath::config
