// Writes the audit fuzz targets' seeds: logs made by the audit unit tests' own fixture (make_log)
// under the seed key, intact, with checkpoints, torn and edited, and each of their lines.
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "../unit/audit/audit_test_util.h"
#include "audit_fuzz_key.h"

using namespace tripath::audit;

namespace {

void seed_key(const std::string &path)
{
	int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, kAuditFuzzKeyHex, 64) != 64 || close(fd) != 0)
		throw std::runtime_error("cannot write " + path);
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s VERIFY_CORPUS_DIR RECORD_CORPUS_DIR\n", argv[0]);
		return 2;
	}
	const std::string verify_dir = argv[1], record_dir = argv[2];
	struct Shape {
		const char *name;
		uint64_t decisions;
		uint32_t checkpoint_every;
	};
	for (Shape s : {Shape{"closed-3", 3, 0}, Shape{"checkpoints-12", 12, 4}}) {
		test::ScratchDir dir;
		seed_key(dir.path("key"));
		test::LogFixture f = test::make_log(dir, s.decisions, s.checkpoint_every);
		std::vector<std::string> lines = test::read_lines(f.log);
		test::write_lines(verify_dir + "/" + s.name, lines);
		for (size_t i = 0; i < lines.size(); i++)
			test::write_file(record_dir + "/" + s.name + "-line" + std::to_string(i + 1), lines[i]);
		std::string torn = test::read_file(f.log);
		test::write_file(verify_dir + "/" + s.name + "-torn", torn.substr(0, torn.size() - 40));
		std::vector<std::string> swapped = lines;
		std::swap(swapped[1], swapped[2]);
		test::write_lines(verify_dir + "/" + s.name + "-reordered", swapped);
		swapped.erase(swapped.begin() + 1);
		test::write_lines(verify_dir + "/" + s.name + "-deleted", swapped);
		lines[1] = test::edit_record(lines[1], [](Record &r) { r.decision = "APPROVE"; r.reason = "edited"; });
		test::write_lines(verify_dir + "/" + s.name + "-edited", lines);
	}
	return 0;
}
