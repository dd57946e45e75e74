# abi/local.mk - the installed ABI header and its guard tests.
include_HEADERS += abi/ml_backend.h

# The header must compile alone as strict C99 and as C++11 (no other flags leak in).
check_PROGRAMS += tests/abi_c99 tests/abi_cxx11 tests/abi_layout_test
tests_abi_c99_SOURCES = tests/abi_alone.c
tests_abi_c99_CFLAGS = -std=c99 -pedantic -Wall -Wextra -Werror
tests_abi_cxx11_SOURCES = tests/abi_alone_cxx.cc
tests_abi_cxx11_CXXFLAGS = -std=c++11 -pedantic -Wall -Wextra -Werror
tests_abi_layout_test_SOURCES = tests/abi_layout_test.c
TESTS += tests/abi_c99 tests/abi_cxx11 tests/abi_layout_test
