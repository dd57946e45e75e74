# bench/local.mk - benchmarks, built by `make` but never run by `make check`.
# bench/loader_bench: dispatch cost of libmlb against direct calls into a plugin's table.
noinst_PROGRAMS += bench/loader_bench
bench_loader_bench_SOURCES = bench/loader_bench.c
bench_loader_bench_LDADD = loader/libmlb.la $(PTHREAD_LIBS)
