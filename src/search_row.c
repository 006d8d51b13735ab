/*-------------------------------------------------------------------------
 *
 * search_row.c
 *	  What both search triggers do with a row: tell whether its source
 *	  (or other) columns changed, and build its weighted vector from its
 *	  fields.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "executor/tuptable.h"
#include "utils/datum.h"

#include "compat.h"
#include "search_config.h"

/* Equality of two non-null column values, looking through TOAST. */
bool
covara_values_equal(Datum a, Datum b, int16 typlen, bool typbyval)
{
	struct varlena *va;
	struct varlena *vb;
	bool		res;

	if (datumIsEqual(a, b, typbyval, typlen))
		return true;
	if (typlen != -1)
		return false;
	if (toast_raw_datum_size(a) != toast_raw_datum_size(b))
		return false;
	va = PG_DETOAST_DATUM_PACKED(a);
	vb = PG_DETOAST_DATUM_PACKED(b);
	res = VARSIZE_ANY_EXHDR(va) == VARSIZE_ANY_EXHDR(vb) &&
		memcmp(VARDATA_ANY(va), VARDATA_ANY(vb), VARSIZE_ANY_EXHDR(va)) == 0;
	if ((Pointer) va != DatumGetPointer(a))
		pfree(va);
	if ((Pointer) vb != DatumGetPointer(b))
		pfree(vb);
	return res;
}

/* True when any of the columns differs between the two slots. */
bool
covara_columns_changed(int ncols, const AttrNumber *attnum,
					   const int16 *typlen, const bool *typbyval,
					   TupleTableSlot *oldslot, TupleTableSlot *newslot)
{
	int			i;

	for (i = 0; i < ncols; i++)
	{
		bool		oldnull;
		bool		newnull;
		Datum		o = slot_getattr(oldslot, attnum[i], &oldnull);
		Datum		n = slot_getattr(newslot, attnum[i], &newnull);

		if (oldnull != newnull)
			return true;
		if (!oldnull && !covara_values_equal(o, n, typlen[i], typbyval[i]))
			return true;
	}
	return false;
}

/* True when any source column differs between the two slots. */
bool
covara_sources_changed(CovaraTriggerConfig *conf, TupleTableSlot *oldslot,
					   TupleTableSlot *newslot)
{
	return covara_columns_changed(conf->nsrc, conf->src_attnum,
								  conf->src_typlen, conf->src_typbyval,
								  oldslot, newslot);
}

/* Build the row's vector from its fields. */
TSVector
covara_row_vector(CovaraTriggerConfig *conf, TupleTableSlot *slot,
				  const char *tgname, const char *relname)
{
	CovaraVectorBuilder b;
	Oid			tsconfig = conf->tsconfig;
	int			i;

	if (conf->tsconfig_attnum != InvalidAttrNumber)
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, conf->tsconfig_attnum, &isnull);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("configuration column \"%s\" of table \"%s\" is null",
							conf->tsconfig_column, relname),
					 errdetail("Trigger \"%s\" reads the row's text search configuration from it.", tgname),
					 errhint("Give the column a value (it could have a default such as 'english').")));
		tsconfig = DatumGetObjectId(d);
	}

	covara_vb_init(&b, tsconfig);
	for (i = 0; i < conf->nfields; i++)
	{
		CovaraField *f = &conf->fields[i];
		bool		isnull;
		Datum		d;

		covara_vb_begin_field(&b, f->weight);
		d = slot_getattr(slot, f->attnum, &isnull);
		if (!isnull)
			covara_datum_field_texts(d, f, covara_vb_sink, &b);
	}
	return covara_vb_finish(&b);
}
