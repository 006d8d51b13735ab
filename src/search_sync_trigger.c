/*-------------------------------------------------------------------------
 *
 * search_sync_trigger.c
 *	  covara.search_sync_trigger(): the AFTER row trigger that keeps a
 *	  search index table (doc_id, source, search_vector) in step with its
 *	  source table.  Its statements are SPI plans saved per trigger for the
 *	  backend's lifetime; a document goes only once no source row has its
 *	  id any more.  Under store=fields (what attach_search() makes since
 *	  0.9.0) a document's source is its id, its fields and its display
 *	  columns; without it, the whole row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "search_config.h"
#include "spi.h"

PG_FUNCTION_INFO_V1(covara_search_sync_trigger);

/*
 * Saved SPI plans of one sync trigger (backend lifetime).  Each plan is
 * prepared when first needed and stored only once SPI_keepplan() has saved
 * it, so an error while preparing never leaves a pointer to memory that the
 * error frees; NULL means not prepared yet.
 */
typedef struct CovaraSyncPlans
{
	Oid			tgoid;			/* hash key */
	char	   *signature;		/* what the plans below were made for */
	SPIPlanPtr	upsert;
	SPIPlanPtr	touch;
	SPIPlanPtr	del;
	SPIPlanPtr	probe;			/* run as the source table's owner */
} CovaraSyncPlans;

static HTAB *covara_sync_plans = NULL;

/*
 * The saved SPI plans of a sync trigger: the entry for its OID, emptied
 * when it was made for another signature (the plans are then prepared anew
 * as they are needed).
 */
static CovaraSyncPlans *
covara_get_sync_plans(CovaraTriggerConfig *conf)
{
	CovaraSyncPlans *sp;
	bool		found;

	if (covara_sync_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(CovaraSyncPlans);
		covara_sync_plans = hash_create("covara sync trigger plans", 16, &ctl,
										HASH_ELEM | HASH_BLOBS);
	}
	sp = hash_search(covara_sync_plans, &conf->tgoid, HASH_ENTER, &found);
	if (!found)
	{
		sp->signature = NULL;
		sp->upsert = sp->touch = sp->del = sp->probe = NULL;
	}
	if (sp->signature != NULL && strcmp(sp->signature, conf->signature) == 0)
		return sp;

	/* every stored plan is a kept one, so freeing them is safe */
	if (sp->upsert)
		SPI_freeplan(sp->upsert);
	if (sp->touch)
		SPI_freeplan(sp->touch);
	if (sp->del)
		SPI_freeplan(sp->del);
	if (sp->probe)
		SPI_freeplan(sp->probe);
	sp->upsert = sp->touch = sp->del = sp->probe = NULL;
	if (sp->signature)
		pfree(sp->signature);
	sp->signature = MemoryContextStrdup(TopMemoryContext, conf->signature);
	return sp;
}

/* The upsert of a document: (doc_id, row, vector). */
static SPIPlanPtr
covara_sync_upsert(CovaraTriggerConfig *conf, CovaraSyncPlans *sp,
				   Relation rel)
{
	Oid			argtypes[3];

	if (sp->upsert != NULL)
		return sp->upsert;
	argtypes[0] = TEXTOID;
	argtypes[1] = rel->rd_rel->reltype;
	argtypes[2] = TSVECTOROID;
	sp->upsert = covara_spi_prepare_kept(
		psprintf("INSERT INTO %s AS i (doc_id, source, search_vector) "
				 "VALUES ($1, %s, $3) "
				 "ON CONFLICT (doc_id) DO UPDATE SET source = excluded.source, "
				 "search_vector = excluded.search_vector",
				 conf->idx_sql, conf->source_sql),
		3, argtypes);
	return sp->upsert;
}

/*
 * The refresh of a document's source that keeps its vector: (doc_id, row).
 * search_vector = search_vector keeps it under given_vector=keep.
 */
static SPIPlanPtr
covara_sync_touch(CovaraTriggerConfig *conf, CovaraSyncPlans *sp,
				  Relation rel)
{
	Oid			argtypes[2];

	if (sp->touch != NULL)
		return sp->touch;
	argtypes[0] = TEXTOID;
	argtypes[1] = rel->rd_rel->reltype;
	sp->touch = covara_spi_prepare_kept(
		psprintf("UPDATE %s AS i SET source = %s, "
				 "search_vector = i.search_vector "
				 "WHERE i.doc_id OPERATOR(pg_catalog.=) $1",
				 conf->idx_sql, conf->source_sql),
		2, argtypes);
	return sp->touch;
}

/* The delete of a document: (doc_id). */
static SPIPlanPtr
covara_sync_del(CovaraTriggerConfig *conf, CovaraSyncPlans *sp)
{
	Oid			argtypes[1];

	if (sp->del != NULL)
		return sp->del;
	argtypes[0] = TEXTOID;
	sp->del = covara_spi_prepare_kept(
		psprintf("DELETE FROM %s AS i WHERE i.doc_id OPERATOR(pg_catalog.=) $1",
				 conf->idx_sql),
		1, argtypes);
	return sp->del;
}

/*
 * True when a row of the source table has the id (as when ids swap within
 * one statement), so its document must stay.  The probe looks in the table
 * attach_search() ran on, so a partitioned table's rows are found in
 * whichever partition they are now, and runs as that table's owner, the
 * way core's foreign key checks do: the writer needs neither SELECT on the
 * table nor any right on the schema of the id type's equality operator,
 * and row security policies hide no row from it.
 */
static bool
covara_id_in_use(CovaraTriggerConfig *conf, CovaraSyncPlans *sp, Datum id)
{
	Oid			save_userid;
	int			save_sec_context;
	volatile bool found = false;

	if (conf->id_eqop_sql == NULL)
		return false;			/* no equality: ids cannot be compared */

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(conf->src_owner,
						   save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	PG_TRY();
	{
		if (sp->probe == NULL)
			sp->probe = covara_spi_prepare_kept(
				psprintf("SELECT FROM %s AS s WHERE s.%s %s $1 LIMIT 1",
						 conf->src_sql, conf->id_sql, conf->id_eqop_sql),
				1, &conf->id_type);
		found = covara_spi_execute_plan(sp->probe, &id, NULL, false, 1,
										SPI_OK_SELECT,
										"looking up a source row by id") > 0;
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	return found;
}

/* The id of a row as text (the doc_id), or NULL when the id is null. */
static text *
covara_row_doc_id(CovaraTriggerConfig *conf, TupleTableSlot *slot, Datum *id)
{
	bool		isnull;

	*id = slot_getattr(slot, conf->id_attnum, &isnull);
	if (isnull)
		return NULL;
	return cstring_to_text(OutputFunctionCall(&conf->id_out, *id));
}

/*
 * covara.search_sync_trigger(index_schema, index_table, id_column,
 * configuration, field, ...): AFTER INSERT OR UPDATE OR DELETE row trigger
 * on a source table that writes (doc_id, source, search_vector) to the
 * index table in the same transaction.  Made by covara.attach_search().
 */
Datum
covara_search_sync_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = covara_trigger_check_call(fcinfo, COVARA_TRIGGER_SYNC);
	CovaraTriggerConfig *conf = covara_trigger_config_get(fcinfo,
														  COVARA_TRIGGER_SYNC);
	Relation	rel = td->tg_relation;
	const char *tgname = td->tg_trigger->tgname;
	const char *relname = RelationGetRelationName(rel);
	CovaraSyncPlans *sp;
	TupleTableSlot *newslot = NULL;
	HeapTuple	newtuple = NULL;
	text	   *old_docid = NULL;
	text	   *new_docid = NULL;
	Datum		old_id = (Datum) 0;
	Datum		new_id = (Datum) 0;
	bool		id_changed = false;
	bool		fields_changed = true;
	TSVector	vec = NULL;
	Datum		values[3];

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		newslot = td->tg_trigslot;
		newtuple = td->tg_trigtuple;
		new_docid = covara_row_doc_id(conf, newslot, &new_id);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		newslot = td->tg_newslot;
		newtuple = td->tg_newtuple;
		old_docid = covara_row_doc_id(conf, td->tg_trigslot, &old_id);
		new_docid = covara_row_doc_id(conf, newslot, &new_id);
		if (old_docid == NULL || new_docid == NULL)
			id_changed = (old_docid != NULL || new_docid != NULL);
		else
			id_changed = !covara_values_equal(old_id, new_id, conf->id_typlen,
											  conf->id_typbyval);
		fields_changed = id_changed ||
			covara_sources_changed(conf, td->tg_trigslot, newslot);

		/* under store=fields, a change of nothing stored writes nothing */
		if (!fields_changed && conf->store_fields &&
			!covara_columns_changed(conf->ndisplay, conf->display_attnum,
									conf->display_typlen, conf->display_typbyval,
									td->tg_trigslot, newslot))
			return PointerGetDatum(NULL);
	}
	else
		old_docid = covara_row_doc_id(conf, td->tg_trigslot, &old_id);

	/* parse before connecting to SPI, in the trigger's memory context */
	if (new_docid != NULL && fields_changed)
		vec = covara_row_vector(conf, newslot, tgname, relname);

	covara_spi_connect();
	sp = covara_get_sync_plans(conf);

	/* an old id goes only when no row of the source has it any more */
	if (old_docid != NULL && (id_changed || TRIGGER_FIRED_BY_DELETE(td->tg_event)) &&
		!covara_id_in_use(conf, sp, old_id))
	{
		values[0] = PointerGetDatum(old_docid);
		covara_spi_execute_plan(covara_sync_del(conf, sp), values, NULL, false,
								0, SPI_OK_DELETE, "deleting a search document");
	}

	if (new_docid != NULL)
	{
		bool		done = false;

		values[0] = PointerGetDatum(new_docid);
		values[1] = heap_copy_tuple_as_datum(newtuple, RelationGetDescr(rel));
		if (vec == NULL)
		{
			/* only other columns changed: refresh source, keep the vector */
			done = covara_spi_execute_plan(covara_sync_touch(conf, sp, rel),
										   values, NULL, false, 0, SPI_OK_UPDATE,
										   "refreshing a search document's source") > 0;
			if (!done)
				vec = covara_row_vector(conf, newslot, tgname, relname);
		}
		if (!done)
		{
			values[2] = PointerGetDatum(vec);
			covara_sync_upserting = true;
			PG_TRY();
			{
				covara_spi_execute_plan(covara_sync_upsert(conf, sp, rel), values,
										NULL, false, 0, SPI_OK_INSERT,
										"writing a search document");
			}
			PG_FINALLY();
			{
				covara_sync_upserting = false;
			}
			PG_END_TRY();
		}
	}

	covara_spi_finish();
	return PointerGetDatum(NULL);
}
