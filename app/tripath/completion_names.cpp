// What tab completion offers for each kind of name in the grammars: read when the key is
// pressed, so a rule added a moment ago completes too.
#include <set>

#include "runtime.h"

namespace tripath::app {

namespace {

template <typename List, typename Name>
std::vector<std::string> names_of(const List &list, Name name)
{
	std::vector<std::string> out;
	for (const auto &item : list)
		out.push_back(name(item));
	return out;
}

} // namespace

void register_completion_names(Runtime &rt)
{
	control::CommandRegistry &r = rt.registry;
	auto ports = [&rt] { return names_of(rt.dp->ports(), [](const pipeline::PortInfo &p) { return p.name; }); };
	r.add_names("<port>", ports);
	r.add_names("<rule>", [&rt] { return names_of(rt.dp->config().rules, [](const config::RuleConfig &c) { return c.name; }); });
	r.add_names("<tenant>", [&rt] { return names_of(rt.dp->config().tenants, [](const config::TenantConfig &t) { return t.name; }); });
	r.add_names("<path>", [] { return std::vector<std::string>{"kernel", "fast", "bulk"}; });
	r.add_names("<peer>", [&rt] { return names_of(rt.cfg.paths.bulk.peers, [](const config::BulkPeerConfig &p) { return p.name; }); });
	r.add_names("<id>", [&rt] { return names_of(rt.cfg.intent.clients, [](const config::ClientScope &c) { return c.name; }); });
	r.add_names("<level>", [] { return std::vector<std::string>{"off", "propose-only", "bounded"}; });
	r.add_names("<verbosity>", [] { return std::vector<std::string>{"0", "1", "2"}; });
	r.add_names("<target>", [ports] {
		std::vector<std::string> out = ports();
		for (const char *path : {"kernel", "fast", "bulk", "drop"})
			out.push_back(path);
		return out;
	});
	r.add_names("<section>", [&rt] {
		std::set<std::string> sections;
		for (const control::Command &c : rt.registry.commands())
			sections.insert(c.section);
		return std::vector<std::string>(sections.begin(), sections.end());
	});
}

} // namespace tripath::app
