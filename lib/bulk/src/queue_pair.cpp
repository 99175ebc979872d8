#include "queue_pair.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tripath::bulk {

namespace {

bool modify(ibv_qp *qp, ibv_qp_attr &attr, int mask, const char *step, std::string &error)
{
	int rc = ibv_modify_qp(qp, &attr, mask);
	if (rc == 0)
		return true;
	error = std::string("QP ") + step + ": " + std::strerror(rc);
	return false;
}

} // namespace

bool qp_to_reset(ibv_qp *qp, std::string &error)
{
	ibv_qp_attr attr{};
	attr.qp_state = IBV_QPS_RESET;
	return modify(qp, attr, IBV_QP_STATE, "-> RESET", error);
}

bool qp_to_error(ibv_qp *qp, std::string &error)
{
	ibv_qp_attr attr{};
	attr.qp_state = IBV_QPS_ERR;
	return modify(qp, attr, IBV_QP_STATE, "-> ERR", error);
}

bool qp_to_init(ibv_qp *qp, const VerbsPort &port, std::string &error)
{
	ibv_qp_attr attr{};
	attr.qp_state = IBV_QPS_INIT;
	attr.pkey_index = 0;
	attr.port_num = port.port;
	// The peer writes into our ring; nothing here is ever read remotely.
	attr.qp_access_flags = IBV_ACCESS_REMOTE_WRITE;
	return modify(qp, attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS,
		"RESET -> INIT", error);
}

bool qp_to_rtr(ibv_qp *qp, const VerbsPort &port, const VerbsConfig &config, const PeerInfo &peer,
	std::string &error)
{
	ibv_qp_attr attr{};
	attr.qp_state = IBV_QPS_RTR;
	// Both ends must agree on the MTU; the smaller port MTU works for both.
	attr.path_mtu = ibv_mtu(std::min<int>(port.active_mtu, peer.mtu));
	attr.dest_qp_num = peer.qp_number;
	attr.rq_psn = peer.psn;
	attr.max_dest_rd_atomic = 1;
	attr.min_rnr_timer = config.min_rnr_timer;
	attr.ah_attr.port_num = port.port;
	attr.ah_attr.dlid = peer.lid;
	// RoCE has no LIDs: every packet carries a GRH addressed by GID (RoCE v2: a UDP/IP header).
	if (port.ethernet || peer.lid == 0) {
		attr.ah_attr.is_global = 1;
		std::memcpy(attr.ah_attr.grh.dgid.raw, peer.gid.data(), 16);
		attr.ah_attr.grh.sgid_index = uint8_t(port.gid_index);
		attr.ah_attr.grh.hop_limit = 64;
	}
	return modify(qp, attr,
		IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
			IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER,
		"INIT -> RTR", error);
}

bool qp_to_rts(ibv_qp *qp, const VerbsConfig &config, uint32_t local_psn, std::string &error)
{
	ibv_qp_attr attr{};
	attr.qp_state = IBV_QPS_RTS;
	attr.sq_psn = local_psn;
	attr.timeout = config.ack_timeout;
	attr.retry_cnt = config.retry_count;
	attr.rnr_retry = config.rnr_retry;
	attr.max_rd_atomic = 1;
	return modify(qp, attr,
		IBV_QP_STATE | IBV_QP_SQ_PSN | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY |
			IBV_QP_MAX_QP_RD_ATOMIC,
		"RTR -> RTS", error);
}

} // namespace tripath::bulk
