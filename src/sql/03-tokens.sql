/* ---- 03-tokens.sql: the token functions (C, src/token.c) ---- */

/*
 * Token functions, in C.  Text is hashed as its UTF-8 bytes, as Node's
 * crypto.createHash('sha256').update(token) does.
 */
CREATE FUNCTION covara.hash_token(token pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hash_token'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hash_token(pg_catalog.text) IS
'SHA-256 of the token''s UTF-8 bytes as lowercase hex (64 characters), as Node''s createHash(''sha256'').update(token).digest(''hex'')';

CREATE FUNCTION covara.hash_token(token pg_catalog.bytea)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hash_token_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hash_token(pg_catalog.bytea) IS
'SHA-256 of the bytes as lowercase hex (64 characters)';

CREATE FUNCTION covara.hash_token(token pg_catalog.text, encoding pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hash_token_encoded'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hash_token(pg_catalog.text, pg_catalog.text) IS
'SHA-256 of the token''s UTF-8 bytes in the given encoding: hex, base64 (padded) or base64url (unpadded)';

CREATE FUNCTION covara.hmac_token(token pg_catalog.text, key pg_catalog.bytea)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hmac_token'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hmac_token(pg_catalog.text, pg_catalog.bytea) IS
'HMAC-SHA-256 of the token''s UTF-8 bytes under key, lowercase hex, as Node''s createHmac(''sha256'', key).update(token).digest(''hex'')';

CREATE FUNCTION covara.hmac_token(token pg_catalog.bytea, key pg_catalog.bytea)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_hmac_token_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.hmac_token(pg_catalog.bytea, pg_catalog.bytea) IS
'HMAC-SHA-256 of the bytes under key, lowercase hex';

CREATE FUNCTION covara.generate_token(nbytes pg_catalog.int4 DEFAULT 32)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'covara_generate_token'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.generate_token(pg_catalog.int4) IS
'nbytes (1 to 1024, default 32) bytes from the operating system''s strong random source, base64url without padding (43 characters for 32 bytes)';

CREATE FUNCTION covara.token_equals(a pg_catalog.text, b pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'covara_token_equals'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION covara.token_equals(pg_catalog.text, pg_catalog.text) IS
'true when a and b are equal; the time taken depends on their lengths only, never on where they differ';

