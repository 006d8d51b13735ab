-- A short walkthrough of covara (run by test/demo on a throwaway cluster).
\pset footer off
SET client_min_messages = warning;

-- One statement installs the auth tables (in public) and the functions (in
-- schema covara).
CREATE EXTENSION covara;
SELECT extversion AS "covara version" FROM pg_extension WHERE extname = 'covara';
\dt auth_*
\d auth_api_keys

-- Tokens, as covara's Node code makes and hashes them.
SELECT covara.generate_token() AS session_id;
SELECT covara.hash_token('my-reset-token') AS sha256_hex,
       covara.hash_token('my-reset-token', 'base64url') AS sha256_base64url;
SELECT covara.hmac_token('payload', 'secret-key'::bytea) AS hmac_sha256;
SELECT covara.token_equals(covara.hash_token('my-reset-token'),
                           covara.hash_token('my-reset-token')) AS tokens_match;
