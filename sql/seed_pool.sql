-- covara.recommended_pool_config(driver [, instances])
CREATE EXTENSION covara;

-- the contract's values, per driver
SELECT d.driver, p.*
  FROM unnest(ARRAY['postgres-js', 'neon', 'pglite', 'libsql', 'd1', 'hyperdrive']) d(driver),
	   covara.recommended_pool_config(d.driver) p;

-- unknown drivers (names are exact), and NULL
SELECT * FROM covara.recommended_pool_config('pg');
SELECT * FROM covara.recommended_pool_config('Neon');
SELECT count(*) FROM covara.recommended_pool_config(NULL);

-- how the functions are marked
SELECT p.oid::regprocedure, p.provolatile, p.proparallel, p.proisstrict, p.prosecdef,
	   obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
  FROM pg_proc p
 WHERE p.pronamespace = 'covara'::regnamespace
   AND p.proname IN ('seed', 'recommended_pool_config')
 ORDER BY p.oid::regprocedure::text;

-- The capped overload.  This server's budget for the session role, worked
-- out here independently: max_connections - superuser_reserved_connections
-- - the limits of other login, non-superuser roles with a positive limit.
CREATE FUNCTION pg_temp.seed_budget() RETURNS integer LANGUAGE sql AS $$
	SELECT current_setting('max_connections')::integer
		   - current_setting('superuser_reserved_connections')::integer
		   - (SELECT coalesce(sum(rolconnlimit), 0)::integer FROM pg_roles
			   WHERE rolcanlogin AND NOT rolsuper AND rolconnlimit > 0
				 AND rolname <> session_user)
$$;
-- the number the notes give for other roles' limits
CREATE FUNCTION pg_temp.seed_others(notes text) RETURNS integer LANGUAGE sql AS $$
	SELECT (regexp_match(notes, '- (\d+) for other roles'))[1]::integer
$$;

-- one instance: the driver's max when the server has room for it
SELECT max = least(10, pg_temp.seed_budget()) AS one_instance_ok,
	   notes LIKE '%max 10 is within this server''s limit%' AS says_within
  FROM covara.recommended_pool_config('postgres-js', 1);
-- budget / 3 instances: max capped to 3
SELECT max = 3 AS capped_to_3,
	   notes LIKE '%; max capped from 10 to 3: this server has % connections for this role (max_connections %), shared by % instances' AS says_capped
  FROM covara.recommended_pool_config('postgres-js', pg_temp.seed_budget() / 3);
SELECT max = 2 AS hyperdrive_capped_to_2
  FROM covara.recommended_pool_config('hyperdrive', pg_temp.seed_budget() / 2);
-- more instances than connections: max 1 and a warning
SELECT max, notes LIKE '%WARNING: this server has % connections for this role%even max 1 can exhaust it%' AS warns
  FROM covara.recommended_pool_config('postgres-js', pg_temp.seed_budget() + 1);
SELECT max, notes LIKE '%WARNING%' AS warns
  FROM covara.recommended_pool_config('neon', pg_temp.seed_budget() + 1);
-- drivers that hold no connections to a PostgreSQL server are not capped
SELECT max, notes FROM covara.recommended_pool_config('pglite', 100000);
SELECT max, notes FROM covara.recommended_pool_config('d1', 100000);
-- the values other than max never change
SELECT idle_timeout_ms, connect_timeout_ms
  FROM covara.recommended_pool_config('postgres-js', 100000);

-- Other roles' connection limits: only login, non-superuser roles with a
-- positive limit reserve connections.
CREATE TEMP TABLE seed_before AS
SELECT pg_temp.seed_others(notes) AS others FROM covara.recommended_pool_config('postgres-js', 1);
CREATE ROLE seed_pool_login LOGIN CONNECTION LIMIT 7;
CREATE ROLE seed_pool_nologin NOLOGIN CONNECTION LIMIT 50;
CREATE ROLE seed_pool_super LOGIN SUPERUSER CONNECTION LIMIT 9;
CREATE ROLE seed_pool_zero LOGIN CONNECTION LIMIT 0;
CREATE ROLE seed_pool_unlimited LOGIN;
SELECT pg_temp.seed_others(p.notes) - b.others AS more_reserved
  FROM covara.recommended_pool_config('postgres-js', 1) p, seed_before b;
SELECT max = 2 AS capped_after_roles
  FROM covara.recommended_pool_config('postgres-js', pg_temp.seed_budget() / 2);

-- the session role's own limit caps the budget its instances share
CREATE ROLE seed_pool_app LOGIN CONNECTION LIMIT 4;
SET SESSION AUTHORIZATION seed_pool_app;
SELECT max, notes LIKE '%, and this role''s connection limit is 4), shared by 2 instances' AS says_own_limit
  FROM covara.recommended_pool_config('postgres-js', 2);
SELECT max FROM covara.recommended_pool_config('postgres-js', 1);
RESET SESSION AUTHORIZATION;
-- ... and is reserved from everyone else's budget
SELECT pg_temp.seed_others(p.notes) - b.others AS more_reserved
  FROM covara.recommended_pool_config('postgres-js', 1) p, seed_before b;

-- instances must be at least 1
SELECT * FROM covara.recommended_pool_config('postgres-js', 0);
SELECT * FROM covara.recommended_pool_config('postgres-js', -3);
SELECT * FROM covara.recommended_pool_config('nope', 2);
SELECT count(*) FROM covara.recommended_pool_config('neon', NULL);

DROP ROLE seed_pool_login, seed_pool_nologin, seed_pool_super, seed_pool_zero,
	seed_pool_unlimited;
DROP ROLE seed_pool_app;
DROP EXTENSION covara CASCADE;

-- the functions also arrive by ALTER EXTENSION UPDATE from 0.1.0
CREATE EXTENSION covara VERSION '0.1.0';
SELECT count(*) FROM pg_proc
 WHERE pronamespace = 'covara'::regnamespace AND proname IN ('seed', 'recommended_pool_config');
ALTER EXTENSION covara UPDATE TO '0.3.0';
SELECT p.oid::regprocedure
  FROM pg_proc p
 WHERE p.pronamespace = 'covara'::regnamespace
   AND p.proname IN ('seed', 'recommended_pool_config')
 ORDER BY p.oid::regprocedure::text;
SELECT max FROM covara.recommended_pool_config('hyperdrive');
DROP EXTENSION covara CASCADE;
