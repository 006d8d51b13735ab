/*-------------------------------------------------------------------------
 *
 * seed_diagnose.c
 *	  What a failed covara.seed insert reports.  When a group's INSERT fails
 *	  with a data exception (a value that does not convert), the failing row
 *	  and column are found afterwards, by re-converting parts of the group
 *	  in probe subtransactions, and reported with their position, column and
 *	  value.  An error an INSERT raises says which rows were being inserted,
 *	  instead of quoting the generated statement.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
#include "utils/resowner.h"

#include "compat.h"
#include "report.h"
#include "seed.h"
#include "spi.h"

/*
 * Run a read-only statement in a subtransaction of its own and roll that
 * back.  Returns NULL when it succeeds, the error when it fails with a data
 * exception; any other error (a cancel, say) is raised.
 */
static ErrorData *
covara_seed_probe(const char *sql, int nargs, Oid *types, Datum *values)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		covara_spi_execute_once(sql, nargs, types, values, true, SPI_OK_SELECT,
								"covara.seed's conversion probe");
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		edata = covara_seed_subxact_error(oldcontext, oldowner);
		if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) != ERRCODE_DATA_EXCEPTION)
			ReThrowError(edata);
	}
	PG_END_TRY();
	return edata;
}

/* Whether converting the group's rows lo..hi-1 fails; the error if so. */
static ErrorData *
covara_seed_probe_rows(CovaraSeedTarget *t, CovaraSeedGroup *g, int lo, int hi)
{
	Oid			types[2] = {JSONBOID, INT4ARRAYOID};
	Datum		values[2];
	char	   *sql;
	ErrorData  *edata;

	/* a group of empty objects converts nothing */
	if (g->nkeys == 0)
		return NULL;
	sql = psprintf("SELECT FROM pg_catalog.unnest($2) AS covara_i(n), "
				   "LATERAL pg_catalog.jsonb_to_record($1 OPERATOR(pg_catalog.->) covara_i.n) "
				   "AS covara_r(%s)",
				   g->coldefs);
	values[0] = PointerGetDatum(t->rows);
	values[1] = covara_seed_positions(g->rows, lo, hi);
	edata = covara_seed_probe(sql, 2, types, values);
	pfree(DatumGetPointer(values[1]));
	pfree(sql);
	return edata;
}

/* The JSON text of element pos's value for key, cut for a message. */
static const char *
covara_seed_value_text(CovaraSeedTarget *t, int pos, const char *key, int keylen)
{
	JsonbValue *elem;
	JsonbValue *val;
	Jsonb	   *jb;
	char	   *s;

	elem = getIthJsonbValueFromContainer(&t->rows->root, pos);
	val = getKeyJsonValueFromContainer(elem->val.binary.data, key, keylen, NULL);
	if (val == NULL)
		return pstrdup("?");
	jb = JsonbValueToJsonb(val);
	s = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	return covara_report_cut(s);
}

/*
 * After group g of target t failed with a data exception: find its first
 * row that does not convert (binary search over prefixes of the group, each
 * probe converting part of the rows in a subtransaction), then the column,
 * and raise an error naming the row's position, the column and the value,
 * with the conversion's own SQLSTATE and message.  Returns when the rows
 * all convert (the error came from elsewhere: a trigger, a generated
 * column's expression...), to let the caller re-raise the original error.
 */
void
covara_seed_diagnose(CovaraSeedTarget *t, CovaraSeedGroup *g)
{
	ErrorData  *rowerr;
	int			lo = 0;
	int			hi = g->nrows;
	int			pos;
	int			k;

	rowerr = covara_seed_probe_rows(t, g, lo, hi);
	if (rowerr == NULL)
		return;
	while (hi - lo > 1)
	{
		int			mid = lo + (hi - lo) / 2;

		if (covara_seed_probe_rows(t, g, lo, mid) != NULL)
			hi = mid;
		else
			lo = mid;
	}
	{
		ErrorData  *e = covara_seed_probe_rows(t, g, lo, lo + 1);

		if (e != NULL)
			rowerr = e;
	}
	pos = g->rows[lo];

	/* the first of the row's keys whose value alone does not convert */
	for (k = 0; k < g->nkeys; k++)
	{
		Oid			types[3] = {JSONBOID, INT4OID, TEXTOID};
		Datum		values[3];
		char	   *key = pnstrdup(g->keys[k], g->keylens[k]);
		char	   *sql;
		ErrorData  *e;

		sql = psprintf("SELECT FROM pg_catalog.jsonb_to_record(pg_catalog.jsonb_build_object($3, "
					   "($1 OPERATOR(pg_catalog.->) $2) OPERATOR(pg_catalog.->) $3)) AS covara_r(%s %s)",
					   quote_identifier(key), g->keytypes[k]);
		values[0] = PointerGetDatum(t->rows);
		values[1] = Int32GetDatum(pos);
		values[2] = CStringGetTextDatum(key);
		e = covara_seed_probe(sql, 3, types, values);
		if (e != NULL)
			ereport(ERROR,
					(errcode(e->sqlerrcode),
					 errmsg("invalid value for column \"%s\" of relation \"%s\" in element %d of %s: %s",
							key, RelationGetRelationName(t->rel), pos + 1, t->what,
							covara_seed_value_text(t, pos, g->keys[k], g->keylens[k])),
					 e->detail ?
					 errdetail("%s: %s", covara_report_cut(e->message), covara_report_cut(e->detail)) :
					 errdetail("%s", covara_report_cut(e->message)),
					 e->hint ? errhint("%s", covara_report_cut(e->hint)) : 0));
	}

	/* no single value fails alone: name the row */
	ereport(ERROR,
			(errcode(rowerr->sqlerrcode),
			 errmsg("invalid row for relation \"%s\" in element %d of %s",
					RelationGetRelationName(t->rel), pos + 1, t->what),
			 rowerr->detail ?
			 errdetail("%s: %s", covara_report_cut(rowerr->message), covara_report_cut(rowerr->detail)) :
			 errdetail("%s", covara_report_cut(rowerr->message)),
			 rowerr->hint ? errhint("%s", covara_report_cut(rowerr->hint)) : 0));
}

/*
 * In an error raised by a group's INSERT, replace SPI's context line quoting
 * the generated statement with one saying which rows were being inserted.
 */
void
covara_seed_replace_context(ErrorData *edata, CovaraSeedTarget *t,
							CovaraSeedGroup *g)
{
	char	   *spi_line;
	size_t		len;
	StringInfoData buf;
	int			k;

	if (edata->context == NULL)
		return;
	spi_line = psprintf("SQL statement \"%s\"", g->sql);
	len = strlen(spi_line);
	if (strncmp(edata->context, spi_line, len) != 0 ||
		(edata->context[len] != '\0' && edata->context[len] != '\n'))
		return;

	initStringInfo(&buf);
	appendStringInfo(&buf, "covara.seed into %s: inserting %d row%s with the keys (",
					 t->display, g->nrows, g->nrows == 1 ? "" : "s");
	for (k = 0; k < g->nkeys; k++)
		appendStringInfo(&buf, "%s%.*s", k > 0 ? ", " : "", g->keylens[k], g->keys[k]);
	appendStringInfo(&buf, "), the first being element %d of %s", g->first + 1, t->what);
	appendStringInfoString(&buf, edata->context + len);
	edata->context = buf.data;
}
