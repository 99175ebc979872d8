// eal: the CPU set, main lcore, memory and extra arguments handed to rte_eal_init.
#include "sections.h"
#include "values.h"

#include <algorithm>

namespace tripath::config::detail {

namespace {

// "0-1", "0,2-3" or "3": the same syntax as EAL's -l option.
bool parse_id_list(std::string_view text, std::vector<unsigned> &ids)
{
	while (!text.empty()) {
		size_t comma = text.find(',');
		std::string_view part = text.substr(0, comma);
		text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
		if (comma != std::string_view::npos && text.empty())
			return false;
		size_t dash = part.find('-');
		uint64_t a = 0, b = 0;
		if (dash == std::string_view::npos) {
			if (!parse_uint(part, a))
				return false;
			b = a;
		} else if (!parse_uint(part.substr(0, dash), a) ||
			   !parse_uint(part.substr(dash + 1), b)) {
			return false;
		}
		if (a > b || b > max_lcore_id)
			return false;
		for (uint64_t id = a; id <= b; id++)
			ids.push_back(static_cast<unsigned>(id));
	}
	return !ids.empty();
}

std::vector<unsigned> read_lcore_set(const Field &f)
{
	std::vector<unsigned> ids;
	if (f.node.IsSequence()) {
		for (const auto &item : list_items(f))
			ids.push_back(static_cast<unsigned>(read_uint(item, 0, max_lcore_id)));
		if (ids.empty())
			f.fail("expected at least one lcore");
	} else if (!f.node.IsScalar() || !parse_id_list(f.node.Scalar(), ids)) {
		f.fail("expected lcore ids below " + std::to_string(max_lcore_id + 1) +
		       " such as \"0-1\", \"0,2-3\" or a list of integers, got " +
		       describe(f.node));
	}
	std::sort(ids.begin(), ids.end());
	for (size_t i = 1; i < ids.size(); i++)
		if (ids[i] == ids[i - 1])
			f.fail("lcore " + std::to_string(ids[i]) + " is listed twice");
	return ids;
}

constexpr const char *hugepage_words[] = {"auto", "on", "off", "true", "false"};
constexpr HugepageMode hugepage_modes[] = {HugepageMode::automatic, HugepageMode::on,
					   HugepageMode::off, HugepageMode::on, HugepageMode::off};

// Lock-free mempool drivers only: workers take no locks (DPDK's "stack" spins).
constexpr const char *mbuf_pool_ops_names[] = {"ring_mp_mc", "lf_stack"};

} // namespace

EalConfig read_eal(const Field &f)
{
	MapReader m(
		f, {"lcores", "main_lcore", "memory_mb", "hugepages", "file_prefix", "extra_args", "mbuf_pool_ops"});
	EalConfig eal;
	eal.loc = f.loc;
	eal.lcores = read_lcore_set(m.need("lcores"));
	eal.main_lcore = eal.lcores.front();
	if (auto v = m.get("main_lcore")) {
		eal.main_lcore = static_cast<unsigned>(read_uint(*v, 0, max_lcore_id));
		if (!std::ranges::binary_search(eal.lcores, eal.main_lcore))
			v->fail("lcore " + std::to_string(eal.main_lcore) +
				" is not in eal.lcores (" + format_id_set(eal.lcores) + ")");
	}
	if (auto v = m.get("memory_mb"))
		eal.memory_mb = static_cast<unsigned>(read_uint(*v, 16, 65536));
	if (auto v = m.get("hugepages"))
		eal.hugepages = hugepage_modes[read_choice(*v, hugepage_words)];
	if (auto v = m.get("file_prefix"))
		eal.file_prefix = read_name(*v, 64);
	if (auto v = m.get("extra_args"))
		eal.extra_args = read_string_list(*v);
	if (auto v = m.get("mbuf_pool_ops"))
		eal.mbuf_pool_ops = mbuf_pool_ops_names[read_choice(*v, mbuf_pool_ops_names)];
	return eal;
}

} // namespace tripath::config::detail
