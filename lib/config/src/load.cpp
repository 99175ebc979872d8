// Entry points: YAML text -> document -> sections in dependency order -> Config; and the
// single rule and quota snippets the shell parses.
#include "document.h"
#include "intent_reader.h"
#include "sections.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace tripath::config {

namespace {

using namespace detail;

Config read_config(const Field &root)
{
	MapReader m(root, {"eal", "ports", "lcores", "paths", "tenants", "rules", "intent", "audit", "control"});
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
		cfg.paths = read_paths(*v, cfg, cfg.warnings);
	if (auto v = m.get("tenants"))
		cfg.tenants = read_tenants(*v, cfg.warnings);
	cfg.intent = read_intent(m.get("intent"), cfg); // after tenants: reserved minimums name them
	if (auto v = m.get("audit"))
		cfg.audit = read_audit(*v);
	if (auto v = m.get("control"))
		cfg.control = read_control(*v);
	auto rules = m.get("rules");
	if (!rules)
		root.reader->fail({cfg.source, 1, 1},
				  "no default rule: there is no rules section; add one that ends with "
				  "a rule that has no match, e.g. rules: [{ name: default, priority: "
				  "65535, path: kernel }]");
	cfg.rules = read_rules(*rules, cfg);
	check_rule_list(cfg.rules, m.key_loc("rules"), cfg.warnings);
	return cfg;
}

// Parse `yaml` as one document and hand its root, named `path`, to `read`.
template <typename Read>
auto read_text(std::string_view yaml, const std::string &source, const std::string &path,
	       Read read)
{
	Reader reader(source, std::string(yaml));
	YAML::Node doc = parse_document(reader, yaml);
	// A missing document has no mark of its own.
	SourceLoc at = doc.IsNull() ? SourceLoc{source, 1, 1} : reader.at(doc.Mark());
	Field root{&reader, doc, path, at};
	try {
		return read(root);
	} catch (const YAML::Exception &e) {
		// Only a yaml-cpp bug could get here: we never convert with as<>, but keep the format.
		reader.fail(reader.at(e.mark), std::string("YAML error: ") + e.msg);
	}
}

} // namespace

Config load_config_text(std::string_view yaml, const std::string &source_name)
{
	return read_text(yaml, source_name, "", [](const Field &root) {
		if (root.node.IsNull())
			root.fail_raw("the config is empty (it needs at least ports and lcores)");
		return read_config(root);
	});
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

RuleConfig parse_rule(std::string_view yaml, const std::string &source, const Config &context)
{
	return read_text(yaml, source, "rule",
			 [&](const Field &root) { return read_rule(root, context); });
}

PathQuota parse_quota(std::string_view yaml, const std::string &source)
{
	return read_text(yaml, source, "quota",
			 [](const Field &root) { return read_quota(root, "quota"); });
}

} // namespace tripath::config
