/*-------------------------------------------------------------------------
 *
 * seed.h
 *	  What the files of covara.seed share: the tables to seed and their rows
 *	  grouped by key set (seed_group.c), the inserts (seed_insert.c) and the
 *	  diagnosis of a failed one (seed_diagnose.c); the SQL functions are in
 *	  seed.c.
 *
 * Include it after "postgres.h".
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_SEED_H
#define COVARA_SEED_H

#include "utils/jsonb.h"
#include "utils/relcache.h"
#include "utils/resowner.h"

/* One set of keys shared by some of the rows of a target. */
typedef struct CovaraSeedGroup
{
	int			nkeys;
	const char **keys;			/* point into the rows jsonb; not terminated */
	int		   *keylens;
	uint32		hash;
	int			next_same_hash; /* chain in the key-set hash table, or -1 */
	int			first;			/* 0-based position of its first row */
	int			nrows;
	int		   *rows;			/* 0-based positions of its rows, in order */
	bool		override;		/* names a GENERATED ALWAYS identity column */
	char	  **keytypes;		/* each key's column type, schema-qualified */
	char	   *coldefs;		/* "k1" type1, ...: the record its rows form */
	char	   *sql;			/* the INSERT that seeds the group */
} CovaraSeedGroup;

/* One table to seed and its rows. */
typedef struct CovaraSeedTarget
{
	Oid			relid;
	Relation	rel;			/* open, RowExclusiveLock, until the end */
	char	   *display;		/* the table as regclass prints it */
	char	   *what;			/* "rows" or "plan entry "x"", for messages */
	char	   *key;			/* the plan's key naming the table, or NULL */
	Jsonb	   *rows;
	int			nelems;
	int			ngroups;
	int			maxgroups;
	CovaraSeedGroup *groups;
	int		   *buckets;		/* key-set hash table: first group, or -1 */
	int			nbuckets;
	uint64		inserted;
} CovaraSeedTarget;

/* seed_group.c */
extern const char *covara_seed_root_type(Jsonb *jb);
extern void covara_seed_prepare(CovaraSeedTarget *t, Jsonb *rows);

/* seed_insert.c */
extern Datum covara_seed_positions(const int *rows, int lo, int hi);
extern ErrorData *covara_seed_subxact_error(MemoryContext oldcontext,
											ResourceOwner oldowner);
extern void covara_seed_run(CovaraSeedTarget *targets, int ntargets);

/* seed_diagnose.c */
extern void covara_seed_diagnose(CovaraSeedTarget *t, CovaraSeedGroup *g);
extern void covara_seed_replace_context(ErrorData *edata, CovaraSeedTarget *t,
										CovaraSeedGroup *g);

#endif							/* COVARA_SEED_H */
