// Arbitrary bytes as one audit log line: the strict parser accepts only the canonical encoding,
// so whatever it accepts must re-encode to the very same bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include <tripath/audit/record.h>

#include "fuzz_check.h"

using namespace tripath;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string line(reinterpret_cast<const char *>(data), size);
	audit::ParsedLine parsed;
	std::string error;
	if (!audit::parse_record_line(line, parsed, error)) {
		FUZZ_CHECK(!error.empty(), "refused without a reason");
		return 0;
	}
	std::string canonical = audit::canonical_bytes(parsed.record);
	FUZZ_CHECK(canonical == parsed.canonical, "canonical bytes differ for %s", line.c_str());
	FUZZ_CHECK(audit::record_line(canonical, parsed.hmac) == line, "line differs: %s", line.c_str());
	audit::check_fields(parsed.record);
	return 0;
}
