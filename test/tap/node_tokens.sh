#!/usr/bin/env bash
# covara's token functions agree byte for byte with Node's crypto, which is
# what the covara framework uses: SHA-256 (hex, base64, base64url) and
# HMAC-SHA-256 over the UTF-8 bytes of random multibyte tokens, in a UTF-8
# and in a LATIN1 database; and tokens from generate_token are canonical
# base64url that Node decodes to the right number of bytes.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/tap.sh"

if ! command -v node >/dev/null; then
	tap_ok 1 "node is installed (test/run-all installs it)"
	tap_done; exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
js="$COVARA_ROOT/test/tap/node_tokens.mjs"

node "$js" vectors 3000 >"$work/vectors.tsv"
tap_is "$(wc -l <"$work/vectors.tsv")" 3000 "Node produced 3000 reference vectors"

compare() {
	local db=$1 label=$2
	psql -X -At -q -d "$db" -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE v (tok64 text, keyhex text, hex text, b64 text, b64url text, hmac text, latin1 bool);
\copy v FROM '$work/vectors.tsv'
SELECT count(*) || ' ' ||
       count(*) FILTER (WHERE covara.hash_token(t) IS DISTINCT FROM hex) || ' ' ||
       count(*) FILTER (WHERE covara.hash_token(t, 'base64') IS DISTINCT FROM b64) || ' ' ||
       count(*) FILTER (WHERE covara.hash_token(t, 'base64url') IS DISTINCT FROM b64url) || ' ' ||
       count(*) FILTER (WHERE covara.hmac_token(t, decode(keyhex, 'hex')) IS DISTINCT FROM hmac) || ' ' ||
       count(*) FILTER (WHERE covara.hash_token(decode(tok64, 'base64')) IS DISTINCT FROM hex)
  FROM (SELECT *, convert_from(decode(tok64, 'base64'), 'UTF8') AS t FROM v WHERE $3) s;
SQL
}

dropdb --if-exists covara_node_utf8 >/dev/null 2>&1
createdb -E UTF8 -T template0 covara_node_utf8
covara_psql -d covara_node_utf8 -c 'CREATE EXTENSION covara'
read -r n hex b64 b64url hmac bytes < <(compare covara_node_utf8 utf8 true)
tap_is "$n" 3000 "UTF-8 database: all vectors loaded"
tap_is "$hex" 0 "hash_token(text) equals createHash('sha256').digest('hex')"
tap_is "$b64" 0 "hash_token(text, 'base64') equals digest('base64')"
tap_is "$b64url" 0 "hash_token(text, 'base64url') equals digest('base64url')"
tap_is "$hmac" 0 "hmac_token(text, key) equals createHmac('sha256', key).digest('hex')"
tap_is "$bytes" 0 "hash_token(bytea) of the UTF-8 bytes equals the same digest"

# In a LATIN1 database text is stored in LATIN1, yet the hash is still of
# the UTF-8 bytes, as in Node.  Only tokens LATIN1 can hold are compared.
dropdb --if-exists covara_node_latin1 >/dev/null 2>&1
createdb -E LATIN1 --locale=C -T template0 covara_node_latin1
covara_psql -d covara_node_latin1 -c 'CREATE EXTENSION covara'
read -r n hex b64 b64url hmac bytes < <(compare covara_node_latin1 latin1 latin1)
tap_ok "$([ "$n" -gt 100 ]; echo $?)" "LATIN1 database: $n vectors representable in LATIN1 compared"
tap_is "$hex" 0 "LATIN1 database: hash_token(text) still hashes the UTF-8 bytes"
tap_is "$hmac" 0 "LATIN1 database: hmac_token(text, key) still uses the UTF-8 bytes"
tap_is "$(psql -X -At -d covara_node_latin1 -c "SELECT covara.hash_token(convert_from('\\xe9', 'LATIN1'))")" \
	"$(node -e "process.stdout.write(require('crypto').createHash('sha256').update('é').digest('hex'))")" \
	"LATIN1 database: 'é' hashes like Node's 'é'"

# generate_token output, checked by Node
for nbytes in 32 1 24 1024; do
	psql -X -At -d covara_node_utf8 -c "SELECT covara.generate_token($nbytes) FROM generate_series(1, 2000)" >"$work/gen"
	read -r count bad < <(node "$js" check-generated "$nbytes" <"$work/gen")
	tap_is "$count $bad" "2000 0" "generate_token($nbytes): Node decodes 2000 tokens to $nbytes bytes, canonical base64url"
done

dropdb covara_node_utf8
dropdb covara_node_latin1
tap_done
