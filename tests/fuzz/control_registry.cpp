// Arbitrary lines through the command registry, as the shell and the control socket run them:
// each line is split, executed as admin and as reader, and completed. Every answer is framed
// the way the socket sends it (no NUL inside); a reader never runs an admin command.
#include <cstdint>
#include <string>
#include <string_view>

#include <tripath/control/registry.h>

#include "fuzz_check.h"
#include "grammar.h"

using namespace tripath;

namespace {
const control::CommandRegistry &registry()
{
	static const control::CommandRegistry r = fuzz::daemon_grammar();
	return r;
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	registry();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view input(reinterpret_cast<const char *>(data), size);
	while (!input.empty()) {
		size_t end = input.find('\n');
		std::string_view line = input.substr(0, end);
		input = end == std::string_view::npos ? std::string_view{} : input.substr(end + 1);
		if (line.find('\0') != std::string_view::npos)
			continue; // the socket and the shell never hand over a line with a NUL in it
		control::split_words(line);
		control::CommandResult admin = registry().execute(line, control::Role::admin);
		control::CommandResult reader = registry().execute(line, control::Role::reader);
		FUZZ_CHECK(admin.output.empty() || admin.output.back() == '\n', "unterminated answer");
		if (reader.status == control::Status::ok && admin.status == control::Status::ok)
			FUZZ_CHECK(reader.output == admin.output, "a reader got another answer");
		bool refused = reader.output.rfind("error: '", 0) == 0 && reader.output.find("needs the admin role") != std::string::npos;
		if (refused)
			FUZZ_CHECK(admin.status == control::Status::ok, "refused to the reader, failed for the admin");
		registry().complete(line);
	}
	return 0;
}
