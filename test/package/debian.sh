#!/usr/bin/env bash
# covara as a package: the release tarball (make dist) holds everything a
# build needs; from it, dpkg-buildpackage builds the Debian binary package
# postgresql-15-covara with pg_buildext (running covara's pg_regress and
# isolation suites against the build, as Debian does); the package has the
# files a server needs; installed into a clean directory (dpkg-deb -x, the
# system untouched), it gives a cluster a working CREATE EXTENSION covara,
# its covara.so mapped from that directory and nowhere else (Debian's
# extension_destdir looks there first, for the control file and scripts
# too, and the package has them all).
#
#   prove test/package/debian.sh      (test/run-all runs it)
#
# Needs root (or sudo) the first time: apt-get build-dep installs the
# package's Build-Depends from the machine's Debian sources.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"
cd "$COVARA_ROOT"

version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" covara.control)
covara_work_init
work=$(mktemp -d "$COVARA_WORK/package.XXXXXX")
# the build's test clusters and the smoke test's run as postgres and read
# the package tree
chmod 755 "$work"

# 1. the release tarball, of the working tree's tracked files as they are
#    now (git stash create makes a commit of them without touching
#    anything; on a clean checkout it prints nothing and HEAD is used)
ref=$(git stash create 2>/dev/null)
make -s dist DIST_REF="${ref:-HEAD}" >/dev/null 2>"$work/dist.err"
tap_ok $? "make dist makes dist/covara-$version.tar.gz"
sed 's/^/# /' "$work/dist.err"
tarball=dist/covara-$version.tar.gz
tar -tzf "$tarball" | sed "s|^covara-$version/||" | sort >"$work/dist.list"
missing=$(git ls-files | sort | comm -23 - "$work/dist.list" | grep -v -e '^\.ci/' -e '^\.gitattributes$' || true)
tap_ok "$([ -z "$missing" ]; echo $?)" "the tarball holds every tracked file (but CI's), under covara-$version/"
[ -n "$missing" ] && sed 's/^/# missing: /' <<<"$missing"
tap_ok "$(grep -q -e '^\.ci/' "$work/dist.list"; [ $? -eq 1 ]; echo $?)" "... and not .ci/ (.gitattributes: export-ignore)"

# 2. the Debian package, built from the unpacked tarball
mkdir -p "$work/src"
tar -xzf "$tarball" -C "$work/src"
cp "$tarball" "$work/src/covara_$version.orig.tar.gz"
src=$work/src/covara-$version
covara_log "installing the Build-Depends of debian/control (apt-get build-dep)"
covara_as_root env DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq "$src" >"$work/build-dep.log" 2>&1
rc=$?
tap_ok $rc "apt-get build-dep installs what debian/control asks for"
[ $rc -eq 0 ] || sed 's/^/# /' "$work/build-dep.log" | tail -20
# (with the build's tests: DEB_BUILD_OPTIONS=nocheck would skip them)
(cd "$src" && env -u DEB_BUILD_OPTIONS dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1
rc=$?
tap_ok $rc "dpkg-buildpackage -b builds it (pg_buildext)"
[ $rc -eq 0 ] || grep -v '^[0-9-]* [0-9:.]* UTC \[' "$work/build.log" | tail -40 | sed 's/^/# /'
tap_ok "$(grep -q "All $(ls sql/*.sql | wc -l) tests passed" "$work/build.log" &&
	grep -q "All $(ls test/isolation/specs/*.spec | wc -l) tests passed" "$work/build.log"; echo $?)" \
	"... after covara's pg_regress and isolation suites passed against the build"
deb=$(ls "$work/src/postgresql-15-covara_${version}-"*_amd64.deb 2>/dev/null | head -n 1)
tap_ok "$([ -n "$deb" ]; echo $?)" "the binary package postgresql-15-covara $version"
if [ -z "$deb" ]; then
	tap_done
	exit 1
fi
tap_diag "$(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"
tap_is "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version | sed 's/-[^-]*$//')" \
	"postgresql-15-covara $version" "its name and upstream version"
tap_ok "$(dpkg-deb -f "$deb" Depends | grep -q '^postgresql-15\b'; echo $?)" "it depends on postgresql-15"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$work/deb.list"
want=(/usr/lib/postgresql/15/lib/covara.so /usr/share/postgresql/15/extension/covara.control)
for f in src/sql/versions/covara--*.sql; do want+=("/usr/share/postgresql/15/extension/${f##*/}"); done
want+=("/usr/share/postgresql/15/extension/covara--$version.sql")	# built from src/sql
absent=$(printf '%s\n' "${want[@]}" | grep -vxF -f "$work/deb.list" || true)
tap_ok "$([ -z "$absent" ]; echo $?)" "it holds the module, the control file and all ${#want[@]} extension scripts, with the install script built from src/sql"
[ -n "$absent" ] && sed 's/^/# missing: /' <<<"$absent"

# 3. installed into a clean directory: a cluster that loads covara from there
root=$work/root
dpkg-deb -x "$deb" "$root"
covara_use_pg 15
out=$(COVARA_DESTDIR=$root covara_with_cluster psql -X -At -q -v ON_ERROR_STOP=1 2>"$work/smoke.err" <<'SQL'
CREATE EXTENSION covara;
SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'covara';
SELECT 'hash ' || covara.hash_token('abc');
SELECT 'token ' || length(covara.generate_token());
SELECT covara.create_session('pkg-user', '1 hour') AS sid \gset
SELECT 'session ' || "userId" FROM covara.get_session(:'sid');
SELECT covara.create_search_index('pkg', '{"title": "A"}') \g /dev/null
INSERT INTO covara_fts_pkg (doc_id, source) VALUES ('p1', '{"title": "Packaged with pg_buildext"}');
SELECT 'search ' || doc_id FROM covara.search('pkg', 'packaged');
-- which covara.so this backend mapped
SELECT 'mapped ' || m[1] FROM regexp_matches(pg_read_file('/proc/' || pg_backend_pid() || '/maps'),
                                             '(/[^ \n]*covara\.so)', 'g') AS m GROUP BY m[1];
SQL
)
rc=$?
tap_ok $rc "in a cluster pointed at that directory (extension_destdir), CREATE EXTENSION covara and calls into it succeed"
[ $rc -eq 0 ] || sed 's/^/# /' "$work/smoke.err" | tail -20
tap_is "$(sed -n 's/^version //p' <<<"$out")" "$version" "it installs covara $version"
tap_is "$(sed -n 's/^hash //p' <<<"$out")" ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad \
	"hash_token('abc') is SHA-256 of abc"
tap_is "$(sed -n 's/^token //p' <<<"$out")" 43 "generate_token() gives 43 characters"
tap_is "$(sed -n 's/^session //p' <<<"$out")" pkg-user "a session made with create_session is found by get_session"
tap_is "$(sed -n 's/^search //p' <<<"$out")" p1 "the search trigger indexes a document and search() finds it"
tap_is "$(sed -n 's/^mapped //p' <<<"$out")" "$root/usr/lib/postgresql/15/lib/covara.so" \
	"the server loaded covara.so from the package's directory, and from nowhere else"

tap_done
