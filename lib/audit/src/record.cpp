#include <algorithm>
#include <charconv>

#include <tripath/audit/record.h>

#include "canonical_json.h"
#include "crypto.h"

namespace tripath::audit {

namespace {

constexpr std::string_view kHmacField = ",\"hmac\":\"";

bool parse_kind(std::string_view name, RecordKind &kind)
{
	for (RecordKind k : {RecordKind::decision, RecordKind::open, RecordKind::checkpoint, RecordKind::recovery})
		if (kind_name(k) == name) {
			kind = k;
			return true;
		}
	return false;
}

bool all_of(std::string_view text, bool (*ok)(char))
{
	return std::all_of(text.begin(), text.end(), ok);
}

bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

bool is_code_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
bool is_reason_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'; }
bool is_key_char(char c) { return is_name_char(c) || c == '/' || c == ':'; }

} // namespace

std::string_view kind_name(RecordKind kind)
{
	switch (kind) {
	case RecordKind::decision: return "decision";
	case RecordKind::open: return "open";
	case RecordKind::checkpoint: return "checkpoint";
	case RecordKind::recovery: return "recovery";
	}
	return "?";
}

void Record::observe(const std::string &key, uint64_t value) { observed[key] = std::to_string(value); }
void Record::observe(const std::string &key, int64_t value) { observed[key] = std::to_string(value); }

void Record::observe(const std::string &key, double value)
{
	char buf[32];
	auto end = std::to_chars(buf, buf + sizeof(buf), value).ptr;
	observed[key] = std::string(buf, end);
}

bool is_valid_name(std::string_view name) { return !name.empty() && name.size() <= 64 && all_of(name, is_name_char); }

std::string check_fields(const Record &r)
{
	bool proposer_ok = r.proposer == "policy" || r.proposer == "operator" || r.proposer == kLogProposer ||
			   (r.proposer.starts_with("client:") && is_valid_name(std::string_view(r.proposer).substr(7)));
	if (!proposer_ok)
		return "proposer '" + r.proposer + "' is not policy, operator or client:<id>";
	for (const auto &t : r.tenants)
		if (!is_valid_name(t))
			return "tenant '" + t + "' is not a name ([A-Za-z0-9_.-]{1,64})";
	if (r.decision.size() > 32 || !all_of(r.decision, is_code_char))
		return "decision '" + r.decision + "' is not a code ([A-Z0-9_]{0,32})";
	if (r.reason.size() > 64 || !all_of(r.reason, is_reason_char))
		return "reason '" + r.reason + "' is not a code ([a-z0-9_.]{0,64})";
	for (const auto &[key, value] : r.observed) {
		if (key.empty() || key.size() > 128 || !all_of(key, is_key_char))
			return "observed key '" + key + "' is not [A-Za-z0-9_.:/-]{1,128}";
		if (value.size() > 256)
			return "observed value of '" + key + "' is longer than 256 bytes";
	}
	return {};
}

std::string canonical_bytes(const Record &r)
{
	std::vector<std::string> tenants = r.tenants;
	std::sort(tenants.begin(), tenants.end());
	tenants.erase(std::unique(tenants.begin(), tenants.end()), tenants.end());

	std::string out;
	out.reserve(256 + r.proposal.size() + r.diff.size());
	out += "{\"seq\":";
	json::append_uint(out, r.seq);
	out += ",\"time_ns\":";
	json::append_uint(out, r.time_ns);
	out += ",\"kind\":";
	json::append_string(out, kind_name(r.kind));
	out += ",\"proposer\":";
	json::append_string(out, r.proposer);
	out += ",\"tenants\":";
	json::append_string_array(out, tenants);
	out += ",\"proposal\":";
	json::append_string(out, r.proposal);
	out += ",\"observed\":";
	json::append_string_map(out, r.observed);
	out += ",\"decision\":";
	json::append_string(out, r.decision);
	out += ",\"reason\":";
	json::append_string(out, r.reason);
	out += ",\"diff\":";
	json::append_string(out, r.diff);
	out += ",\"prev\":";
	json::append_string(out, r.prev);
	return out;
}

std::string record_line(std::string_view canonical, std::string_view hmac_hex)
{
	std::string line;
	line.reserve(canonical.size() + kHmacField.size() + hmac_hex.size() + 2);
	line.append(canonical).append(kHmacField).append(hmac_hex).append("\"}");
	return line;
}

bool parse_record_line(std::string_view line, ParsedLine &out, std::string &error)
{
	json::Cursor in(line);
	Record &r = out.record;
	std::string kind;
	bool ok = in.expect("{\"seq\":") && in.read_uint(r.seq) && in.expect(",\"time_ns\":") && in.read_uint(r.time_ns) &&
		  in.expect(",\"kind\":") && in.read_string(kind) && in.expect(",\"proposer\":") &&
		  in.read_string(r.proposer) && in.expect(",\"tenants\":") && in.read_string_array(r.tenants) &&
		  in.expect(",\"proposal\":") && in.read_string(r.proposal) && in.expect(",\"observed\":") &&
		  in.read_string_map(r.observed) && in.expect(",\"decision\":") && in.read_string(r.decision) &&
		  in.expect(",\"reason\":") && in.read_string(r.reason) && in.expect(",\"diff\":") &&
		  in.read_string(r.diff) && in.expect(",\"prev\":") && in.read_string(r.prev);
	if (!ok) {
		error = in.error();
		return false;
	}
	size_t canonical_end = in.position();
	if (!in.expect(",\"hmac\":") || !in.read_string(out.hmac) || !in.expect("}")) {
		error = in.error();
		return false;
	}
	if (!in.at_end()) {
		error = "bytes after the record at byte " + std::to_string(in.position() + 1);
		return false;
	}
	if (!parse_kind(kind, r.kind)) {
		error = "unknown kind '" + kind + "'";
		return false;
	}
	if (!crypto::is_lower_hex(r.prev, 64) || !crypto::is_lower_hex(out.hmac, 64)) {
		error = "prev and hmac must be 64 lowercase hex digits";
		return false;
	}
	out.canonical = line.substr(0, canonical_end);
	return true;
}

} // namespace tripath::audit
