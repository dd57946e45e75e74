# conformance/local.mk - filled by its component
