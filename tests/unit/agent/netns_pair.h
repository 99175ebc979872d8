// Two network namespaces joined by a veth pair, named after this process (tpag<pid>a/b) so
// parallel runs do not collide. The service side is "a", the client side "b". Removed again on
// destruction, also when a test failed half-way.
#pragma once

#include <functional>
#include <string>

namespace tripath::agent::test {

class NetnsPair {
public:
	static constexpr const char *kServiceIpv4 = "10.77.0.1";
	static constexpr const char *kClientIpv4 = "10.77.0.2";
	static constexpr const char *kServiceIpv6 = "fd77::1";
	static constexpr const char *kClientIpv6 = "fd77::2";

	NetnsPair();
	~NetnsPair();
	NetnsPair(const NetnsPair &) = delete;
	NetnsPair &operator=(const NetnsPair &) = delete;

	// Empty on success, else what failed.
	std::string create();
	// Runs a shell command inside namespace `ns`; returns its exit status.
	static int run_in(const std::string &ns, const std::string &command);

	std::string service_ns, client_ns; // namespace names, also the veth names inside them
};

// Moves the calling thread into namespace `ns` (only this thread); false if that failed.
bool enter_netns(const std::string &ns);

// Runs `fn` in a short-lived thread inside `ns`, so the caller stays where it is; false if
// the namespace could not be entered (then `fn` did not run).
bool run_in_netns(const std::string &ns, const std::function<void()> &fn);

// A socket created inside `ns`; it keeps working in that namespace whichever thread uses it.
int socket_in(const std::string &ns, int domain, int type, int protocol = 0);

} // namespace tripath::agent::test
