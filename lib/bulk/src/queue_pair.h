// The RC QP's state transitions, spelled out: RESET -> INIT -> RTR -> RTS, and back to RESET
// for recovery. Each returns false with `error` naming the step and errno.
#pragma once

#include <string>

#include <infiniband/verbs.h>
#include <tripath/bulk/peer_info.h>
#include <tripath/bulk/verbs_transport.h>

#include "verbs_device.h"

namespace tripath::bulk {

bool qp_to_reset(ibv_qp *qp, std::string &error);
bool qp_to_error(ibv_qp *qp, std::string &error);
bool qp_to_init(ibv_qp *qp, const VerbsPort &port, std::string &error);
bool qp_to_rtr(ibv_qp *qp, const VerbsPort &port, const VerbsConfig &config, const PeerInfo &peer,
	std::string &error);
bool qp_to_rts(ibv_qp *qp, const VerbsConfig &config, uint32_t local_psn, std::string &error);

} // namespace tripath::bulk
