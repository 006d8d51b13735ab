--
-- covara 0.5.0 -> 0.6.0 adds what the released 0.1.0 and 0.4.0 scripts
-- lacked: hmac_token(bytea, bytea), _auth_token_clear, a STABLE
-- _auth_check_ttl and the new issue_verification_token.  Databases made
-- from the intermediate texts of those scripts already have the two
-- functions; the update must work there too and end in the same state.
--
CREATE EXTENSION covara VERSION '0.5.0';
SELECT to_regprocedure('covara.hmac_token(bytea,bytea)') IS NULL AS no_bytea_hmac,
       to_regprocedure('covara._auth_token_clear(text)') IS NULL AS no_token_clear,
       (SELECT provolatile FROM pg_proc WHERE oid = 'covara._auth_check_ttl(interval)'::regprocedure) AS ttl_volatility;
ALTER EXTENSION covara UPDATE TO '0.6.0';
SELECT covara.hmac_token(convert_to('what do ya want for nothing?', 'UTF8'), 'Jefe'::bytea);
SELECT has_function_privilege('public', 'covara._auth_token_clear(text)', 'EXECUTE') AS public_may_clear,
       (SELECT provolatile FROM pg_proc WHERE oid = 'covara._auth_check_ttl(interval)'::regprocedure) AS ttl_volatility,
       pg_get_functiondef('covara.issue_verification_token(text,interval)'::regprocedure) ~ '_auth_token_clear' AS issue_clears;
DROP EXTENSION covara;

-- as if 0.5.0 had been installed from the intermediate scripts
CREATE EXTENSION covara VERSION '0.5.0';
CREATE FUNCTION covara.hmac_token(token bytea, key bytea) RETURNS text
  AS '$libdir/covara', 'covara_hmac_token_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION covara._auth_token_clear(identifier text) RETURNS int8
  AS '$libdir/covara', 'covara_auth_token_clear' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
ALTER EXTENSION covara ADD FUNCTION covara.hmac_token(bytea, bytea);
ALTER EXTENSION covara ADD FUNCTION covara._auth_token_clear(text);
ALTER EXTENSION covara UPDATE TO '0.6.0';
SELECT covara.hmac_token(convert_to('what do ya want for nothing?', 'UTF8'), 'Jefe'::bytea);
SELECT has_function_privilege('public', 'covara._auth_token_clear(text)', 'EXECUTE') AS public_may_clear,
       obj_description('covara._auth_token_clear(text)'::regprocedure, 'pg_proc') IS NOT NULL AS commented;
DROP EXTENSION covara;
