/* ---- 08-pool.sql: connection-pool guidance ---- */

/*
 * The drivers covara's recommendedPoolConfig(driver) knows, with its
 * settings for each (doc/compatibility.md, connection pools): one row per
 * driver, so a new driver is one line here.  uses_server says whether the
 * driver holds connections to a PostgreSQL server; only those are capped by
 * the number of instances.
 */
CREATE FUNCTION covara._pool_drivers()
RETURNS TABLE(driver pg_catalog.text, max pg_catalog.int4, idle_timeout_ms pg_catalog.int4,
			  connect_timeout_ms pg_catalog.int4, uses_server pg_catalog.bool,
			  notes pg_catalog.text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
ROWS 6
AS $$
VALUES
	('postgres-js', 10, 20000, 10000, true, 'long-lived Node process: keep max below (server limit / instances); use a pooler URL for serverless'),
	('neon', 1, 0, 10000, true, 'serverless HTTP driver, connectionless per request; use the pooled endpoint'),
	('pglite', 1, 0, 0, false, 'embedded single-connection engine; pooling does not apply'),
	('libsql', 1, 0, 10000, false, 'one multiplexed HTTP/WS connection'),
	('d1', 1, 0, 0, false, 'request-scoped binding; avoid long transactions'),
	('hyperdrive', 5, 10000, 10000, true, 'pools at the edge; keep the worker-side max small')
$$;
COMMENT ON FUNCTION covara._pool_drivers() IS
'the drivers recommended_pool_config knows, in order, with their settings (one row per driver)';
-- recommended_pool_config reads it as its caller: explicit, so that default
-- privileges that revoke EXECUTE from PUBLIC cannot break it
GRANT EXECUTE ON FUNCTION covara._pool_drivers() TO PUBLIC;

/*
 * The two entry points read their driver from covara._pool_drivers() (C,
 * src/pool.c: the capped one also reads this server's connection budget).
 */
CREATE FUNCTION covara.recommended_pool_config(driver pg_catalog.text)
RETURNS TABLE(max pg_catalog.int4, idle_timeout_ms pg_catalog.int4,
			  connect_timeout_ms pg_catalog.int4, notes pg_catalog.text)
AS 'MODULE_PATHNAME', 'covara_pool_config'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 1;
COMMENT ON FUNCTION covara.recommended_pool_config(pg_catalog.text) IS
'covara''s recommended pool settings for a driver: postgres-js, neon, pglite, libsql, d1 or hyperdrive';

CREATE FUNCTION covara.recommended_pool_config(driver pg_catalog.text, instances pg_catalog.int4)
RETURNS TABLE(max pg_catalog.int4, idle_timeout_ms pg_catalog.int4,
			  connect_timeout_ms pg_catalog.int4, notes pg_catalog.text)
AS 'MODULE_PATHNAME', 'covara_pool_config_capped'
LANGUAGE C STABLE STRICT PARALLEL SAFE
ROWS 1;
COMMENT ON FUNCTION covara.recommended_pool_config(pg_catalog.text, pg_catalog.int4) IS
'covara''s recommended pool settings for a driver, with max capped so that instances processes cannot exhaust this server''s connections (max_connections, superuser_reserved_connections, reserved_connections, other roles'' connection limits)';

