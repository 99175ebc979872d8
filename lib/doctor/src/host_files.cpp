#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host_files.h"

namespace tripath::doctor::detail {

namespace fs = std::filesystem;

std::optional<std::string> HostFiles::read(const std::string &path) const
{
	std::ifstream in(root_ + path);
	if (!in)
		return std::nullopt;
	std::ostringstream text;
	text << in.rdbuf();
	if (in.bad())
		return std::nullopt;
	std::string s = text.str();
	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	return s;
}

std::vector<std::string> HostFiles::list(const std::string &dir) const
{
	std::vector<std::string> names;
	std::error_code ec;
	for (fs::directory_iterator it(root_ + dir, ec), end; !ec && it != end; it.increment(ec))
		names.push_back(it->path().filename().string());
	std::ranges::sort(names);
	return names;
}

bool HostFiles::exists(const std::string &path) const
{
	std::error_code ec;
	return fs::exists(root_ + path, ec);
}

std::string HostFiles::link_name(const std::string &path) const
{
	std::error_code ec;
	fs::path target = fs::read_symlink(root_ + path, ec);
	return ec ? std::string() : target.filename().string();
}

std::vector<unsigned> parse_cpu_list(const std::string &text)
{
	std::vector<unsigned> cpus;
	std::istringstream in(text);
	std::string part;
	while (std::getline(in, part, ',')) {
		unsigned lo = 0, hi = 0;
		char dash = 0;
		std::istringstream p(part);
		if (!(p >> lo))
			continue; // flags such as isolcpus=domain,managed_irq,2-5
		hi = lo;
		if (p >> dash && dash == '-' && !(p >> hi))
			hi = lo;
		for (unsigned c = lo; c <= hi && c < 4096; c++)
			cpus.push_back(c);
	}
	std::ranges::sort(cpus);
	cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
	return cpus;
}

std::string format_cpu_list(const std::vector<unsigned> &cpus)
{
	std::string out;
	for (size_t i = 0; i < cpus.size();) {
		size_t j = i;
		while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1)
			j++;
		out += (out.empty() ? "" : ",") + std::to_string(cpus[i]);
		if (j > i)
			out += "-" + std::to_string(cpus[j]);
		i = j + 1;
	}
	return out;
}

std::optional<std::string> cmdline_param(const std::string &cmdline, const std::string &name)
{
	std::istringstream in(cmdline);
	std::string word;
	std::optional<std::string> value;
	while (in >> word) {
		if (word == "--")
			break; // what follows is init's arguments, not the kernel's
		if (word.rfind(name + "=", 0) == 0)
			value = word.substr(name.size() + 1); // the last one wins, as in the kernel
	}
	return value;
}

std::vector<unsigned> polling_cpus(const config::Config &cfg)
{
	std::vector<unsigned> cpus;
	for (const config::LcoreConfig &lc : cfg.lcores)
		if (lc.role != config::LcoreRole::control)
			cpus.push_back(lc.id);
	std::ranges::sort(cpus);
	return cpus;
}

} // namespace tripath::doctor::detail
