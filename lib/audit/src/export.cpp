#include <algorithm>

#include <tripath/audit/export.h>

#include "canonical_json.h"

namespace tripath::audit {

namespace {

// "tenant/<name>/..." names the tenant it belongs to; anything else is unscoped.
std::string_view scope_of(std::string_view text)
{
	if (!text.starts_with(kTenantPrefix))
		return {};
	std::string_view rest = text.substr(kTenantPrefix.size());
	return rest.substr(0, rest.find('/'));
}

// The tenant's own, or unscoped (a malformed "tenant/" prefix counts as someone else's).
bool visible(std::string_view text, std::string_view tenant)
{
	std::string_view scope = scope_of(text);
	return text.starts_with(kTenantPrefix) ? scope == tenant : true;
}

bool text_scoped_to(std::string_view text, std::string_view tenant)
{
	return text.starts_with(kTenantPrefix) && scope_of(text) == tenant;
}

std::string filter_diff(std::string_view diff, std::string_view tenant, bool shared)
{
	std::string out;
	while (!diff.empty()) {
		size_t nl = diff.find('\n');
		std::string_view line = diff.substr(0, nl);
		diff = nl == std::string_view::npos ? std::string_view() : diff.substr(nl + 1);
		bool keep = shared ? text_scoped_to(line, tenant) : visible(line, tenant);
		if (keep)
			out.append(out.empty() ? "" : "\n").append(line);
	}
	return out;
}

} // namespace

std::string tenant_view(const Record &r, std::string_view hash, std::string_view tenant)
{
	if (r.kind != RecordKind::decision || std::find(r.tenants.begin(), r.tenants.end(), tenant) == r.tenants.end())
		return {};
	bool shared = r.tenants.size() > 1;
	std::map<std::string, std::string> observed;
	for (const auto &[key, value] : r.observed)
		if (visible(key, tenant))
			observed.emplace(key, value);
	std::string proposer = shared && r.proposer.starts_with("client:") ? "client" : r.proposer;

	std::string out = "{\"seq\":";
	json::append_uint(out, r.seq);
	out += ",\"time_ns\":";
	json::append_uint(out, r.time_ns);
	out += ",\"tenant\":";
	json::append_string(out, tenant);
	out += shared ? ",\"shared\":true" : ",\"shared\":false";
	out += ",\"proposer\":";
	json::append_string(out, proposer);
	out += ",\"proposal\":";
	json::append_string(out, shared ? "[redacted: shared with other tenants]" : r.proposal);
	out += ",\"observed\":";
	json::append_string_map(out, observed);
	out += ",\"decision\":";
	json::append_string(out, r.decision);
	out += ",\"reason\":";
	json::append_string(out, r.reason);
	out += ",\"diff\":";
	json::append_string(out, filter_diff(r.diff, tenant, shared));
	out += ",\"hash\":";
	json::append_string(out, hash);
	out += '}';
	return out;
}

ExportResult export_tenant(const std::string &path, const Key &key, std::string_view tenant,
			   const VerifyOptions &options)
{
	ExportResult result;
	result.report = verify_log(path, key, options, [&](const Record &r, uint64_t, std::string_view hash) {
		if (std::string view = tenant_view(r, hash, tenant); !view.empty())
			result.lines.push_back(std::move(view));
	});
	return result;
}

} // namespace tripath::audit
