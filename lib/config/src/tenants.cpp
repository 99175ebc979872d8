// tenants: named sets of address prefixes that rules and quotas refer to.
#include "sections.h"
#include "values.h"

namespace tripath::config::detail {

std::vector<TenantConfig> read_tenants(const Field &f)
{
	std::vector<TenantConfig> tenants;
	UniqueNames names("tenant name");
	for (const auto &item : list_items(f)) {
		MapReader m(item, {"name", "prefixes"});
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
		tenants.push_back(std::move(t));
	}
	return tenants;
}

} // namespace tripath::config::detail
