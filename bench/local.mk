# bench/local.mk - filled by its component
