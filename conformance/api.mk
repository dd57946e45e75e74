# conformance/api.mk - API contract tests: suites Api_<Area>, one file per area.
conformance_mlb_conformance_SOURCES += \
	conformance/api_util.h \
	conformance/api_negotiation_test.cc \
	conformance/api_device_test.cc \
	conformance/api_buffer_test.cc \
	conformance/api_stream_test.cc \
	conformance/api_event_test.cc \
	conformance/api_errors_test.cc \
	conformance/api_threads_test.cc \
	conformance/api_bad_input_test.cc
