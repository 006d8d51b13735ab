-- A short walkthrough of covara (run by test/demo on a throwaway cluster).
\pset footer off
-- keep every table within 100 columns
\pset format wrapped
\pset columns 100
SET client_min_messages = warning;

\echo '== One statement installs the auth tables (in public, exactly as covara''s Drizzle'
\echo '== definitions expect them) and the functions (in schema covara).'
CREATE EXTENSION covara;
SELECT extversion AS "covara version" FROM pg_extension WHERE extname = 'covara';
\dt auth_*
\d auth_api_keys

\echo
\echo '== 1. Tokens, as covara''s Node code makes and hashes them (C, SHA-256).'
SELECT covara.generate_token() AS session_id;
SELECT covara.hash_token('my-reset-token') AS sha256_hex,
       covara.hash_token('my-reset-token', 'base64url') AS sha256_base64url;
SELECT covara.token_equals(covara.hash_token('my-reset-token'),
                           covara.hash_token('my-reset-token')) AS tokens_match;

\echo
\echo '== 2. The auth flows, one call each. An application role gets exactly what it'
\echo '==    needs to run them, and nothing that reads the secrets.'
CREATE ROLE demo_app;
CALL covara.grant_auth_flows('demo_app');
SET ROLE demo_app;
SELECT covara.create_session('user-42', interval '30 days', '{"theme": "dark"}') AS sid \gset
SELECT id = :'sid' AS found, "userId", data
  FROM covara.get_session(:'sid');
SELECT * FROM covara.create_api_key('user-42', 'CI deploys', '["deploy"]') \gset api_
SELECT :'api_key'
       AS "the key (shown once, only its hash is stored)";
SELECT id, "userId", name, scopes
  FROM covara.verify_api_key(:'api_key');
SELECT count(*) AS rows_for_a_tampered_key
  FROM covara.verify_api_key(:'api_key' || 'x');
SELECT covara.issue_verification_token('ada@example.com', interval '15 minutes') AS token \gset
SELECT covara.consume_verification_token(who, tok) AS first_use,
       covara.consume_verification_token(who, tok) AS second_use
  FROM (SELECT 'ada@example.com' AS who, :'token' AS tok) t;
\echo
\echo '== The next statement fails on purpose: the app role may run the flows but'
\echo '== cannot read the stored key hashes ("permission denied" is the point).'
\set ON_ERROR_STOP 0
SELECT "keyHash" FROM auth_api_keys;
\set ON_ERROR_STOP 1
RESET ROLE;

\echo
\echo '== 3. Full-text search kept in step by the database: an index over a table of'
\echo '==    the app''s, weighted (title A, body B), searched with ranking.'
CREATE TABLE posts (id int PRIMARY KEY, title text, body text, views int DEFAULT 0);
INSERT INTO posts VALUES
  (1, 'Postgres triggers', 'Keep a search index in step inside the transaction.'),
  (2, 'Cooking with fire', 'Postgres is not a cooking topic, but triggers appear here.'),
  (3, 'Session tokens', 'Hash them with SHA-256 before storing them.');
SELECT covara.create_search_index('posts', '{"title": "A", "body": "B"}');
SELECT covara.attach_search('posts', 'posts', '{"title": "A", "body": "B"}') AS indexed;
SELECT doc_id, round(score::numeric, 3) AS score, headline
  FROM covara.search('posts', 'postgres triggers');
\echo '== Writes to posts reach the index in the same transaction: "postgres" matches'
\echo '== two posts; an update makes it three, a delete two again.'
SELECT covara.search_count('posts', 'postgres') AS hits_before;
UPDATE posts SET title = 'Postgres session tokens' WHERE id = 3;
SELECT covara.search_count('posts', 'postgres') AS hits_after_update;
DELETE FROM posts WHERE id = 2;
SELECT covara.search_count('posts', 'postgres') AS hits_after_delete;

\echo
\echo '== 4. Idempotent seeding (the second run inserts nothing), and pool guidance.'
SELECT covara.seed('posts', rows) AS first_run, covara.seed('posts', rows) AS second_run
  FROM (SELECT '[{"id": 10, "title": "Seeded", "body": "from JSON"},
                 {"id": 11, "title": "Also seeded"}]'::jsonb AS rows) r;
SELECT * FROM covara.recommended_pool_config('postgres-js', 4);
