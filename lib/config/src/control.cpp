// control: the control socket's path, permission bits and groups.
#include <cstdlib>

#include "sections.h"
#include "values.h"

namespace tripath::config::detail {

namespace {

// "0660", "660" or an unquoted 0660: octal permission bits up to 0777.
uint32_t read_mode(const Field &f)
{
	std::string s = f.node.IsScalar() ? f.node.Scalar() : "";
	bool ok = !s.empty() && s.size() <= 4 && (s.size() < 4 || s[0] == '0');
	uint32_t mode = 0;
	for (char c : s) {
		ok = ok && c >= '0' && c <= '7';
		mode = mode * 8 + uint32_t(c - '0');
	}
	if (!ok)
		f.fail("expected octal permission bits such as \"0660\" (0000..0777), got " + describe(f.node));
	if ((mode & 0600) != 0600)
		f.fail("mode " + s + " takes read/write from the socket's owner; tripath's own tools need it (use 06x0)");
	return mode;
}

// "127.0.0.1:9464" or "[::1]:9464": Prometheus scrapes tripath on this host only, so the
// listener takes loopback addresses and nothing else.
void read_metrics_http(const Field &f, ControlConfig &c)
{
	std::string s = read_string(f);
	size_t colon = s.rfind(':');
	std::string host = colon == std::string::npos ? "" : s.substr(0, colon);
	std::string port = colon == std::string::npos ? "" : s.substr(colon + 1);
	if (host.size() > 2 && host.front() == '[' && host.back() == ']')
		host = host.substr(1, host.size() - 2);
	bool loopback = host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
	char *end = nullptr;
	unsigned long n = std::strtoul(port.c_str(), &end, 10);
	if (port.empty() || *end != '\0' || n == 0 || n > 65535)
		f.fail("expected ADDRESS:PORT such as \"127.0.0.1:9464\", got '" + s + "'");
	if (!loopback)
		f.fail("the metrics listener serves loopback only (127.0.0.0/8, [::1] or localhost), got '" + host +
		       "'; scrape through a local agent or an SSH tunnel");
	c.metrics_address = host == "localhost" ? "127.0.0.1" : host;
	c.metrics_port = uint16_t(n);
}

} // namespace

ControlConfig read_control(const Field &f)
{
	MapReader m(f, {"socket", "mode", "group", "admin_group", "metrics_http"});
	ControlConfig c;
	if (auto v = m.get("socket")) {
		c.socket = read_string(*v);
		if (c.socket.front() != '/')
			v->fail("expected an absolute path for the socket, got '" + c.socket + "'");
		if (c.socket.size() > 107)
			v->fail("a unix socket path holds at most 107 bytes, '" + c.socket + "' has " +
				std::to_string(c.socket.size()));
	}
	if (auto v = m.get("mode"))
		c.mode = read_mode(*v);
	if (auto v = m.get("group")) {
		c.group = read_name(*v, 32);
		c.group_loc = v->loc;
	}
	if (auto v = m.get("admin_group")) {
		c.admin_group = read_name(*v, 32);
		c.admin_group_loc = v->loc;
	}
	if (auto v = m.get("metrics_http"))
		read_metrics_http(*v, c);
	return c;
}

} // namespace tripath::config::detail
