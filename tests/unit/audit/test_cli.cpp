// The built tripath-audit, run as a process: exit status and the messages an operator reads.
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "audit_test_util.h"

namespace tripath::audit::test {
namespace {

struct ProcessResult {
	int status = -1;
	std::string output; // stdout and stderr
};

ProcessResult run(const std::string &args)
{
	const char *binary = std::getenv("TRIPATH_AUDIT");
	EXPECT_NE(binary, nullptr) << "TRIPATH_AUDIT names the built binary";
	ProcessResult r;
	FILE *p = popen((std::string(binary ? binary : "false") + " " + args + " 2>&1").c_str(), "r");
	char buf[4096];
	for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;)
		r.output.append(buf, n);
	int status = pclose(p);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return r;
}

class AuditCli : public ::testing::Test {
protected:
	void SetUp() override { f_ = make_log(dir_, 10, 4); }
	std::string files() const { return "--log " + f_.log + " --key " + f_.key; }

	ScratchDir dir_;
	LogFixture f_;
};

TEST_F(AuditCli, VerifyIntactLogExitsZero)
{
	ProcessResult r = run("verify " + files());
	EXPECT_EQ(r.status, 0) << r.output;
	EXPECT_NE(r.output.find(f_.log + ": intact: 14 lines, 14 authentic records, last seq 14"), std::string::npos)
		<< r.output;
}

TEST_F(AuditCli, VerifyTamperedLogExitsOneNamingEachRecord)
{
	std::vector<std::string> lines = read_lines(f_.log);
	lines[4] = edit_record(lines[4], [](Record &rec) { rec.reason = "forged"; });
	lines.erase(lines.begin() + 7);
	lines.resize(11);
	write_lines(f_.log, lines);
	ProcessResult r = run("verify " + files());
	EXPECT_EQ(r.status, 1) << r.output;
	EXPECT_NE(r.output.find(f_.log + ":5: edited: seq 5: HMAC mismatch: the record was edited or forged"), std::string::npos)
		<< r.output;
	EXPECT_NE(r.output.find(f_.log + ":8: deleted: seq 8 missing between seq 7 (line 7) and seq 9 (line 8)"),
		  std::string::npos)
		<< r.output;
	EXPECT_NE(r.output.find(f_.log + ": truncated: log ends at seq 12 but head file " + f_.log + ".head says seq 14: seq 13-14 missing"),
		  std::string::npos)
		<< r.output;
	EXPECT_NE(r.output.find(f_.log + ": 3 problems: "), std::string::npos) << r.output;
}

TEST_F(AuditCli, ExportTailAndKeygen)
{
	ProcessResult r = run("export " + files() + " --tenant acme");
	EXPECT_EQ(r.status, 0) << r.output;
	EXPECT_NE(r.output.find("{\"seq\":2,"), std::string::npos) << r.output;
	EXPECT_NE(r.output.find("10 records of tenant acme; the log is intact"), std::string::npos) << r.output;

	r = run("tail --log " + f_.log + " -n 2");
	EXPECT_EQ(r.status, 0) << r.output;
	std::vector<std::string> lines = read_lines(f_.log);
	EXPECT_EQ(r.output, lines[12] + "\n" + lines[13] + "\n");

	std::string key = dir_.path("new-key");
	r = run("keygen --key " + key);
	EXPECT_EQ(r.status, 0) << r.output;
	struct stat st;
	ASSERT_EQ(stat(key.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
	r = run("keygen --key " + key);
	EXPECT_EQ(r.status, 1) << r.output;
	EXPECT_NE(r.output.find(key + ": cannot create key file: File exists"), std::string::npos) << r.output;
}

TEST_F(AuditCli, BadKeyAndUsageErrors)
{
	chmod(f_.key.c_str(), 0644);
	ProcessResult r = run("verify " + files());
	EXPECT_EQ(r.status, 1) << r.output;
	EXPECT_NE(r.output.find(f_.key + ": key file mode 0644 lets group or others read or write it"), std::string::npos)
		<< r.output;

	for (const std::string &args : {std::string(""), std::string("frobnicate"), "verify --log " + f_.log,
					"verify " + files() + " --bogus", "tail --log " + f_.log + " -n x",
					"export " + files() + " --tenant bad/name", "verify " + files() + " --anchor 3:xyz"}) {
		r = run(args);
		EXPECT_EQ(r.status, 2) << args << "\n" << r.output;
		EXPECT_NE(r.output.find("usage: tripath-audit"), std::string::npos) << r.output;
	}
	EXPECT_NE(run("verify " + files() + " --bogus").output.find("unknown option '--bogus'"), std::string::npos);
	EXPECT_NE(run("verify --log " + f_.log).output.find("verify needs --key"), std::string::npos);
}

} // namespace
} // namespace tripath::audit::test
