// control: the control socket's path, mode and groups, and their errors' positions.
#include "config_test.h"

namespace tripath::config::test {
namespace {

// Lines 1-4; the test's control section starts on line 5.
constexpr const char *base = R"(
ports: [{ name: wire0, driver: ring }]
lcores:
  - { id: 0, role: control }
  - { id: 1, role: worker, poll: [{ port: wire0, queue: 0 }] }
)";

std::string with(std::string_view control)
{
	return base + std::string(yaml_text(control)) + "rules:\n" + default_rule;
}

TEST(ConfigControl, DefaultsWhenAbsent)
{
	Config cfg = load(with(""));
	EXPECT_EQ(cfg.control.socket, "");
	EXPECT_EQ(cfg.control.mode, 0600u);
	EXPECT_EQ(cfg.control.group, "");
	EXPECT_EQ(cfg.control.admin_group, "");
}

TEST(ConfigControl, FullSection)
{
	Config cfg = load(with(R"(
control:
  socket: /run/tripath/appliance.sock
  mode: "0660"
  group: tripath
  admin_group: tripath-admin
)"));
	EXPECT_EQ(cfg.control.socket, "/run/tripath/appliance.sock");
	EXPECT_EQ(cfg.control.mode, 0660u);
	EXPECT_EQ(cfg.control.group, "tripath");
	EXPECT_EQ(cfg.control.admin_group, "tripath-admin");
	EXPECT_EQ(cfg.control.group_loc.str(), "t.yaml:8:10");
	EXPECT_EQ(cfg.control.admin_group_loc.str(), "t.yaml:9:16");
	EXPECT_EQ(load(with("control: { mode: 0640 }\n")).control.mode, 0640u); // unquoted octal
	EXPECT_EQ(load(with("control: { mode: 666 }\n")).control.mode, 0666u);
}

TEST(ConfigControl, Errors)
{
	EXPECT_TRUE(fails_at(with("control: { mode: \"0980\" }\n"), "t.yaml:5:18", "control.mode: expected octal permission bits"));
	EXPECT_TRUE(fails_at(with("control: { mode: \"01777\" }\n"), "t.yaml:5:18", "expected octal"));
	EXPECT_TRUE(fails_at(with("control: { mode: \"0060\" }\n"), "t.yaml:5:18", "takes read/write from the socket's owner"));
	EXPECT_TRUE(fails_at(with("control: { group: \"wheel staff\" }\n"), "t.yaml:5:19", "control.group: expected a name"));
	EXPECT_TRUE(fails_at(with("control: { socket: run/x.sock }\n"), "t.yaml:5:20", "expected an absolute path"));
	EXPECT_TRUE(fails_at(with("control: { sock: /run/x.sock }\n"), "t.yaml:5:12", "unknown key 'sock'"));
}

TEST(ConfigControl, MetricsHttpOnLoopbackOnly)
{
	EXPECT_EQ(load(with("")).control.metrics_port, 0u) << "no listener unless asked";
	Config v4 = load(with("control: { metrics_http: \"127.0.0.1:9464\" }\n"));
	EXPECT_EQ(v4.control.metrics_address, "127.0.0.1");
	EXPECT_EQ(v4.control.metrics_port, 9464u);
	EXPECT_EQ(load(with("control: { metrics_http: \"[::1]:9100\" }\n")).control.metrics_address, "::1");
	EXPECT_EQ(load(with("control: { metrics_http: \"localhost:9100\" }\n")).control.metrics_address, "127.0.0.1");
	EXPECT_TRUE(fails_at(with("control: { metrics_http: \"0.0.0.0:9464\" }\n"), "t.yaml:5:26", "serves loopback only"));
	EXPECT_TRUE(fails_at(with("control: { metrics_http: \"127.0.0.1\" }\n"), "t.yaml:5:26", "expected ADDRESS:PORT"));
	EXPECT_TRUE(fails_at(with("control: { metrics_http: \"127.0.0.1:70000\" }\n"), "t.yaml:5:26", "expected ADDRESS:PORT"));
}

} // namespace
} // namespace tripath::config::test
