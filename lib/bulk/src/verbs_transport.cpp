#include <tripath/bulk/verbs_transport.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <tripath/bulk/immediate.h>

#include "queue_pair.h"
#include "slot_header.h"
#include "verbs_resources.h"

namespace tripath::bulk {

namespace {

void *allocate_area(size_t bytes)
{
	void *p = nullptr;
	if (posix_memalign(&p, 4096, bytes) != 0)
		return nullptr;
	std::memset(p, 0, bytes); // touch every page before the NIC pins it
	return p;
}

bool valid_geometry(const VerbsConfig &c, std::string &error)
{
	if (c.slot_count == 0 || c.slot_count > kMaxSlotCount) {
		error = "slot_count must be 1.." + std::to_string(kMaxSlotCount);
		return false;
	}
	if (c.slot_size <= kSlotHeaderSize || c.slot_size % 64 != 0) {
		error = "slot_size must be a multiple of 64 above " + std::to_string(kSlotHeaderSize);
		return false;
	}
	return true;
}

} // namespace

VerbsTransport::Resources::~Resources()
{
	if (qp != nullptr)
		ibv_destroy_qp(qp);
	if (cq != nullptr)
		ibv_destroy_cq(cq);
	if (ring_mr != nullptr)
		ibv_dereg_mr(ring_mr);
	if (send_mr != nullptr)
		ibv_dereg_mr(send_mr);
	if (pd != nullptr)
		ibv_dealloc_pd(pd);
	if (port.context != nullptr)
		ibv_close_device(port.context);
	std::free(ring);
	std::free(send_area);
}

VerbsTransport::VerbsTransport(std::unique_ptr<Resources> resources) : r_(std::move(resources)) {}

VerbsTransport::~VerbsTransport() = default;

std::unique_ptr<VerbsTransport> VerbsTransport::open(const VerbsConfig &config, std::string &error)
{
	if (!valid_geometry(config, error))
		return nullptr;
	auto r = std::make_unique<Resources>(config);
	if (!open_verbs_port(config.device, config.port, config.gid_index, r->port, error))
		return nullptr;
	r->pd = ibv_alloc_pd(r->port.context);
	if (r->pd == nullptr) {
		error = std::string("ibv_alloc_pd: ") + std::strerror(errno);
		return nullptr;
	}
	r->area_bytes = size_t(config.slot_count) * config.slot_size;
	r->ring = static_cast<std::byte *>(allocate_area(r->area_bytes));
	r->send_area = static_cast<std::byte *>(allocate_area(r->area_bytes));
	if (r->ring == nullptr || r->send_area == nullptr) {
		error = "cannot allocate " + std::to_string(2 * r->area_bytes) + " bytes of slots";
		return nullptr;
	}
	r->ring_mr = ibv_reg_mr(r->pd, r->ring, r->area_bytes, IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE);
	// Send slots are only read by the NIC.
	r->send_mr = ibv_reg_mr(r->pd, r->send_area, r->area_bytes, 0);
	if (r->ring_mr == nullptr || r->send_mr == nullptr) {
		error = std::string("ibv_reg_mr: ") + std::strerror(errno) + " (ulimit -l?)";
		return nullptr;
	}
	// Batches in flight are bounded by credits, credit SENDs by kCreditSendsInFlight; the peer
	// can have a ring's worth of batches and of credit messages outstanding towards us.
	r->send_depth = config.slot_count + kCreditSendsInFlight;
	r->recv_depth = 2 * config.slot_count + kCreditSendsInFlight;
	r->cq = ibv_create_cq(r->port.context, int(r->send_depth + r->recv_depth), nullptr, nullptr, 0);
	if (r->cq == nullptr) {
		error = std::string("ibv_create_cq: ") + std::strerror(errno);
		return nullptr;
	}
	ibv_qp_init_attr init{};
	init.send_cq = r->cq;
	init.recv_cq = r->cq;
	init.qp_type = IBV_QPT_RC;
	init.sq_sig_all = 0;
	init.cap.max_send_wr = r->send_depth;
	init.cap.max_recv_wr = r->recv_depth;
	init.cap.max_send_sge = 1;
	init.cap.max_recv_sge = 1;
	r->qp = ibv_create_qp(r->pd, &init);
	if (r->qp == nullptr) {
		error = std::string("ibv_create_qp: ") + std::strerror(errno);
		return nullptr;
	}
	r->received_bytes.assign(config.slot_count, 0);
	return std::unique_ptr<VerbsTransport>(new VerbsTransport(std::move(r)));
}

std::string VerbsTransport::describe() const
{
	const VerbsPort &p = r_->port;
	return p.device_name + " port " + std::to_string(p.port) + " gid " + std::to_string(p.gid_index) + " " +
		format_gid(p.gid) + " " + p.gid_type + " qpn " + std::to_string(r_->qp->qp_num);
}

const std::string &VerbsTransport::last_error_detail() const { return r_->detail; }
void VerbsTransport::use_wrong_rkey_once() { r_->wrong_rkey_once = true; }
BulkState VerbsTransport::state() const { return r_->state; }
uint32_t VerbsTransport::slot_count() const { return r_->config.slot_count; }
uint32_t VerbsTransport::slot_payload() const { return r_->config.slot_size - kSlotHeaderSize; }
uint32_t VerbsTransport::credits() const { return r_->state == BulkState::connected ? r_->send.credits() : 0; }
uint64_t VerbsTransport::next_sequence() const { return r_->send.next_sequence(); }
BulkStats VerbsTransport::stats() const { return r_->stats; }

std::span<const std::byte> VerbsTransport::received(uint32_t slot) const
{
	if (slot >= r_->config.slot_count)
		return {};
	return {r_->ring_slot(slot) + kSlotHeaderSize, r_->received_bytes[slot]};
}

} // namespace tripath::bulk
