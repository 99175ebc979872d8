// What every fuzz target shares: a failed property is a crash libFuzzer saves as a reproducer.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			std::fprintf(stderr, "fuzz property failed: %s: ", #cond);                 \
			std::fprintf(stderr, __VA_ARGS__);                                         \
			std::fputc('\n', stderr);                                                  \
			std::abort();                                                              \
		}                                                                                  \
	} while (0)
