#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <tripath/loadgen/envelope.h>

#ifndef TRIPATH_DPDK_VERSION
#define TRIPATH_DPDK_VERSION "unknown"
#endif
#ifndef TRIPATH_SOURCE_DIR
#define TRIPATH_SOURCE_DIR ""
#endif

namespace tripath::loadgen {

namespace {

std::string cpu_model()
{
	std::ifstream in("/proc/cpuinfo");
	std::string line;
	while (std::getline(in, line)) {
		if (line.rfind("model name", 0) != 0)
			continue;
		size_t colon = line.find(':');
		if (colon == std::string::npos)
			break;
		size_t start = line.find_first_not_of(" \t", colon + 1);
		return start == std::string::npos ? "" : line.substr(start);
	}
	return "unknown";
}

// The first line a shell command prints; nullopt when it fails.
std::optional<std::string> command_output(const std::string &command, bool *any_output = nullptr)
{
	FILE *p = popen(command.c_str(), "r");
	if (p == nullptr)
		return std::nullopt;
	std::string all;
	char buf[256];
	while (std::fgets(buf, sizeof(buf), p) != nullptr)
		all += buf;
	if (pclose(p) != 0)
		return std::nullopt;
	if (any_output != nullptr)
		*any_output = !all.empty();
	return all.substr(0, all.find('\n'));
}

std::string shell_quote(const std::string &s)
{
	std::string out = "'";
	for (char c : s)
		out += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return out + "'";
}

// The revision of the source tree this binary was built from, if it is still a git checkout.
void git_state(HostInfo &h)
{
	h.git_revision = "unknown";
	std::string dir = TRIPATH_SOURCE_DIR;
	struct stat st;
	if (dir.empty() || stat((dir + "/.git").c_str(), &st) != 0)
		return;
	// safe.directory: the benchmark runs as root over a tree that may belong to someone else.
	std::string git = "git -c safe.directory=" + shell_quote(dir) + " -C " + shell_quote(dir);
	std::optional<std::string> head = command_output(git + " rev-parse HEAD 2>/dev/null");
	if (!head || head->empty())
		return;
	h.git_revision = *head;
	bool changed = false;
	if (command_output(git + " status --porcelain --untracked-files=no 2>/dev/null", &changed))
		h.git_dirty = changed;
}

} // namespace

HostInfo collect_host_info()
{
	HostInfo h;
	char name[256] = {};
	gethostname(name, sizeof(name) - 1);
	h.hostname = name;
	utsname u;
	h.kernel = uname(&u) == 0 ? u.release : "unknown";
	h.cpu_model = cpu_model();
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	h.cpu_count = online > 0 ? unsigned(online) : 0;
	h.dpdk_version = TRIPATH_DPDK_VERSION;
	git_state(h);
	return h;
}

bool sha256_file(const std::string &path, std::string &hex, std::string &error)
{
	struct stat st;
	if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
		error = "--config-file '" + path + "' is not a regular file";
		return false;
	}
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		error = "--config-file '" + path + "': cannot read it: " + std::strerror(errno);
		return false;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
	char buf[65536];
	while (in.read(buf, sizeof(buf)) || in.gcount() > 0)
		EVP_DigestUpdate(ctx, buf, size_t(in.gcount()));
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(ctx, digest, &len);
	EVP_MD_CTX_free(ctx);
	if (in.bad()) {
		error = "--config-file '" + path + "': read error";
		return false;
	}
	hex.clear();
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < len; i++) {
		hex += digits[digest[i] >> 4];
		hex += digits[digest[i] & 15];
	}
	return true;
}

} // namespace tripath::loadgen
