// Reading a host's /proc and /sys under a root prefix, so checks run on synthetic trees.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <tripath/config/config.h>

namespace tripath::doctor::detail {

class HostFiles {
public:
	explicit HostFiles(std::string root) : root_(std::move(root)) {}
	// The file's text without its trailing newline; nullopt when it cannot be read.
	std::optional<std::string> read(const std::string &path) const;
	std::vector<std::string> list(const std::string &dir) const; // entry names, sorted
	bool exists(const std::string &path) const;
	std::string link_name(const std::string &path) const;         // last component of a symlink's target, "" if none
	bool is_live() const { return root_.empty(); }                // the real host, not a synthetic tree

private:
	std::string root_;
};

// Kernel cpulists: "0-3,8" <-> {0,1,2,3,8}.
std::vector<unsigned> parse_cpu_list(const std::string &text);
std::string format_cpu_list(const std::vector<unsigned> &cpus);
// The value of `name=` on a kernel command line, or nullopt.
std::optional<std::string> cmdline_param(const std::string &cmdline, const std::string &name);
// CPUs EAL polls with: worker and bulk lcores.
std::vector<unsigned> polling_cpus(const config::Config &cfg);

} // namespace tripath::doctor::detail
