// A tenant's quota on one path: pps and/or bps, with a burst in milliseconds of either.
#include "sections.h"
#include "values.h"

namespace tripath::config::detail {

namespace {

// 0 gets its own message: "no limit" is written by leaving the key out, not with 0.
std::optional<uint64_t> read_rate(const MapReader &m, std::string_view key, uint64_t lo,
				  uint64_t hi, const std::string &who)
{
	auto v = m.get(key);
	if (!v)
		return std::nullopt;
	uint64_t n = 0;
	if (v->node.IsScalar() && parse_uint(v->node.Scalar(), n) && n == 0)
		v->fail_raw(who + "." + std::string(key) + " is 0; remove it for no limit");
	return read_uint(*v, lo, hi);
}

} // namespace

PathQuota read_quota(const Field &f, const std::string &who)
{
	MapReader m(f, {"pps", "bps", "burst_ms"});
	PathQuota q;
	q.loc = f.loc;
	q.pps = read_rate(m, "pps", 1, 1'000'000'000, who);
	q.bps = read_rate(m, "bps", 1000, 400'000'000'000, who);
	if (auto v = m.get("burst_ms"))
		q.burst_ms = static_cast<uint32_t>(read_uint(*v, 1, 10000));
	if (!q.pps && !q.bps)
		f.fail_raw(who + " needs pps, bps or both (a quota without either limits nothing)");
	return q;
}

} // namespace tripath::config::detail
