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
covara_index_replace(Relation rel, TupleTableSlot *slot)
{
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	docatt = InvalidAttrNumber;
	StringInfoData sql;
	Oid		   *types;
	Datum	   *values;
	char	   *nulls;
	int			nargs = 1;
	int			i;
	uint64		replaced;

	for (i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped &&
			strcmp(NameStr(TupleDescAttr(desc, i)->attname), "doc_id") == 0)
			docatt = i + 1;
	if (docatt == InvalidAttrNumber ||
		TupleDescAttr(desc, docatt - 1)->atttypid != TEXTOID)
		return false;
	slot_getallattrs(slot);
	if (slot->tts_isnull[docatt - 1])
		return false;
	types = palloc(sizeof(Oid) * (desc->natts + 1));
	values = palloc(sizeof(Datum) * (desc->natts + 1));
	nulls = palloc(desc->natts + 2);
	types[0] = TEXTOID;
	values[0] = slot->tts_values[docatt - 1];
	nulls[0] = ' ';

	initStringInfo(&sql);
	appendStringInfo(&sql, "UPDATE %s SET ",
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												RelationGetRelationName(rel)));
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated || i + 1 == docatt)
			continue;
		appendStringInfo(&sql, "%s%s = $%d", nargs > 1 ? ", " : "",
						 quote_identifier(NameStr(att->attname)), nargs + 1);
		types[nargs] = att->atttypid;
		values[nargs] = slot->tts_values[i];
		nulls[nargs] = slot->tts_isnull[i] ? 'n' : ' ';
		nargs++;
	}
	nulls[nargs] = '\0';
	if (nargs == 1)
		return false;
	appendStringInfoString(&sql, " WHERE doc_id OPERATOR(pg_catalog.=) $1");

	covara_spi_connect();
	replaced = covara_spi_check(SPI_execute_with_args(sql.data, nargs, types, values,
													  nulls, false, 0),
								SPI_OK_UPDATE, "replacing a search document");
	covara_spi_finish();
	pfree(sql.data);
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
			covara_index_replace(rel, slot))
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
