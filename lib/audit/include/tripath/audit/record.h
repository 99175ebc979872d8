// An audit record and its canonical line. The guardian fills in what happened; the log assigns
// seq, time_ns and prev and appends the HMAC. See doc/guardian-audit.md for the format.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tripath::audit {

// decision: written by the guardian through AuditLog::append. The others the log writes itself.
enum class RecordKind { decision, open, checkpoint, recovery };

std::string_view kind_name(RecordKind kind);

inline constexpr std::string_view kZeroHash = "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr std::string_view kLogProposer = "audit";  // proposer of the log's own records
inline constexpr std::string_view kTenantPrefix = "tenant/"; // "tenant/<name>/..." scopes a key or diff line
inline constexpr size_t kMaxLineBytes = 1 << 20;               // a record line, HMAC included

struct Record {
	uint64_t seq = 0;                            // 1, 2, ...; set by append
	uint64_t time_ns = 0;                        // UTC nanoseconds; set by append
	RecordKind kind = RecordKind::decision;
	std::string proposer;                        // "policy" | "operator" | "client:<id>" ("audit": the log)
	std::vector<std::string> tenants;            // scope; empty = operator-only; encoded sorted, unique
	std::string proposal;                        // as proposed (text or JSON)
	std::map<std::string, std::string> observed; // the numbers the decision used
	std::string decision;                        // APPROVE | CLAMP | REJECT | FAILSAFE | APPLIED | ROLLBACK ...
	std::string reason;                          // reason code
	std::string diff;                            // what was applied, one change per line
	std::string prev;                            // hex SHA-256 of the previous record's canonical bytes

	void observe(const std::string &key, uint64_t value);
	void observe(const std::string &key, int64_t value);
	void observe(const std::string &key, double value); // shortest form that reads back exactly
	bool operator==(const Record &) const = default;
};

// The bytes the chain hash and the HMAC cover: the line up to, not including, ,"hmac":
std::string canonical_bytes(const Record &record);
// The full line (no '\n'): canonical bytes + ,"hmac":"<hex>"}
std::string record_line(std::string_view canonical, std::string_view hmac_hex);

struct ParsedLine {
	Record record;
	std::string_view canonical; // into the parsed line
	std::string hmac;           // hex as written
};

// Strict: anything but the canonical encoding is refused, with the reason and byte position.
bool parse_record_line(std::string_view line, ParsedLine &out, std::string &error);

// Fields the guardian controls follow their grammar (names, codes, sizes); "" when they do.
std::string check_fields(const Record &record);

// Tenant and client names: [A-Za-z0-9_.-]{1,64}.
bool is_valid_name(std::string_view name);

} // namespace tripath::audit
