# bench/local.mk - benchmarks, built by `make` but never run by `make check`.
# bench/loader_bench: dispatch cost of libmlb against direct calls into a plugin's table.
noinst_PROGRAMS += bench/loader_bench
bench_loader_bench_SOURCES = bench/loader_bench.c
bench_loader_bench_LDADD = loader/libmlb.la $(PTHREAD_LIBS)

if HAVE_ONEDNN
# bench/onednn_bench: the oneDNN plugin through libmlb against the same oneDNN primitives called
# directly, with cpu_ref's speed and the measured FMA peak. Run after `make` (it loads the plugins
# from this build tree by default); OpenMP for the FMA probe, as libdnnl uses.
noinst_PROGRAMS += bench/onednn_bench
bench_onednn_bench_SOURCES = bench/onednn_bench.c bench/onednn_bench.h \
	bench/onednn_bench_case.c bench/onednn_bench_direct.c bench/onednn_bench_loader.c \
	bench/fma_peak.c
bench_onednn_bench_CPPFLAGS = $(AM_CPPFLAGS) $(ONEDNN_CPPFLAGS) \
	-DMLB_TOP_BUILDDIR='"$(abs_top_builddir)"'
bench_onednn_bench_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
bench_onednn_bench_LDFLAGS = $(OPENMP_CFLAGS)
bench_onednn_bench_LDADD = loader/libmlb.la $(ONEDNN_LIBS) $(PTHREAD_LIBS) -lm

# bench/onednn_layers: the launch-bound add timed at each layer (oneDNN direct, the plugin's
# kernel layer linked in, the plugin's function table, libmlb): what each layer adds.
noinst_PROGRAMS += bench/onednn_layers
bench_onednn_layers_SOURCES = bench/onednn_layers.c bench/onednn_bench.h \
	bench/onednn_bench_case.c bench/onednn_bench_direct.c bench/onednn_bench_loader.c \
	bench/onednn_bench_layer.c bench/onednn_bench_table.c
bench_onednn_layers_CPPFLAGS = $(bench_onednn_bench_CPPFLAGS) -I$(top_srcdir)/plugins/onednn \
	-I$(top_srcdir)/plugins/cpu_ref
bench_onednn_layers_CFLAGS = $(AM_CFLAGS) $(OPENMP_CFLAGS)
bench_onednn_layers_LDFLAGS = $(OPENMP_CFLAGS)
bench_onednn_layers_LDADD = loader/libmlb.la plugins/onednn/libonednn_kernels.la \
	plugins/cpu_ref/libcpuref_ops.la $(ONEDNN_LIBS) $(PTHREAD_LIBS) -lm

# Both benches run one round and still check their outputs (no figure is judged).
TESTS += bench/bench_smoke_test.sh
EXTRA_DIST += bench/bench_smoke_test.sh
endif
