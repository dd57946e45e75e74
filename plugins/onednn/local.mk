# plugins/onednn/local.mk - oneDNN kernels (built when configure finds oneDNN)
