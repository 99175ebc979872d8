// The key file: created 0600, refused when group or others may touch it, errors name the file.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <tripath/audit/key.h>
#include <tripath/audit/log.h>

#include "audit_test_util.h"

namespace tripath::audit::test {
namespace {

TEST(AuditKey, CreatedWithOwnerOnlyModeAndRefusesToOverwrite)
{
	ScratchDir dir;
	std::string path = dir.path("key"), error;
	ASSERT_TRUE(create_key_file(path, error)) << error;
	struct stat st;
	ASSERT_EQ(stat(path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
	std::string text = read_file(path);
	EXPECT_EQ(text.size(), 65u);
	EXPECT_EQ(text.find_first_not_of("0123456789abcdef"), 64u);
	Key key;
	EXPECT_TRUE(load_key(path, key, error)) << error;

	EXPECT_FALSE(create_key_file(path, error));
	EXPECT_NE(error.find(path), std::string::npos) << error;
	EXPECT_EQ(read_file(path), text);
}

TEST(AuditKey, RefusesAKeyFileGroupOrOthersMayReadOrWrite)
{
	ScratchDir dir;
	std::string path = dir.path("key"), error;
	ASSERT_TRUE(create_key_file(path, error)) << error;
	for (mode_t mode : {0644, 0640, 0604, 0620, 0602}) {
		ASSERT_EQ(chmod(path.c_str(), mode), 0);
		Key key;
		EXPECT_FALSE(load_key(path, key, error)) << std::oct << mode;
		EXPECT_NE(error.find(path + ": key file mode 0" + [&] {
			char b[8];
			std::snprintf(b, sizeof(b), "%o", unsigned(mode));
			return std::string(b);
		}()), std::string::npos) << error;
		EXPECT_NE(error.find("group or others"), std::string::npos) << error;
		std::string log_error;
		EXPECT_FALSE(AuditLog::open(dir.path("log"), path, quiet_options(), log_error));
		EXPECT_EQ(log_error, error);
	}
	for (mode_t mode : {0600, 0400}) {
		ASSERT_EQ(chmod(path.c_str(), mode), 0);
		Key key;
		EXPECT_TRUE(load_key(path, key, error)) << error;
	}
}

TEST(AuditKey, BadContentNamesFileAndLine)
{
	ScratchDir dir;
	std::string path = dir.path("key"), error;
	Key key;
	auto write_key = [&](const std::string &text) {
		write_file(path, text);
		chmod(path.c_str(), 0600);
	};
	write_key(std::string(62, 'a') + "\n");
	EXPECT_FALSE(load_key(path, key, error));
	EXPECT_NE(error.find(path + ":1: expected at least 64 hex digits"), std::string::npos) << error;
	write_key(std::string(63, 'a') + "z\n");
	EXPECT_FALSE(load_key(path, key, error));
	EXPECT_NE(error.find(path + ":1:"), std::string::npos) << error;
	write_key(std::string(64, 'a') + "\nmore\n");
	EXPECT_FALSE(load_key(path, key, error));
	EXPECT_NE(error.find(path + ":2:"), std::string::npos) << error;
	EXPECT_FALSE(load_key(dir.path("absent"), key, error));
	EXPECT_NE(error.find(dir.path("absent") + ": cannot open key file"), std::string::npos) << error;
}

TEST(AuditKey, LogCreatesAMissingKeyOnlyWhenAsked)
{
	ScratchDir dir;
	std::string error;
	LogOptions options = quiet_options();
	options.create_key = false;
	EXPECT_FALSE(AuditLog::open(dir.path("log"), dir.path("key"), options, error));
	EXPECT_NE(error.find("cannot open key file"), std::string::npos) << error;
	options.create_key = true;
	EXPECT_TRUE(AuditLog::open(dir.path("log"), dir.path("key"), options, error)) << error;
	struct stat st;
	ASSERT_EQ(stat(dir.path("key").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0600u);
}

} // namespace
} // namespace tripath::audit::test
