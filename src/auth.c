/*-------------------------------------------------------------------------
 *
 * auth.c
 *	  The hot read paths of the auth flows: verify_api_key and get_session.
 *
 * Each runs one plan, prepared on first use in a backend and kept, over an
 * internal SQL-standard helper function (covara._auth_api_key_row,
 * covara._auth_session_row).  The planner inlines the helper, so the plan
 * is a plain primary-key index scan; the helper names its table through
 * the extension's schema as bound when the helper was created, so the read
 * queries below name no table, nor any schema but covara.  The plan cache
 * replans by itself when the helper or a table changes, including when the
 * extension is dropped and created again (even in another schema).
 *
 * Recording an API key's use ("lastUsedAt") is a write, done at most once a
 * minute per key.  In READ COMMITTED it runs an UPDATE from a kept plan too:
 * its text names the table by the schema and name of the very table the
 * key's row was read from (the look-up returns the row's tableoid), is
 * re-prepared when that name changes, and the UPDATE also checks the
 * tableoid.  In REPEATABLE READ it goes through the SQL helper
 * covara._auth_api_key_record_use, which absorbs serialization failures in
 * a subtransaction.
 *
 * The SQL declarations make both functions SECURITY DEFINER with
 * search_path pinned; every name in the queries below is schema-qualified
 * anyway.
 *
 * Timestamps: the auth tables hold UTC wall-clock values in timestamp
 * without time zone.  A timestamptz is stored as microseconds since
 * 2000-01-01 00:00 UTC, so the transaction start time, taken as a
 * Timestamp, is exactly (now() AT TIME ZONE 'UTC'), whatever TimeZone is.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "spi.h"
#include "token.h"

/* An API key's id: 8 random bytes as 16 lowercase hex digits. */
#define COVARA_API_KEY_ID_LEN		16

/* Longer text is not a key: covara's keys are under 100 bytes. */
#define COVARA_API_KEY_MAX_LEN		1024

/* "lastUsedAt" is recorded at most this often per key. */
#define COVARA_LAST_USED_INTERVAL	((int64) 60 * USECS_PER_SEC)

/* A query whose plan is prepared once per backend and kept. */
typedef struct CovaraAuthPlan
{
	const char *query;
	int			nargs;
	Oid			argtypes[3];
	SPIPlanPtr	plan;
} CovaraAuthPlan;

/* Columns of the API key look-up, in order. */
enum
{
	COVARA_KEY_ID,
	COVARA_KEY_USER_ID,
	COVARA_KEY_NAME,
	COVARA_KEY_SCOPES,
	COVARA_KEY_EXPIRES_AT,
	COVARA_KEY_HASH,
	COVARA_KEY_PREFIX,
	COVARA_KEY_REVOKED_AT,
	COVARA_KEY_LAST_USED_AT,
	COVARA_KEY_TABLE_OID,
	COVARA_KEY_NCOLS
};

/* verify_api_key's result columns: the first five of the look-up. */
#define COVARA_VERIFY_NCOLS		(COVARA_KEY_EXPIRES_AT + 1)

/* get_session's result columns: id, "userId", "createdAt", "expiresAt", data. */
#define COVARA_SESSION_NCOLS	5

static CovaraAuthPlan covara_api_key_lookup = {
	"SELECT k.id, k.\"userId\", k.name, k.scopes, k.\"expiresAt\", k.\"keyHash\", "
	"k.\"keyPrefix\", k.\"revokedAt\", k.\"lastUsedAt\", k.table_oid "
	"FROM covara._auth_api_key_row($1) k",
	1, {TEXTOID}, NULL
};

static CovaraAuthPlan covara_api_key_record_use_sql = {
	"SELECT covara._auth_api_key_record_use($1, $2)",
	2, {TEXTOID, TIMESTAMPOID}, NULL
};

/*
 * The UPDATE recording an API key's use, for one table (see the file
 * header); the query text is filled in by covara_api_key_touch_plan.
 */
static CovaraAuthPlan covara_api_key_touch = {
	NULL, 3, {TEXTOID, TIMESTAMPOID, OIDOID}, NULL
};

static CovaraAuthPlan covara_session_lookup = {
	"SELECT s.id, s.\"userId\", s.\"createdAt\", s.\"expiresAt\", s.data "
	"FROM covara._auth_session_row($1) s",
	1, {TEXTOID}, NULL
};

PG_FUNCTION_INFO_V1(covara_verify_api_key);
PG_FUNCTION_INFO_V1(covara_get_session);

/* Return the kept plan of a query, preparing it on first use. */
static SPIPlanPtr
covara_auth_plan(CovaraAuthPlan *p)
{
	if (p->plan == NULL)
		p->plan = covara_spi_prepare_kept(p->query, p->nargs, p->argtypes);
	return p->plan;
}

/*
 * Return the kept plan of the UPDATE that records a use in the API key
 * table relid, (re)preparing it when the table's qualified name is not the
 * one it was prepared for (the table or its schema was renamed, or the
 * extension was created again elsewhere).  A table dropped and created
 * again under the same name is the plan cache's business: it replans.
 */
static SPIPlanPtr
covara_api_key_touch_plan(Oid relid)
{
	char	   *nspname = get_namespace_name(get_rel_namespace(relid));
	char	   *relname = get_rel_name(relid);
	const char *qualname;
	char	   *query;

	if (nspname == NULL || relname == NULL)
		elog(ERROR, "API key table with OID %u does not exist", relid);
	qualname = quote_qualified_identifier(nspname, relname);
	query = psprintf("UPDATE %s k SET \"lastUsedAt\" = $2 "
					 "WHERE k.id IN (SELECT l.id FROM %s l "
					 "WHERE l.id OPERATOR(pg_catalog.=) $1 "
					 "AND l.tableoid OPERATOR(pg_catalog.=) $3 "
					 "AND (l.\"lastUsedAt\" IS NULL OR l.\"lastUsedAt\" OPERATOR(pg_catalog.<=) "
					 "($2 OPERATOR(pg_catalog.-) '1 minute'::pg_catalog.interval)) "
					 "FOR NO KEY UPDATE SKIP LOCKED)",
					 qualname, qualname);

	if (covara_api_key_touch.plan != NULL &&
		strcmp(covara_api_key_touch.query, query) != 0)
	{
		SPI_freeplan(covara_api_key_touch.plan);
		covara_api_key_touch.plan = NULL;
	}
	if (covara_api_key_touch.plan == NULL)
	{
		if (covara_api_key_touch.query != NULL)
			pfree((char *) covara_api_key_touch.query);
		covara_api_key_touch.query = MemoryContextStrdup(TopMemoryContext, query);
		covara_auth_plan(&covara_api_key_touch);
	}
	pfree(query);
	return covara_api_key_touch.plan;
}

/*
 * Record a use of the API key whose look-up row is cols: in READ COMMITTED
 * with the kept UPDATE (which cannot fail there: it never waits for a lock
 * and cannot meet a serialization conflict), in REPEATABLE READ through the
 * SQL helper that absorbs serialization failures.
 */
static void
covara_api_key_record_use(Datum *cols, Timestamp now)
{
	Datum		args[3];

	args[0] = cols[COVARA_KEY_ID];
	args[1] = TimestampGetDatum(now);
	if (IsolationUsesXactSnapshot())
		covara_spi_execute_plan(covara_auth_plan(&covara_api_key_record_use_sql),
								args, NULL, false, 0, SPI_OK_SELECT,
								"recording an API key's use");
	else
	{
		args[2] = cols[COVARA_KEY_TABLE_OID];
		covara_spi_execute_plan(covara_api_key_touch_plan(DatumGetObjectId(args[2])),
								args, NULL, false, 0, SPI_OK_UPDATE,
								"recording an API key's use");
	}
}

/*
 * Set up a materialized result, with the result descriptor the executor
 * already has when it offers one, rather than building it from the
 * function's catalog entry on every call.
 */
static void
covara_auth_init_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo,
						rsinfo != NULL && IsA(rsinfo, ReturnSetInfo) &&
						rsinfo->expectedDesc != NULL ? MAT_SRF_USE_EXPECTED_DESC : 0);
}

/* A varlena datum brought inline (fetched from TOAST if need be). */
static inline Datum
covara_auth_inline(Datum d)
{
	return PointerGetDatum(pg_detoast_datum_packed((struct varlena *) DatumGetPointer(d)));
}

/*
 * Length of the part of an API key before its first '.' (the "keyPrefix":
 * "<prefix>_<id>" or "<id>"), or -1 when the text does not have the shape
 * [<prefix>_]<16 lowercase hex digits>.<secret>.
 */
static int
covara_api_key_head_length(const char *key, int len)
{
	const char *dot;
	const char *id;
	int			headlen;
	int			i;

	if (len > COVARA_API_KEY_MAX_LEN)
		return -1;
	dot = memchr(key, '.', len);
	if (dot == NULL)
		return -1;
	headlen = dot - key;
	/* the secret must not be empty */
	if (headlen + 1 >= len)
		return -1;
	/* "<id>" alone, or "<prefix>_<id>" with a non-empty prefix */
	if (headlen != COVARA_API_KEY_ID_LEN &&
		(headlen < COVARA_API_KEY_ID_LEN + 2 ||
		 key[headlen - COVARA_API_KEY_ID_LEN - 1] != '_'))
		return -1;
	id = dot - COVARA_API_KEY_ID_LEN;
	for (i = 0; i < COVARA_API_KEY_ID_LEN; i++)
	{
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return -1;
	}
	return headlen;
}

/*
 * Whether a stored key row accepts this key right now: "keyPrefix" equals
 * the key's head, "keyHash" equals the key's SHA-256 (compared in constant
 * time), and the key is neither revoked nor expired.
 */
static bool
covara_api_key_accepts(text *key, int headlen, Datum *cols, bool *nulls,
					   Timestamp now)
{
	text	   *prefix;
	text	   *hash;
	bool		hash_ok;

	if (nulls[COVARA_KEY_PREFIX] || nulls[COVARA_KEY_HASH])
		return false;
	prefix = DatumGetTextPP(cols[COVARA_KEY_PREFIX]);
	if (VARSIZE_ANY_EXHDR(prefix) != headlen ||
		memcmp(VARDATA_ANY(prefix), VARDATA_ANY(key), headlen) != 0)
		return false;

	hash = covara_token_hash(key, COVARA_ENC_HEX);
	hash_ok = covara_token_equal(DatumGetTextPP(cols[COVARA_KEY_HASH]), hash);
	pfree(hash);
	if (!hash_ok)
		return false;

	if (!nulls[COVARA_KEY_REVOKED_AT])
		return false;
	if (!nulls[COVARA_KEY_EXPIRES_AT] &&
		DatumGetTimestamp(cols[COVARA_KEY_EXPIRES_AT]) <= now)
		return false;
	return true;
}

/*
 * Whether verify_api_key should record a use: "lastUsedAt" is unset or at
 * least a minute old, and the transaction may write without risk to the
 * caller (not read-only, not on a standby, not SERIALIZABLE, where the
 * extra write could make the caller's own transaction fail to commit).
 */
static bool
covara_api_key_should_record_use(Datum *cols, bool *nulls, Timestamp now)
{
	if (!nulls[COVARA_KEY_LAST_USED_AT] &&
		DatumGetTimestamp(cols[COVARA_KEY_LAST_USED_AT]) >
		now - COVARA_LAST_USED_INTERVAL)
		return false;
	return !XactReadOnly && !RecoveryInProgress() && !IsolationIsSerializable();
}

/*
 * verify_api_key(key text) returns table(id, "userId", name, scopes,
 * "expiresAt"): one row when the key is known, unexpired and unrevoked,
 * none otherwise; never an error about the key's content.
 */
Datum
covara_verify_api_key(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			headlen;
	Datum		args[1];
	Datum		cols[COVARA_KEY_NCOLS];
	bool		nulls[COVARA_KEY_NCOLS];
	Datum		out[COVARA_VERIFY_NCOLS];
	Timestamp	now;
	int			i;

	covara_auth_init_srf(fcinfo);
	if (rsinfo->setDesc->natts != COVARA_VERIFY_NCOLS)
		elog(ERROR, "verify_api_key must return %d columns", COVARA_VERIFY_NCOLS);

	headlen = covara_api_key_head_length(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key));
	if (headlen < 0)
		return (Datum) 0;

	covara_spi_connect();

	args[0] = PointerGetDatum(cstring_to_text_with_len(VARDATA_ANY(key) + headlen -
													   COVARA_API_KEY_ID_LEN,
													   COVARA_API_KEY_ID_LEN));
	/*
	 * Read-only: the look-up sees the caller's snapshot and takes no new one
	 * (recording a use below is a separate, read-write statement).
	 */
	if (covara_spi_execute_plan(covara_auth_plan(&covara_api_key_lookup), args,
								NULL, true, 1, SPI_OK_SELECT,
								"API key look-up") == 1)
	{
		if (SPI_tuptable->tupdesc->natts != COVARA_KEY_NCOLS)
			elog(ERROR, "API key look-up returned %d columns, expected %d",
				 SPI_tuptable->tupdesc->natts, COVARA_KEY_NCOLS);
		heap_deform_tuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, cols, nulls);

		/* see the file header: this is (now() AT TIME ZONE 'UTC') */
		now = (Timestamp) GetCurrentTransactionStartTimestamp();

		if (covara_api_key_accepts(key, headlen, cols, nulls, now))
		{
			for (i = 0; i < COVARA_VERIFY_NCOLS; i++)
			{
				out[i] = cols[i];
				if (!nulls[i] && TupleDescAttr(SPI_tuptable->tupdesc, i)->attlen == -1)
					out[i] = covara_auth_inline(cols[i]);
			}
			/* copies the row into the result, which outlives SPI */
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, out, nulls);

			if (covara_api_key_should_record_use(cols, nulls, now))
				covara_api_key_record_use(cols, now);
		}
	}

	covara_spi_finish();
	return (Datum) 0;
}

/*
 * get_session(id text) returns table(id, "userId", "createdAt",
 * "expiresAt", data): the session while it has not expired.
 */
Datum
covara_get_session(PG_FUNCTION_ARGS)
{
	text	   *id = PG_GETARG_TEXT_PP(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		args[1];
	Datum		cols[COVARA_SESSION_NCOLS];
	bool		nulls[COVARA_SESSION_NCOLS];
	uint64		nrows;
	uint64		row;
	int			i;

	covara_auth_init_srf(fcinfo);
	if (rsinfo->setDesc->natts != COVARA_SESSION_NCOLS)
		elog(ERROR, "get_session must return %d columns", COVARA_SESSION_NCOLS);

	covara_spi_connect();

	args[0] = PointerGetDatum(id);
	/* read-only: a STABLE function sees the caller's snapshot */
	nrows = covara_spi_execute_plan(covara_auth_plan(&covara_session_lookup),
									args, NULL, true, 0, SPI_OK_SELECT,
									"session look-up");
	if (nrows > 0 && SPI_tuptable->tupdesc->natts != COVARA_SESSION_NCOLS)
		elog(ERROR, "session look-up returned %d columns, expected %d",
			 SPI_tuptable->tupdesc->natts, COVARA_SESSION_NCOLS);

	for (row = 0; row < nrows; row++)
	{
		heap_deform_tuple(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, cols, nulls);
		for (i = 0; i < COVARA_SESSION_NCOLS; i++)
		{
			if (!nulls[i] && TupleDescAttr(SPI_tuptable->tupdesc, i)->attlen == -1)
				cols[i] = covara_auth_inline(cols[i]);
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, cols, nulls);
	}

	covara_spi_finish();
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(covara_auth_token_clear);

/*
 * _auth_token_clear(identifier): delete every verification token of an
 * identifier, including tokens committed after this transaction's snapshot.
 *
 * issue_verification_token serializes issues per identifier with a row
 * lock (its bucket of covara._auth_token_locks), then deletes the earlier
 * tokens.  In READ COMMITTED the
 * delete sees what the previous holder of the lock committed; in
 * REPEATABLE READ or SERIALIZABLE the transaction's snapshot may predate
 * that commit.  So the delete runs, as PostgreSQL's foreign-key checks do,
 * with the latest snapshot and the transaction snapshot as a cross-check:
 * a token the transaction cannot see raises a serialization failure
 * (40001), and the caller retries, instead of leaving two live tokens.
 */
Datum
covara_auth_token_clear(PG_FUNCTION_ARGS)
{
	text	   *identifier = PG_GETARG_TEXT_PP(0);
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1];
	Oid			nsp;
	bool		isnull;
	char	   *query;
	SPIPlanPtr	plan;
	Snapshot	crosscheck = InvalidSnapshot;
	int			ret;
	uint64		deleted;

	covara_spi_connect();

	/* the tables live in the extension's schema */
	ret = SPI_execute("SELECT e.extnamespace FROM pg_catalog.pg_extension e"
					  " WHERE e.extname OPERATOR(pg_catalog.=) 'covara'", true, 1);
	if (covara_spi_check(ret, SPI_OK_SELECT, "looking up covara's schema") != 1)
		elog(ERROR, "extension covara is not installed");
	nsp = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1, &isnull));
	query = psprintf("DELETE FROM %s t WHERE t.identifier OPERATOR(pg_catalog.=) $1",
					 quote_qualified_identifier(get_namespace_name(nsp),
												"auth_verification_tokens"));
	plan = covara_spi_prepare(query, 1, argtypes);

	values[0] = PointerGetDatum(identifier);
	CommandCounterIncrement();	/* see this transaction's own work */
	if (IsolationUsesXactSnapshot())
		crosscheck = GetTransactionSnapshot();
	ret = SPI_execute_snapshot(plan, values, NULL, GetLatestSnapshot(),
							   crosscheck, false, true, 0);
	deleted = covara_spi_check(ret, SPI_OK_DELETE, "deleting verification tokens");
	covara_spi_finish();

	PG_RETURN_INT64((int64) deleted);
}
