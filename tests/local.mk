# tests/local.mk - loader tests: fixture plugins built from one source, the tests, mlb-info's.

# ---- fixture plugins: tests/fixture_plugin.c in one variant each --------------------------------
check_LTLIBRARIES += \
	tests/fixture_good.la tests/fixture_no_entry.la tests/fixture_entry_fails.la \
	tests/fixture_bad_major.la tests/fixture_short_table.la tests/fixture_null_slot.la \
	tests/fixture_init_fails.la tests/fixture_enum_fails.la tests/fixture_zero_devices.la \
	tests/fixture_old_minor.la tests/fixture_new_minor.la tests/fixture_short_props.la

tests_fixture_good_la_SOURCES = tests/fixture_plugin.c
tests_fixture_good_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_good_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_good"'

tests_fixture_no_entry_la_SOURCES = tests/fixture_plugin.c
# Nothing to export: an export list would be empty, which the linker refuses.
tests_fixture_no_entry_la_LDFLAGS = -module -avoid-version -shared -no-undefined -rpath $(abs_builddir)
tests_fixture_no_entry_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_no_entry"' \
	-DFIXTURE_NO_ENTRY

tests_fixture_entry_fails_la_SOURCES = tests/fixture_plugin.c
tests_fixture_entry_fails_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_entry_fails_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_entry_fails"' \
	-DFIXTURE_ENTRY_FAILS

tests_fixture_bad_major_la_SOURCES = tests/fixture_plugin.c
tests_fixture_bad_major_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_bad_major_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_bad_major"' \
	-DFIXTURE_ABI_MAJOR=2

tests_fixture_short_table_la_SOURCES = tests/fixture_plugin.c
tests_fixture_short_table_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_short_table_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_short_table"' \
	-DFIXTURE_SHORT_TABLE

tests_fixture_null_slot_la_SOURCES = tests/fixture_plugin.c
tests_fixture_null_slot_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_null_slot_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_null_slot"' \
	-DFIXTURE_NULL_SLOT

tests_fixture_init_fails_la_SOURCES = tests/fixture_plugin.c
tests_fixture_init_fails_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_init_fails_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_init_fails"' \
	-DFIXTURE_INIT_FAILS

tests_fixture_enum_fails_la_SOURCES = tests/fixture_plugin.c
tests_fixture_enum_fails_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_enum_fails_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_enum_fails"' \
	-DFIXTURE_ENUM_FAILS

tests_fixture_zero_devices_la_SOURCES = tests/fixture_plugin.c
tests_fixture_zero_devices_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_zero_devices_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_zero_devices"' \
	-DFIXTURE_DEVICES=0

tests_fixture_old_minor_la_SOURCES = tests/fixture_plugin.c
tests_fixture_old_minor_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_old_minor_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_old_minor"' \
	-DFIXTURE_OLD_MINOR

tests_fixture_new_minor_la_SOURCES = tests/fixture_plugin.c
tests_fixture_new_minor_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_new_minor_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_new_minor"' \
	-DFIXTURE_NEW_MINOR

tests_fixture_short_props_la_SOURCES = tests/fixture_plugin.c
tests_fixture_short_props_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_fixture_short_props_la_CPPFLAGS = $(AM_CPPFLAGS) -DFIXTURE_NAME='"fixture_short_props"' \
	-DFIXTURE_SHORT_PROPS

# ---- loader tests ---------------------------------------------------------------------------
MLB_LOADER_TESTS = \
	tests/loader_negotiation_test \
	tests/loader_discovery_test \
	tests/loader_api_test \
	tests/loader_validate_test \
	tests/loader_thread_test
check_PROGRAMS += $(MLB_LOADER_TESTS)
TESTS += $(MLB_LOADER_TESTS) tests/mlb_info_test.sh
EXTRA_DIST += tests/mlb_info_test.sh
# check.h is the shared test harness; listed here so `make dist` ships it.
noinst_HEADERS += tests/loader_util.h tests/check.h

tests_loader_negotiation_test_SOURCES = tests/loader_negotiation_test.c
tests_loader_negotiation_test_LDADD = loader/libmlb.la
tests_loader_discovery_test_SOURCES = tests/loader_discovery_test.c
tests_loader_discovery_test_LDADD = loader/libmlb.la
tests_loader_api_test_SOURCES = tests/loader_api_test.c
tests_loader_api_test_LDADD = loader/libmlb.la
tests_loader_validate_test_SOURCES = tests/loader_validate_test.c
tests_loader_validate_test_LDADD = loader/libmlb.la
tests_loader_thread_test_SOURCES = tests/loader_thread_test.c
tests_loader_thread_test_LDADD = loader/libmlb.la $(PTHREAD_LIBS)

# ---- cpu_ref reached through the loader, as a framework reaches it -------------------------------
check_PROGRAMS += tests/cpuref_loader_test
TESTS += tests/cpuref_loader_test
tests_cpuref_loader_test_SOURCES = tests/cpuref_loader_test.c
tests_cpuref_loader_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_cpuref_loader_test_LDADD = loader/libmlb.la

# ---- mutants: proof that the conformance suite catches planted bugs ------------------------------
include tests/mutants/local.mk
