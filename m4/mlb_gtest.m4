dnl MLB_CHECK_GTEST: GoogleTest for the conformance suite.
dnl --with-gtest (default: auto). Explicit yes and missing stops configure.
AC_DEFUN([MLB_CHECK_GTEST], [
  AC_ARG_WITH([gtest],
    [AS_HELP_STRING([--with-gtest], [build the GoogleTest suites (default: auto)])],
    [], [with_gtest=auto])
  mlb_gtest_build=no
  mlb_gtest_why="disabled (--without-gtest)"
  AS_IF([test "x$with_gtest" != xno], [
    PKG_CHECK_MODULES([GTEST], [gtest_main >= 1.10],
      [mlb_gtest_build=yes; mlb_gtest_why="gtest_main `$PKG_CONFIG --modversion gtest_main`"],
      [mlb_gtest_why="gtest_main >= 1.10 not found (apt-get install libgtest-dev)"
       AS_IF([test "x$with_gtest" = xyes],
         [AC_MSG_ERROR([--with-gtest was given but $mlb_gtest_why])])])])
  AM_CONDITIONAL([HAVE_GTEST], [test "x$mlb_gtest_build" = xyes])
])
