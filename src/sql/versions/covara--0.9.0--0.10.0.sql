/* covara--0.9.0--0.10.0.sql: operations */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION covara UPDATE TO '0.10.0'" to load this file. \quit

/*
 * What 0.10.0 changes in a database that has 0.9.0 (the install script is
 * built from src/sql/, which holds the same definitions).
 */
