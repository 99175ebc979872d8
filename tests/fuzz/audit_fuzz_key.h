// The key the audit fuzz seeds were written with, so that mutated logs still carry authentic
// records for verify to sort out (tests only: never a real key).
#pragma once

inline constexpr const char *kAuditFuzzKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
