// op_test.h - registration of the op cases (op_test.cc).
#ifndef MLBC_OP_TEST_H
#define MLBC_OP_TEST_H

#include <cstddef>

namespace mlbc {

// Registers one GoogleTest test per v1 op x dtype x family (suite Op_<op>, test
// <dtype>_<family>) and files each in the report. Returns the count.
size_t register_op_tests();

} // namespace mlbc

#endif // MLBC_OP_TEST_H
