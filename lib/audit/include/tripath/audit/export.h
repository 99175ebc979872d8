// A tenant's view of the log: only records whose scope names the tenant, and of a record shared
// with other tenants only what concerns this one. Checked with the key as it is read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tripath/audit/key.h>
#include <tripath/audit/record.h>
#include <tripath/audit/verify.h>

namespace tripath::audit {

// One JSON line, or "" when `tenant` is not in the record's scope. A record scoped to the tenant
// alone is shown whole, except observed keys and diff lines under another "tenant/<name>/"; a
// shared one keeps seq, time, decision, reason, hash, the tenant's own and unscoped observed
// numbers and the tenant's own diff lines, hides the proposal and an external client's id, and
// never names the other tenants.
std::string tenant_view(const Record &record, std::string_view hash, std::string_view tenant);

struct ExportResult {
	VerifyReport report;             // of the whole log; its messages carry no record content
	std::vector<std::string> lines;  // the tenant's authentic records, in log order
};

ExportResult export_tenant(const std::string &path, const Key &key, std::string_view tenant,
			   const VerifyOptions &options = {});

} // namespace tripath::audit
