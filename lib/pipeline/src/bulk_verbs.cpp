// Path C's peers over verbs: dial (address) or accept (listen) the TCP control connection that
// sets up each RC QP. Runs on the bulk lcore; blocks at most connect_timeout_ms per attempt.
#include <poll.h>
#include <unistd.h>

#include <tripath/bulk/control_socket.h>
#include <tripath/bulk/verbs_transport.h>
#include <tripath/pipeline/bulk_path.h>

namespace tripath::pipeline {

namespace {

// "10.0.0.2:7000" / "[fd00::2]:7000" (the config checked the form).
void split_host_port(const std::string &s, std::string &host, uint16_t &port)
{
	size_t colon = s.rfind(':');
	host = s.substr(0, colon);
	if (!host.empty() && host.front() == '[')
		host = host.substr(1, host.size() - 2);
	port = uint16_t(std::stoul(s.substr(colon + 1)));
}

bool readable(int fd)
{
	pollfd p{fd, POLLIN, 0};
	return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

class VerbsConnector final : public BulkConnector {
public:
	explicit VerbsConnector(const config::BulkPathConfig &cfg) : cfg_(cfg), listen_fd_(cfg.peers.size(), -1) {}
	~VerbsConnector() override
	{
		for (int fd : listen_fd_)
			if (fd >= 0)
				::close(fd);
	}

	bool listen_all(std::string &error)
	{
		for (size_t i = 0; i < cfg_.peers.size(); i++) {
			const config::BulkPeerConfig &peer = cfg_.peers[i];
			if (peer.listen.empty())
				continue;
			std::string host;
			uint16_t port;
			split_host_port(peer.listen, host, port);
			listen_fd_[i] = bulk::listen_tcp(host, port, error);
			if (listen_fd_[i] < 0) {
				error = peer.loc.str() + ": bulk peer " + peer.name + ": listen " + peer.listen + ": " + error;
				return false;
			}
		}
		return true;
	}

	std::unique_ptr<bulk::BulkTransport> connect(size_t index, std::string &error) override
	{
		const config::BulkPeerConfig &peer = cfg_.peers[index];
		error.clear();
		if (!peer.listen.empty() && !readable(listen_fd_[index]))
			return nullptr;   // nobody dialing yet
		bulk::VerbsConfig vc;
		vc.device = cfg_.device;
		vc.gid_index = cfg_.gid_index;
		vc.slot_count = cfg_.slots;
		vc.slot_size = cfg_.slot_size;
		std::unique_ptr<bulk::VerbsTransport> t = bulk::VerbsTransport::open(vc, error);
		if (!t)
			return nullptr;
		bool ok;
		if (!peer.address.empty()) {
			std::string host;
			uint16_t port;
			split_host_port(peer.address, host, port);
			ok = t->connect(host, port, int(cfg_.connect_timeout_ms), error);
			if (!ok)
				error = "connect " + peer.address + ": " + error;
		} else {
			ok = t->accept(listen_fd_[index], int(cfg_.connect_timeout_ms), error);
			if (!ok)
				error = "accept on " + peer.listen + ": " + error;
		}
		return ok ? std::move(t) : nullptr;
	}

	bool redialing(size_t index) override { return listen_fd_[index] >= 0 && readable(listen_fd_[index]); }

	bool inject_wrong_rkey(bulk::BulkTransport &t) override
	{
		auto *v = dynamic_cast<bulk::VerbsTransport *>(&t);
		if (v != nullptr)
			v->use_wrong_rkey_once();
		return v != nullptr;
	}

	std::string describe(const bulk::BulkTransport &t) const override
	{
		auto *v = dynamic_cast<const bulk::VerbsTransport *>(&t);
		return v ? v->describe() : std::string();
	}

private:
	config::BulkPathConfig cfg_;
	std::vector<int> listen_fd_;   // by peer; -1 for peers we dial
};

} // namespace

std::unique_ptr<BulkConnector> make_verbs_connector(const config::BulkPathConfig &cfg, std::string &error)
{
	auto c = std::make_unique<VerbsConnector>(cfg);
	if (!c->listen_all(error))
		return nullptr;
	return c;
}

} // namespace tripath::pipeline
