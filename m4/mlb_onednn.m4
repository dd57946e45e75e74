dnl MLB_CHECK_ONEDNN: oneDNN 2.x (libdnnl-dev ships no pkg-config file).
dnl --with-onednn[=PREFIX] (default: auto). Explicit and missing stops configure.
AC_DEFUN([MLB_CHECK_ONEDNN], [
  AC_ARG_WITH([onednn],
    [AS_HELP_STRING([--with-onednn@<:@=PREFIX@:>@], [build the oneDNN plugin (default: auto)])],
    [], [with_onednn=auto])
  mlb_onednn_build=no
  mlb_onednn_why="disabled (--without-onednn)"
  ONEDNN_CPPFLAGS=""
  ONEDNN_LIBS=""
  AS_IF([test "x$with_onednn" != xno], [
    AS_CASE([$with_onednn], [yes|auto], [], [
      ONEDNN_CPPFLAGS="-I$with_onednn/include"
      ONEDNN_LDFLAGS="-L$with_onednn/lib"])
    mlb_save_CPPFLAGS="$CPPFLAGS"; mlb_save_LDFLAGS="$LDFLAGS"; mlb_save_LIBS="$LIBS"
    CPPFLAGS="$CPPFLAGS $ONEDNN_CPPFLAGS"; LDFLAGS="$LDFLAGS $ONEDNN_LDFLAGS"
    mlb_onednn_ok=yes
    AC_CHECK_HEADER([dnnl.h], [], [mlb_onednn_ok=no])
    AS_IF([test $mlb_onednn_ok = yes],
      [AC_CHECK_LIB([dnnl], [dnnl_engine_create], [], [mlb_onednn_ok=no])])
    CPPFLAGS="$mlb_save_CPPFLAGS"; LDFLAGS="$mlb_save_LDFLAGS"; LIBS="$mlb_save_LIBS"
    AS_IF([test $mlb_onednn_ok = yes],
      [ONEDNN_LIBS="$ONEDNN_LDFLAGS -ldnnl"
       mlb_onednn_why="oneDNN found: mlb_onednn plugin, its kernel library, tests and bench"
       mlb_onednn_build=yes],
      [mlb_onednn_why="dnnl.h / libdnnl not found (apt-get install libdnnl-dev)"
       AS_IF([test "x$with_onednn" != xauto],
         [AC_MSG_ERROR([--with-onednn was given but $mlb_onednn_why])])])])
  AC_SUBST([ONEDNN_CPPFLAGS])
  AC_SUBST([ONEDNN_LIBS])
  AM_CONDITIONAL([HAVE_ONEDNN], [test "x$mlb_onednn_build" = xyes])
])
