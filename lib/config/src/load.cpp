// Entry points: YAML text -> document -> sections in dependency order -> Config.
#include "document.h"
#include "sections.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace tripath::config {

namespace {

using namespace detail;

Config read_config(const Field &root)
{
	MapReader m(root, {"eal", "ports", "lcores", "paths", "tenants", "rules"});
	Config cfg;
	cfg.source = root.loc.file;
	// Sections are read in the order their references need, not file order.
	auto eal = m.get("eal");
	if (eal)
		cfg.eal = read_eal(*eal);
	cfg.ports = read_ports(m.need("ports"));
	Field lcores = m.need("lcores");
	cfg.lcores = read_lcores(lcores, cfg, eal ? &cfg.eal : nullptr);
	if (!eal) {
		// No eal section: EAL gets exactly the lcores the file uses, the control one as main.
		for (const auto &lc : cfg.lcores) {
			cfg.eal.lcores.push_back(lc.id);
			if (lc.role == LcoreRole::control)
				cfg.eal.main_lcore = lc.id;
		}
		std::ranges::sort(cfg.eal.lcores);
		cfg.eal.loc = lcores.loc;
	}
	if (auto v = m.get("paths"))
		cfg.paths = read_paths(*v, cfg);
	if (auto v = m.get("tenants"))
		cfg.tenants = read_tenants(*v);
	if (auto v = m.get("rules"))
		cfg.rules = read_rules(*v, cfg);
	return cfg;
}

} // namespace

Config load_config_text(std::string_view yaml, const std::string &source_name)
{
	Reader reader(source_name);
	YAML::Node doc = parse_document(reader, yaml);
	if (doc.IsNull())
		reader.fail({source_name, 1, 1},
			    "the config is empty (it needs at least ports and lcores)");
	Field root{&reader, doc, "", reader.at(doc.Mark())};
	try {
		return read_config(root);
	} catch (const YAML::Exception &e) {
		// Only a yaml-cpp bug could get here: we never convert with as<>, but keep the format.
		reader.fail(reader.at(e.mark), std::string("YAML error: ") + e.msg);
	}
}

Config load_config_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream text;
	if (in)
		text << in.rdbuf();
	if (!in || in.bad())
		throw ConfigError({path, 1, 1}, "cannot read the config file");
	return load_config_text(text.str(), path);
}

} // namespace tripath::config
