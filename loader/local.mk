# loader/local.mk - libmlb (the loader frameworks link), its application header, mlb-info.
lib_LTLIBRARIES += loader/libmlb.la
include_HEADERS += loader/mlb.h
noinst_HEADERS += loader/loader.h loader/info_ops.h

# libtool -version-info current:revision:age; bump per libtool's rules on release.
loader_libmlb_la_LDFLAGS = -version-info 0:0:0 -no-undefined
loader_libmlb_la_LIBADD = $(PTHREAD_LIBS)
loader_libmlb_la_SOURCES = \
	loader/context.c \
	loader/discovery.c \
	loader/plugin.c \
	loader/registry.c \
	loader/api_device.c \
	loader/api_buffer.c \
	loader/api_stream.c \
	loader/api_event.c \
	loader/api_kernel.c \
	loader/validate.c \
	loader/error.c \
	loader/status.c \
	loader/log.c \
	loader/names.c

bin_PROGRAMS += loader/mlb-info
loader_mlb_info_SOURCES = loader/mlb_info.c loader/info_ops.c
loader_mlb_info_LDADD = loader/libmlb.la
