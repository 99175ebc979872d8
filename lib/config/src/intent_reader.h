// Readers of the guardian's sections: intent (after tenants, whose names it checks) and audit.
#pragma once

#include "reader.h"

#include <optional>

namespace tripath::config::detail {

// Absent section: the defaults with the built-in protected classes.
IntentConfig read_intent(const std::optional<Field> &f, const Config &cfg);
AuditConfig read_audit(const Field &f);

} // namespace tripath::config::detail
