// harness.cc - storage of the run's Target (see harness.h).
#include "harness.h"

namespace mlbc {

namespace {
Target the_target;
} // namespace

const Target &target() {
    return the_target;
}

Target &mutable_target() {
    return the_target;
}

} // namespace mlbc
