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
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "search_config.h"

PG_FUNCTION_INFO_V1(covara_search_trigger);

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
