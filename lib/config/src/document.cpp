// Parsing the text: one document only, and a guard against yaml-cpp 0.7's stuck-parser bug.
#include "document.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace tripath::config::detail {

namespace {

// Notes where each document starts and whether it holds anything; builds no nodes.
class DocumentScan : public YAML::EventHandler {
public:
	YAML::Mark start;
	YAML::Mark root;
	bool has_content = false;

	void OnDocumentStart(const YAML::Mark &mark) override
	{
		start = mark;
		has_content = false;
		depth_ = 0;
	}
	void OnDocumentEnd() override {}
	void OnNull(const YAML::Mark &mark, YAML::anchor_t) override { node(mark, false); }
	void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override { node(mark, true); }
	void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
		      const std::string &) override
	{
		node(mark, true);
	}
	void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
			     YAML::EmitterStyle::value) override
	{
		node(mark, true);
	}
	void OnSequenceEnd() override {}
	void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
			YAML::EmitterStyle::value) override
	{
		node(mark, true);
	}
	void OnMapEnd() override {}

private:
	void node(const YAML::Mark &mark, bool content)
	{
		if (depth_++ == 0) {
			root = mark;
			has_content = content;
		}
	}
	int depth_ = 0;
};

} // namespace

YAML::Node parse_document(const Reader &reader, std::string_view text)
{
	const std::string copy(text);
	try {
		// yaml-cpp 0.7 can stop consuming input (e.g. on a stray ','), returning the same
		// empty document forever (jbeder/yaml-cpp#1040): a few bounded passes catch it.
		std::istringstream in(copy);
		YAML::Parser parser(in);
		DocumentScan scan;
		int prev_start = -1;
		for (int n = 0; n < 3 && parser.HandleNextDocument(scan); n++) {
			if (scan.start.pos == prev_start)
				reader.fail(reader.at(scan.start),
					    "YAML syntax error: unexpected '" +
						    std::string(1, copy.at(prev_start)) + "'");
			if (n > 0 && scan.has_content)
				reader.fail(
					reader.at(scan.root),
					"a second YAML document; a config file holds exactly one");
			prev_start = scan.start.pos;
		}
		return YAML::Load(copy);
	} catch (const YAML::ParserException &e) {
		reader.fail(reader.at(e.mark), "YAML syntax error: " + e.msg);
	}
}

} // namespace tripath::config::detail
