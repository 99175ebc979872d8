// The rx loop: reclaim completions, refill, take a batch, answer each frame in umem, submit and
// kick tx. Fragment 0 of a reply is built in the request's own frame; further fragments get
// free frames. A frame goes back to the pool when tx completes it, or at once if unused.
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <random>
#include <sys/ioctl.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>

#include <tripath/agent/ip_fragment.h>
#include <tripath/agent/rpc_responder.h>
#include <tripath/agent/udp_frame.h>
#include <tripath/agent/xsk_service.h>

#include "socket_options.h"
#include "xsk_layout.h"
#include "xsk_port.h"
#include "xsk_program.h"

namespace tripath::agent {
namespace {

constexpr uint32_t kDefaultMtu = 1500;

uint32_t interface_mtu(const std::string &iface, std::vector<std::string> &warnings)
{
	ifreq req{};
	iface.copy(req.ifr_name, sizeof(req.ifr_name) - 1);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && ioctl(fd, SIOCGIFMTU, &req) == 0 && req.ifr_mtu >= 576;
	if (!ok)
		warnings.push_back("cannot read the MTU of " + iface + " (" + std::strerror(errno) + "); assuming " +
				   std::to_string(kDefaultMtu));
	if (fd >= 0)
		::close(fd);
	return ok ? uint32_t(req.ifr_mtu) : kDefaultMtu;
}

} // namespace

class XskService::Engine {
public:
	bool open(const XskServiceConfig &config, std::string &error);
	void run(const std::atomic<bool> &stop);
	void close();

	XskServiceConfig config;
	XskProgram program;
	XskPort port;
	AgentCounters counters;
	std::vector<std::string> warnings;

private:
	uint32_t mtu = 1500;                     // read at open: replies larger than this are IP-fragmented
	uint32_t next_fragment_id = 0;           // IP identification of fragmented replies
	std::vector<uint8_t> scratch = std::vector<uint8_t>(XskPort::kFrameSize); // a reply before fragmentation

	static constexpr uint32_t kRxBatch = 64;
	static constexpr int kPollMillis = 100;
	// Loop turns between reads of the kernel's drop counters.
	static constexpr uint32_t kStatsEvery = 4096;

	void answer(uint64_t addr, uint32_t len);
	// One reply datagram built in umem frame `out_addr` and queued; false (frame returned) if tx is full.
	bool send_frame(uint64_t out_addr, const uint8_t *headers, const RpcReply &reply, uint16_t index,
			const uint8_t *payload, const UdpFrame &layout);
	// The sealed datagram in `scratch`, as IP fragments that fit the MTU.
	bool send_ip_fragments(const UdpFrame &layout, size_t frame_len);
	void idle();
	void refresh_kernel_stats() { counters.rx_dropped.store(port.kernel_rx_dropped(), std::memory_order_relaxed); }
};

bool XskService::Engine::open(const XskServiceConfig &cfg, std::string &error)
{
	config = cfg;
	warnings.clear();
	if (config.port_lo == 0 || config.port_hi < config.port_lo) {
		error = "port range " + std::to_string(config.port_lo) + "-" + std::to_string(config.port_hi) +
			" is empty or starts at 0";
		return false;
	}
	if (config.queue >= TP_XSK_MAX_QUEUES) {
		error = "queue " + std::to_string(config.queue) + ": xsks_map has room for queues 0-" +
			std::to_string(TP_XSK_MAX_QUEUES - 1);
		return false;
	}
	int ifindex = int(if_nametoindex(config.iface.c_str()));
	if (ifindex == 0) {
		error = "no interface named '" + config.iface + "' in this network namespace";
		return false;
	}
	std::string path = config.program_path.empty() ? xsk_program_path() : config.program_path;
	// The port range is written before the socket is registered, so no frame is redirected
	// to a socket that is not there yet.
	if (!program.attach(path, config.iface, ifindex, warnings, error) ||
	    !program.set_ports(config.port_lo, config.port_hi, error) ||
	    !port.open(config.iface, config.queue, error) || !port.register_in(program.xsks_map_fd(), error)) {
		close();
		return false;
	}
	if (config.busy_poll)
		enable_busy_poll(port.fd(), "xsk socket", warnings);
	mtu = interface_mtu(config.iface, warnings);
	next_fragment_id = std::random_device{}();
	return true;
}

void XskService::Engine::close()
{
	if (port.fd() >= 0)
		refresh_kernel_stats();
	port.close();
	program.detach();
}

void XskService::Engine::run(const std::atomic<bool> &stop)
{
	for (uint32_t turn = 0; !stop.load(std::memory_order_relaxed); turn++) {
		if (turn % kStatsEvery == 0)
			refresh_kernel_stats();
		port.reclaim();
		port.refill();
		uint32_t idx;
		uint32_t n = xsk_ring_cons__peek(&port.rx(), kRxBatch, &idx);
		if (n == 0) {
			idle();
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			const xdp_desc *desc = xsk_ring_cons__rx_desc(&port.rx(), idx + i);
			answer(desc->addr, desc->len);
		}
		xsk_ring_cons__release(&port.rx(), n);
		port.flush_tx();
	}
	refresh_kernel_stats();
}

void XskService::Engine::idle()
{
	// Copy-mode tx moves a bounded batch per kick: keep kicking while anything is in flight.
	if (port.tx_in_flight()) {
		port.flush_tx();
		return;
	}
	if (config.spin) {
		if (config.busy_poll || port.fill_needs_wakeup())
			recvfrom(port.fd(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
		return;
	}
	pollfd p{port.fd(), POLLIN, 0};
	poll(&p, 1, kPollMillis);
}

void XskService::Engine::answer(uint64_t addr, uint32_t len)
{
	uint8_t *frame = port.data(addr);
	std::optional<UdpFrame> request = parse_udp_frame(frame, len);
	if (!request || request->dst_port < config.port_lo || request->dst_port > config.port_hi) {
		AgentCounters::add(counters.not_rpc);
		port.give_back(addr);
		return;
	}
	uint8_t *payload = frame + request->payload_offset;
	std::optional<RpcReply> reply = rpc_plan_reply(payload, request->payload_len);
	if (!reply) {
		AgentCounters::add(counters.malformed);
		port.give_back(addr);
		return;
	}
	AgentCounters::add(counters.requests);
	uint8_t headers[kMaxUdpHeaders];
	std::memcpy(headers, frame, request->payload_offset);
	reverse_udp_headers(headers, *request);

	bool request_frame_used = false;
	for (uint16_t i = 0; i < reply->fragments; i++) {
		size_t size = rpc_fragment_size(*reply, i);
		size_t frame_len = request->payload_offset + size;
		bool sent;
		if (ip_packet_len(*request, frame_len) > mtu) {
			std::memcpy(scratch.data(), headers, request->payload_offset);
			rpc_write_fragment(*reply, i, payload, scratch.data() + request->payload_offset);
			seal_udp_frame(scratch.data(), *request, uint16_t(size));
			sent = send_ip_fragments(*request, frame_len);
		} else {
			// The request's frame is free to reuse once its payload is no longer needed.
			bool in_place = i == 0 && frame_len <= XskPort::room(addr);
			sent = send_frame(in_place ? addr : port.take_frame(), headers, *reply, i, payload, *request);
			request_frame_used |= sent && in_place;
		}
		if (!sent) {
			AgentCounters::add(counters.tx_full, reply->fragments - i);
			break;
		}
		AgentCounters::add(counters.datagrams);
		AgentCounters::add(counters.bytes, size);
		if (i + 1 == reply->fragments)
			AgentCounters::add(counters.responses);
	}
	if (!request_frame_used)
		port.give_back(addr);
}

bool XskService::Engine::send_frame(uint64_t out_addr, const uint8_t *headers, const RpcReply &reply, uint16_t index,
				    const uint8_t *payload, const UdpFrame &layout)
{
	if (out_addr == XskPort::kNoFrame)
		return false;
	uint8_t *out = port.data(out_addr);
	std::memcpy(out, headers, layout.payload_offset);
	size_t size = rpc_write_fragment(reply, index, payload, out + layout.payload_offset);
	size_t frame_len = seal_udp_frame(out, layout, uint16_t(size));
	if (port.queue_tx(out_addr, uint32_t(frame_len)))
		return true;
	port.give_back(out_addr);
	return false;
}

bool XskService::Engine::send_ip_fragments(const UdpFrame &layout, size_t frame_len)
{
	uint32_t id = next_fragment_id++;
	unsigned count = ip_fragment_count(layout, frame_len, mtu);
	for (unsigned k = 0; k < count; k++) {
		uint64_t out_addr = port.take_frame();
		if (out_addr == XskPort::kNoFrame)
			return false;
		size_t len = write_ip_fragment(scratch.data(), layout, frame_len, mtu, id, k, port.data(out_addr));
		if (!port.queue_tx(out_addr, uint32_t(len))) {
			port.give_back(out_addr);
			return false;
		}
	}
	return true;
}

XskService::XskService() : engine_(std::make_unique<Engine>()) {}

XskService::~XskService()
{
	close();
}

bool XskService::open(const XskServiceConfig &config, std::string &error)
{
	engine_->close();
	return engine_->open(config, error);
}

void XskService::run(const std::atomic<bool> &stop)
{
	engine_->run(stop);
}

void XskService::close()
{
	engine_->close();
}

AgentStats XskService::stats() const
{
	return engine_->counters.snapshot();
}

const std::vector<std::string> &XskService::warnings() const
{
	return engine_->warnings;
}

const char *XskService::attach_mode() const
{
	return engine_->program.mode_name();
}

} // namespace tripath::agent
