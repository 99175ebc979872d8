#include <tripath/telemetry/flow_sketch.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace tripath::telemetry {

namespace {

uint64_t mix(uint64_t x)
{
	// splitmix64's finalizer: every input bit reaches every output bit.
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	std::memcpy(&v, p, 8);
	return v;
}

// Row r's column: the two halves of one 64-bit hash combined (Kirsch-Mitzenmacher).
uint32_t column(uint64_t hash, uint32_t row, uint32_t width)
{
	uint32_t h1 = uint32_t(hash), h2 = uint32_t(hash >> 32) | 1;
	return (h1 + row * h2) & (width - 1);
}

bool heavier(const FlowEstimate &a, const FlowEstimate &b, uint64_t ha, uint64_t hb)
{
	return a.ranked != b.ranked ? a.ranked > b.ranked : ha < hb;
}

} // namespace

uint64_t flow_hash(const FlowId &f)
{
	uint64_t h = mix(uint64_t(f.family) << 56 | uint64_t(f.proto) << 32 | uint64_t(f.src_port) << 16 | f.dst_port);
	for (size_t i = 0; i < 16; i += 8) {
		h = mix(h ^ load64(f.src.data() + i));
		h = mix(h ^ load64(f.dst.data() + i));
	}
	return h;
}

FlowWindow::FlowWindow(const SketchShape &shape)
	: shape_(shape), cm_bytes_(size_t(shape.width) * shape.depth), cm_packets_(cm_bytes_.size())
{
	top_bytes_.reserve(shape.top_k);
	top_packets_.reserve(shape.top_k);
}

void FlowWindow::count(std::vector<uint64_t> &cm, uint64_t hash, uint64_t weight)
{
	for (uint32_t r = 0; r < shape_.depth; r++)
		cm[size_t(r) * shape_.width + column(hash, r, shape_.width)] += weight;
}

uint64_t FlowWindow::estimate(const std::vector<uint64_t> &cm, uint64_t hash) const
{
	uint64_t best = UINT64_MAX;
	for (uint32_t r = 0; r < shape_.depth; r++)
		best = std::min(best, cm[size_t(r) * shape_.width + column(hash, r, shape_.width)]);
	return best;
}

// Space-saving: a new flow takes the smallest slot's count as its error.
void FlowWindow::rank(std::vector<Slot> &table, uint32_t k, const FlowId &flow, uint64_t hash, uint64_t weight)
{
	Slot *min = nullptr;
	for (auto &s : table) {
		if (s.hash == hash && s.flow == flow) {
			s.count += weight;
			return;
		}
		if (!min || s.count < min->count)
			min = &s;
	}
	if (table.size() < k) {
		table.push_back({flow, hash, weight, 0}); // within the reserve: no allocation
		return;
	}
	*min = {flow, hash, min->count + weight, min->count};
}

void FlowWindow::add(const FlowId &flow, uint64_t hash, uint32_t bytes)
{
	count(cm_bytes_, hash, bytes);
	count(cm_packets_, hash, 1);
	rank(top_bytes_, shape_.top_k, flow, hash, bytes);
	rank(top_packets_, shape_.top_k, flow, hash, 1);
	total_bytes_ += bytes;
	total_packets_++;
}

void FlowWindow::clear()
{
	std::ranges::fill(cm_bytes_, 0);
	std::ranges::fill(cm_packets_, 0);
	top_bytes_.clear();
	top_packets_.clear();
	total_bytes_ = total_packets_ = 0;
}

uint64_t FlowWindow::estimate_bytes(const FlowId &flow) const { return estimate(cm_bytes_, flow_hash(flow)); }
uint64_t FlowWindow::estimate_packets(const FlowId &flow) const { return estimate(cm_packets_, flow_hash(flow)); }

std::vector<FlowEstimate> FlowWindow::top(const std::vector<Slot> &table) const
{
	std::vector<std::pair<FlowEstimate, uint64_t>> rows;
	for (const auto &s : table)
		rows.push_back({{s.flow, estimate(cm_bytes_, s.hash), estimate(cm_packets_, s.hash), s.count, s.error}, s.hash});
	std::ranges::sort(rows, [](const auto &a, const auto &b) { return heavier(a.first, b.first, a.second, b.second); });
	std::vector<FlowEstimate> out;
	for (auto &r : rows)
		out.push_back(r.first);
	return out;
}

std::vector<FlowEstimate> FlowWindow::top_by_bytes() const { return top(top_bytes_); }
std::vector<FlowEstimate> FlowWindow::top_by_packets() const { return top(top_packets_); }

PathSketches::PathSketches(const SketchShape &shape) : open_(kPaths, FlowWindow(shape)), closed_(kPaths, FlowWindow(shape)) {}

void PathSketches::add(const FlowSample &sample)
{
	if (sample.path < kPaths)
		open_[sample.path].add(sample.flow, flow_hash(sample.flow), sample.bytes);
}

void PathSketches::close()
{
	for (unsigned p = 0; p < kPaths; p++) {
		std::swap(open_[p], closed_[p]); // vectors move: no copy of the counters
		open_[p].clear();
	}
	closed_once_ = true;
}

std::vector<FlowEstimate> merge_windows(std::span<const FlowWindow *const> windows)
{
	std::map<uint64_t, FlowEstimate> by_hash; // ordered: the result is deterministic
	for (const FlowWindow *w : windows) {
		for (auto top : {w->top_by_bytes(), w->top_by_packets()})
			for (const auto &e : top)
				by_hash.try_emplace(flow_hash(e.flow), FlowEstimate{e.flow});
	}
	std::vector<FlowEstimate> out;
	for (auto &[hash, e] : by_hash) {
		for (const FlowWindow *w : windows) {
			e.bytes += w->estimate_bytes(e.flow);
			e.packets += w->estimate_packets(e.flow);
		}
		e.ranked = e.bytes;
		out.push_back(e);
	}
	std::ranges::stable_sort(out, [](const auto &a, const auto &b) { return a.bytes > b.bytes; });
	return out;
}

} // namespace tripath::telemetry
