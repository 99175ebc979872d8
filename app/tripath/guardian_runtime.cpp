// The guardian on the control lcore: every proposal and action is decided, written to the audit
// log, and only then published by the same RCU swap as the shell's rule commands.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <rte_cycles.h>
#include <rte_rcu_qsbr.h>

#include <tripath/guardian/audit_record.h>

#include <tripath/control/access.h>

#include "guardian_runtime.h"

namespace tripath::app {

using guardian::Action;
using guardian::Decision;

namespace {

// Without an audit section: autonomy off runs unaudited (only the operator changes steering,
// as with the shell's rule commands); autonomy on gets a log here, with its own key.
constexpr const char *kDefaultAuditDir = "/var/lib/tripath";

config::AuditConfig audit_settings(const config::Config &cfg)
{
	config::AuditConfig a = cfg.audit;
	if (a.log.empty() && cfg.intent.autonomy != config::Autonomy::off) {
		a.log = std::string(kDefaultAuditDir) + "/" + cfg.eal.file_prefix + ".audit.log";
		a.key = std::string(kDefaultAuditDir) + "/" + cfg.eal.file_prefix + ".audit.key";
		a.create_key = true;
	}
	return a;
}

std::string verdict_line(const Decision &d)
{
	std::string out = std::string(guardian::verdict_name(d.verdict)) + " " + std::string(guardian::reason_name(d.reason));
	if (d.would_be)
		out += " (would be " + std::string(guardian::verdict_name(*d.would_be)) + ")";
	if (!d.detail.empty())
		out += ": " + d.detail;
	return out + "\n";
}

std::string indented(const std::string &lines)
{
	std::string out;
	size_t at = 0;
	while (at < lines.size()) {
		size_t nl = lines.find('\n', at);
		std::string line = lines.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
		out += "  " + line + "\n";
		at = nl == std::string::npos ? lines.size() : nl + 1;
	}
	return out;
}

} // namespace

GuardianRuntime::GuardianRuntime(Runtime &rt, std::unique_ptr<audit::AuditLog> log, std::string audit_key)
	: rt_(rt), log_(std::move(log)), audit_key_(std::move(audit_key)), guardian_(rt.cfg, now_ns()),
	  sketches_(telemetry::SketchShape{1024, 4, 32}) // 4 x 1024 x 2 counters: 64 KiB a window
{
	// Set before the workers start (they read it unsynchronised).
	for (const auto &w : rt.dp->workers()) {
		w->sample_every = kFlowSampleEvery;
		w->sample_countdown = 1;
	}
	observed_ = observer_.sample(*rt.dp, now_ns());
	next_observe_ns_ = now_ns() + kObservePeriodNs;
	last_window_ns_ = now_ns();
	next_window_ns_ = last_window_ns_ + kPolicyWindowNs;
}

uint64_t GuardianRuntime::now_ns() const
{
	return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

std::string GuardianRuntime::audit_path() const { return log_ ? log_->path() : std::string(); }

bool GuardianRuntime::record_and_apply(audit::Record record, const std::optional<guardian::Change> &change,
				       uint64_t received_tsc, std::string &error, const std::function<void()> &commit,
				       bool may_defer)
{
	StagedTables staged;
	if (change) {
		if (change->rules_changed)
			staged.rules = change->rules;
		if (change->tenants_changed)
			staged.tenants = change->tenants;
		if (!stage_tables(rt_, staged, "guardian", error)) {
			// Decided but not buildable: on the record as a refusal, with the decision it had.
			publish_failures_++;
			record.observed["apply_error"] = error.substr(0, 256);
			record.observed["decided"] = record.decision;
			record.decision = "REJECT";
			record.reason = std::string(guardian::reason_name(guardian::Reason::invalid));
			record.diff.clear();
			std::string audit_error;
			if (log_ && log_->append(std::move(record), audit_error) == 0)
				audit_failed(audit_error);
			return false;
		}
	}
	if (log_) {
		std::string audit_error;
		if (append(std::move(record), may_defer && !staged.rules && !staged.tenants, audit_error) == 0) {
			audit_failed(audit_error);
			error = "audit log: " + audit_error + "; nothing applied, FAILSAFE in force"; // the error names the file
			return false;
		}
	}
	if (staged.rules || staged.tenants) {
		pending_.push_back({received_tsc, publish_tables(rt_, staged)});
		applied_++;
	}
	commit();
	return true;
}

uint64_t GuardianRuntime::append(audit::Record record, bool may_defer, std::string &error)
{
	const bool had_deferred = log_->has_deferred();
	uint64_t seq = round_ && may_defer ? log_->append_deferred(std::move(record), error) : log_->append(std::move(record), error);
	deferred_lost_ = deferred_lost_ || (seq == 0 && had_deferred);
	return seq;
}

void GuardianRuntime::begin_round()
{
	round_ = true;
	deferred_lost_ = false;
}

void GuardianRuntime::flush_deferred()
{
	std::string error;
	if (log_ && log_->has_deferred() && !log_->flush(error)) {
		deferred_lost_ = true;
		audit_failed(error);
	}
}

// An answer whose own record failed says so itself; answers whose deferred records went down
// with a failed write do not, so they are withheld.
bool GuardianRuntime::before_answers()
{
	flush_deferred();
	bool ok = !deferred_lost_;
	deferred_lost_ = false;
	return ok;
}

void GuardianRuntime::end_round()
{
	flush_deferred();
	round_ = false;
}

// The log refused a record: nothing may change unrecorded, so FAILSAFE (the config's static
// profile) is published without a record — the one change that needs none, being the safe state.
void GuardianRuntime::audit_failed(const std::string &why)
{
	audit_failures_++;
	last_audit_error_ = why;
	std::fprintf(stderr, "tripath: guardian: audit log: %s\n", why.c_str());
	if (guardian_.in_failsafe())
		return;
	const uint64_t now = now_ns();
	Action a = guardian_.enter_failsafe(guardian::Reason::failsafe_audit, "audit log: " + why, now);
	if (a.change) {
		StagedTables staged;
		staged.rules = a.change->rules;
		staged.tenants = a.change->tenants;
		std::string error;
		if (stage_tables(rt_, staged, "guardian failsafe", error))
			publish_tables(rt_, staged);
		else
			std::fprintf(stderr, "tripath: guardian: FAILSAFE profile not published: %s\n", error.c_str());
	}
	guardian_.commit(a, now);
}

Submitted GuardianRuntime::submit(std::string_view json, const guardian::Proposer &who, uint64_t received_tsc)
{
	guardian::ParseResult pr = guardian::parse_proposal(json, who);
	if (pr.proposal)
		return submit(*pr.proposal, received_tsc);
	proposals_++;
	// Malformed proposals are on the record too: who sent what, and why it was refused.
	audit::Record r;
	r.proposer = who.name();
	r.tenants = who.tenants;
	r.proposal = std::string(json.substr(0, 4096));
	r.decision = std::string(guardian::verdict_name(guardian::Verdict::reject));
	r.reason = std::string(guardian::reason_name(guardian::Reason::invalid));
	r.observed["detail"] = pr.error.substr(0, 256);
	std::string audit_error;
	if (log_ && append(std::move(r), true, audit_error) == 0)
		audit_failed(audit_error);
	return {false, "error: guardian propose: " + pr.error + "\n"};
}

Submitted GuardianRuntime::submit(const guardian::Proposal &proposal, uint64_t received_tsc)
{
	proposals_++;
	const uint64_t now = now_ns();
	Decision d = guardian_.decide(proposal, observed_, now);
	std::string error;
	bool done = record_and_apply(guardian::make_record(d, observed_), d.change, received_tsc, error,
				     [&] { guardian_.commit(d, now); }, d.verdict == guardian::Verdict::reject && !d.change);
	if (!done)
		return {false, "error: guardian: " + std::string(guardian::verdict_name(d.verdict)) + " not applied: " + error + "\n"};
	poll(); // a flood keeps the control loop in the socket: look at earlier publishes between proposals
	std::string out = verdict_line(d);
	if (d.change && !d.change->diff.empty())
		out += indented(d.change->diff);
	// FAILSAFE: the proposal itself is refused (the static profile was applied instead).
	bool refused = d.verdict == guardian::Verdict::reject || d.verdict == guardian::Verdict::failsafe;
	return {!refused, refused ? "error: " + out : out};
}

void GuardianRuntime::run_action(Action &a)
{
	const uint64_t now = now_ns();
	std::string error;
	if (!record_and_apply(guardian::make_record(a, observed_), a.change, rte_rdtsc(), error, [&] { guardian_.commit(a, now); }))
		std::fprintf(stderr, "tripath: guardian: %s %s: %s\n", std::string(guardian::action_name(a.kind)).c_str(),
			     a.detail.c_str(), error.c_str());
}

Submitted GuardianRuntime::enter_failsafe(const std::string &why)
{
	if (guardian_.in_failsafe())
		return {false, "error: guardian failsafe enter: already in FAILSAFE (guardian failsafe exit leaves it)\n"};
	Action a = guardian_.enter_failsafe(guardian::Reason::failsafe_operator, why, now_ns());
	run_action(a);
	std::string out = "FAILSAFE entered: the config's static profile is in force, autonomy paused\n";
	if (a.change && !a.change->diff.empty())
		out += indented(a.change->diff);
	return {true, out};
}

Submitted GuardianRuntime::exit_failsafe()
{
	std::optional<Action> a = guardian_.exit_failsafe(now_ns());
	if (!a)
		return {false, "error: guardian failsafe exit: not in FAILSAFE\n"};
	run_action(*a);
	return {true, "FAILSAFE left: " + a->detail + "\n"};
}

std::string GuardianRuntime::set_autonomy(config::Autonomy level, bool &ok)
{
	ok = level == config::Autonomy::off || log_ != nullptr;
	if (!ok)
		return "error: guardian autonomy: no audit log (config section audit:), so only the operator may change steering\n";
	audit::Record r;
	r.proposer = "operator";
	r.proposal = std::string("guardian autonomy ") + config::autonomy_name(level);
	r.decision = "APPLIED";
	r.reason = "operator.autonomy";
	r.diff = std::string("autonomy: ") + config::autonomy_name(guardian_.status(now_ns()).autonomy) + " -> " + config::autonomy_name(level);
	std::string error;
	if (log_ && log_->append(std::move(r), error) == 0) {
		audit_failed(error);
		ok = false;
		return "error: guardian autonomy: audit log: " + error + "; unchanged, FAILSAFE in force\n";
	}
	guardian_.set_autonomy(level);
	return std::string("autonomy ") + config::autonomy_name(level) + "\n";
}

bool GuardianRuntime::audit_change(const std::string &command, const StagedTables &staged, std::string &error)
{
	if (!log_)
		return true;
	const config::Config &now = rt_.dp->config();
	audit::Record r;
	r.proposer = "operator";
	r.proposal = command;
	r.decision = "APPLIED";
	r.reason = "operator.shell";
	r.diff = guardian::diff_lists(now.rules, staged.rules ? *staged.rules : now.rules, now.tenants,
				      staged.tenants ? *staged.tenants : now.tenants);
	if (log_->append(std::move(r), error) != 0)
		return true;
	audit_failed(error);
	error = "audit log: " + error + "; FAILSAFE in force";
	return false;
}

// The operator's change is now the guardian's current lists (commit of a change-carrying action).
void GuardianRuntime::adopt_published()
{
	Action a;
	a.change.emplace();
	a.change->rules = rt_.dp->config().rules;
	a.change->tenants = rt_.dp->config().tenants;
	guardian_.commit(a, now_ns());
}

// All that is waiting, at most one ring's worth each: a worker that never stops sampling cannot
// hold the control lcore here.
void GuardianRuntime::drain_samples()
{
	for (const auto &w : rt_.dp->workers()) {
		telemetry::FlowSample batch[64];
		for (unsigned taken = 0, n; taken < rte_ring_get_capacity(w->flow_samples); taken += n) {
			n = rte_ring_sc_dequeue_burst_elem(w->flow_samples, batch, sizeof(batch[0]), 64, nullptr);
			if (n == 0)
				break;
			for (unsigned i = 0; i < n; i++)
				sketches_.add(batch[i]);
			samples_counted_ += n;
		}
	}
}

void GuardianRuntime::poll()
{
	while (!pending_.empty() && rte_rcu_qsbr_check(rt_.dp->qsbr, pending_.front().token, false) == 1) {
		uint64_t cycles = rte_rdtsc() - pending_.front().received_tsc;
		if (latencies_.size() >= kLatencySamples)
			latencies_.erase(latencies_.begin(), latencies_.begin() + kLatencySamples / 2);
		latencies_.push_back(uint64_t(double(cycles) * 1e9 / double(rte_get_tsc_hz())));
		pending_.pop_front();
	}
}

void GuardianRuntime::housekeeping()
{
	// About every ms, not every round: between drains a worker's enqueues find the ring's lines
	// still in its own cache (17 ms of samples fit at 15 Mpps).
	drain_samples();
	const uint64_t now = now_ns();
	if (now >= next_observe_ns_) {
		next_observe_ns_ = now + kObservePeriodNs;
		observed_ = observer_.sample(*rt_.dp, now);
		for (Action &a : guardian_.observe(observed_, now))
			run_action(a);
	}
	if (now >= next_window_ns_) {
		run_policy();
		last_window_ns_ = now;
		next_window_ns_ = now + kPolicyWindowNs;
	}
	if (log_) {
		std::string error;
		if (!log_->tick(error))
			audit_failed(error);
	}
}

// Each path's last closed window, scaled back from the sample -> the policy's proposals, decided
// like any other; then the open windows close.
void GuardianRuntime::run_policy()
{
	const double window_s = double(now_ns() - last_window_ns_) / 1e9;
	guardian::GuardianStatus st = guardian_.status(now_ns());
	if (st.autonomy != config::Autonomy::off && !st.failsafe && !rt_.dp->workers().empty() &&
	    sketches_.closed(0) != nullptr) {
		guardian::PolicyInput input;
		input.window_s = window_s;
		input.observed = observed_;
		for (unsigned p = 0; p < telemetry::PathSketches::kPaths; p++) {
			const telemetry::FlowWindow *w = sketches_.closed(p);
			input.flows[p] = telemetry::merge_windows({&w, 1});
			for (telemetry::FlowEstimate &e : input.flows[p]) {
				e.bytes *= kFlowSampleEvery;
				e.packets *= kFlowSampleEvery;
				e.ranked *= kFlowSampleEvery;
				e.error *= kFlowSampleEvery;
			}
		}
		for (const guardian::Proposal &p : policy_.propose(input, rt_.cfg, guardian_.rules(), guardian_.tenants())) {
			policy_proposals_++;
			submit(p, rte_rdtsc());
		}
	}
	drain_samples(); // what the workers sampled up to now belongs to the window closing
	sketches_.close();
}

void GuardianRuntime::inject_fast_p99(double us, uint64_t ms) { observer_.inject_fast_p99(us, ms ? now_ns() + ms * 1'000'000 : 0); }

std::string GuardianRuntime::latency_json() const
{
	std::vector<uint64_t> v = latencies_;
	std::sort(v.begin(), v.end());
	auto q = [&](double f) { return v.empty() ? 0 : v[std::min(v.size() - 1, size_t(f * double(v.size())))]; };
	char buf[160];
	std::snprintf(buf, sizeof(buf), "{\"applied\":%zu,\"p50_ns\":%lu,\"p99_ns\":%lu,\"max_ns\":%lu}\n", v.size(),
		      (unsigned long)q(0.5), (unsigned long)q(0.99), (unsigned long)(v.empty() ? 0 : v.back()));
	return buf;
}

std::string GuardianRuntime::status() const
{
	guardian::GuardianStatus s = guardian_.status(now_ns());
	char buf[512];
	std::string out;
	std::snprintf(buf, sizeof(buf), "  autonomy %s, %s\n", config::autonomy_name(s.autonomy),
		      s.failsafe ? ("FAILSAFE (" + s.failsafe_reason + ")").c_str() : "not in FAILSAFE");
	out += buf;
	std::snprintf(buf, sizeof(buf),
		      "  decisions %lu: approved %lu, clamped %lu, rejected %lu; rollbacks %lu, failsafes %lu\n"
		      "  canaries %zu (adaptive %zu), tokens %.2f, recent invariant rejects %zu\n"
		      "  proposals %lu (policy %lu), published %lu, not buildable %lu, awaiting workers %zu\n",
		      (unsigned long)s.decisions, (unsigned long)s.approved, (unsigned long)s.clamped, (unsigned long)s.rejected,
		      (unsigned long)s.rollbacks, (unsigned long)s.failsafes, s.canaries, s.adaptive_canaries, s.tokens,
		      s.recent_rejects, (unsigned long)proposals_, (unsigned long)policy_proposals_, (unsigned long)applied_,
		      (unsigned long)publish_failures_, pending_.size());
	out += buf;
	out += "  observed: path A share " + std::to_string(observed_.kernel_share_pct) + "%, path C " +
	       std::to_string(observed_.bulk_bytes_per_s) + " B/s";
	for (const auto &[name, t] : observed_.tenants)
		if (t.fast_p99_us)
			out += ", " + (name.empty() ? std::string("(no tenant)") : name) + " fast p99 " + std::to_string(*t.fast_p99_us) + " us";
	out += "\n  flow samples (1 in " + std::to_string(kFlowSampleEvery) + "): counted " + std::to_string(samples_counted_) +
	       ", lost " + std::to_string(rt_.dp->totals().flow_samples_lost) + "; last window:";
	for (unsigned p = 0; p < telemetry::PathSketches::kPaths; p++) {
		const telemetry::FlowWindow *w = sketches_.closed(p);
		out += std::string(p ? ", " : " ") + config::path_kind_name(config::PathKind(p)) + " " +
		       std::to_string(w ? w->total_packets() : 0);
	}
	out += "\n  proposal -> applied on every worker: " + latency_json();
	if (log_)
		out += "  audit log " + log_->path() + ": last seq " + std::to_string(log_->last_seq()) + ", failures " +
		       std::to_string(audit_failures_) + (last_audit_error_.empty() ? "" : " (" + last_audit_error_ + ")") + "\n";
	else
		out += "  no audit log (autonomy off: only the operator changes steering)\n";
	return out;
}

bool start_guardian(Runtime &rt, std::string &error)
{
	// Clients' groups once, here: a proposal must not wait on NSS.
	rt.client_gids.clear();
	for (const config::ClientScope &c : rt.cfg.intent.clients) {
		std::optional<uint32_t> gid;
		if (!c.group.empty() && !(gid = control::find_group(c.group))) {
			error = rt.cfg.source + ": intent.clients " + c.name + ": group '" + c.group +
				"' does not exist (groupadd --system " + c.group + ")";
			return false;
		}
		rt.client_gids.push_back(gid);
	}
	config::AuditConfig a = audit_settings(rt.cfg);
	std::unique_ptr<audit::AuditLog> log;
	if (!a.log.empty()) {
		audit::LogOptions options;
		if (!audit::FsyncPolicy::parse(a.fsync, options.fsync, error)) {
			error = "audit.fsync: " + error;
			return false;
		}
		options.checkpoint_every = a.checkpoint_every;
		options.checkpoint_interval_ms = a.checkpoint_interval_ms;
		options.create_key = a.create_key;
		std::error_code ec;
		std::filesystem::create_directories(std::filesystem::path(a.log).parent_path(), ec);
		log = audit::AuditLog::open(a.log, a.key, options, error);
		if (!log) {
			error = "audit log " + a.log + ": " + error;
			return false;
		}
		const audit::OpenReport &r = log->open_report();
		std::printf("tripath: audit log %s (%s, last seq %lu%s)\n", a.log.c_str(), r.created ? "created" : "resumed",
			    (unsigned long)log->last_seq(), r.torn_bytes ? ", a torn record was cut and recorded" : "");
	}
	rt.guardian = std::make_shared<GuardianRuntime>(rt, std::move(log), a.key);
	std::printf("tripath: guardian: autonomy %s%s\n", config::autonomy_name(rt.cfg.intent.autonomy),
		    a.log.empty() ? ", no audit log" : "");
	return true;
}

void guardian_poll(Runtime &rt)
{
	if (rt.guardian)
		rt.guardian->poll();
}

void guardian_housekeeping(Runtime &rt)
{
	if (rt.guardian)
		rt.guardian->housekeeping();
}

void guardian_begin_round(Runtime &rt)
{
	if (rt.guardian)
		rt.guardian->begin_round();
}

bool guardian_before_answers(Runtime &rt) { return !rt.guardian || rt.guardian->before_answers(); }

void guardian_end_round(Runtime &rt)
{
	if (rt.guardian)
		rt.guardian->end_round();
}

void stop_guardian(Runtime &rt)
{
	if (!rt.guardian || !rt.guardian->log())
		return;
	std::string error;
	if (!rt.guardian->log()->close(error))
		std::fprintf(stderr, "tripath: audit log: closing: %s\n", error.c_str());
}

bool audit_operator_change(Runtime &rt, const std::string &command, const StagedTables &staged, std::string &error)
{
	return !rt.guardian || rt.guardian->audit_change(command, staged, error);
}

void adopt_operator_change(Runtime &rt)
{
	if (rt.guardian)
		rt.guardian->adopt_published();
}

} // namespace tripath::app
