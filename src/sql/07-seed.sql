/* ---- 07-seed.sql: idempotent seeding (C, src/seed*.c) ---- */

/*
 * Seeding (doc/compatibility.md, seeding): insert-or-ignore from JSON rows,
 * in C (src/seed*.c).  Both run with the caller's privileges.
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

