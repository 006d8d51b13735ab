/* covara--0.6.0--0.7.0.sql: covara 0.7.0 changes nothing in a database that has 0.6.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.7.0'" to load this file. \quit

/*
 * 0.7.0 builds against PostgreSQL 15 to 19 and is tested on 15, 17 and 18
 * (a change of the shared library, not of SQL objects), and it adopts
 * tables made by covara's start-up migrator on PostgreSQL 18, which
 * records NOT NULL as constraints.
 * Adoption only happens at CREATE EXTENSION, so that change lives in the
 * install script covara--0.7.0.sql; a database that already has covara
 * gains nothing from it, and this update only records the new version.
 */
