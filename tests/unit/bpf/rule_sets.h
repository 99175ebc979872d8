// Rule sets for the agreement test, and frames aimed at their edges.
#pragma once

#include <tripath/config/config.h>

#include "frames.h"

namespace tripath::test {

// Random rules over every match field and every path (the ACL test's generator, widened).
config::Config random_rules(Rng &g, unsigned n);

// Hand-written: one rule per kind of edge (odd prefix lengths, single-port and wide ranges,
// VLAN, DSCP, frame sizes up to and past 65535, non-IP, IPv6-only, proto without ports...).
config::Config edge_rules();

// A frame spec aimed at one rule of cfg: every field it matches on is satisfied, then some
// are moved to just inside or just outside the rule's edge (prefix bit len-1 / len, port
// lo-1 / lo / hi / hi+1, the other VLAN position, DSCP +-1, frame length around the range).
FrameSpec boundary_spec(Rng &g, const config::Config &cfg);

} // namespace tripath::test
