dnl MLB_CHECK_HIP: HIP / ROCm (hipcc and libamdhip64).
dnl --with-hip[=PATH] (default: auto). Explicit and missing stops configure.
AC_DEFUN([MLB_CHECK_HIP], [
  AC_ARG_WITH([hip],
    [AS_HELP_STRING([--with-hip@<:@=PATH@:>@], [HIP/ROCm location (default: auto, hipcc on PATH)])],
    [], [with_hip=auto])
  mlb_hip_found=no
  mlb_hip_why="disabled (--without-hip)"
  HIPCC=""
  AS_IF([test "x$with_hip" != xno], [
    AS_CASE([$with_hip],
      [yes|auto], [AC_PATH_PROG([HIPCC], [hipcc], [])],
      [AS_IF([test -x "$with_hip/bin/hipcc"], [HIPCC="$with_hip/bin/hipcc"])])
    AS_IF([test -n "$HIPCC"],
      [mlb_hip_found=yes; mlb_hip_why="hipcc at $HIPCC"],
      [mlb_hip_why="hipcc not found (apt-get install hipcc libamdhip64-dev)"
       AS_IF([test "x$with_hip" != xauto],
         [AC_MSG_ERROR([--with-hip was given but $mlb_hip_why])])])])
  AC_SUBST([HIPCC])
  AM_CONDITIONAL([HAVE_HIP], [test "x$mlb_hip_found" = xyes])
])
