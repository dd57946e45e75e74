# examples/local.mk - runnable examples, built and run by make check
# mlp: a two-layer MLP forward on every device present, compared with cpu_ref:0.
check_PROGRAMS += examples/mlp
examples_mlp_SOURCES = examples/mlp.c
examples_mlp_LDADD = loader/libmlb.la -lm
# The wrapper points MLB_PLUGIN_PATH at the plugins built in this tree.
TESTS += examples/mlp_test.sh
EXTRA_DIST += examples/README.md examples/mlp_test.sh
