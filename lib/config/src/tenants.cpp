// tenants: named sets of address prefixes that rules and quotas refer to.
#include "names.h"
#include "sections.h"
#include "values.h"

namespace tripath::config::detail {

namespace {

constexpr const char *over_quota_names[] = {"drop", "demote"};

void read_quotas(const Field &f, TenantConfig &t)
{
	// Path drop has nothing to limit, so its name is not a key here.
	MapReader m(f, {path_kind_names[0], path_kind_names[1], path_kind_names[2]});
	for (size_t i = 0; i < t.quota.size(); i++)
		if (auto v = m.get(path_kind_names[i]))
			t.quota[i] = read_quota(*v, "tenant '" + t.name + "': quota." +
							    path_kind_names[i]);
}

// Demotion moves over-quota fast/bulk traffic to path A; path A itself is always dropped.
void warn_idle_demote(const Field &at, const TenantConfig &t, std::vector<std::string> &warnings)
{
	auto has = [&](PathKind p) { return t.quota[static_cast<size_t>(p)].has_value(); };
	if (t.over_quota != OverQuota::demote || has(PathKind::fast) || has(PathKind::bulk))
		return;
	std::string why = has(PathKind::kernel)
		? "has nothing to demote to: only path kernel has a quota, and path kernel "
		  "traffic over quota is dropped"
		: "has no effect: the tenant has no quota";
	warnings.push_back(
		Reader::warning(at.loc, "tenant '" + t.name + "': over_quota: demote " + why));
}

} // namespace

std::vector<TenantConfig> read_tenants(const Field &f, std::vector<std::string> &warnings)
{
	std::vector<TenantConfig> tenants;
	UniqueNames names("tenant name");
	for (const auto &item : list_items(f)) {
		MapReader m(item, {"name", "prefixes", "quota", "over_quota"});
		TenantConfig t;
		t.loc = item.loc;
		Field name = m.need("name");
		t.name = read_name(name, 63);
		names.add(name, t.name);
		Field prefixes = m.need("prefixes");
		for (const auto &p : list_items(prefixes))
			t.prefixes.push_back(read_prefix(p));
		if (t.prefixes.empty())
			prefixes.fail("expected at least one prefix");
		if (auto v = m.get("quota"))
			read_quotas(*v, t);
		if (auto v = m.get("over_quota")) {
			t.over_quota = static_cast<OverQuota>(read_choice(*v, over_quota_names));
			warn_idle_demote(*v, t, warnings);
		}
		tenants.push_back(std::move(t));
	}
	return tenants;
}

} // namespace tripath::config::detail
