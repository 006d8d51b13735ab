# Minimal TAP producer for covara's shell tests (run by prove).
# Source it after test/lib/common.sh.

_tap_n=0
_tap_failed=0

# ok STATUS DESCRIPTION: a test passes when STATUS is 0.
tap_ok() {
	local status=$1; shift
	_tap_n=$((_tap_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# is GOT EXPECTED DESCRIPTION
tap_is() {
	local got=$1 want=$2; shift 2
	if [ "$got" = "$want" ]; then
		tap_ok 0 "$@"
	else
		tap_ok 1 "$@"
		tap_diag "     got: $got"
		tap_diag "expected: $want"
	fi
}

# diff_ok FILE_A FILE_B DESCRIPTION: pass when the files are identical,
# else print a unified diff.
tap_diff_ok() {
	local a=$1 b=$2; shift 2
	if diff -u "$a" "$b" >/dev/null; then
		tap_ok 0 "$@"
	else
		tap_ok 1 "$@"
		diff -u "$a" "$b" | head -200 | sed 's/^/# /'
	fi
}

# skip DESCRIPTION REASON: a test that does not apply here.
tap_skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

tap_diag() { printf '# %s\n' "$*"; }

tap_done() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}
