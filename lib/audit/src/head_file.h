// The head file: the log's latest durable (seq, hash), HMAC'd, kept beside the log so that a
// log cut short can be told from one that simply ended. Two fixed-size slots written in turn:
// a torn write of one slot leaves the other, older one readable.
#pragma once

#include <cstdint>
#include <string>

#include <tripath/audit/key.h>

#include "file_io.h"

namespace tripath::audit {

inline constexpr size_t kHeadSlotBytes = 256;

struct Head {
	std::string log_id; // 32 hex digits, from the log's first record
	uint64_t seq = 0;   // last record known durable
	std::string hash;   // its SHA-256 (hex)
	uint64_t time_ns = 0;
};

std::string encode_head_slot(const Head &head, const Key &key);

enum class HeadStatus { absent, valid, invalid };

struct HeadState {
	HeadStatus status = HeadStatus::absent;
	Head head;         // the valid slot with the highest seq
	int newest_slot = 0;
	std::string error; // why it is invalid, naming the file
};

HeadState read_head_file(const std::string &path, const Key &key);

class HeadWriter {
public:
	// A new file (refuses an existing one) holding `head` in slot 0.
	bool create(const std::string &path, const Head &head, const Key &key, std::string &error);
	bool open_existing(const std::string &path, int newest_slot, std::string &error);
	// Writes the slot not holding the newest head; fdatasync when `sync`.
	bool update(const Head &head, const Key &key, bool sync, std::string &error);
	void close() { fd_.reset(); }

private:
	std::string path_;
	FileDescriptor fd_;
	int next_slot_ = 1;
};

} // namespace tripath::audit
