#include <algorithm>
#include <stdexcept>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include <tripath/pipeline/dataplane.h>
#include <tripath/pipeline/idle_backoff.h>
#include <tripath/pipeline/trace.h>

#include "kernel_handoff.h"

namespace tripath::pipeline {

namespace {

rte_ether_addr mac_of(uint16_t port_id)
{
	rte_ether_addr mac{};
	rte_eth_macaddr_get(port_id, &mac);
	return mac;
}

rte_ring *make_ring(const std::string &name, unsigned size, unsigned flags)
{
	rte_ring *r = rte_ring_create(name.c_str(), size, rte_socket_id(), flags | RING_F_EXACT_SZ);
	if (r == nullptr)
		throw std::runtime_error("cannot create ring " + name + ": " + rte_strerror(rte_errno));
	return r;
}

// The longest a worker holds a path A packet back to fill a burst (worker.cpp, hold_for_kernel).
constexpr uint64_t kKernelHoldUs = 20;

// A worker's flow samples waiting for the control lcore: at 1 in 64 of 15 Mpps, 17 ms of them.
constexpr unsigned kFlowSampleRing = 4096;

} // namespace

rte_ring *Dataplane::make_handoff(const char *name)
{
	rte_ring *r = make_handoff_ring(name, cfg_.paths.kernel.ring_size);
	if (r == nullptr)
		throw std::runtime_error(std::string("cannot create ring ") + name + ": " + rte_strerror(rte_errno));
	handoff_rings_.push_back(r);
	return r;
}

Dataplane::Dataplane(const config::Config &cfg, std::vector<PortInfo> ports) : cfg_(cfg), ports_(std::move(ports))
{
	// A throwing constructor runs no destructor: free what was built, so names can be reused.
	try {
		build();
	} catch (...) {
		release();
		throw;
	}
}

void Dataplane::build()
{
	counters_ = static_cast<LcoreCounters *>(
		rte_zmalloc("tripath_counters", sizeof(LcoreCounters) * RTE_MAX_LCORE, RTE_CACHE_LINE_SIZE));
	if (counters_ == nullptr)
		throw std::runtime_error("cannot allocate per-lcore counters");
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++)
		new (&counters_[i]) LcoreCounters();

	owned_rules_ = classify::RuleTable::build(cfg_);
	rules_.store(owned_rules_.get(), std::memory_order_release);

	exception_.tap_of_port.fill(kNoPort);
	exception_.return_of_tap.fill(nullptr);
	static unsigned built = 0; // a dataplane whose headers were still out keeps its pool and rings
	instance_ = std::to_string(built++);
	exception_.headers = make_header_pool(("tp_hdr_" + instance_).c_str(), kHeaders - 1, int(rte_socket_id()));
	if (exception_.headers == nullptr)
		throw std::runtime_error(std::string("cannot create path A's header pool: ") + rte_strerror(rte_errno));
	exception_.counters = &counters_[cfg_.eal.main_lcore];

	// Path A: a return ring per TAP, carrying the kernel's output to the wire port's worker.
	std::map<uint16_t, rte_ring *> return_of_wire;
	for (const config::KernelTap &kt : cfg_.paths.kernel.taps) {
		const PortInfo *wire = port_named(kt.wire), *tap = port_named(kt.tap);
		if (wire == nullptr || tap == nullptr)
			throw std::runtime_error(kt.loc.str() + ": kernel tap pair " + kt.wire + "/" + kt.tap + " has no port");
		// With path C the bulk lcore also sends on the wire: then the ring has two producers.
		unsigned producers = cfg_.paths.bulk.peers.empty() ? RING_F_SP_ENQ : 0;
		rte_ring *r = make_ring("tp_ret_" + kt.tap, cfg_.paths.kernel.ring_size, producers | RING_F_SC_DEQ);
		rings_.push_back(r);
		exception_.tap_of_port[wire->port_id] = tap->port_id;
		exception_.return_of_tap[tap->port_id] = r;
		exception_.taps.push_back(tap->port_id);
		return_of_wire[wire->port_id] = r;
	}

	size_t qsbr_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	qsbr = static_cast<rte_rcu_qsbr *>(rte_zmalloc("tripath_qsbr", qsbr_size, RTE_CACHE_LINE_SIZE));
	if (qsbr == nullptr || rte_rcu_qsbr_init(qsbr, RTE_MAX_LCORE) != 0)
		throw std::runtime_error("cannot set up the RCU QSBR variable");

	unsigned n_workers = 0;
	for (const config::LcoreConfig &lc : cfg_.lcores)
		n_workers += lc.role == config::LcoreRole::worker;
	owned_quotas_ = quota::QuotaTable::build(cfg_, n_workers);
	quotas_.store(owned_quotas_.get(), std::memory_order_release);

	for (const config::LcoreConfig &lc : cfg_.lcores) {
		if (lc.role != config::LcoreRole::worker)
			continue;
		auto w = std::make_unique<WorkerContext>();
		w->dp = this;
		w->slot = unsigned(workers_.size());
		w->lcore_id = lc.id;
		w->qsbr_id = lc.id;
		w->idle = lc.idle;
		try {
			w->flow_cache = std::make_unique<classify::FlowCache>(lc.flow_cache, int(rte_lcore_to_socket_id(lc.id)));
		} catch (const std::runtime_error &e) { // name the lcore whose flow_cache could not be had
			throw std::runtime_error(lc.loc.str() + ": lcore " + std::to_string(lc.id) + ": " + e.what());
		}
		w->counters = &counters_[lc.id];
		w->to_kernel = make_handoff(("tp_exc_" + std::to_string(lc.id)).c_str());
		// Every mbuf whose buffer can be out on loan: those in its ring, and one per header.
		w->give_back = make_ring("tp_gb_" + instance_ + "_" + std::to_string(lc.id), cfg_.paths.kernel.ring_size + kHeaders,
					 RING_F_SC_DEQ);
		give_back_rings_.push_back(w->give_back);
		std::string samples = "tp_fs_" + instance_ + "_" + std::to_string(lc.id);
		w->flow_samples = rte_ring_create_elem(samples.c_str(), sizeof(telemetry::FlowSample), kFlowSampleRing,
						       int(rte_lcore_to_socket_id(lc.id)), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->flow_samples == nullptr)
			throw std::runtime_error("cannot create ring " + samples + ": " + rte_strerror(rte_errno));
		sample_rings_.push_back(w->flow_samples);
		w->kernel_hold_max = rte_get_tsc_hz() / 1000000 * kKernelHoldUs;
		exception_.from_workers.push_back(w->to_kernel);
		exception_.give_back.push_back(w->give_back);
		for (const config::PollEntry &pe : lc.poll) {
			const PortInfo *p = port_named(pe.port);
			if (p == nullptr)
				throw std::runtime_error(pe.loc.str() + ": port " + pe.port + " was not started");
			PollQueue pq;
			pq.port_id = p->port_id;
			pq.queue = pe.queue;
			pq.tap_port = exception_.tap_of_port[p->port_id];
			pq.next_hop = &next_hops_[p->port_id];
			set_endpoint_poll(pq, lc);
			w->polls.push_back(pq);
			auto ret = return_of_wire.find(p->port_id);
			if (pe.queue == 0 && ret != return_of_wire.end())
				w->drains.push_back({ret->second, p->port_id, 0});
		}
		if (!cfg_.paths.bulk.peers.empty()) {
			w->to_bulk = make_ring("tp_bulk_" + std::to_string(lc.id), cfg_.paths.bulk.ring_size, RING_F_SP_ENQ | RING_F_SC_DEQ);
			rings_.push_back(w->to_bulk);
			bulk_wiring_.from_workers.push_back(w->to_bulk);
		}
		w->poll_stages.resize(w->polls.size());
		workers_.push_back(std::move(w));
	}
	build_endpoints();
	build_bulk(return_of_wire);
}

// Path C's rings and wiring; the BulkPath itself comes with enable_bulk().
void Dataplane::build_bulk(const std::map<uint16_t, rte_ring *> &return_of_wire)
{
	const config::BulkPathConfig &b = cfg_.paths.bulk;
	if (b.peers.empty())
		return;
	for (const config::LcoreConfig &lc : cfg_.lcores)
		if (lc.role == config::LcoreRole::bulk)
			bulk_lcore_ = lc.id;
	BulkWiring &bw = bulk_wiring_;
	bw.to_kernel = make_handoff("tp_exc_bulk");
	exception_.from_workers.push_back(bw.to_kernel);
	exception_.give_back.push_back(nullptr); // the bulk lcore has no give-back ring: it never lends
	bw.tap_of_port.assign(exception_.tap_of_port.begin(), exception_.tap_of_port.end());
	bw.return_of_port.assign(RTE_MAX_ETHPORTS, nullptr);
	for (const auto &[port, ring] : return_of_wire)
		bw.return_of_port[port] = ring;
	for (const config::BulkPeerConfig &peer : b.peers) {
		const PortInfo *wire = peer.wire.empty() ? nullptr : port_named(peer.wire);
		if (!peer.wire.empty() && (wire == nullptr || bw.return_of_port[wire->port_id] == nullptr))
			throw std::runtime_error(peer.loc.str() + ": bulk peer " + peer.name + ": wire " + peer.wire + " has no kernel tap pair");
		bw.peer_wire.push_back(wire ? wire->port_id : kNoPort);   // kNoPort: its packets are counted no_kernel_tap
	}
	bw.counters = &counters_[bulk_lcore_ != kNoLcore ? bulk_lcore_ : cfg_.eal.main_lcore];
}

void Dataplane::enable_bulk(rte_mempool *pool, std::unique_ptr<BulkConnector> connector)
{
	if (cfg_.paths.bulk.peers.empty() || bulk_)
		return;
	bulk_ = std::make_unique<BulkPath>(*this, bulk_wiring_, std::move(connector), pool);
	for (auto &w : workers_)
		for (size_t i = 0; i < bulk_->peer_count(); i++)
			w->bulk_peers.push_back(bulk_->peer_stats(i));
	if (bulk_lcore_ == kNoLcore)
		bulk_->attach_thread(rte_lcore_id()); // the control lcore polls it
}

void Dataplane::set_endpoint_down(size_t index, bool down)
{
	if (endpoint_down_ && index < cfg_.paths.fast_endpoints.size())
		endpoint_down_[index].store(down, std::memory_order_relaxed);
}

// Path B targets and counters: every worker may send to every endpoint, on its own tx queue.
void Dataplane::build_endpoints()
{
	const auto &eps = cfg_.paths.fast_endpoints;
	if (eps.empty())
		return;
	std::vector<EndpointTarget> targets;
	endpoint_down_ = std::make_unique<std::atomic<bool>[]>(eps.size());
	for (const config::FastEndpointConfig &ep : eps) {
		const PortInfo *p = port_named(ep.port);
		if (p == nullptr)
			throw std::runtime_error(ep.loc.str() + ": endpoint " + ep.name + ": port " + ep.port + " was not started");
		EndpointTarget t;
		t.port_id = p->port_id;
		t.down = &endpoint_down_[targets.size()];
		t.src = mac_of(p->port_id);
		if (ep.mac) {
			std::copy(ep.mac->begin(), ep.mac->end(), t.dst.addr_bytes);
			t.set_dst = true;
		}
		targets.push_back(t);
	}
	size_t slots = workers_.size() * eps.size();
	endpoint_counters_ = static_cast<EndpointCounters *>(
		rte_zmalloc("tripath_endpoint_counters", sizeof(EndpointCounters) * slots, RTE_CACHE_LINE_SIZE));
	if (endpoint_counters_ == nullptr)
		throw std::runtime_error("cannot allocate path B counters for " + std::to_string(eps.size()) + " endpoints");
	for (size_t i = 0; i < slots; i++)
		new (&endpoint_counters_[i]) EndpointCounters();
	// Only workers polling a wire send to endpoints: they number the endpoints' tx queues.
	uint16_t sender = 0;
	for (auto &w : workers_) {
		w->endpoints = targets;
		w->endpoint_counters = &endpoint_counters_[w->slot * eps.size()];
		bool polls_wire = std::any_of(w->polls.begin(), w->polls.end(), [](const PollQueue &pq) { return pq.endpoint == UINT16_MAX; });
		w->endpoint_queue = polls_wire ? sender++ : 0;
	}
}

// A polled endpoint port carries answers: they leave on the endpoint's wire, on the queue this
// lcore polls there (the config makes sure it polls one), from the host's MAC on that wire.
void Dataplane::set_endpoint_poll(PollQueue &pq, const config::LcoreConfig &lc)
{
	const auto &eps = cfg_.paths.fast_endpoints;
	for (size_t i = 0; i < eps.size(); i++) {
		const PortInfo *p = port_named(eps[i].port), *wire = port_named(eps[i].wire);
		if (p == nullptr || p->port_id != pq.port_id)
			continue;
		if (wire == nullptr)
			throw std::runtime_error(eps[i].loc.str() + ": endpoint " + eps[i].name + ": wire " + eps[i].wire + " was not started");
		auto on_wire = std::find_if(lc.poll.begin(), lc.poll.end(), [&](const config::PollEntry &e) { return e.port == eps[i].wire; });
		if (on_wire == lc.poll.end())
			throw std::runtime_error(eps[i].loc.str() + ": endpoint " + eps[i].name + ": lcore " + std::to_string(lc.id) +
						 " polls it but no queue of " + eps[i].wire);
		pq.endpoint = uint16_t(i);
		pq.answer_port = wire->port_id;
		pq.answer_queue = on_wire->queue;
		uint16_t tap = exception_.tap_of_port[wire->port_id];
		pq.answer_src = mac_of(tap != kNoPort ? tap : wire->port_id);
		pq.next_hop = &next_hops_[wire->port_id];
		pq.tap_port = kNoPort;
	}
}

EndpointCounters Dataplane::endpoint_totals(size_t endpoint) const
{
	EndpointCounters sum;
	size_t n = cfg_.paths.fast_endpoints.size();
	if (endpoint_counters_ == nullptr || endpoint >= n)
		return sum;
	for (size_t w = 0; w < workers_.size(); w++) {
		const EndpointCounters &one = endpoint_counters_[w * n + endpoint];
		sum.to_agent_packets += read_counter(one.to_agent_packets);
		sum.to_agent_bytes += read_counter(one.to_agent_bytes);
		sum.to_agent_bursts += read_counter(one.to_agent_bursts);
		sum.answer_packets += read_counter(one.answer_packets);
		sum.answer_bytes += read_counter(one.answer_bytes);
		for (unsigned b = 0; b < kLatencyBuckets; b++) {
			sum.to_agent_cycles[b] += read_counter(one.to_agent_cycles[b]);
			sum.answer_cycles[b] += read_counter(one.answer_cycles[b]);
		}
	}
	return sum;
}

std::optional<rte_ether_addr> Dataplane::next_hop(uint16_t wire_port) const
{
	uint64_t v = next_hops_[wire_port].load(std::memory_order_relaxed);
	if (v == 0)
		return std::nullopt;
	rte_ether_addr mac;
	for (int i = 0; i < 6; i++)
		mac.addr_bytes[i] = uint8_t(v >> (8 * (5 - i)));
	return mac;
}

Dataplane::~Dataplane()
{
	stop();
	release();
}

Trace &Dataplane::tracer()
{
	if (!tracer_)
		tracer_ = std::make_unique<Trace>(*this);
	return *tracer_;
}

void Dataplane::release()
{
	// Workers are stopped (offline): nothing can still read a retired table or the trace.
	tracer_.reset();
	retired_.clear();
	if (bulk_) {
		bulk_->detach_thread();
		bulk_.reset();
	}
	release_handoff();
	for (rte_ring *r : rings_) {
		if (counters_ != nullptr)
			free_ring_contents(r);
		rte_ring_free(r);
	}
	rings_.clear();
	for (rte_ring *r : sample_rings_)
		rte_ring_free(r); // plain data: nothing to free in them
	sample_rings_.clear();
	rte_free(qsbr);
	qsbr = nullptr;
	rte_free(counters_);
	counters_ = nullptr;
	rte_free(endpoint_counters_);
	endpoint_counters_ = nullptr;
}

const PortInfo *Dataplane::port_named(const std::string &name) const
{
	for (const PortInfo &p : ports_)
		if (p.name == name)
			return &p;
	return nullptr;
}

bool Dataplane::start(std::string &error)
{
	running_.store(true, std::memory_order_release);
	for (auto &w : workers_) {
		int rc = rte_eal_remote_launch(worker_main, w.get(), w->lcore_id);
		if (rc != 0) {
			error = "cannot launch worker on lcore " + std::to_string(w->lcore_id) + ": " + rte_strerror(-rc);
			stop();
			return false;
		}
	}
	if (bulk_ && bulk_lcore_ != kNoLcore) {
		int rc = rte_eal_remote_launch(bulk_main, this, bulk_lcore_);
		if (rc != 0) {
			error = "cannot launch the bulk lcore " + std::to_string(bulk_lcore_) + ": " + rte_strerror(-rc);
			stop();
			return false;
		}
	}
	return true;
}

int bulk_main(void *arg)
{
	Dataplane &dp = *static_cast<Dataplane *>(arg);
	BulkPath &b = *dp.bulk();
	config::IdleBackoff idle;
	for (const config::LcoreConfig &lc : dp.config().lcores)
		if (lc.id == rte_lcore_id())
			idle = lc.idle;
	IdleBackoff backoff(idle);
	LcoreCounters &c = const_cast<LcoreCounters &>(dp.lcore_counters(rte_lcore_id()));
	b.attach_thread(rte_lcore_id());
	while (dp.running()) {
		uint64_t start = rte_rdtsc();
		bump(c.loops);
		if (b.poll()) {
			bump(c.busy_loops);
			bump(c.busy_cycles, rte_rdtsc() - start);
			backoff.reset();
		} else if (backoff.idle()) {
			bump(c.idle_sleeps);
		}
	}
	b.detach_thread();
	return 0;
}

void Dataplane::stop()
{
	if (!running_.exchange(false))
		return;
	for (auto &w : workers_)
		rte_eal_wait_lcore(w->lcore_id);
	if (bulk_ && bulk_lcore_ != kNoLcore)
		rte_eal_wait_lcore(bulk_lcore_);
	if (bulk_)
		bulk_->shutdown();
	for (rte_ring *r : handoff_rings_)
		free_handoff_contents(r);
	for (rte_ring *r : give_back_rings_)
		free_all_given_back(r);
	for (rte_ring *r : rings_)
		free_ring_contents(r);
}

void Dataplane::release_handoff()
{
	for (rte_ring *r : handoff_rings_) {
		if (counters_ != nullptr)
			free_handoff_contents(r);
		rte_ring_free(r);
	}
	handoff_rings_.clear();
	// A header still out (a ring port's consumer holds it) will give its mbuf back when freed:
	// then its ring and pool must outlive us.
	if (exception_.headers != nullptr && rte_mempool_in_use_count(exception_.headers) != 0) {
		RTE_LOG(WARNING, USER1, "path A: %u headers still out at teardown; their pool and rings are kept\n",
			rte_mempool_in_use_count(exception_.headers));
		give_back_rings_.clear();
		exception_.headers = nullptr;
		return;
	}
	for (rte_ring *r : give_back_rings_) {
		free_all_given_back(r);
		rte_ring_free(r);
	}
	give_back_rings_.clear();
	rte_mempool_free(exception_.headers);
	exception_.headers = nullptr;
}

void Dataplane::free_handoff_contents(rte_ring *ring)
{
	KernelHandoff h[kBurst];
	unsigned n;
	LcoreCounters &c = *exception_.counters;
	while ((n = rte_ring_sc_dequeue_burst_elem(ring, h, sizeof(KernelHandoff), kBurst, nullptr)) > 0) {
		bump(c.drops[unsigned(DropReason::shutdown)], n);
		for (unsigned i = 0; i < n; i++)
			rte_pktmbuf_free(handoff_owner(h[i]));
	}
}

void Dataplane::free_ring_contents(rte_ring *ring)
{
	void *objs[kBurst];
	unsigned n;
	LcoreCounters &c = *exception_.counters;
	while ((n = rte_ring_sc_dequeue_burst(ring, objs, kBurst, nullptr)) > 0) {
		bump(c.drops[unsigned(DropReason::shutdown)], n);
		rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf **>(objs), n);
	}
}

unsigned Dataplane::poll_exception()
{
	ExceptionContext &x = exception_;
	LcoreCounters &c = *x.counters;
	unsigned moved = 0;
	rte_mbuf *pkts[kBurst];
	uint64_t t0 = rte_rdtsc();

	// Worker -> TAP. Runs of packets for the same TAP go out in one burst.
	for (size_t r = 0; r < x.from_workers.size(); r++) {
		KernelHandoff h[kBurst];
		uint16_t tap_of[kBurst];
		unsigned n = rte_ring_sc_dequeue_burst_elem(x.from_workers[r], h, sizeof(KernelHandoff), kBurst, nullptr);
		moved += n;
		for (unsigned i = 0; i < n; i++) {
			uint16_t port;
			pkts[i] = take_handoff(h[i], x.headers, x.give_back[r], port);
			tap_of[i] = x.tap_of_port[port];
		}
		for (unsigned start = 0; start < n;) {
			uint16_t tap = tap_of[start];
			unsigned end = start + 1;
			while (end < n && tap_of[end] == tap)
				end++;
			unsigned sent = rte_eth_tx_burst(tap, 0, pkts + start, end - start);
			bump(c.tap_tx_packets, sent);
			if (sent < end - start) {
				bump(c.drops[unsigned(DropReason::tap_tx_full)], end - start - sent);
				rte_pktmbuf_free_bulk(pkts + start + sent, end - start - sent);
			}
			start = end;
		}
	}
	uint64_t now = stage_call(c.stages[unsigned(Stage::tap_tx)], t0, rte_rdtsc(), moved);

	// TAP -> wire: the kernel's output goes back through the wire port's worker.
	unsigned from_taps = 0;
	for (uint16_t tap : x.taps) {
		unsigned n = rte_eth_rx_burst(tap, 0, pkts, kBurst);
		if (n == 0)
			continue;
		from_taps += n;
		bump(c.tap_rx_packets, n);
		rte_ring *ring = x.return_of_tap[tap];
		unsigned queued = rte_ring_enqueue_burst(ring, reinterpret_cast<void **>(pkts), n, nullptr); // MP with path C
		if (queued < n) {
			bump(c.drops[unsigned(DropReason::return_ring_full)], n - queued);
			rte_pktmbuf_free_bulk(pkts + queued, n - queued);
		}
	}
	stage_call(c.stages[unsigned(Stage::tap_rx)], now, rte_rdtsc(), from_taps);
	return moved + from_taps;
}

// Call after the new table is stored: a worker that reports past this token no longer holds
// the old one.
void Dataplane::retire(std::shared_ptr<const void> table)
{
	retired_.push_back({rte_rcu_qsbr_start(qsbr), std::move(table)});
	reclaim_retired();
}

void Dataplane::publish_rules(std::unique_ptr<classify::RuleTable> next, std::vector<config::RuleConfig> rules)
{
	rules_.store(next.get(), std::memory_order_release);
	std::shared_ptr<const classify::RuleTable> old = std::move(owned_rules_);
	owned_rules_ = std::move(next);
	cfg_.rules = std::move(rules);
	generation_++;
	retire(std::move(old));
}

void Dataplane::publish_quotas(std::unique_ptr<quota::QuotaTable> next, std::vector<config::TenantConfig> tenants)
{
	quotas_.store(next.get(), std::memory_order_release);
	std::shared_ptr<const quota::QuotaTable> old = std::move(owned_quotas_);
	owned_quotas_ = std::move(next);
	cfg_.tenants = std::move(tenants);
	retire(std::move(old));
}

size_t Dataplane::reclaim_retired()
{
	while (!retired_.empty() && rte_rcu_qsbr_check(qsbr, retired_.front().token, false) == 1)
		retired_.pop_front();
	return retired_.size();
}

LcoreCounters Dataplane::totals() const
{
	LcoreCounters sum;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++)
		accumulate(sum, counters_[i]);
	return sum;
}

} // namespace tripath::pipeline
