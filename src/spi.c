/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  The SPI calls of covara's C functions (the sync trigger, seed and the
 *	  auth flows), written once: connecting and disconnecting, preparing a
 *	  statement and keeping its plan for the backend's lifetime, executing
 *	  it and checking SPI's result code.
 *
 * A failure here is an internal error (elog), never a user's mistake: a
 * user's error inside a statement is raised by the statement itself.  The
 * messages say what failed and SPI's result code.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/params.h"

#include "spi.h"

/* Connect to SPI, or fail. */
void
covara_spi_connect(void)
{
	int			rc = SPI_connect();

	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(rc));
}

/* Disconnect from SPI (freeing what was palloc'd while connected), or fail. */
void
covara_spi_finish(void)
{
	int			rc = SPI_finish();

	if (rc != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed: %s", SPI_result_code_string(rc));
}

/* Prepare a statement for this SPI connection (freed by SPI_finish). */
SPIPlanPtr
covara_spi_prepare(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s",
			 sql, SPI_result_code_string(SPI_result));
	return plan;
}

/*
 * Prepare a statement and keep its plan (SPI_keepplan): it outlives the
 * connection and the transaction until SPI_freeplan.  A caller that caches
 * the result stores it only once this returns, so an error while preparing
 * never leaves a pointer to memory that the error frees.
 */
SPIPlanPtr
covara_spi_prepare_kept(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = covara_spi_prepare(sql, nargs, argtypes);
	int			rc = SPI_keepplan(plan);

	if (rc != 0)
		elog(ERROR, "SPI_keepplan failed for \"%s\": %s",
			 sql, SPI_result_code_string(rc));
	return plan;
}

/*
 * Check the result code of an SPI execution against the one expected;
 * returns the number of rows processed.  what names the statement.
 */
uint64
covara_spi_check(int rc, int expected, const char *what)
{
	if (rc != expected)
		elog(ERROR, "%s failed: SPI returned %s, not %s", what,
			 SPI_result_code_string(rc), SPI_result_code_string(expected));
	return SPI_processed;
}

/* Execute a prepared plan and check its result (see covara_spi_check). */
uint64
covara_spi_execute_plan(SPIPlanPtr plan, Datum *values, const char *nulls,
						bool read_only, long count, int expected,
						const char *what)
{
	return covara_spi_check(SPI_execute_plan(plan, values, nulls, read_only,
											 count),
							expected, what);
}

/*
 * Run a statement once with non-null parameters and check its result.  The
 * statement is prepared and its parameters passed as plain Params, not
 * PARAM_FLAG_CONST as SPI_execute_with_args would: otherwise the planner
 * folds a large parameter (a jsonb of many rows) into a Const, copying it
 * into the expression and again with the plan.
 */
uint64
covara_spi_execute_once(const char *sql, int nargs, Oid *argtypes,
						Datum *values, bool read_only, int expected,
						const char *what)
{
	SPIPlanPtr	plan = covara_spi_prepare(sql, nargs, argtypes);
	ParamListInfo params = makeParamList(nargs);
	int			i;
	int			rc;

	for (i = 0; i < nargs; i++)
	{
		params->params[i].value = values[i];
		params->params[i].isnull = false;
		params->params[i].pflags = 0;
		params->params[i].ptype = argtypes[i];
	}
	rc = SPI_execute_plan_with_paramlist(plan, params, read_only, 0);
	pfree(params);
	SPI_freeplan(plan);
	return covara_spi_check(rc, expected, what);
}
