#!/bin/sh
# examples/mlp_test.sh - make check: runs examples/mlp with MLB_PLUGIN_PATH set to every plugin
# built in this tree, so that the example runs on every device present.
set -u
top=${MLB_TOP_BUILDDIR:-$(pwd)}
path=
for d in "$top"/plugins/*/.libs; do
    ls "$d"/*.so >/dev/null 2>&1 && path=${path:+$path:}$d
done
[ -n "$path" ] || { echo "no plugin built under $top/plugins"; exit 99; }
MLB_PLUGIN_PATH=$path
export MLB_PLUGIN_PATH
echo "MLB_PLUGIN_PATH=$MLB_PLUGIN_PATH"
exec "$top/examples/mlp"
