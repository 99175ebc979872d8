// CIDR prefixes (tenants, rule src/dst): syntax, length range and host bits.
#include "values.h"

#include <arpa/inet.h>

namespace tripath::config::detail {

std::string format_prefix(const Prefix &p)
{
	char buf[INET6_ADDRSTRLEN] = {};
	inet_ntop(p.family == 4 ? AF_INET : AF_INET6, p.addr.data(), buf, sizeof(buf));
	return std::string(buf) + "/" + std::to_string(p.len);
}

Prefix read_prefix(const Field &f)
{
	auto bad = [&] {
		f.fail("expected an IPv4 or IPv6 prefix such as 10.0.0.0/8 or fd00::/8, got " +
		       describe(f.node));
	};
	if (!f.node.IsScalar())
		bad();
	const std::string &text = f.node.Scalar();
	size_t slash = text.find('/');
	std::string addr = text.substr(0, slash);

	Prefix p;
	if (inet_pton(AF_INET, addr.c_str(), p.addr.data()) == 1)
		p.family = 4;
	else if (inet_pton(AF_INET6, addr.c_str(), p.addr.data()) == 1)
		p.family = 6;
	else
		bad();

	unsigned max = p.family == 4 ? 32 : 128;
	uint64_t len = max;
	if (slash != std::string::npos) {
		std::string_view digits = std::string_view(text).substr(slash + 1);
		// Decimal only: "0x18" or "+24" would be a surprising way to write a prefix length.
		bool decimal = !digits.empty() && digits.size() <= 3 &&
			digits.find_first_not_of("0123456789") == std::string_view::npos;
		if (!decimal)
			bad();
		parse_uint(digits, len);
		if (len > max)
			f.fail("prefix length " + std::to_string(len) + " is out of range for IPv" +
			       std::to_string(p.family) + " (0.." + std::to_string(max) + ") in '" +
			       text + "'");
	}
	p.len = static_cast<uint8_t>(len);

	Prefix net = p;
	for (unsigned bit = p.len; bit < max; bit++)
		net.addr[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
	if (net.addr != p.addr)
		f.fail(text + " has host bits set; did you mean " + format_prefix(net) + "?");
	return net;
}

} // namespace tripath::config::detail
