#!/bin/sh
# check-upstream.sh runs brpc's own tests against this package: brpc_test.go
# and methods_test.go of github.com/easysy/brpc v0.0.19, with their import
# of brpc changed to compat/brpc and nothing else, in a scratch module
# outside the repository (deleted afterwards) that replaces switchboard with
# this checkout. Nothing of brpc's is kept or committed.
#
#	sh compat/brpc/check-upstream.sh [BRPC_GIT_DIR] [go test flags]
#
# BRPC_GIT_DIR is a clone of brpc (bare or not) holding the tag; without
# it the tag is cloned from GitHub. The default flags are
# -race -count=10: every subtest of TestBRPC and TestTypeDescription, ten
# runs in a row.
set -eu

tag=v0.0.19
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/brpccheck.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ $# -gt 0 ] && [ -d "$1" ]; then
	gitdir=$1
	shift
else
	git clone -q --bare --depth 1 --branch "$tag" https://github.com/easysy/brpc "$work/brpc.git"
	gitdir=$work/brpc.git
fi
[ $# -gt 0 ] || set -- -race -count=10

mkdir "$work/check"
for f in brpc_test.go methods_test.go; do
	git --git-dir="$gitdir" show "$tag:$f" >"$work/$f"
	sed 's#"github.com/easysy/brpc"#"github.com/switchboard-rpc/switchboard/compat/brpc"#' "$work/$f" >"$work/check/$f"
	changed=$(diff "$work/$f" "$work/check/$f" | grep -c '^>' || true)
	if [ "$changed" != 1 ]; then
		echo "check-upstream: $f: expected to change one line (the import), changed $changed" >&2
		exit 1
	fi
done
cat >"$work/check/go.mod" <<MOD
module brpccheck

go 1.26

require github.com/switchboard-rpc/switchboard v0.0.0

replace github.com/switchboard-rpc/switchboard => $root
MOD
cp "$root/go.sum" "$work/check/"
cd "$work/check"
go mod tidy
go test "$@" -run '^(TestBRPC|TestTypeDescription)$' -v . >"$work/log" 2>&1 || {
	cat "$work/log"
	exit 1
}
grep -E '^ *(--- |ok|FAIL)' "$work/log" | sed 's/ (.*s)$//' | sort | uniq -c
