# loader/local.mk - filled by its component
