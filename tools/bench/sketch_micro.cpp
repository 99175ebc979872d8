// What counting the workers' flow samples costs the control lcore: TSC cycles per
// PathSketches::add with the daemon's shape (depth 4, width 1024, top-k 32) over a skewed stream
// of N flows, with the windows cold or warm in the cache. Per worker packet, at one sample in
// 64: add / 64. Usage: tripath-sketch-micro [flows] [samples] [--pollute-kb K]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <x86intrin.h>

#include <tripath/telemetry/flow_sketch.h>

using tripath::telemetry::FlowId;
using tripath::telemetry::FlowSample;

int main(int argc, char **argv)
{
	unsigned flows = argc > 1 ? unsigned(std::atoi(argv[1])) : 10000;
	unsigned samples = argc > 2 ? unsigned(std::atoi(argv[2])) : 200000;
	size_t pollute_kb = argc > 4 && std::strcmp(argv[3], "--pollute-kb") == 0 ? size_t(std::atoi(argv[4])) : 0;
	std::vector<FlowSample> ids(flows);
	for (unsigned i = 0; i < flows; i++) {
		FlowId &f = ids[i].flow;
		f.proto = 17;
		f.src_port = uint16_t(40000 + i % 20000);
		f.dst_port = 7000;
		std::memcpy(f.src.data(), &i, sizeof(i));
		f.dst[0] = 10;
		ids[i].path = uint8_t(i % 3);
	}
	std::mt19937_64 rng(1);
	std::geometric_distribution<unsigned> skew(0.01); // a few hot flows, a long tail
	std::vector<unsigned> stream(samples);
	for (unsigned &s : stream)
		s = skew(rng) % flows;
	tripath::telemetry::PathSketches sketch({1024, 4, 32});
	std::vector<char> junk(pollute_kb * 1024 + 1);
	uint64_t cycles = 0;
	for (unsigned i = 0; i < samples; i++) {
		if (pollute_kb && i % 64 == 0)
			std::memset(junk.data(), int(i), junk.size()); // a worker's 63 other packets in between
		uint64_t t0 = __rdtsc();
		FlowSample s = ids[stream[i]];
		s.bytes = 64 + i % 1400;
		sketch.add(s);
		cycles += __rdtsc() - t0;
	}
	std::printf("{\"flows\":%u,\"samples\":%u,\"pollute_kb\":%zu,\"cycles_per_add\":%.1f,\"control_cycles_per_worker_packet_at_1_in_64\":%.2f}\n",
		    flows, samples, pollute_kb, double(cycles) / samples, double(cycles) / samples / 64);
	return 0;
}
