-- covara auth flows: every error a caller can cause is 22023 with a HINT,
-- and what an error's message, DETAIL or HINT quotes of a caller's input is
-- cut to at most 200 bytes (at a character boundary) and "..."
-- (covara._report_cut; covara_report_cut in C), so that a huge argument
-- never makes a huge message or log line.
BEGIN;
CREATE EXTENSION pgtap;
CREATE EXTENSION covara;
SELECT plan(11);

-- The error a statement raises, its parts' lengths, and where they start.
CREATE FUNCTION pg_temp.error_of(sql text)
RETURNS TABLE(state text, message_length int, detail_length int, hint_length int,
              message_start text, detail_start text)
LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hnt text;
BEGIN
	EXECUTE sql;
	RETURN QUERY SELECT 'no error', 0, 0, 0, '', '';
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
		hnt = PG_EXCEPTION_HINT;
	RETURN QUERY SELECT st, length(msg), length(det), length(hnt), left(msg, 40), left(det, 40);
END $$;

-- a 1 MB prefix: the message quotes it
SELECT results_eq(
	$$SELECT state, message_length <= 300, message_start FROM pg_temp.error_of(
		'SELECT * FROM covara.create_api_key(''u'', ''n'', NULL, NULL, repeat(''p'', 1000000))')$$,
	$$VALUES ('22023', true, left('invalid API key prefix ''' || repeat('p', 40), 40))$$,
	'create_api_key: a 1 MB prefix is quoted cut short in the message');
SELECT is((SELECT message_length FROM pg_temp.error_of(
		'SELECT * FROM covara.create_api_key(''u'', ''n'', NULL, NULL, repeat(''p'', 1000000))')),
	length('invalid API key prefix ''' || repeat('p', 200) || '...'''),
	'... to 200 bytes and "..."');

-- the cut counts bytes, not characters, and never splits one
SELECT results_eq(
	$$SELECT octet_length(covara._report_cut(repeat(c, 1000))),
			 right(covara._report_cut(repeat(c, 1000)), 4) = c || '...'
		FROM unnest(ARRAY['x', 'é', '€', '🎉']) WITH ORDINALITY AS u(c, i) ORDER BY i$$,
	$$VALUES (203, true), (203, true), (201, true), (203, true)$$,
	'_report_cut: at most 200 bytes of 1-, 2-, 3- and 4-byte characters, then "..."');
SELECT is((SELECT message_length FROM pg_temp.error_of(
		'SELECT * FROM covara.create_api_key(''u'', ''n'', NULL, NULL, ''a.b'')')),
	length('invalid API key prefix ''a.b'''), 'a short prefix is quoted whole');

-- 1 MB of scopes: the DETAIL quotes them
SELECT results_eq(
	$$SELECT state, detail_length <= 300, detail_start FROM pg_temp.error_of(
		'SELECT * FROM covara.create_api_key(''u'', ''n'', to_jsonb(repeat(''s'', 1000000)))')$$,
	$$VALUES ('22023', true, left('The scopes given were "' || repeat('s', 40), 40))$$,
	'create_api_key: a 1 MB scopes string is quoted cut short in the DETAIL');
SELECT results_eq(
	$$SELECT state, detail_length <= 300 FROM pg_temp.error_of(
		'SELECT * FROM covara.create_api_key(''u'', ''n'', (SELECT jsonb_agg(g) FROM generate_series(1, 200000) g))')$$,
	$$VALUES ('22023', true)$$,
	'... and so is an array of 200,000 numbers');
SELECT is((SELECT detail_length FROM pg_temp.error_of(
		'SELECT * FROM covara.create_api_key(''u'', ''n'', ''{"read": true}'')')),
	length('The scopes given were {"read": true}.'), 'short scopes are quoted whole');

-- the ttl's DETAIL quotes the interval (bounded by its type), cut all the same
SELECT results_eq(
	$$SELECT state, detail_length <= 300 FROM pg_temp.error_of(
		'SELECT covara.create_session(''u'', ''-178000000 years -2147483647 days -2562047788 hours'')')$$,
	$$VALUES ('22023', true)$$,
	'create_session: the longest intervals are quoted in full or cut');
SELECT is_empty($$SELECT FROM auth_api_keys UNION ALL SELECT FROM auth_sessions$$, 'the refused calls stored nothing');

-- every error of the flows, as the application (granted the flows) meets it
CREATE ROLE covara_test_messages_app;
CALL covara.grant_auth_flows('covara_test_messages_app');
GRANT EXECUTE ON FUNCTION covara.purge_expired(integer) TO covara_test_messages_app;
SET LOCAL ROLE covara_test_messages_app;
CREATE TEMP TABLE flow_errors (call text);
INSERT INTO flow_errors VALUES
	($$SELECT covara.create_session(NULL, '1 hour')$$),
	($$SELECT covara.create_session('', '1 hour')$$),
	($$SELECT covara.create_session('u', NULL)$$),
	($$SELECT covara.create_session('u', '-1 year 361 days')$$),
	($$SELECT covara.create_session('u', '300000 years')$$),
	($$SELECT covara.touch_session('s', '0')$$),
	($$SELECT * FROM covara.create_api_key(NULL, 'n')$$),
	($$SELECT * FROM covara.create_api_key('u', NULL)$$),
	($$SELECT * FROM covara.create_api_key('u', 'n', '{}')$$),
	($$SELECT * FROM covara.create_api_key('u', 'n', NULL, '2000-01-01')$$),
	($$SELECT * FROM covara.create_api_key('u', 'n', NULL, NULL, NULL)$$),
	($$SELECT * FROM covara.create_api_key('u', 'n', NULL, NULL, 'a b')$$),
	($$SELECT covara.issue_verification_token('', '1 hour')$$),
	($$SELECT covara.issue_verification_token('a@example.com', '-1 second')$$),
	($$SELECT * FROM covara.purge_expired(NULL)$$),
	($$SELECT * FROM covara.purge_expired(0)$$);
SELECT is_empty($$SELECT f.call, e.state, e.hint_length FROM flow_errors f, pg_temp.error_of(f.call) e
                   WHERE e.state <> '22023' OR e.hint_length = 0$$,
	'every error a caller can cause in the flows is 22023 with a HINT');
RESET ROLE;
SELECT is_empty($$SELECT f.call, e.state, e.hint_length
                    FROM (VALUES ('CALL covara.grant_auth_flows(NULL)'), ('CALL covara.revoke_auth_flows(NULL)')) f(call),
                         pg_temp.error_of(f.call) e
                   WHERE e.state <> '22023' OR e.hint_length = 0$$,
	'grant_auth_flows and revoke_auth_flows: a NULL grantee is 22023 with a HINT');

SELECT * FROM finish();
ROLLBACK;
