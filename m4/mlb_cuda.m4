dnl MLB_CHECK_CUDA: the CUDA toolkit (nvcc + cudart), default /usr/local/cuda.
dnl --with-cuda[=PATH] (default: auto). Explicit and missing stops configure.
AC_DEFUN([MLB_CHECK_CUDA], [
  AC_ARG_WITH([cuda],
    [AS_HELP_STRING([--with-cuda@<:@=PATH@:>@], [CUDA toolkit location (default: auto, /usr/local/cuda)])],
    [], [with_cuda=auto])
  mlb_cuda_found=no
  mlb_cuda_why="disabled (--without-cuda)"
  CUDA_PATH=""
  AS_IF([test "x$with_cuda" != xno], [
    AS_CASE([$with_cuda], [yes|auto], [CUDA_PATH=/usr/local/cuda], [CUDA_PATH="$with_cuda"])
    AS_IF([test -x "$CUDA_PATH/bin/nvcc" && test -f "$CUDA_PATH/include/cuda_runtime.h"],
      [mlb_cuda_found=yes
       mlb_cuda_why="nvcc `$CUDA_PATH/bin/nvcc --version | sed -n 's/.*release \([[0-9.]]*\).*/\1/p'` at $CUDA_PATH"],
      [mlb_cuda_why="no nvcc and cuda_runtime.h under $CUDA_PATH"
       AS_IF([test "x$with_cuda" != xauto],
         [AC_MSG_ERROR([--with-cuda was given but $mlb_cuda_why])])])])
  AC_SUBST([CUDA_PATH])
  AM_CONDITIONAL([HAVE_CUDA], [test "x$mlb_cuda_found" = xyes])
])
