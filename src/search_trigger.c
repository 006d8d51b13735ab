/*-------------------------------------------------------------------------
 *
 * search_trigger.c
 *	  covara.search_trigger(): the BEFORE INSERT OR UPDATE row trigger that
 *	  fills a weighted tsvector column from text, text[] and jsonb fields.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "lib/stringinfo.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "search_config.h"
#include "spi.h"

PG_FUNCTION_INFO_V1(covara_search_trigger);

bool		covara_sync_upserting = false;

/* The prefix of the trigger create_search_index puts on an index table. */
#define COVARA_INDEX_TRIGGER_PREFIX "covara_index_"

/* Free the kept replace plan with the configuration that holds it. */
static void
covara_index_replace_free(void *arg)
{
	CovaraTriggerConfig *conf = (CovaraTriggerConfig *) arg;

	if (conf->replace_plan != NULL)
		SPI_freeplan(conf->replace_plan);
	conf->replace_plan = NULL;
}

/*
 * Prepare, once per trigger configuration, the UPDATE that replaces a
 * document of an index table: every column but doc_id, by doc_id.  No plan
 * when the table has no text doc_id or no other column.
 */
static void
covara_index_replace_prepare(CovaraTriggerConfig *conf, Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	MemoryContext old = MemoryContextSwitchTo(conf->cxt);
	MemoryContextCallback *cb;
	StringInfoData sql;
	Oid		   *types = palloc(sizeof(Oid) * (desc->natts + 1));
	int			nargs = 1;
	int			i;

	conf->replace_attnum = palloc(sizeof(AttrNumber) * (desc->natts + 1));
	conf->replace_values = palloc(sizeof(Datum) * (desc->natts + 1));
	conf->replace_nulls = palloc(desc->natts + 2);
	conf->replace_attnum[0] = InvalidAttrNumber;
	types[0] = TEXTOID;
	initStringInfo(&sql);
	appendStringInfo(&sql, "UPDATE %s SET ",
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												RelationGetRelationName(rel)));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated)
			continue;
		if (strcmp(NameStr(att->attname), "doc_id") == 0)
		{
			if (att->atttypid == TEXTOID)
				conf->replace_attnum[0] = i + 1;
			continue;
		}
		appendStringInfo(&sql, "%s%s = $%d", nargs > 1 ? ", " : "",
						 quote_identifier(NameStr(att->attname)), nargs + 1);
		types[nargs] = att->atttypid;
		conf->replace_attnum[nargs++] = i + 1;
	}
	appendStringInfoString(&sql, " WHERE doc_id OPERATOR(pg_catalog.=) $1");
	conf->replace_nargs = nargs;
	conf->replace_nulls[nargs] = '\0';
	MemoryContextSwitchTo(old);

	if (conf->replace_attnum[0] != InvalidAttrNumber && nargs > 1)
	{
		cb = MemoryContextAlloc(conf->cxt, sizeof(MemoryContextCallback));
		cb->func = covara_index_replace_free;
		cb->arg = conf;
		MemoryContextRegisterResetCallback(conf->cxt, cb);
		covara_spi_connect();
		conf->replace_plan = covara_spi_prepare_kept(sql.data, nargs, types);
		covara_spi_finish();
	}
	conf->replace_ready = true;
}

/*
 * A row that COPY loads into a search index table (the table of a trigger
 * named covara_index_<name>) with a doc_id the table already holds replaces
 * that document (every other column) instead of failing on the primary key,
 * so that a data-only restore loads an index whose sources' sync triggers
 * already wrote some of its documents.  (INSERT is left alone: it fails, or
 * does what its ON CONFLICT says.)  Returns true when a document was
 * replaced (the row is then skipped).
 */
static bool
covara_index_replace(CovaraTriggerConfig *conf, Relation rel,
					 TupleTableSlot *slot)
{
	int			i;
	uint64		replaced;

	if (!conf->replace_ready)
		covara_index_replace_prepare(conf, rel);
	if (conf->replace_plan == NULL)
		return false;
	slot_getallattrs(slot);
	if (slot->tts_isnull[conf->replace_attnum[0] - 1])
		return false;
	for (i = 0; i < conf->replace_nargs; i++)
	{
		AttrNumber	att = conf->replace_attnum[i];

		conf->replace_values[i] = slot->tts_values[att - 1];
		conf->replace_nulls[i] = slot->tts_isnull[att - 1] ? 'n' : ' ';
	}
	covara_spi_connect();
	replaced = covara_spi_execute_plan(conf->replace_plan, conf->replace_values,
									   conf->replace_nulls, false, 0,
									   SPI_OK_UPDATE, "replacing a search document");
	covara_spi_finish();
	return replaced > 0;
}

/*
 * covara.search_trigger(tsvector_column, configuration, field, ...):
 * BEFORE INSERT OR UPDATE row trigger that fills the tsvector column.
 */
Datum
covara_search_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = covara_trigger_check_call(fcinfo, COVARA_TRIGGER_SEARCH);
	CovaraTriggerConfig *conf = covara_trigger_config_get(fcinfo,
														  COVARA_TRIGGER_SEARCH);
	Relation	rel = td->tg_relation;
	HeapTuple	tuple;
	TupleTableSlot *slot;
	TSVector	vec;
	Datum		value;
	bool		isnull = false;
	int			col;

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		tuple = td->tg_trigtuple;
		slot = td->tg_trigslot;
		/* COPY of a document the index holds already: replaced */
		if (!covara_sync_upserting && ActivePortal != NULL &&
			ActivePortal->commandTag == CMDTAG_COPY &&
			strncmp(td->tg_trigger->tgname, COVARA_INDEX_TRIGGER_PREFIX,
					strlen(COVARA_INDEX_TRIGGER_PREFIX)) == 0 &&
			covara_index_replace(conf, rel, slot))
			return PointerGetDatum(NULL);
		if (conf->keep_given && !slot_attisnull(slot, conf->tsv_attnum))
			return PointerGetDatum(tuple);
	}
	else
	{
		tuple = td->tg_newtuple;
		slot = td->tg_newslot;
		if (!slot_attisnull(slot, conf->tsv_attnum))
		{
			if (bms_is_member(conf->tsv_attnum - FirstLowInvalidHeapAttributeNumber,
							  td->tg_updatedcols))
			{
				/*
				 * A vector written by the statement itself: kept when asked
				 * (given_vector=keep), else replaced by the computed one.
				 */
				if (conf->keep_given)
					return PointerGetDatum(tuple);
			}
			else if (!covara_sources_changed(conf, td->tg_trigslot, slot))
			{
				/* no source changed: keep the vector, parse nothing */
				return PointerGetDatum(tuple);
			}
		}
	}

	vec = covara_row_vector(conf, slot, td->tg_trigger->tgname,
							RelationGetRelationName(rel));
	value = PointerGetDatum(vec);
	if (OidIsValid(conf->tsv_domain))
		domain_check(value, false, conf->tsv_domain, &conf->tsv_domain_extra,
					 conf->cxt);
	col = conf->tsv_attnum;
	tuple = heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), 1,
									  &col, &value, &isnull);
	pfree(vec);
	return PointerGetDatum(tuple);
}
