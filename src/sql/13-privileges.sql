/* ---- 13-privileges.sql: who may run the auth flows ---- */

--------------------------------------------------------------------------
-- Privileges
--------------------------------------------------------------------------

-- The functions an application role needs to run every flow.
CREATE FUNCTION covara._auth_flow_functions()
RETURNS pg_catalog.regprocedure[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN ARRAY[
	'covara.create_session(pg_catalog.text, pg_catalog.interval, pg_catalog.jsonb)',
	'covara.get_session(pg_catalog.text)',
	'covara.touch_session(pg_catalog.text, pg_catalog.interval)',
	'covara.revoke_session(pg_catalog.text)',
	'covara.revoke_user_sessions(pg_catalog.text)',
	'covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text)',
	'covara.verify_api_key(pg_catalog.text)',
	'covara.revoke_api_key(pg_catalog.text)',
	'covara.rotate_api_key(pg_catalog.text)',
	'covara.issue_verification_token(pg_catalog.text, pg_catalog.interval)',
	'covara.consume_verification_token(pg_catalog.text, pg_catalog.text)'
]::pg_catalog.regprocedure[];
COMMENT ON FUNCTION covara._auth_flow_functions() IS
'internal: the auth flow functions that grant_auth_flows grants';

CREATE PROCEDURE covara.grant_auth_flows(grantee pg_catalog.regrole)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	role_name	pg_catalog.name;
	f			pg_catalog.record;
BEGIN
	SELECT r.rolname INTO role_name FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) grantee;
	IF role_name IS NULL THEN
		RAISE EXCEPTION 'grantee must not be null'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the application''s role, e.g. CALL covara.grant_auth_flows(''app'').';
	END IF;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA covara TO %I', role_name);
	FOR f IN
		SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
		  FROM pg_catalog.pg_proc p
		 WHERE p.oid OPERATOR(pg_catalog.=) ANY (covara._auth_flow_functions())
		 ORDER BY p.proname
	LOOP
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION covara.%I(%s) TO %I',
								  f.proname, f.args, role_name);
	END LOOP;
END
$covara$;
COMMENT ON PROCEDURE covara.grant_auth_flows(pg_catalog.regrole) IS
'grant a role what it needs to run every auth flow: USAGE on schema covara and EXECUTE on the flow functions (not purge_expired, and no access to the tables)';

CREATE PROCEDURE covara.revoke_auth_flows(grantee pg_catalog.regrole)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $covara$
DECLARE
	role_name	pg_catalog.name;
	f			pg_catalog.record;
BEGIN
	SELECT r.rolname INTO role_name FROM pg_catalog.pg_roles r
	 WHERE r.oid OPERATOR(pg_catalog.=) grantee;
	IF role_name IS NULL THEN
		RAISE EXCEPTION 'grantee must not be null'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the role to take the flows from, e.g. CALL covara.revoke_auth_flows(''app'').';
	END IF;
	FOR f IN
		SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args
		  FROM pg_catalog.pg_proc p
		 WHERE p.oid OPERATOR(pg_catalog.=) ANY (covara._auth_flow_functions())
		 ORDER BY p.proname
	LOOP
		EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION covara.%I(%s) FROM %I',
								  f.proname, f.args, role_name);
	END LOOP;
END
$covara$;
COMMENT ON PROCEDURE covara.revoke_auth_flows(pg_catalog.regrole) IS
'revoke what grant_auth_flows granted (EXECUTE on the flow functions; USAGE on schema covara stays, PUBLIC has it)';

/*
 * Nothing here is executable by PUBLIC: the flows are granted per role
 * (grant_auth_flows), purge_expired is for the owner or a maintenance
 * role, and the helpers are internal.
 */
REVOKE ALL ON FUNCTION covara.create_session(pg_catalog.text, pg_catalog.interval, pg_catalog.jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.get_session(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.touch_session(pg_catalog.text, pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_session(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_user_sessions(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.create_api_key(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.verify_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.revoke_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.rotate_api_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.issue_verification_token(pg_catalog.text, pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.consume_verification_token(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara.purge_expired(pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON PROCEDURE covara.grant_auth_flows(pg_catalog.regrole) FROM PUBLIC;
REVOKE ALL ON PROCEDURE covara.revoke_auth_flows(pg_catalog.regrole) FROM PUBLIC;

REVOKE ALL ON FUNCTION covara._auth_check_ttl(pg_catalog.interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_check_text(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_check_writable(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_row(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_insert(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp, pg_catalog.timestamp, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_session_touch(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_row(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_touch(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_record_use(pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_prefix(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_new(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_api_key_insert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamp, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_token_replace(pg_catalog.text, pg_catalog.text, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_token_clear(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_token_lock(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_sessions_batch(pg_catalog.timestamp, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_tokens_batch(pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_purge_api_keys_batch(pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.timestamp) FROM PUBLIC;
REVOKE ALL ON FUNCTION covara._auth_flow_functions() FROM PUBLIC;
