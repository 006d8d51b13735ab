/* covara--0.2.0--0.3.0.sql: seed helpers and connection-pool guidance */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.3.0'" to load this file. \quit

/*
 * Seeding (contract section 3): insert-or-ignore from JSON rows, in C (see
 * src/seed.c).  Both run with the caller's privileges.
 */
CREATE FUNCTION covara.seed(target pg_catalog.regclass, rows pg_catalog.jsonb)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'covara_seed'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY INVOKER;
COMMENT ON FUNCTION covara.seed(pg_catalog.regclass, pg_catalog.jsonb) IS
'insert rows (a JSON array of objects keyed by column name; absent keys take the column default) into target with ON CONFLICT DO NOTHING, all or nothing; returns the number of rows inserted';

CREATE FUNCTION covara.seed(plan pg_catalog.jsonb)
RETURNS TABLE(table_name pg_catalog.text, inserted pg_catalog.int8)
AS 'MODULE_PATHNAME', 'covara_seed_plan'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE SECURITY INVOKER
ROWS 4;
COMMENT ON FUNCTION covara.seed(pg_catalog.jsonb) IS
'seed several tables from {"table": [rows], ...} in foreign-key order (parents first) in the caller''s transaction; one row per table with the number of rows inserted';

/*
 * Connection-pool guidance (contract section 4), in C (see src/pool.c).
 */
CREATE FUNCTION covara.recommended_pool_config(driver pg_catalog.text)
RETURNS TABLE(max pg_catalog.int4, idle_timeout_ms pg_catalog.int4,
			  connect_timeout_ms pg_catalog.int4, notes pg_catalog.text)
AS 'MODULE_PATHNAME', 'covara_recommended_pool_config'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 1;
COMMENT ON FUNCTION covara.recommended_pool_config(pg_catalog.text) IS
'covara''s recommended pool settings for a driver: postgres-js, neon, pglite, libsql, d1 or hyperdrive';

CREATE FUNCTION covara.recommended_pool_config(driver pg_catalog.text, instances pg_catalog.int4)
RETURNS TABLE(max pg_catalog.int4, idle_timeout_ms pg_catalog.int4,
			  connect_timeout_ms pg_catalog.int4, notes pg_catalog.text)
AS 'MODULE_PATHNAME', 'covara_recommended_pool_config_capped'
LANGUAGE C STABLE STRICT PARALLEL SAFE
ROWS 1;
COMMENT ON FUNCTION covara.recommended_pool_config(pg_catalog.text, pg_catalog.int4) IS
'covara''s recommended pool settings for a driver, with max capped so that instances processes cannot exhaust this server''s connections (max_connections, superuser_reserved_connections, other roles'' connection limits)';
