# conformance/local.mk - mlb-conformance, the GoogleTest suite a vendor runs on a plugin.
if HAVE_GTEST
bin_PROGRAMS += conformance/mlb-conformance
conformance_mlb_conformance_SOURCES = conformance/harness.h
conformance_mlb_conformance_CPPFLAGS = $(AM_CPPFLAGS) $(GTEST_CFLAGS)
conformance_mlb_conformance_LDADD = loader/libmlb.la $(GTEST_LIBS) $(PTHREAD_LIBS) -lm
# The runner, case generators, comparison and report; the op tests.
include conformance/core.mk
# The API contract tests.
include conformance/api.mk
endif
