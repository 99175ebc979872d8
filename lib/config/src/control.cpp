// control: the control socket's path, permission bits and groups.
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

} // namespace

ControlConfig read_control(const Field &f)
{
	MapReader m(f, {"socket", "mode", "group", "admin_group"});
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
	return c;
}

} // namespace tripath::config::detail
