# plugins/cpu_ref/local.mk - filled by its component
