dnl MLB_CHECK_LEVEL_ZERO: the oneAPI Level Zero loader (libze-dev).
dnl --with-level-zero (default: auto). Explicit and missing stops configure.
AC_DEFUN([MLB_CHECK_LEVEL_ZERO], [
  AC_ARG_WITH([level-zero],
    [AS_HELP_STRING([--with-level-zero], [Level Zero support (default: auto)])],
    [], [with_level_zero=auto])
  mlb_ze_found=no
  mlb_ze_why="disabled (--without-level-zero)"
  AS_IF([test "x$with_level_zero" != xno], [
    mlb_save_LIBS="$LIBS"
    mlb_ze_ok=yes
    AC_CHECK_HEADER([level_zero/ze_api.h], [], [mlb_ze_ok=no])
    AS_IF([test $mlb_ze_ok = yes], [AC_CHECK_LIB([ze_loader], [zeInit], [], [mlb_ze_ok=no])])
    LIBS="$mlb_save_LIBS"
    AS_IF([test $mlb_ze_ok = yes],
      [mlb_ze_found=yes; mlb_ze_why="ze_api.h and libze_loader"],
      [mlb_ze_why="level_zero/ze_api.h / libze_loader not found (apt-get install libze-dev)"
       AS_IF([test "x$with_level_zero" != xauto],
         [AC_MSG_ERROR([--with-level-zero was given but $mlb_ze_why])])])])
  AM_CONDITIONAL([HAVE_LEVEL_ZERO], [test "x$mlb_ze_found" = xyes])
])
