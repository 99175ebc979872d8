// The RDMA bulk transport: one RC QP per peer, a registered receive ring the peer writes
// batches into with RDMA WRITE_WITH_IMM, registered send slots we build batches in, credit
// returns as zero-length SEND_WITH_IMM. Peers meet over a TCP control connection. Plain
// libibverbs (rdma-core): the same code runs on soft-RoCE (rxe), irdma, bnxt_re and mlx5.
// Not thread-safe: one thread (the bulk lcore) owns an instance.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <tripath/bulk/transport.h>

namespace tripath::bulk {

struct VerbsConfig {
	std::string device;          // e.g. "rxe0", "irdma0", "mlx5_0"; empty: the first device
	uint8_t port = 1;
	int gid_index = -1;          // -1: the first RoCE v2 IPv4-mapped GID (see doc/rdma.md)
	uint32_t slot_count = 64;    // ring slots, the most batches in flight
	uint32_t slot_size = 256 << 10; // bytes per slot, a 16-byte header included
	uint32_t credit_threshold = 0; // slots freed before credit goes back; 0: slot_count / 4
	// RC timers (IB spec encodings): ACK timeout 4.096 us * 2^n, retries, RNR retries (7:
	// forever) and the RNR delay we ask of a sender when our receive queue is empty.
	uint8_t ack_timeout = 17;    // ~0.54 s: rxe under an emulated CPU answers slowly
	uint8_t retry_count = 7;
	uint8_t rnr_retry = 6;
	uint8_t min_rnr_timer = 28;  // 61.44 ms
};

class VerbsTransport final : public BulkTransport {
public:
	// Opens the device and allocates PD, CQ, QP and both registered buffers; no peer yet.
	static std::unique_ptr<VerbsTransport> open(const VerbsConfig &config, std::string &error);
	~VerbsTransport() override;
	VerbsTransport(const VerbsTransport &) = delete;
	VerbsTransport &operator=(const VerbsTransport &) = delete;

	// Either end may connect, the other accepts; after that both are alike.
	bool connect(const std::string &address, uint16_t port, int timeout_ms, std::string &error);
	bool accept(int listen_fd, int timeout_ms, std::string &error);
	// Tells the peer we are leaving (it sees peer_closed) and drops the connection.
	void close();

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

	// What was chosen, for logs and `show bulk`: "rxe0 port 1 gid 1 ::ffff:10.99.0.1 RoCEv2".
	std::string describe() const;
	// The last error's details (status text, vendor code), for logs.
	const std::string &last_error_detail() const;

	// Test hook: the next batch goes out with a wrong rkey, so the peer answers with a remote
	// access error. The next exchange restores the real key.
	void use_wrong_rkey_once();

	struct Resources;

private:
	explicit VerbsTransport(std::unique_ptr<Resources> resources);
	std::unique_ptr<Resources> r_;
};

} // namespace tripath::bulk
