--
-- Adopting tables that other roles had privileges on: CREATE EXTENSION
-- takes the privileges away (the tables become the extension's owner's
-- alone, as on a fresh install) and warns with the GRANT statements that
-- give them back, which work as printed.  Role names are quoted once, also
-- those that need quotes ("Covara Adopt Reader").
--
CREATE ROLE covara_adopt_app;
CREATE ROLE "Covara Adopt Reader";
GRANT CREATE ON SCHEMA public TO covara_adopt_app;
SET ROLE covara_adopt_app;
-- two of the tables, as covara's start-up migrator makes them
-- (test/fixtures/covara-migrator.sql); the other two are created
CREATE TABLE auth_sessions (
  id text PRIMARY KEY,
  "userId" text NOT NULL,
  "createdAt" timestamp NOT NULL,
  "expiresAt" timestamp NOT NULL,
  data text
);
CREATE INDEX auth_session_userId_idx ON auth_sessions ("userId");
CREATE INDEX auth_session_expiresAt_idx ON auth_sessions ("expiresAt");
CREATE TABLE auth_api_keys (
  id text PRIMARY KEY,
  "userId" text NOT NULL,
  name text NOT NULL,
  "keyHash" text NOT NULL,
  "keyPrefix" text NOT NULL,
  scopes jsonb,
  "createdAt" timestamp NOT NULL,
  "expiresAt" timestamp,
  "lastUsedAt" timestamp,
  "revokedAt" timestamp
);
CREATE INDEX auth_api_key_userId_idx ON auth_api_keys ("userId");
CREATE INDEX auth_api_key_prefix_idx ON auth_api_keys ("keyPrefix");
INSERT INTO auth_sessions VALUES ('s1', 'u1', '2026-01-01', '2099-01-01', NULL);
GRANT SELECT ON auth_sessions TO "Covara Adopt Reader";
GRANT SELECT (id, "userId"), UPDATE ("lastUsedAt") ON auth_api_keys TO "Covara Adopt Reader";
RESET ROLE;

CREATE EXTENSION covara;

SELECT c.relname, a.grantee::regrole, a.privilege_type
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'public'::regnamespace AND c.relname LIKE 'auth\_%' AND a.grantee <> c.relowner
 ORDER BY 1, 2, 3;
SELECT attrelid::regclass, attname, attacl FROM pg_attribute
 WHERE attrelid = 'auth_api_keys'::regclass AND attacl IS NOT NULL;

-- the statements of the HINT, as printed
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.auth_sessions TO covara_adopt_app;
GRANT SELECT ON TABLE public.auth_sessions TO "Covara Adopt Reader";
GRANT SELECT (id, "userId") ON TABLE public.auth_api_keys TO "Covara Adopt Reader";
SET ROLE "Covara Adopt Reader";
SELECT count(*) AS reader_sees_sessions FROM auth_sessions;
SELECT count(id) AS reader_sees_key_ids FROM auth_api_keys;
RESET ROLE;

DROP EXTENSION covara;

-- many roles: the HINT gives the first 20 statements and says how many more
DO $$BEGIN FOR i IN 1..25 LOOP EXECUTE format('CREATE ROLE covara_adopt_r%s', lpad(i::text, 2, '0')); END LOOP; END$$;
SET ROLE covara_adopt_app;
CREATE TABLE auth_verification_tokens (
  identifier text NOT NULL,
  token text NOT NULL,
  expires timestamp NOT NULL,
  PRIMARY KEY (identifier, token)
);
DO $$BEGIN FOR i IN 1..25 LOOP
  EXECUTE format('GRANT SELECT ON auth_verification_tokens TO covara_adopt_r%s', lpad(i::text, 2, '0'));
END LOOP; END$$;
RESET ROLE;
CREATE EXTENSION covara;
DROP EXTENSION covara;
DO $$BEGIN FOR i IN 1..25 LOOP EXECUTE format('DROP ROLE covara_adopt_r%s', lpad(i::text, 2, '0')); END LOOP; END$$;
REVOKE CREATE ON SCHEMA public FROM covara_adopt_app;
DROP ROLE covara_adopt_app;
DROP ROLE "Covara Adopt Reader";
