// rules: which path each class of traffic takes, checked against paths and tenants.
#include "names.h"
#include "sections.h"
#include "values.h"

#include <algorithm>

namespace tripath::config::detail {

namespace {

bool has_endpoint(const Config &cfg, const std::string &name)
{
	return std::ranges::any_of(cfg.paths.fast_endpoints,
				   [&](const auto &e) { return e.name == name; });
}

bool has_peer(const Config &cfg, const std::string &name)
{
	return std::ranges::any_of(cfg.paths.bulk.peers,
				   [&](const auto &p) { return p.name == name; });
}

bool has_tenant(const Config &cfg, const std::string &name)
{
	return std::ranges::any_of(cfg.tenants, [&](const auto &t) { return t.name == name; });
}

// endpoint belongs to path fast and peer to path bulk: exactly when, never otherwise.
void read_target(const MapReader &m, RuleConfig &r, const Config &cfg, const std::string &who)
{
	const Reader &reader = *m.map().reader;
	const char *path = path_kind_name(r.path);
	for (auto [key, kind] :
	     {std::pair{"endpoint", PathKind::fast}, std::pair{"peer", PathKind::bulk}})
		if (r.path != kind && m.get(key))
			reader.fail(m.key_loc(key),
				    who + ": " + key + " is only for path " + path_kind_name(kind) +
					    " (this rule's path is " + path + ")");
	if (r.path == PathKind::fast) {
		auto v = m.get("endpoint");
		if (!v)
			m.map().fail_raw("missing required key 'endpoint' in " + who +
					 " (path fast sends to one of paths.fast.endpoints)");
		r.target = read_string(*v);
		if (!has_endpoint(cfg, r.target))
			v->fail_raw(who + ": path fast names endpoint '" + r.target +
				    "', which is not defined in paths.fast.endpoints");
	} else if (r.path == PathKind::bulk) {
		auto v = m.get("peer");
		if (!v)
			m.map().fail_raw("missing required key 'peer' in " + who +
					 " (path bulk sends to one of paths.bulk.peers)");
		r.target = read_string(*v);
		if (!has_peer(cfg, r.target))
			v->fail_raw(who + ": path bulk names peer '" + r.target +
				    "', which is not defined in paths.bulk.peers");
	}
}

} // namespace

RuleConfig read_rule(const Field &f, const Config &cfg)
{
	MapReader m(f, {"name", "priority", "match", "path", "endpoint", "peer", "tenant"});
	RuleConfig r;
	r.loc = f.loc;
	r.name = read_name(m.need("name"), 63);
	std::string who = f.path + " '" + r.name + "'";
	if (auto v = m.get("priority"))
		r.priority = static_cast<uint32_t>(read_uint(*v, 0, 65535));
	if (auto v = m.get("match"))
		r.match = read_match(*v);
	r.path = static_cast<PathKind>(read_choice(m.need("path"), path_kind_names));
	read_target(m, r, cfg, who);
	if (auto v = m.get("tenant")) {
		r.tenant = read_string(*v);
		if (!has_tenant(cfg, r.tenant))
			v->fail_raw(who + ": tenant '" + r.tenant + "' is not defined in tenants");
	}
	return r;
}

std::vector<RuleConfig> read_rules(const Field &f, const Config &cfg)
{
	std::vector<RuleConfig> rules;
	for (const auto &item : list_items(f))
		rules.push_back(read_rule(item, cfg));
	return rules;
}

} // namespace tripath::config::detail
