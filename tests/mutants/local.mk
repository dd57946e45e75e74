# tests/mutants/local.mk - cpu_ref with planted bugs, and the test that the suite catches each
#
# Each mutant is the whole of cpu_ref (runtime and op families) compiled with one
# -DCPUREF_MUTANT_<ID>, which turns on one marked `#ifdef CPUREF_MUTANT_<ID>` block in the
# cpu_ref sources, and with its own plugin name so that it loads beside the real cpu_ref.
# The normal build never defines these macros. run_mutants.sh runs mlb-conformance on each
# and expects a failure that names the planted bug's op (or API area).
if HAVE_GTEST
MLB_MUTANTS = \
	tests/mutants/mutant_ignore_stride.la tests/mutants/mutant_wrong_broadcast.la \
	tests/mutants/mutant_bf16_double_round.la tests/mutants/mutant_write_past_end.la \
	tests/mutants/mutant_early_sync.la tests/mutants/mutant_drop_bias.la \
	tests/mutants/mutant_softmax_axis.la tests/mutants/mutant_early_event.la
check_LTLIBRARIES += $(MLB_MUTANTS)
TESTS += tests/mutants/run_mutants.sh

# Every cpu_ref source, compiled once per mutant (per-target flags give distinct objects).
MLB_MUTANT_SOURCES = $(cpuref_runtime_sources) $(cpuref_backend_sources) \
	$(plugins_cpu_ref_libcpuref_ops_la_SOURCES)
MLB_MUTANT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/cpu_ref
# As for libcpuref_ops.la: no FMA contraction, so only the planted bug differs from cpu_ref.
MLB_MUTANT_CFLAGS = $(AM_CFLAGS) -ffp-contract=off
MLB_MUTANT_LIBADD = $(PTHREAD_LIBS) -lm

# ignore_stride: binary ops (add, sub, mul, ...) read both inputs as if contiguous.
tests_mutants_mutant_ignore_stride_la_SOURCES = $(MLB_MUTANT_SOURCES)
tests_mutants_mutant_ignore_stride_la_CPPFLAGS = $(MLB_MUTANT_CPPFLAGS) \
	-DCPUREF_MUTANT_IGNORE_STRIDE -DCPUREF_PLUGIN_NAME='"mutant_ignore_stride"'
tests_mutants_mutant_ignore_stride_la_CFLAGS = $(MLB_MUTANT_CFLAGS)
tests_mutants_mutant_ignore_stride_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_mutants_mutant_ignore_stride_la_LIBADD = $(MLB_MUTANT_LIBADD)

# wrong_broadcast: on an axis one input broadcasts, binary ops don't step the other input.
tests_mutants_mutant_wrong_broadcast_la_SOURCES = $(MLB_MUTANT_SOURCES)
tests_mutants_mutant_wrong_broadcast_la_CPPFLAGS = $(MLB_MUTANT_CPPFLAGS) \
	-DCPUREF_MUTANT_WRONG_BROADCAST -DCPUREF_PLUGIN_NAME='"mutant_wrong_broadcast"'
tests_mutants_mutant_wrong_broadcast_la_CFLAGS = $(MLB_MUTANT_CFLAGS)
tests_mutants_mutant_wrong_broadcast_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_mutants_mutant_wrong_broadcast_la_LIBADD = $(MLB_MUTANT_LIBADD)

# bf16_double_round: every bf16 result rounded to f32 first, then to bf16.
tests_mutants_mutant_bf16_double_round_la_SOURCES = $(MLB_MUTANT_SOURCES)
tests_mutants_mutant_bf16_double_round_la_CPPFLAGS = $(MLB_MUTANT_CPPFLAGS) \
	-DCPUREF_MUTANT_BF16_DOUBLE_ROUND -DCPUREF_PLUGIN_NAME='"mutant_bf16_double_round"'
tests_mutants_mutant_bf16_double_round_la_CFLAGS = $(MLB_MUTANT_CFLAGS)
tests_mutants_mutant_bf16_double_round_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_mutants_mutant_bf16_double_round_la_LIBADD = $(MLB_MUTANT_LIBADD)

# write_past_end: copy stores one element just past its output.
tests_mutants_mutant_write_past_end_la_SOURCES = $(MLB_MUTANT_SOURCES)
tests_mutants_mutant_write_past_end_la_CPPFLAGS = $(MLB_MUTANT_CPPFLAGS) \
	-DCPUREF_MUTANT_WRITE_PAST_END -DCPUREF_PLUGIN_NAME='"mutant_write_past_end"'
tests_mutants_mutant_write_past_end_la_CFLAGS = $(MLB_MUTANT_CFLAGS)
tests_mutants_mutant_write_past_end_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_mutants_mutant_write_past_end_la_LIBADD = $(MLB_MUTANT_LIBADD)

# early_sync: stream (and device) synchronize return while the last queued command still runs.
tests_mutants_mutant_early_sync_la_SOURCES = $(MLB_MUTANT_SOURCES)
tests_mutants_mutant_early_sync_la_CPPFLAGS = $(MLB_MUTANT_CPPFLAGS) \
	-DCPUREF_MUTANT_EARLY_SYNC -DCPUREF_PLUGIN_NAME='"mutant_early_sync"'
tests_mutants_mutant_early_sync_la_CFLAGS = $(MLB_MUTANT_CFLAGS)
tests_mutants_mutant_early_sync_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_mutants_mutant_early_sync_la_LIBADD = $(MLB_MUTANT_LIBADD)

# drop_bias: matmul accepts a bias and never adds it.
tests_mutants_mutant_drop_bias_la_SOURCES = $(MLB_MUTANT_SOURCES)
tests_mutants_mutant_drop_bias_la_CPPFLAGS = $(MLB_MUTANT_CPPFLAGS) \
	-DCPUREF_MUTANT_DROP_BIAS -DCPUREF_PLUGIN_NAME='"mutant_drop_bias"'
tests_mutants_mutant_drop_bias_la_CFLAGS = $(MLB_MUTANT_CFLAGS)
tests_mutants_mutant_drop_bias_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_mutants_mutant_drop_bias_la_LIBADD = $(MLB_MUTANT_LIBADD)

# softmax_axis: softmax and log_softmax always normalize along the last axis.
tests_mutants_mutant_softmax_axis_la_SOURCES = $(MLB_MUTANT_SOURCES)
tests_mutants_mutant_softmax_axis_la_CPPFLAGS = $(MLB_MUTANT_CPPFLAGS) \
	-DCPUREF_MUTANT_SOFTMAX_AXIS -DCPUREF_PLUGIN_NAME='"mutant_softmax_axis"'
tests_mutants_mutant_softmax_axis_la_CFLAGS = $(MLB_MUTANT_CFLAGS)
tests_mutants_mutant_softmax_axis_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_mutants_mutant_softmax_axis_la_LIBADD = $(MLB_MUTANT_LIBADD)

# early_event: an event is complete as soon as it is recorded.
tests_mutants_mutant_early_event_la_SOURCES = $(MLB_MUTANT_SOURCES)
tests_mutants_mutant_early_event_la_CPPFLAGS = $(MLB_MUTANT_CPPFLAGS) \
	-DCPUREF_MUTANT_EARLY_EVENT -DCPUREF_PLUGIN_NAME='"mutant_early_event"'
tests_mutants_mutant_early_event_la_CFLAGS = $(MLB_MUTANT_CFLAGS)
tests_mutants_mutant_early_event_la_LDFLAGS = $(MLB_FIXTURE_LINK)
tests_mutants_mutant_early_event_la_LIBADD = $(MLB_MUTANT_LIBADD)
endif
EXTRA_DIST += tests/mutants/run_mutants.sh
