// Shared by the audit tests: a scratch directory, a log with known records, and line-level
// edits made the way an attacker without the key would make them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <tripath/audit/key.h>
#include <tripath/audit/log.h>
#include <tripath/audit/record.h>
#include <tripath/audit/verify.h>

namespace tripath::audit {
// gtest prints a Record as its canonical bytes instead of a hex dump.
inline void PrintTo(const Record &record, std::ostream *out) { *out << canonical_bytes(record); }
} // namespace tripath::audit

namespace tripath::audit::test {

class ScratchDir {
public:
	ScratchDir();
	~ScratchDir();
	std::string path(const std::string &name) const { return (dir_ / name).string(); }

private:
	std::filesystem::path dir_;
};

std::string read_file(const std::string &path);
void write_file(const std::string &path, const std::string &text);

// Lines without their '\n'; a last fragment without one is kept as a line of its own.
std::vector<std::string> read_lines(const std::string &path);
void write_lines(const std::string &path, const std::vector<std::string> &lines);

Record decision(uint64_t i, std::vector<std::string> tenants = {"acme"});

// A closed log at dir/"log" with key dir/"key": the open record, `decisions` decisions and the
// checkpoints; returns the seq of the last record.
struct LogFixture {
	std::string log, key;
	uint64_t last_seq = 0;
};
LogFixture make_log(const ScratchDir &dir, uint64_t decisions, uint32_t checkpoint_every = 0);

LogOptions quiet_options(uint32_t checkpoint_every = 0); // fsync never, no time checkpoints
Key load(const std::string &key_path);
VerifyReport verify(const LogFixture &f, VerifyOptions options = {});

// Parses `line`, lets `edit` change the record and re-encodes it with the old HMAC.
template <typename Edit> std::string edit_record(const std::string &line, Edit edit)
{
	ParsedLine parsed;
	std::string error;
	EXPECT_TRUE(parse_record_line(line, parsed, error)) << error;
	edit(parsed.record);
	return record_line(canonical_bytes(parsed.record), parsed.hmac);
}

// "kind seq line" for each finding, to compare whole reports at once.
std::vector<std::string> summarize(const std::vector<Finding> &findings);
std::string describe(const VerifyReport &report);

} // namespace tripath::audit::test
