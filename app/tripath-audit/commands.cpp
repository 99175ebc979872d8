#include "commands.h"

#include <cstdio>

#include <tripath/audit/export.h>
#include <tripath/audit/key.h>
#include <tripath/audit/tail.h>
#include <tripath/audit/verify.h>

namespace tripath::audit::cli {

namespace {

bool load(const Options &o, Key &key)
{
	std::string error;
	if (load_key(o.key, key, error))
		return true;
	std::fprintf(stderr, "tripath-audit: %s\n", error.c_str());
	return false;
}

VerifyOptions verify_options(const Options &o)
{
	VerifyOptions v;
	v.head_path = o.head;
	v.require_head = !o.no_head;
	v.anchors = o.anchors;
	return v;
}

void print_findings(FILE *out, const std::string &log, const std::vector<Finding> &findings)
{
	for (const Finding &f : findings)
		std::fprintf(out, "%s\n", format_finding(log, f).c_str());
}

std::string summary(const VerifyReport &r)
{
	std::string s = std::to_string(r.lines) + " lines, " + std::to_string(r.records) + " authentic records, last seq " +
			std::to_string(r.last_seq);
	if (!r.last_hash.empty())
		s += " (hash " + r.last_hash + ")";
	s += r.head_seq ? ", head seq " + std::to_string(r.head_seq) : ", no head";
	s += r.closed ? ", closed" : ", not closed";
	return s;
}

} // namespace

int run_verify(const Options &o)
{
	Key key;
	if (!load(o, key))
		return 1;
	VerifyReport r = verify_log(o.log, key, verify_options(o));
	if (!r.error.empty()) {
		std::fprintf(stderr, "tripath-audit: %s\n", r.error.c_str());
		return 1;
	}
	print_findings(stdout, o.log, r.problems);
	print_findings(stdout, o.log, r.notices);
	size_t n = r.problems.size();
	std::printf("%s: %s: %s\n", o.log.c_str(),
		    n ? (std::to_string(n) + (n == 1 ? " problem" : " problems")).c_str() : "intact", summary(r).c_str());
	return r.ok() ? 0 : 1;
}

int run_export(const Options &o)
{
	Key key;
	if (!load(o, key))
		return 1;
	ExportResult result = export_tenant(o.log, key, o.tenant, verify_options(o));
	if (!result.report.error.empty()) {
		std::fprintf(stderr, "tripath-audit: %s\n", result.report.error.c_str());
		return 1;
	}
	for (const std::string &line : result.lines)
		std::printf("%s\n", line.c_str());
	// Problems name records and lines only, never another tenant's content.
	print_findings(stderr, o.log, result.report.problems);
	std::fprintf(stderr, "%s: %zu records of tenant %s; the log is %s\n", o.log.c_str(), result.lines.size(),
		     o.tenant.c_str(), result.report.ok() ? "intact" : "NOT intact (problems above)");
	return result.report.ok() ? 0 : 1;
}

int run_tail(const Options &o)
{
	std::vector<std::string> lines;
	std::string error;
	if (!tail_lines(o.log, o.count_given ? o.count : 10, lines, error)) {
		std::fprintf(stderr, "tripath-audit: %s\n", error.c_str());
		return 1;
	}
	for (const std::string &line : lines)
		std::printf("%s\n", line.c_str());
	return 0;
}

int run_keygen(const Options &o)
{
	std::string error;
	if (!create_key_file(o.key, error)) {
		std::fprintf(stderr, "tripath-audit: %s\n", error.c_str());
		return 1;
	}
	std::printf("%s: new key (32 random bytes, mode 0600)\n", o.key.c_str());
	return 0;
}

} // namespace tripath::audit::cli
