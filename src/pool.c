/*-------------------------------------------------------------------------
 *
 * pool.c
 *	  covara.recommended_pool_config(driver) and its capped overload
 *	  (driver, instances): connection-pool settings per database driver, as
 *	  covara's recommendedPoolConfig(driver) gives them
 *	  (doc/compatibility.md, connection pools).
 *
 * From 0.8.0 the drivers are data, covara._pool_drivers() (src/sql/
 * 08-pool.sql): covara_pool_config and covara_pool_config_capped read the
 * driver from there.  covara_recommended_pool_config and its capped twin
 * are what databases still on 0.3.0 to 0.7.0 call until they run ALTER
 * EXTENSION covara UPDATE; they keep the driver table those versions
 * shipped, and a new driver goes into _pool_drivers() only.
 *
 * The capped overload also reads this server's connection budget:
 * max_connections, less superuser_reserved_connections, less
 * reserved_connections (from PostgreSQL 16), less what other
 * roles' connection limits let them take (only roles that can log in, are
 * not superusers, and have a positive CONNECTION LIMIT; roles without a
 * limit cannot be accounted for), and no more than the session role's own
 * limit.  The budget is shared by the application's instances.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "postmaster/postmaster.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "compat.h"
#include "report.h"
#include "spi.h"

/* One driver's recommended settings. */
typedef struct CovaraPoolDriver
{
	const char *name;
	int			max;
	int			idle_timeout_ms;
	int			connect_timeout_ms;
	bool		uses_server;	/* holds connections to a PostgreSQL server */
	const char *notes;
} CovaraPoolDriver;

/* The drivers of covara 0.3.0 to 0.7.0, for databases not yet updated. */
static const CovaraPoolDriver covara_pool_legacy_drivers[] = {
	{"postgres-js", 10, 20000, 10000, true,
	"long-lived Node process: keep max below (server limit / instances); use a pooler URL for serverless"},
	{"neon", 1, 0, 10000, true,
	"serverless HTTP driver, connectionless per request; use the pooled endpoint"},
	{"pglite", 1, 0, 0, false,
	"embedded single-connection engine; pooling does not apply"},
	{"libsql", 1, 0, 10000, false,
	"one multiplexed HTTP/WS connection"},
	{"d1", 1, 0, 0, false,
	"request-scoped binding; avoid long transactions"},
	{"hyperdrive", 5, 10000, 10000, true,
	"pools at the edge; keep the worker-side max small"},
};

#define COVARA_POOL_NLEGACY lengthof(covara_pool_legacy_drivers)

PG_FUNCTION_INFO_V1(covara_pool_config);
PG_FUNCTION_INFO_V1(covara_pool_config_capped);
PG_FUNCTION_INFO_V1(covara_recommended_pool_config);
PG_FUNCTION_INFO_V1(covara_recommended_pool_config_capped);

/* The error for a driver that is not among the known ones (listed). */
static void
covara_pool_unknown(const char *name, const char *known)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown driver \"%s\"", covara_report_cut(name)),
			 errhint("Known drivers are %s.", known)));
}

/* Column attno of the SPI result row as a non-null Datum, or an error. */
static Datum
covara_pool_column(HeapTuple tup, TupleDesc td, int attno)
{
	bool		isnull;
	Datum		value = SPI_getbinval(tup, td, attno, &isnull);

	if (isnull)
		elog(ERROR, "covara._pool_drivers() has a NULL %s",
			 SPI_fname(td, attno));
	return value;
}

/* The driver named by the text argument, from covara._pool_drivers(). */
static CovaraPoolDriver *
covara_pool_lookup(text *driver)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *name = text_to_cstring(driver);
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	CovaraPoolDriver *d = NULL;
	char	   *known = NULL;
	uint64		found;

	args[0] = PointerGetDatum(driver);
	covara_spi_connect();
	found = covara_spi_execute_once("SELECT d.max, d.idle_timeout_ms, d.connect_timeout_ms, d.uses_server, d.notes"
									"  FROM covara._pool_drivers() d"
									" WHERE d.driver OPERATOR(pg_catalog.=) $1",
									1, argtypes, args, true, SPI_OK_SELECT,
									"the look-up of a pool driver");
	if (found > 1)
		elog(ERROR, "covara._pool_drivers() lists driver \"%s\" %llu times",
			 name, (unsigned long long) found);
	if (found == 1)
	{
		HeapTuple	tup = SPI_tuptable->vals[0];
		TupleDesc	td = SPI_tuptable->tupdesc;

		d = MemoryContextAllocZero(caller, sizeof(CovaraPoolDriver));
		d->name = MemoryContextStrdup(caller, name);
		d->max = DatumGetInt32(covara_pool_column(tup, td, 1));
		d->idle_timeout_ms = DatumGetInt32(covara_pool_column(tup, td, 2));
		d->connect_timeout_ms = DatumGetInt32(covara_pool_column(tup, td, 3));
		d->uses_server = DatumGetBool(covara_pool_column(tup, td, 4));
		d->notes = TextDatumGetCString(covara_pool_column(tup, td, 5));
		d->notes = MemoryContextStrdup(caller, d->notes);
	}
	else
	{
		char	   *list;

		covara_spi_execute_once("SELECT pg_catalog.string_agg(d.driver, ', ' ORDER BY d.n)"
								"  FROM covara._pool_drivers()"
								"       WITH ORDINALITY AS d(driver, max, i, c, u, notes, n)",
								0, NULL, NULL, true, SPI_OK_SELECT,
								"the list of pool drivers");
		list = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		known = MemoryContextStrdup(caller, list ? list : "none");
	}
	covara_spi_finish();
	if (d == NULL)
		covara_pool_unknown(name, known);
	return d;
}

/* The driver named by the text argument, from the legacy table. */
static const CovaraPoolDriver *
covara_pool_legacy_lookup(text *driver)
{
	char	   *name = text_to_cstring(driver);
	StringInfoData known;
	int			i;

	for (i = 0; i < COVARA_POOL_NLEGACY; i++)
		if (strcmp(covara_pool_legacy_drivers[i].name, name) == 0)
			return &covara_pool_legacy_drivers[i];

	initStringInfo(&known);
	for (i = 0; i < COVARA_POOL_NLEGACY; i++)
		appendStringInfo(&known, "%s%s", i > 0 ? ", " : "",
						 covara_pool_legacy_drivers[i].name);
	covara_pool_unknown(name, known.data);
	return NULL;				/* keep the compiler quiet */
}

/* Return one row (max, idle_timeout_ms, connect_timeout_ms, notes). */
static Datum
covara_pool_return(FunctionCallInfo fcinfo, int max, int idle, int connect,
				   const char *notes)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	InitMaterializedSRF(fcinfo, 0);
	values[0] = Int32GetDatum(max);
	values[1] = Int32GetDatum(idle);
	values[2] = Int32GetDatum(connect);
	values[3] = CStringGetTextDatum(notes);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}

/* covara.recommended_pool_config(driver text): one driver's settings. */
Datum
covara_pool_config(PG_FUNCTION_ARGS)
{
	const CovaraPoolDriver *d = covara_pool_lookup(PG_GETARG_TEXT_PP(0));

	return covara_pool_return(fcinfo, d->max, d->idle_timeout_ms,
							  d->connect_timeout_ms, d->notes);
}

/* The same for databases on 0.3.0 to 0.7.0 (the legacy table). */
Datum
covara_recommended_pool_config(PG_FUNCTION_ARGS)
{
	const CovaraPoolDriver *d = covara_pool_legacy_lookup(PG_GETARG_TEXT_PP(0));

	return covara_pool_return(fcinfo, d->max, d->idle_timeout_ms,
							  d->connect_timeout_ms, d->notes);
}

/*
 * Connections other login roles may hold under their CONNECTION LIMIT
 * (superusers are not held to theirs, and are covered by
 * superuser_reserved_connections), and the session role's own limit (-1
 * when none applies).
 */
static int
covara_pool_reserved_by_others(Oid self, int *own_limit)
{
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tup;
	int64		total = 0;

	*own_limit = -1;
	rel = table_open(AuthIdRelationId, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_authid role = (Form_pg_authid) GETSTRUCT(tup);

		if (!role->rolcanlogin || role->rolsuper)
			continue;
		if (role->oid == self)
			*own_limit = role->rolconnlimit;
		else if (role->rolconnlimit > 0)
			total += role->rolconnlimit;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return (int) Min(total, (int64) PG_INT32_MAX);
}

/*
 * A driver's settings with max capped so that `instances` processes, each
 * with a pool of that size, cannot exhaust this server's connections; notes
 * says how.
 */
static Datum
covara_pool_capped(FunctionCallInfo fcinfo, const CovaraPoolDriver *d,
				   int32 instances)
{
	int			others;
	int			own_limit;
	int			available;
	int			per_instance;
	int			max = d->max;
	StringInfoData notes;
	StringInfoData budget;

	if (instances < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("instances must be at least 1, not %d", instances),
				 errhint("Pass the number of application processes that share this server.")));

	initStringInfo(&notes);
	appendStringInfoString(&notes, d->notes);
	if (!d->uses_server)
	{
		appendStringInfoString(&notes,
							   "; instances does not change max: this driver holds no connections to a PostgreSQL server");
		return covara_pool_return(fcinfo, max, d->idle_timeout_ms,
								  d->connect_timeout_ms, notes.data);
	}

	others = covara_pool_reserved_by_others(GetSessionUserId(), &own_limit);
	available = MaxConnections - covara_superuser_reserved_connections -
		covara_reserved_connections - others;
	initStringInfo(&budget);
	appendStringInfo(&budget, "max_connections %d - superuser_reserved_connections %d",
					 MaxConnections, covara_superuser_reserved_connections);
	if (covara_reserved_connections > 0)
		appendStringInfo(&budget, " - reserved_connections %d",
						 covara_reserved_connections);
	appendStringInfo(&budget, " - %d for other roles' connection limits",
					 others);
	if (own_limit >= 0 && own_limit < available)
	{
		available = own_limit;
		appendStringInfo(&budget, ", and this role's connection limit is %d",
						 own_limit);
	}
	if (available < 0)
		available = 0;
	per_instance = available / instances;

	if (per_instance < 1)
	{
		max = 1;
		appendStringInfo(&notes,
						 "; WARNING: this server has %d connections for this role (%s), fewer than %d instances: even max 1 can exhaust it, put a pooler (PgBouncer or the provider's pooled endpoint) in front",
						 available, budget.data, instances);
	}
	else if (per_instance < max)
	{
		appendStringInfo(&notes,
						 "; max capped from %d to %d: this server has %d connections for this role (%s), shared by %d instance%s",
						 max, per_instance, available, budget.data, instances,
						 instances == 1 ? "" : "s");
		max = per_instance;
	}
	else
		appendStringInfo(&notes,
						 "; max %d is within this server's limit: %d connections for this role (%s), %d per instance for %d instance%s",
						 max, available, budget.data, per_instance, instances,
						 instances == 1 ? "" : "s");

	return covara_pool_return(fcinfo, max, d->idle_timeout_ms,
							  d->connect_timeout_ms, notes.data);
}

/* covara.recommended_pool_config(driver text, instances integer). */
Datum
covara_pool_config_capped(PG_FUNCTION_ARGS)
{
	const CovaraPoolDriver *d = covara_pool_lookup(PG_GETARG_TEXT_PP(0));

	return covara_pool_capped(fcinfo, d, PG_GETARG_INT32(1));
}

/* The same for databases on 0.3.0 to 0.7.0 (the legacy table). */
Datum
covara_recommended_pool_config_capped(PG_FUNCTION_ARGS)
{
	const CovaraPoolDriver *d = covara_pool_legacy_lookup(PG_GETARG_TEXT_PP(0));

	return covara_pool_capped(fcinfo, d, PG_GETARG_INT32(1));
}
