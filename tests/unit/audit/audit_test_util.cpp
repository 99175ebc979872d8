#include "audit_test_util.h"

#include <fstream>
#include <sstream>
#include <unistd.h>

namespace tripath::audit::test {

ScratchDir::ScratchDir()
{
	std::string tmpl = (std::filesystem::temp_directory_path() / "tripath-audit-XXXXXX").string();
	if (!mkdtemp(tmpl.data()))
		throw std::runtime_error("mkdtemp failed");
	dir_ = tmpl;
}

ScratchDir::~ScratchDir()
{
	std::error_code ignored;
	std::filesystem::remove_all(dir_, ignored);
}

std::string read_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream out;
	out << in.rdbuf();
	return out.str();
}

void write_file(const std::string &path, const std::string &text)
{
	std::ofstream out(path, std::ios::binary | std::ios::trunc);
	out << text;
}

std::vector<std::string> read_lines(const std::string &path)
{
	std::string text = read_file(path);
	std::vector<std::string> lines;
	size_t start = 0;
	while (start < text.size()) {
		size_t nl = text.find('\n', start);
		if (nl == std::string::npos) {
			lines.push_back(text.substr(start));
			break;
		}
		lines.push_back(text.substr(start, nl - start));
		start = nl + 1;
	}
	return lines;
}

void write_lines(const std::string &path, const std::vector<std::string> &lines)
{
	std::string text;
	for (const auto &l : lines)
		text += l + "\n";
	write_file(path, text);
}

Record decision(uint64_t i, std::vector<std::string> tenants)
{
	Record r;
	r.proposer = i % 2 ? "policy" : "client:agent-" + std::to_string(i);
	r.tenants = std::move(tenants);
	r.proposal = "{\"kind\":\"promote\",\"flow\":" + std::to_string(i) + "}";
	r.observe("path_a_pps", uint64_t(1000 + i));
	r.decision = i % 3 ? "APPROVE" : "REJECT";
	r.reason = i % 3 ? "ok" : "rate_limit";
	r.diff = "rule " + std::to_string(i) + ": path A -> B";
	return r;
}

LogOptions quiet_options(uint32_t checkpoint_every)
{
	LogOptions o;
	o.fsync.mode = FsyncMode::never;
	o.checkpoint_every = checkpoint_every;
	o.checkpoint_interval_ms = 0;
	o.create_key = true;
	return o;
}

LogFixture make_log(const ScratchDir &dir, uint64_t decisions, uint32_t checkpoint_every)
{
	LogFixture f{dir.path("log"), dir.path("key"), 0};
	std::string error;
	auto log = AuditLog::open(f.log, f.key, quiet_options(checkpoint_every), error);
	EXPECT_TRUE(log) << error;
	for (uint64_t i = 1; log && i <= decisions; i++)
		EXPECT_NE(log->append(decision(i), error), 0u) << error;
	EXPECT_TRUE(log && log->close(error)) << error;
	f.last_seq = log ? log->last_seq() : 0;
	return f;
}

Key load(const std::string &key_path)
{
	Key key;
	std::string error;
	EXPECT_TRUE(load_key(key_path, key, error)) << error;
	return key;
}

VerifyReport verify(const LogFixture &f, VerifyOptions options) { return verify_log(f.log, load(f.key), options); }

std::vector<std::string> summarize(const std::vector<Finding> &findings)
{
	std::vector<std::string> out;
	for (const auto &f : findings)
		out.push_back(std::string(finding_name(f.kind)) + " seq " + std::to_string(f.seq) + " line " +
			      std::to_string(f.line));
	return out;
}

std::string describe(const VerifyReport &report)
{
	std::string out = report.error;
	for (const auto &f : report.problems)
		out += "\n  problem: " + format_finding("log", f);
	for (const auto &f : report.notices)
		out += "\n  notice: " + format_finding("log", f);
	return out;
}

} // namespace tripath::audit::test
