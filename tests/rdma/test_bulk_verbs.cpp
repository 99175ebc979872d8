// Path C's transport over real verbs: run inside the soft-RoCE VM (tests/rdma/run_in_vm.sh) or
// on two hosts with RDMA NICs (doc/rdma.md). Each scenario forks a receiver process; the two
// meet over TCP on loopback and move pattern bytes through two RC QPs on the same device.
//   test_bulk_verbs [--device D] [--gid N] [--bytes N] [SCENARIO...]
//   test_bulk_verbs [--device D] [--gid N] [--bytes N] --listen ADDR:PORT | --connect ADDR:PORT
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <tripath/bulk/control_socket.h>
#include <tripath/bulk/verbs_transport.h>

#include "stream_endpoints.h"

using namespace tripath::bulk;
using namespace tripath::bulk::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kConnectTimeoutMs = 30000;
constexpr unsigned kScenarioAlarmSeconds = 150; // a hung endpoint fails the run instead of stalling it

struct Options {
	std::string device;
	int gid_index = -1;
	uint64_t bytes = 64ull << 20; // what issue 5 asks to cross, every byte compared
	std::string listen, connect;
	std::vector<std::string> scenarios;
};

const StreamPattern &pattern()
{
	static const StreamPattern p;
	return p;
}

VerbsConfig config_for(const Options &o, uint32_t slot_count, uint32_t slot_size)
{
	VerbsConfig c;
	c.device = o.device;
	c.gid_index = o.gid_index;
	c.slot_count = slot_count;
	c.slot_size = slot_size;
	return c;
}

ReceiverOptions receiver_options(uint64_t total_bytes, uint32_t hold_slots)
{
	ReceiverOptions ro;
	ro.total_bytes = total_bytes;
	ro.hold_slots = hold_slots;
	return ro;
}

SenderOptions sender_options(uint64_t total_bytes)
{
	SenderOptions so;
	so.total_bytes = total_bytes;
	return so;
}

std::string errors_text(const std::vector<BulkError> &errors)
{
	std::string text;
	for (BulkError e : errors)
		text += std::string(text.empty() ? "" : ",") + to_string(e);
	return text.empty() ? "none" : text;
}

bool contains(const std::vector<BulkError> &errors, BulkError e)
{
	return std::find(errors.begin(), errors.end(), e) != errors.end();
}

std::unique_ptr<VerbsTransport> open_or_die(const VerbsConfig &config, const char *who)
{
	std::string error;
	auto t = VerbsTransport::open(config, error);
	if (!t) {
		std::fprintf(stderr, "%s: %s\n", who, error.c_str());
		std::_Exit(2);
	}
	return t;
}

// The receiver runs in a child process; it returns its exit code.
using ReceiverBody = std::function<int(VerbsTransport &)>;
using SenderBody = std::function<bool(VerbsTransport &, pid_t receiver, std::string &why)>;

// Forks the receiver, connects the sender, returns whether both ends agree the scenario passed.
bool run_pair(const VerbsConfig &config, const ReceiverBody &receiver, const SenderBody &sender,
	bool receiver_may_die, std::string &why)
{
	std::string error;
	int listen_fd = listen_tcp("127.0.0.1", 0, error);
	if (listen_fd < 0) {
		why = error;
		return false;
	}
	uint16_t port = local_port(listen_fd);
	std::fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		alarm(kScenarioAlarmSeconds);
		auto t = open_or_die(config, "receiver");
		if (!t->accept(listen_fd, kConnectTimeoutMs, error)) {
			std::fprintf(stderr, "receiver: accept: %s\n", error.c_str());
			std::_Exit(2);
		}
		::close(listen_fd);
		std::fflush(stdout);
		std::_Exit(receiver(*t));
	}
	::close(listen_fd);
	alarm(kScenarioAlarmSeconds);
	bool ok = false;
	{
		auto t = open_or_die(config, "sender");
		if (!t->connect("127.0.0.1", port, kConnectTimeoutMs, error))
			why = "connect: " + error;
		else
			ok = sender(*t, child, why);
		t->close();
	}
	int status = 0;
	waitpid(child, &status, 0);
	alarm(0);
	if (ok && !receiver_may_die && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		why = "receiver failed (status " + std::to_string(status) + ")";
		ok = false;
	}
	return ok;
}

int print_receiver(const char *scenario, const ReceiverResult &r, bool ok)
{
	std::printf("  receiver[%s]: %s, %.1f MiB verified in %llu batches, errors %s%s%s\n", scenario,
		ok ? "ok" : "FAILED", double(r.bytes_verified) / (1 << 20), (unsigned long long)r.batches,
		errors_text(r.errors).c_str(), r.failure.empty() ? "" : ": ", r.failure.c_str());
	return ok ? 0 : 1;
}

void print_sender(const char *scenario, const SenderResult &s, const BulkStats &stats)
{
	std::printf("  sender[%s]: %.1f MiB posted in %llu batches, %.2f s (%.1f MB/s), credit stalls %llu, min credits %u, "
		"credit msgs from us %llu, reconnects %llu, errors %s%s%s\n",
		scenario, double(s.bytes_posted) / (1 << 20), (unsigned long long)s.batches_posted, s.seconds,
		s.seconds > 0 ? double(s.bytes_posted) / s.seconds / 1e6 : 0.0, (unsigned long long)s.credit_stalls,
		s.min_credits_seen, (unsigned long long)stats.credit_messages_sent, (unsigned long long)stats.reconnects,
		errors_text(s.errors).c_str(), s.failure.empty() ? "" : ": ", s.failure.c_str());
}

// Moves the bytes with a receiver that keeps a few slots held, every byte compared.
bool scenario_transfer(const Options &o, std::string &why)
{
	VerbsConfig config = config_for(o, 16, 64 << 10);
	auto receiver = [&](VerbsTransport &t) {
		ReceiverOptions ro = receiver_options(o.bytes, 4);
		ReceiverResult r = receive_stream(t, pattern(), ro);
		return print_receiver("transfer", r, r.completed && r.bytes_verified == o.bytes && r.errors.size() == 1);
	};
	auto sender = [&](VerbsTransport &t, pid_t, std::string &w) {
		std::printf("  endpoint: %s\n", t.describe().c_str());
		SenderResult s = send_stream(t, pattern(), sender_options(o.bytes));
		print_sender("transfer", s, t.stats());
		if (!s.completed || !s.errors.empty())
			w = "sender: " + (s.failure.empty() ? "errors " + errors_text(s.errors) : s.failure);
		return s.completed && s.errors.empty();
	};
	return run_pair(config, receiver, sender, false, why);
}

// The receiver holds every slot for a second: the sender must run out of credit and wait.
bool scenario_credits(const Options &o, std::string &why)
{
	VerbsConfig config = config_for(o, 8, 16 << 10);
	const uint64_t bytes = 1 << 20;
	auto receiver = [&](VerbsTransport &t) {
		ReceiverOptions ro = receiver_options(bytes, 0);
		ro.hold_all_at_start = std::chrono::milliseconds(1000);
		ReceiverResult r = receive_stream(t, pattern(), ro);
		return print_receiver("credits", r, r.completed && r.ring_full_held);
	};
	auto sender = [&](VerbsTransport &t, pid_t, std::string &w) {
		SenderResult s = send_stream(t, pattern(), sender_options(bytes));
		print_sender("credits", s, t.stats());
		bool ok = s.completed && s.min_credits_seen == 0 && s.credit_stalls > 0;
		if (!ok)
			w = "sender never ran out of credit, or did not finish: " + s.failure;
		return ok;
	};
	return run_pair(config, receiver, sender, false, why);
}

// One batch goes out with a wrong rkey: a remote access error, a reconnect, no byte lost.
bool scenario_wrong_rkey(const Options &o, std::string &why)
{
	VerbsConfig config = config_for(o, 16, 64 << 10);
	const uint64_t bytes = std::min<uint64_t>(o.bytes, 8 << 20);
	auto receiver = [&](VerbsTransport &t) {
		ReceiverResult r = receive_stream(t, pattern(), receiver_options(bytes, 2));
		return print_receiver("wrong_rkey", r, r.completed && t.stats().reconnects >= 1);
	};
	auto sender = [&](VerbsTransport &t, pid_t, std::string &w) {
		bool injected = false;
		SenderOptions so = sender_options(bytes);
		so.after_post = [&](uint64_t posted) {
			if (!injected && posted >= bytes / 4) {
				t.use_wrong_rkey_once();
				injected = true;
			}
		};
		SenderResult s = send_stream(t, pattern(), so);
		print_sender("wrong_rkey", s, t.stats());
		std::printf("  sender[wrong_rkey]: error detail: %s\n", t.last_error_detail().c_str());
		bool ok = s.completed && contains(s.errors, BulkError::remote_access) && t.stats().reconnects >= 1;
		if (!ok)
			w = "expected a remote access error, a reconnect and every byte: " + errors_text(s.errors) + " " + s.failure;
		return ok;
	};
	return run_pair(config, receiver, sender, false, why);
}

// The receiver dies (SIGKILL) or leaves (close) mid-stream: the sender must notice, quickly.
bool scenario_peer_lost(const Options &o, bool kill_it, std::string &why)
{
	const char *name = kill_it ? "peer_killed" : "peer_closed";
	VerbsConfig config = config_for(o, 16, 64 << 10);
	const uint64_t endless = 1ull << 40;
	const uint64_t cut_at = 2 << 20;
	auto receiver = [&](VerbsTransport &t) {
		ReceiverOptions ro = receiver_options(endless, 2);
		ro.after_batch = [&](uint64_t verified) { return kill_it || verified < cut_at; };
		ReceiverResult r = receive_stream(t, pattern(), ro);
		t.close();
		print_receiver(name, r, r.failure == "stopped by the test");
		return 0;
	};
	auto sender = [&](VerbsTransport &t, pid_t child, std::string &w) {
		Clock::time_point killed_at{};
		SenderOptions so = sender_options(endless);
		so.after_post = [&](uint64_t posted) {
			if (kill_it && killed_at == Clock::time_point{} && posted >= cut_at) {
				::kill(child, SIGKILL);
				killed_at = Clock::now();
			}
		};
		auto start = Clock::now();
		SenderResult s = send_stream(t, pattern(), so);
		auto noticed = Clock::now();
		print_sender(name, s, t.stats());
		double after = std::chrono::duration<double>(noticed - (kill_it ? killed_at : start)).count();
		std::printf("  sender[%s]: state %s, noticed %.2f s after %s: %s\n", name, to_string(t.state()),
			after, kill_it ? "the kill" : "the start", t.last_error_detail().c_str());
		bool ok = !s.completed && !s.errors.empty() && t.state() != BulkState::connected &&
			t.claim_send_slot() == std::nullopt && (!kill_it || after < 15.0);
		if (!ok)
			w = "the sender did not see the loss: " + errors_text(s.errors);
		return ok;
	};
	return run_pair(config, receiver, sender, true, why);
}

// One endpoint of a two-host run: receive (listen) or send (connect) o.bytes.
int run_one_side(const Options &o)
{
	VerbsConfig config = config_for(o, 64, 256 << 10);
	const std::string &where = o.listen.empty() ? o.connect : o.listen;
	auto colon = where.rfind(':');
	if (colon == std::string::npos) {
		std::fprintf(stderr, "expected ADDR:PORT, got %s\n", where.c_str());
		return 2;
	}
	std::string address = where.substr(0, colon);
	uint16_t port = uint16_t(std::stoi(where.substr(colon + 1)));
	auto t = open_or_die(config, "endpoint");
	std::printf("endpoint: %s\n", t->describe().c_str());
	std::string error;
	if (!o.listen.empty()) {
		int fd = listen_tcp(address, port, error);
		if (fd < 0 || !t->accept(fd, 600000, error)) {
			std::fprintf(stderr, "accept: %s\n", error.c_str());
			return 2;
		}
		ReceiverResult r = receive_stream(*t, pattern(), receiver_options(o.bytes, 8));
		std::printf("received %.1f MiB in %.2f s (%.1f MB/s)\n", double(r.bytes_verified) / (1 << 20), r.seconds,
			double(r.bytes_verified) / r.seconds / 1e6);
		return print_receiver("receive", r, r.completed);
	}
	if (!t->connect(address, port, kConnectTimeoutMs, error)) {
		std::fprintf(stderr, "connect: %s\n", error.c_str());
		return 2;
	}
	SenderResult s = send_stream(*t, pattern(), sender_options(o.bytes));
	print_sender("send", s, t->stats());
	t->close();
	return s.completed ? 0 : 1;
}

bool parse(int argc, char **argv, Options &o)
{
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		bool has_value = i + 1 < argc;
		if (a == "--device" && has_value)
			o.device = argv[++i];
		else if (a == "--gid" && has_value)
			o.gid_index = std::atoi(argv[++i]);
		else if (a == "--bytes" && has_value)
			o.bytes = std::strtoull(argv[++i], nullptr, 0);
		else if (a == "--listen" && has_value)
			o.listen = argv[++i];
		else if (a == "--connect" && has_value)
			o.connect = argv[++i];
		else if (!a.empty() && a[0] != '-')
			o.scenarios.push_back(a);
		else
			return false;
	}
	return true;
}

} // namespace

int main(int argc, char **argv)
{
	Options o;
	if (!parse(argc, argv, o)) {
		std::fprintf(stderr, "usage: %s [--device D] [--gid N] [--bytes N] [transfer|credits|wrong_rkey|peer_killed|peer_closed...]\n"
			"       %s [--device D] [--gid N] [--bytes N] --listen ADDR:PORT | --connect ADDR:PORT\n", argv[0], argv[0]);
		return 2;
	}
	setvbuf(stdout, nullptr, _IOLBF, 0);
	if (!o.listen.empty() || !o.connect.empty())
		return run_one_side(o);

	const std::vector<std::pair<std::string, std::function<bool(std::string &)>>> all = {
		{"transfer", [&](std::string &w) { return scenario_transfer(o, w); }},
		{"credits", [&](std::string &w) { return scenario_credits(o, w); }},
		{"wrong_rkey", [&](std::string &w) { return scenario_wrong_rkey(o, w); }},
		{"peer_killed", [&](std::string &w) { return scenario_peer_lost(o, true, w); }},
		{"peer_closed", [&](std::string &w) { return scenario_peer_lost(o, false, w); }},
	};
	int failed = 0, run = 0;
	for (const auto &[name, body] : all) {
		if (!o.scenarios.empty() && std::find(o.scenarios.begin(), o.scenarios.end(), name) == o.scenarios.end())
			continue;
		++run;
		auto start = Clock::now();
		std::printf("[ RUN  ] %s\n", name.c_str());
		std::string why;
		bool ok = body(why);
		double took = std::chrono::duration<double>(Clock::now() - start).count();
		std::printf("[ %s ] %s (%.1f s)%s%s\n", ok ? " OK " : "FAIL", name.c_str(), took, ok ? "" : ": ", why.c_str());
		failed += ok ? 0 : 1;
	}
	if (run == 0) {
		std::fprintf(stderr, "no such scenario\n");
		return 2;
	}
	std::printf("%d of %d scenarios passed\n", run - failed, run);
	return failed == 0 ? 0 : 1;
}
