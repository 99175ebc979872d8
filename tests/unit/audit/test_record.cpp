// The canonical encoding: one form per record, read back exactly, anything else refused.
#include <gtest/gtest.h>

#include <tripath/audit/record.h>

#include "audit_test_util.h"

namespace tripath::audit::test {
namespace {

Record full_record()
{
	Record r = decision(7, {"zeta", "acme", "acme"});
	r.seq = 7;
	r.time_ns = 1763712000123456789ull;
	r.prev = std::string(64, 'a');
	r.proposal = "quote \" backslash \\ newline \n tab \t cr \r bell \x07 del \x7f utf8 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
	r.observe("tenant/acme/fast_p99_us", 812.5);
	r.observe("drops", int64_t(-3));
	return r;
}

TEST(AuditRecord, EncodesFieldsInFixedOrderWithSortedUniqueTenants)
{
	std::string c = canonical_bytes(full_record());
	EXPECT_TRUE(c.starts_with("{\"seq\":7,\"time_ns\":1763712000123456789,\"kind\":\"decision\",\"proposer\":\"policy\","
				  "\"tenants\":[\"acme\",\"zeta\"],\"proposal\":\"quote \\\" backslash \\\\ newline \\n tab "
				  "\\t cr \\r bell \\u0007 del \\u007f utf8 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""))
		<< c;
	EXPECT_NE(c.find(",\"observed\":{\"drops\":\"-3\",\"path_a_pps\":\"1007\",\"tenant/acme/fast_p99_us\":\"812.5\"},"),
		  std::string::npos)
		<< c;
	EXPECT_TRUE(c.ends_with(",\"prev\":\"" + std::string(64, 'a') + "\"")) << c;
}

TEST(AuditRecord, RoundTripsThroughTheLine)
{
	Record r = full_record();
	std::string canonical = canonical_bytes(r);
	std::string line = record_line(canonical, std::string(64, 'b'));
	ParsedLine parsed;
	std::string error;
	ASSERT_TRUE(parse_record_line(line, parsed, error)) << error;
	r.tenants = {"acme", "zeta"};
	EXPECT_EQ(parsed.record, r);
	EXPECT_EQ(parsed.canonical, canonical);
	EXPECT_EQ(parsed.hmac, std::string(64, 'b'));
	EXPECT_EQ(canonical_bytes(parsed.record), canonical);
}

TEST(AuditRecord, InvalidUtf8BecomesReplacementCharacters)
{
	Record r = full_record();
	r.proposal = "a\xFF" "b\xC0\xAF" "c\xED\xA0\x80";
	std::string line = record_line(canonical_bytes(r), std::string(64, 'b'));
	ParsedLine parsed;
	std::string error;
	ASSERT_TRUE(parse_record_line(line, parsed, error)) << error;
	EXPECT_EQ(parsed.record.proposal, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(AuditRecord, RefusesEveryNonCanonicalVariant)
{
	std::string good = record_line(canonical_bytes(full_record()), std::string(64, 'b'));
	auto replaced = [&](const std::string &from, const std::string &to) {
		std::string s = good;
		size_t at = s.find(from);
		EXPECT_NE(at, std::string::npos) << from;
		return s.replace(at, from.size(), to);
	};
	const std::vector<std::pair<std::string, std::string>> cases = {
		{replaced("{\"seq\":7", "{ \"seq\":7"), "blank"},
		{replaced("\"seq\":7", "\"seq\":07"), "leading zero"},
		{replaced("\\u0007", "\\u0007x\\/"), "escaped slash"},
		{replaced("\\u0007", "\\U0007"), "upper-case escape"},
		{replaced("\\u0007", "\\u0041"), "escape of a printable"},
		{replaced("\\n", "\\u000a"), "\\u escape of newline"},
		{replaced("\\t", "\t"), "raw control character"},
		{replaced("[\"acme\",\"zeta\"]", "[\"zeta\",\"acme\"]"), "unsorted tenants"},
		{replaced("[\"acme\",\"zeta\"]", "[\"acme\",\"acme\"]"), "duplicate tenant"},
		{replaced("{\"drops\":\"-3\",", "{\"path_a_pps\":\"1007\",\"drops\":\"-3\","), "unsorted observed"},
		{replaced("\"kind\":\"decision\"", "\"kind\":\"other\""), "unknown kind"},
		{replaced("\"prev\":\"aaaa", "\"prev\":\"AAAA"), "upper-case prev"},
		{good + " ", "trailing blank"},
		{good.substr(0, good.size() - 1), "missing brace"},
		{replaced("\xC3\xA9", "\xC3"), "invalid UTF-8"},
	};
	for (const auto &[line, what] : cases) {
		ParsedLine parsed;
		std::string error;
		EXPECT_FALSE(parse_record_line(line, parsed, error)) << what;
		EXPECT_FALSE(error.empty()) << what;
	}
}

TEST(AuditRecord, ChecksTheFieldsTheGuardianFillsIn)
{
	Record r = decision(1);
	EXPECT_EQ(check_fields(r), "");
	r.proposer = "someone";
	EXPECT_NE(check_fields(r).find("proposer"), std::string::npos);
	r = decision(1, {"bad/name"});
	EXPECT_NE(check_fields(r).find("tenant 'bad/name'"), std::string::npos);
	r = decision(1);
	r.decision = "approve";
	EXPECT_NE(check_fields(r).find("decision"), std::string::npos);
	r = decision(1);
	r.observed["bad key"] = "1";
	EXPECT_NE(check_fields(r).find("observed key"), std::string::npos);
}

} // namespace
} // namespace tripath::audit::test
