// Two BulkTransports joined in one process, for tests of the layers above (batching,
// unpacking, credit accounting) without RDMA: the same slots, header, windows and events as
// VerbsTransport, with a memcpy standing in for the WRITE. Single-threaded: one thread
// polls both ends. break_link() makes both ends see an error, as a QP fault would.
#pragma once

#include <memory>
#include <utility>

#include <tripath/bulk/transport.h>

namespace tripath::bulk {

class LoopbackTransport;

// Both ends connected, `slot_count` slots of `slot_size` bytes (16-byte header included).
std::pair<std::unique_ptr<LoopbackTransport>, std::unique_ptr<LoopbackTransport>>
make_loopback_pair(uint32_t slot_count, uint32_t slot_size);

class LoopbackTransport final : public BulkTransport {
public:
	~LoopbackTransport() override;

	BulkState state() const override;
	uint32_t slot_count() const override;
	uint32_t slot_payload() const override;
	uint32_t credits() const override;
	uint64_t next_sequence() const override;
	std::optional<SendSlot> claim_send_slot() override;
	BulkError post_batch(uint32_t slot, uint32_t bytes) override;
	size_t poll(std::span<BulkEvent> events) override;
	std::span<const std::byte> received(uint32_t slot) const override;
	bool release(uint32_t slot) override;
	bool reconnect(int timeout_ms, std::string &error) override;
	BulkStats stats() const override;

	// Both ends get `error` on their next poll; batches not yet polled by the peer are lost.
	void break_link(BulkError error);

	struct Endpoint;

private:
	friend std::pair<std::unique_ptr<LoopbackTransport>, std::unique_ptr<LoopbackTransport>>
	make_loopback_pair(uint32_t, uint32_t);
	explicit LoopbackTransport(std::shared_ptr<Endpoint> self, std::shared_ptr<Endpoint> peer);
	std::shared_ptr<Endpoint> self_;
	std::shared_ptr<Endpoint> peer_;
};

} // namespace tripath::bulk
