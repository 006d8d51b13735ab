/*-------------------------------------------------------------------------
 *
 * search_config.h
 *	  A search trigger's configuration, parsed and checked from its
 *	  arguments (search_config.c), and what both search triggers do with a
 *	  row under it (search_row.c).  Used by the two triggers and by
 *	  check_search_trigger().
 *
 * Include it after "postgres.h".
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_SEARCH_CONFIG_H
#define COVARA_SEARCH_CONFIG_H

#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"

#include "search.h"

/* Which of the two triggers a configuration is for. */
typedef enum CovaraTriggerKind
{
	COVARA_TRIGGER_SEARCH,
	COVARA_TRIGGER_SYNC
} CovaraTriggerKind;

/* A trigger's parsed and checked arguments, valid for one statement. */
typedef struct CovaraTriggerConfig
{
	CovaraTriggerKind kind;
	Oid			tgoid;
	Oid			relid;
	TupleDesc	tupdesc;		/* descriptor it was checked against */
	MemoryContext cxt;

	/* the text search configuration: fixed, or read per row from a column */
	Oid			tsconfig;
	AttrNumber	tsconfig_attnum;
	const char *tsconfig_column;

	int			nfields;
	CovaraField *fields;

	/* distinct source columns, compared on UPDATE */
	int			nsrc;
	AttrNumber *src_attnum;
	int16	   *src_typlen;
	bool	   *src_typbyval;

	/* search trigger */
	AttrNumber	tsv_attnum;
	Oid			tsv_domain;		/* the column's domain, or InvalidOid */
	void	   *tsv_domain_extra;	/* domain_check()'s cache, in cxt */
	bool		keep_given;
	/* search_trigger.c's replace of a document COPY loads again */
	bool		replace_ready;	/* the fields below are set */
	SPIPlanPtr	replace_plan;	/* kept; NULL: the table has no doc_id text */
	int			replace_nargs;	/* doc_id first, then the other columns */
	AttrNumber *replace_attnum;
	Datum	   *replace_values;
	char	   *replace_nulls;

	/* sync trigger */
	char	   *idx_schema;
	char	   *idx_table;
	char	   *idx_sql;		/* quoted schema.table of the index */
	char	   *src_sql;		/* quoted schema.table attach_search ran on */
	Oid			src_owner;		/* that table's owner */
	bool		store_fields;	/* store=fields: keep id, fields, display */
	int			ndisplay;		/* display= columns, compared on UPDATE */
	AttrNumber *display_attnum;
	int16	   *display_typlen;
	bool	   *display_typbyval;
	char	   *source_sql;		/* the source stored for row $2 */
	char	   *id_sql;			/* quoted id column */
	char	   *id_eqop_sql;	/* OPERATOR(schema.=), or NULL */
	AttrNumber	id_attnum;
	Oid			id_type;
	int16		id_typlen;
	bool		id_typbyval;
	FmgrInfo	id_out;
	Oid			id_eqop;		/* InvalidOid: no equality operator */
	char	   *signature;		/* what the cached SPI plans were made for */
} CovaraTriggerConfig;

/* search_config.c */
extern CovaraTriggerConfig *covara_trigger_config_build(MemoryContext parent,
														CovaraTriggerKind kind,
														Relation rel, Oid tgoid,
														const char *tgname,
														int nargs, char **args);
extern CovaraTriggerConfig *covara_trigger_config_get(FunctionCallInfo fcinfo,
													  CovaraTriggerKind kind);
extern TriggerData *covara_trigger_check_call(FunctionCallInfo fcinfo,
											  CovaraTriggerKind kind);

/* search_row.c */
extern bool covara_values_equal(Datum a, Datum b, int16 typlen, bool typbyval);
extern bool covara_columns_changed(int ncols, const AttrNumber *attnum,
								   const int16 *typlen, const bool *typbyval,
								   TupleTableSlot *oldslot,
								   TupleTableSlot *newslot);
extern bool covara_sources_changed(CovaraTriggerConfig *conf,
								   TupleTableSlot *oldslot,
								   TupleTableSlot *newslot);
extern TSVector covara_row_vector(CovaraTriggerConfig *conf,
								  TupleTableSlot *slot, const char *tgname,
								  const char *relname);

/*
 * True while the sync trigger runs its upsert of a document (whose ON
 * CONFLICT replaces an existing one): the index table's own trigger then
 * leaves replacing to it (search_trigger.c).
 */
extern bool covara_sync_upserting;

#endif							/* COVARA_SEARCH_CONFIG_H */
