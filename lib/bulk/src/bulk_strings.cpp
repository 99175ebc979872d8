#include <tripath/bulk/transport.h>

namespace tripath::bulk {

const char *to_string(BulkError error)
{
	switch (error) {
	case BulkError::none: return "none";
	case BulkError::remote_access: return "remote_access";
	case BulkError::retry_exceeded: return "retry_exceeded";
	case BulkError::rnr_retry_exceeded: return "rnr_retry_exceeded";
	case BulkError::flushed: return "flushed";
	case BulkError::local: return "local";
	case BulkError::protocol: return "protocol";
	case BulkError::peer_reset: return "peer_reset";
	case BulkError::peer_closed: return "peer_closed";
	case BulkError::other: return "other";
	}
	return "?";
}

const char *to_string(BulkState state)
{
	switch (state) {
	case BulkState::connected: return "connected";
	case BulkState::broken: return "broken";
	case BulkState::closed: return "closed";
	}
	return "?";
}

} // namespace tripath::bulk
