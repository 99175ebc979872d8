// Source-prefix tables, sized from the prefixes themselves so 10,000 tenants build in one pass.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include <arpa/inet.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_lpm6.h>
#include <rte_memory.h>

#include "source_prefixes.h"

namespace tripath::quota::detail {

void TableFree::operator()(rte_fib *fib) const { rte_fib_free(fib); }
void TableFree::operator()(rte_lpm6 *lpm) const { rte_lpm6_free(lpm); }

namespace {

constexpr unsigned kChunk = 64;        // keys per bulk lookup (bounds the stack arrays)
constexpr uint32_t kSpareTbl8s = 16;   // headroom over the exact count below

struct Owned {
	config::Prefix prefix;
	uint16_t tenant;
};

std::string prefix_str(const config::Prefix &p)
{
	char buf[INET6_ADDRSTRLEN] = {};
	inet_ntop(p.family == 4 ? AF_INET : AF_INET6, p.addr.data(), buf, sizeof(buf));
	return std::string(buf) + "/" + std::to_string(p.len);
}

std::string tenant_err(const config::TenantConfig &t, const std::string &what)
{
	std::string where = t.loc.line > 0 ? t.loc.str() + ": " : "";
	return where + "tenant '" + t.name + "': " + what;
}

// Duplicates are found on networks, so host bits are cleared even if the loader missed any.
config::Prefix network(const config::Prefix &p)
{
	config::Prefix net = p;
	for (unsigned bit = p.len; bit < 128; bit++)
		net.addr[bit / 8] &= uint8_t(~(0x80u >> (bit % 8)));
	return net;
}

// Sorted by (length, address), so equal prefixes sit side by side.
void sort_unique(std::vector<Owned> &v, const std::vector<config::TenantConfig> &tenants)
{
	std::sort(v.begin(), v.end(), [](const Owned &a, const Owned &b) {
		if (a.prefix.len != b.prefix.len)
			return a.prefix.len < b.prefix.len;
		if (a.prefix.addr != b.prefix.addr)
			return a.prefix.addr < b.prefix.addr;
		return a.tenant < b.tenant;
	});
	std::vector<Owned> out;
	out.reserve(v.size());
	for (const Owned &o : v) {
		if (!out.empty() && out.back().prefix.len == o.prefix.len && out.back().prefix.addr == o.prefix.addr) {
			if (out.back().tenant == o.tenant)
				continue;
			throw std::runtime_error(tenant_err(tenants[o.tenant], "prefix " + prefix_str(o.prefix) +
				" already belongs to tenant '" + tenants[out.back().tenant].name + "'"));
		}
		out.push_back(o);
	}
	v.swap(out);
}

// tbl8 groups a 24-8-8... table (rte_fib DIR-24-8, rte_lpm6) needs: one per distinct stem
// of 24, 32, ... bits that has a longer prefix under it.
uint32_t tbl8_groups(const std::vector<Owned> &v)
{
	std::unordered_set<std::string> stems;
	for (const Owned &o : v)
		for (unsigned bits = 24; bits < o.prefix.len; bits += 8)
			stems.emplace(reinterpret_cast<const char *>(o.prefix.addr.data()), bits / 8);
	return uint32_t(stems.size()) + kSpareTbl8s;
}

std::string next_name(const char *kind)
{
	static std::atomic<uint64_t> serial{0}; // table names are process-global: never reuse one
	return kind + std::to_string(serial.fetch_add(1));
}

uint32_t ipv4_host(const uint8_t *addr)
{
	uint32_t be;
	std::memcpy(&be, addr, sizeof(be));
	return rte_be_to_cpu_32(be);
}

} // namespace

SourcePrefixes::SourcePrefixes(const std::vector<config::TenantConfig> &tenants)
{
	std::vector<Owned> v4, v6;
	for (size_t t = 0; t < tenants.size(); t++) {
		for (const config::Prefix &p : tenants[t].prefixes) {
			if ((p.family != 4 && p.family != 6) || p.len > (p.family == 4 ? 32 : 128))
				throw std::runtime_error(tenant_err(tenants[t], "bad prefix (family " +
					std::to_string(p.family) + ", length " + std::to_string(p.len) + ")"));
			(p.family == 4 ? v4 : v6).push_back({network(p), uint16_t(t)});
		}
	}
	sort_unique(v4, tenants);
	sort_unique(v6, tenants);

	if (!v4.empty() && v4.front().prefix.len == 0)
		default4_ = v4.front().tenant;
	if (v4.size() > (default4_ != kNoTenant ? 1u : 0u)) {
		// One past the last tenant means "no prefix". An entry's low bit is the extension
		// flag, so 2-byte entries hold next hops and tbl8 indices below 32,767.
		miss4_ = tenants.size();
		uint32_t groups = tbl8_groups(v4);
		bool narrow = miss4_ < (1u << 15) - 1 && groups < (1u << 15) - 1;
		std::string name = next_name("tpq4_");
		rte_fib_conf c{};
		c.type = RTE_FIB_DIR24_8;
		c.default_nh = miss4_;
		c.max_routes = int(v4.size());
		c.dir24_8.nh_sz = narrow ? RTE_FIB_DIR24_8_2B : RTE_FIB_DIR24_8_4B;
		c.dir24_8.num_tbl8 = groups;
		fib4_.reset(rte_fib_create(name.c_str(), SOCKET_ID_ANY, &c));
		if (!fib4_)
			throw std::runtime_error("cannot create the IPv4 tenant prefix table: " +
				std::string(rte_strerror(rte_errno)));
		for (const Owned &o : v4) {
			if (o.prefix.len == 0)
				continue;
			int rc = rte_fib_add(fib4_.get(), ipv4_host(o.prefix.addr.data()), o.prefix.len, o.tenant);
			if (rc < 0)
				throw std::runtime_error(tenant_err(tenants[o.tenant], "cannot add prefix " +
					prefix_str(o.prefix) + ": " + rte_strerror(-rc)));
		}
	}

	if (!v6.empty() && v6.front().prefix.len == 0)
		default6_ = v6.front().tenant;
	if (v6.size() > (default6_ != kNoTenant ? 1u : 0u)) {
		std::string name = next_name("tpq6_");
		rte_lpm6_config c{};
		c.max_rules = uint32_t(v6.size());
		c.number_tbl8s = tbl8_groups(v6);
		lpm6_.reset(rte_lpm6_create(name.c_str(), SOCKET_ID_ANY, &c));
		if (!lpm6_)
			throw std::runtime_error("cannot create the IPv6 tenant prefix table: " +
				std::string(rte_strerror(rte_errno)));
		for (const Owned &o : v6) {
			if (o.prefix.len == 0)
				continue;
			int rc = rte_lpm6_add(lpm6_.get(), o.prefix.addr.data(), o.prefix.len, o.tenant);
			if (rc < 0)
				throw std::runtime_error(tenant_err(tenants[o.tenant], "cannot add prefix " +
					prefix_str(o.prefix) + ": " + rte_strerror(-rc)));
		}
	}
}

void SourcePrefixes::lookup(const packet::FlowKey *keys, const classify::Verdict *verdicts, uint16_t *out,
			    unsigned n) const
{
	for (unsigned done = 0; done < n; done += kChunk)
		lookup_chunk(keys + done, verdicts + done, out + done, std::min(kChunk, n - done));
}

void SourcePrefixes::lookup_chunk(const packet::FlowKey *keys, const classify::Verdict *verdicts, uint16_t *out,
				  unsigned n) const
{
	uint32_t ip4[kChunk];
	uint8_t ip6[kChunk][RTE_LPM6_IPV6_ADDR_SIZE];
	uint8_t at4[kChunk], at6[kChunk];   // where each looked-up address goes in out[]
	unsigned n4 = 0, n6 = 0;
	for (unsigned i = 0; i < n; i++) {
		const packet::FlowKey &k = keys[i];
		if (verdicts[i].tenant != classify::kNoTarget) {
			out[i] = verdicts[i].tenant;
		} else if (k.ip_version == 4) {
			out[i] = default4_;
			if (fib4_) {
				ip4[n4] = ipv4_host(k.src.data());
				at4[n4++] = uint8_t(i);
			}
		} else if (k.ip_version == 6) {
			out[i] = default6_;
			if (lpm6_) {
				std::memcpy(ip6[n6], k.src.data(), RTE_LPM6_IPV6_ADDR_SIZE);
				at6[n6++] = uint8_t(i);
			}
		} else {
			out[i] = kNoTenant;
		}
	}
	if (n4 > 0) {
		uint64_t hop[kChunk];
		rte_fib_lookup_bulk(fib4_.get(), ip4, hop, int(n4));
		for (unsigned j = 0; j < n4; j++)
			if (hop[j] != miss4_)
				out[at4[j]] = uint16_t(hop[j]);
	}
	if (n6 > 0) {
		int32_t hop[kChunk];
		rte_lpm6_lookup_bulk_func(lpm6_.get(), ip6, hop, n6);
		for (unsigned j = 0; j < n6; j++)
			if (hop[j] >= 0)
				out[at6[j]] = uint16_t(hop[j]);
	}
}

} // namespace tripath::quota::detail
