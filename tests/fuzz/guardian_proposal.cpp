// Arbitrary text as a client's proposal JSON: parse_proposal gives a proposal or names the
// field and the error, never throws; an accepted proposal written back with to_json parses to
// the same proposal (what the audit log stores is what was decided on).
#include <cstdint>
#include <string>
#include <string_view>

#include <tripath/guardian/proposal.h>

#include "fuzz_check.h"

using namespace tripath;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	std::string_view json(reinterpret_cast<const char *>(data), size);
	const guardian::Proposer client = guardian::Proposer::client("fuzz", {"acme", "lab"});
	guardian::ParseResult parsed = guardian::parse_proposal(json, client);
	if (!parsed.proposal) {
		FUZZ_CHECK(!parsed.error.empty(), "refused without a reason");
		return 0;
	}
	FUZZ_CHECK(parsed.error.empty(), "accepted with an error: %s", parsed.error.c_str());
	std::string written = guardian::to_json(*parsed.proposal);
	guardian::ParseResult again = guardian::parse_proposal(written, client);
	FUZZ_CHECK(again.proposal.has_value(), "to_json wrote what parse refuses: %s -> %s", written.c_str(),
		   again.error.c_str());
	FUZZ_CHECK(guardian::to_json(*again.proposal) == written, "round trip changed %s", written.c_str());
	return 0;
}
