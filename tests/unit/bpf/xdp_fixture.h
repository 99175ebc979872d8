// Shared by the XDP tests: skips when the host cannot load BPF, resets the counter tallies.
#pragma once

#include <gtest/gtest.h>

#include "xdp_harness.h"

namespace tripath::test {

class XdpTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		std::string why;
		bool skip = false;
		h = XdpHarness::get(why, skip);
		if (skip)
			GTEST_SKIP() << why;
		ASSERT_NE(h, nullptr) << why;
		h->bind_xsk(true);
		h->reset_tallies();
	}
	XdpHarness *h = nullptr;
};

} // namespace tripath::test
