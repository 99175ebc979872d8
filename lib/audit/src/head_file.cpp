#include "head_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>

#include "canonical_json.h"
#include "crypto.h"

namespace tripath::audit {

namespace {

std::string head_canonical(const Head &head)
{
	std::string out = "{\"log_id\":";
	json::append_string(out, head.log_id);
	out += ",\"seq\":";
	json::append_uint(out, head.seq);
	out += ",\"hash\":";
	json::append_string(out, head.hash);
	out += ",\"time_ns\":";
	json::append_uint(out, head.time_ns);
	return out;
}

// "" when the slot holds an authentic head; otherwise why not.
std::string parse_slot(std::string_view slot, const Key &key, Head &head)
{
	while (!slot.empty() && (slot.back() == ' ' || slot.back() == '\n'))
		slot.remove_suffix(1);
	if (slot.empty())
		return "empty";
	json::Cursor in(slot);
	std::string mac;
	if (!(in.expect("{\"log_id\":") && in.read_string(head.log_id) && in.expect(",\"seq\":") &&
	      in.read_uint(head.seq) && in.expect(",\"hash\":") && in.read_string(head.hash) &&
	      in.expect(",\"time_ns\":") && in.read_uint(head.time_ns)))
		return in.error();
	size_t canonical_end = in.position();
	if (!(in.expect(",\"hmac\":") && in.read_string(mac) && in.expect("}")) || !in.at_end())
		return in.error().empty() ? "bytes after the head" : in.error();
	if (!crypto::equal_hex(mac, key.head_mac(slot.substr(0, canonical_end))))
		return "HMAC mismatch";
	return {};
}

} // namespace

std::string encode_head_slot(const Head &head, const Key &key)
{
	std::string canonical = head_canonical(head);
	std::string slot = canonical + ",\"hmac\":\"" + key.head_mac(canonical) + "\"}";
	slot.resize(kHeadSlotBytes - 1, ' ');
	slot += '\n';
	return slot;
}

HeadState read_head_file(const std::string &path, const Key &key)
{
	HeadState state;
	FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd) {
		state.status = errno == ENOENT ? HeadStatus::absent : HeadStatus::invalid;
		state.error = path + ": cannot open head file: " + std::strerror(errno);
		return state;
	}
	std::string text;
	state.status = HeadStatus::invalid;
	if (!read_all(fd.get(), text, 2 * kHeadSlotBytes + 1) || text.size() != 2 * kHeadSlotBytes) {
		state.error = path + ": head file is " + std::to_string(text.size()) + " bytes, expected " +
			      std::to_string(2 * kHeadSlotBytes);
		return state;
	}
	std::string why[2];
	bool found = false;
	for (int slot = 0; slot < 2; slot++) {
		Head head;
		why[slot] = parse_slot(std::string_view(text).substr(slot * kHeadSlotBytes, kHeadSlotBytes), key, head);
		if (!why[slot].empty() || (found && head.seq <= state.head.seq))
			continue;
		state.head = head;
		state.newest_slot = slot;
		found = true;
	}
	if (found)
		state.status = HeadStatus::valid;
	else
		state.error = path + ": no head slot authenticates (slot 1: " + why[0] + "; slot 2: " + why[1] +
			      "): wrong key or the head file was edited";
	return state;
}

bool HeadWriter::create(const std::string &path, const Head &head, const Key &key, std::string &error)
{
	path_ = path;
	fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	std::string text = encode_head_slot(head, key) + std::string(kHeadSlotBytes - 1, ' ') + "\n";
	if (!fd_ || !pwrite_all(fd_.get(), text, 0) || fsync(fd_.get()) != 0) {
		error = path + ": cannot create head file: " + std::strerror(errno);
		return false;
	}
	sync_parent_directory(path);
	next_slot_ = 1;
	return true;
}

bool HeadWriter::open_existing(const std::string &path, int newest_slot, std::string &error)
{
	path_ = path;
	fd_.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
	if (!fd_) {
		error = path + ": cannot open head file: " + std::strerror(errno);
		return false;
	}
	next_slot_ = 1 - newest_slot;
	return true;
}

bool HeadWriter::update(const Head &head, const Key &key, bool sync, std::string &error)
{
	if (!pwrite_all(fd_.get(), encode_head_slot(head, key), uint64_t(next_slot_) * kHeadSlotBytes) ||
	    (sync && fdatasync(fd_.get()) != 0)) {
		error = path_ + ": cannot update head file: " + std::strerror(errno);
		return false;
	}
	next_slot_ = 1 - next_slot_;
	return true;
}

} // namespace tripath::audit
