// Arbitrary bytes as an audit log file: verify sorts every line into records and findings
// without crashing, and tail reads the last lines back; seeds are real logs under the seed key.
#include <cstdint>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <tripath/audit/key.h>
#include <tripath/audit/tail.h>
#include <tripath/audit/verify.h>

#include "audit_fuzz_key.h"
#include "fuzz_check.h"

using namespace tripath;

namespace {

std::string scratch;
audit::Key key;

void write(const std::string &path, const uint8_t *data, size_t size)
{
	std::ofstream out(path, std::ios::binary | std::ios::trunc);
	out.write(reinterpret_cast<const char *>(data), std::streamsize(size));
	FUZZ_CHECK(out.good(), "write %s", path.c_str());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	scratch = "/dev/shm/tripath-fuzz-audit-" + std::to_string(getpid());
	std::filesystem::create_directories(scratch);
	std::string key_path = scratch + "/key";
	int fd = open(key_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FUZZ_CHECK(fd >= 0 && ::write(fd, kAuditFuzzKeyHex, 64) == 64 && close(fd) == 0, "key file");
	std::string error;
	FUZZ_CHECK(audit::load_key(key_path, key, error), "%s", error.c_str());
	std::atexit([] { std::filesystem::remove_all(scratch); });
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string log = scratch + "/log";
	write(log, data, size);
	audit::VerifyOptions options;
	options.require_head = false;
	options.head_path = scratch + "/no-head";
	uint64_t visited = 0;
	audit::VerifyReport report = audit::verify_log(log, key, options, [&](const audit::Record &r, uint64_t line, std::string_view) {
		FUZZ_CHECK(line >= 1 && r.seq >= 1, "record seq %lu at line %lu", r.seq, line);
		visited++;
	});
	FUZZ_CHECK(report.error.empty(), "cannot verify: %s", report.error.c_str());
	FUZZ_CHECK(report.records == visited && report.records <= report.lines, "%lu records, %lu visited, %lu lines",
		   report.records, visited, report.lines);
	for (const audit::Finding &f : report.problems)
		FUZZ_CHECK(f.line <= report.lines + 1, "finding at line %lu of %lu", f.line, report.lines);
	std::vector<std::string> lines;
	std::string error;
	size_t want = 1 + size % 5;
	FUZZ_CHECK(audit::tail_lines(log, want, lines, error), "tail: %s", error.c_str());
	FUZZ_CHECK(lines.size() <= want, "tail %zu gave %zu", want, lines.size());
	return 0;
}
