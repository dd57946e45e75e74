# tests/local.mk - filled by its component
