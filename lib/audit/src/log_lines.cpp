#include "log_lines.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace tripath::audit {

namespace {

crypto::Digest digest_from_hex(std::string_view hex)
{
	crypto::Digest out{};
	std::vector<uint8_t> bytes;
	if (crypto::from_hex(hex, bytes) && bytes.size() == out.size())
		std::copy(bytes.begin(), bytes.end(), out.begin());
	return out;
}

} // namespace

bool read_log_lines(const std::string &path, const Key &key, const RecordVisitor &visitor, LogLines &out,
		    std::string &error)
{
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		error = path + ": cannot open log: " + std::strerror(errno);
		return false;
	}
	std::string text;
	for (uint64_t number = 1; std::getline(in, text); number++) {
		LogLine line;
		line.line = number;
		line.bytes = text.size();
		bool terminated = !in.eof(); // getline stopped at a '\n', not at the end of the file
		ParsedLine parsed;
		if (!parse_record_line(text, parsed, line.why)) {
			line.status = LineStatus::unreadable;
			// A prefix still tells which record the line claims to be.
			line.has_seq = text.starts_with("{\"seq\":") && std::isdigit((unsigned char)text[7]);
			if (line.has_seq)
				line.seq = std::strtoull(text.c_str() + 7, nullptr, 10);
		} else {
			line.has_seq = true;
			line.seq = parsed.record.seq;
			line.kind = parsed.record.kind;
			line.hash = crypto::sha256(parsed.canonical);
			line.prev = digest_from_hex(parsed.record.prev);
			bool mac_ok = crypto::equal_hex(parsed.hmac, key.record_mac(parsed.canonical));
			line.status = mac_ok ? LineStatus::authentic : LineStatus::forged;
			if (!mac_ok)
				line.why = "HMAC mismatch";
		}
		if (!terminated)
			line.status = LineStatus::torn;
		if (line.status == LineStatus::authentic) {
			if (visitor)
				visitor(parsed.record, number, crypto::to_hex(line.hash));
			if (parsed.record.kind != RecordKind::decision)
				out.log_records.emplace(out.lines.size(), std::move(parsed.record));
		}
		out.lines.push_back(std::move(line));
	}
	if (in.bad()) {
		error = path + ": cannot read log: " + std::strerror(errno);
		return false;
	}
	return true;
}

} // namespace tripath::audit
