/*-------------------------------------------------------------------------
 *
 * seed_insert.c
 *	  covara.seed's inserts: every group's INSERT, all in one internal
 *	  subtransaction.
 *
 * Groups run in the order of their first row and keep the order of their
 * rows, so when all rows share one key set (the usual case) the order is
 * the caller's.  When an insert fails with a data exception, the
 * subtransaction is rolled back and seed_diagnose.c finds the row; the fast
 * path pays for one subtransaction per call.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/resowner.h"

#include "seed.h"
#include "spi.h"

/* An int4[] of the positions rows[lo..hi). */
Datum
covara_seed_positions(const int *rows, int lo, int hi)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(hi - lo, 1));
	ArrayType  *arr;
	int			i;

	for (i = lo; i < hi; i++)
		elems[i - lo] = Int32GetDatum(rows[i]);
	arr = construct_array(elems, hi - lo, INT4OID, sizeof(int32), true,
						  TYPALIGN_INT);
	pfree(elems);
	return PointerGetDatum(arr);
}

/* Run one group's INSERT (SPI connected); returns the rows inserted. */
static uint64
covara_seed_exec_group(CovaraSeedTarget *t, CovaraSeedGroup *g)
{
	Oid			types[2] = {JSONBOID, INT4ARRAYOID};
	Datum		values[2];
	uint64		inserted;

	values[0] = PointerGetDatum(t->rows);
	values[1] = covara_seed_positions(g->rows, 0, g->nrows);
	inserted = covara_spi_execute_once(g->sql, 2, types, values, false,
									   SPI_OK_INSERT, "covara.seed's insert");
	pfree(DatumGetPointer(values[1]));
	return inserted;
}

/*
 * In PG_CATCH after BeginInternalSubTransaction: copy the error, roll the
 * subtransaction back and restore the caller's context and owner.
 */
ErrorData *
covara_seed_subxact_error(MemoryContext oldcontext, ResourceOwner oldowner)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(oldcontext);
	edata = CopyErrorData();
	FlushErrorState();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(oldcontext);
	CurrentResourceOwner = oldowner;
	return edata;
}

/*
 * Seed the targets in order, all in one internal subtransaction, with SPI
 * connected.  On a data exception, diagnose the failing group after the
 * subtransaction is rolled back; any other error is re-raised unchanged.
 */
void
covara_seed_run(CovaraSeedTarget *targets, int ntargets)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile int cur_t = -1;
	volatile int cur_g = -1;
	int			i;

	/* nothing to insert at all: no subtransaction */
	for (i = 0; i < ntargets; i++)
		if (targets[i].ngroups > 0)
			break;
	if (i == ntargets)
		return;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		for (i = 0; i < ntargets; i++)
		{
			CovaraSeedTarget *t = &targets[i];
			int			g;

			for (g = 0; g < t->ngroups; g++)
			{
				cur_t = i;
				cur_g = g;
				t->inserted += covara_seed_exec_group(t, &t->groups[g]);
			}
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata = covara_seed_subxact_error(oldcontext, oldowner);

		if (cur_t >= 0)
		{
			CovaraSeedTarget *t = &targets[cur_t];
			CovaraSeedGroup *g = &t->groups[cur_g];

			if (ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_DATA_EXCEPTION)
				covara_seed_diagnose(t, g);
			covara_seed_replace_context(edata, t, g);
		}
		ReThrowError(edata);
	}
	PG_END_TRY();
}
