# bench/local.mk - benchmarks, built by `make` but never run by `make check`.
# bench/loader_bench: dispatch cost of libmlb against direct calls into a plugin's table.
noinst_PROGRAMS += bench/loader_bench
bench_loader_bench_SOURCES = bench/loader_bench.c
bench_loader_bench_LDADD = loader/libmlb.la $(PTHREAD_LIBS)

if HAVE_ONEDNN
# bench/onednn_bench: oneDNN kernel layer against the same primitives called directly.
noinst_PROGRAMS += bench/onednn_bench
bench_onednn_bench_SOURCES = bench/onednn_bench.c
bench_onednn_bench_CPPFLAGS = $(AM_CPPFLAGS) $(ONEDNN_CPPFLAGS) \
	-I$(top_srcdir)/plugins/onednn -I$(top_srcdir)/plugins/cpu_ref
bench_onednn_bench_LDADD = plugins/onednn/libonednn_kernels.la \
	plugins/cpu_ref/libcpuref_ops.la $(ONEDNN_LIBS) $(PTHREAD_LIBS) -lm
endif
