#include <tripath/bulk/immediate.h>
#include <tripath/bulk/receive_window.h>
#include <tripath/bulk/send_window.h>

namespace tripath::bulk {

bool SendWindow::on_credit(uint32_t released)
{
	uint32_t freed = released_since(released, peer_released_);
	if (uint64_t(credits_) + freed > slot_count_)
		return false;
	credits_ += freed;
	peer_released_ = released;
	return true;
}

bool ReceiveWindow::on_batch(uint32_t slot, uint64_t sequence)
{
	if (sequence != next_expected_ || slot != expected_slot() || held() == slot_count())
		return false;
	++next_expected_;
	return true;
}

bool ReceiveWindow::release(uint32_t slot)
{
	if (slot >= slot_count() || held() == 0)
		return false;
	// The held sequences are oldest_held_ .. next_expected_-1, at most one per slot.
	uint64_t offset = (slot + slot_count() - oldest_held_ % slot_count()) % slot_count();
	if (offset >= held() || released_flag_[slot])
		return false;
	released_flag_[slot] = true;
	while (held() > 0 && released_flag_[oldest_held_ % slot_count()]) {
		released_flag_[oldest_held_ % slot_count()] = false;
		++oldest_held_;
		released_total_ = (released_total_ + 1) & kImmediateValueMask;
		++released_since_report_;
	}
	return true;
}

} // namespace tripath::bulk
