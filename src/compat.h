/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  Every difference between the PostgreSQL versions covara builds
 *	  against (15 and later), in one place.
 *
 * Feature files include this header and use the names below; none of them
 * tests PG_VERSION_NUM itself.  Include it after "postgres.h"; the macros
 * name variables and functions that the using file's own headers declare
 * (postmaster/postmaster.h, utils/regproc.h).
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_COMPAT_H
#define COVARA_COMPAT_H

/* 16 moved the varlena macros (VARDATA, VARSIZE, ...) out of postgres.h. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * 16 renamed ReservedBackends (superuser_reserved_connections) and added
 * reserved_connections, slots kept for roles with pg_use_reserved_connections.
 * Both are taken off max_connections for an ordinary role; before 16 the
 * second does not exist and counts as 0.
 */
#if PG_VERSION_NUM >= 160000
#define covara_superuser_reserved_connections	SuperuserReservedConnections
#define covara_reserved_connections				ReservedConnections
#else
#define covara_superuser_reserved_connections	ReservedBackends
#define covara_reserved_connections				0
#endif

/* 16 gave stringToQualifiedNameList a soft-error context (NULL: throw). */
#if PG_VERSION_NUM >= 160000
#define covara_qualified_name_list(string)	stringToQualifiedNameList((string), NULL)
#else
#define covara_qualified_name_list(string)	stringToQualifiedNameList(string)
#endif

/*
 * 19 made pushJsonbValue() build into a JsonbInState (zeroed by its
 * caller) instead of returning the value from a JsonbParseState stack.
 * CovaraJsonbBuild is either; covara_jsonb_push() pushes one token and
 * covara_jsonb_result() is the finished value.
 */
#include "utils/jsonb.h"
#if PG_VERSION_NUM >= 190000
typedef JsonbInState CovaraJsonbBuild;
#define covara_jsonb_push(b, seq, val)	pushJsonbValue((b), (seq), (val))
#define covara_jsonb_result(b)			((b)->result)
#else
typedef struct CovaraJsonbBuild
{
	JsonbParseState *parseState;
	JsonbValue *result;
} CovaraJsonbBuild;
#define covara_jsonb_push(b, seq, val) \
	((void) ((b)->result = pushJsonbValue(&(b)->parseState, (seq), (val))))
#define covara_jsonb_result(b)			((b)->result)
#endif

/*
 * 17 took the snapshot argument off ginFindLeafPage() (it served only the
 * old_snapshot_threshold check that 17 removed).  The macro descends in
 * search mode (the leaf share-locked); its user includes
 * access/gin_private.h and utils/snapmgr.h.
 */
#if PG_VERSION_NUM >= 170000
#define covara_gin_find_leaf_page(btree)	ginFindLeafPage((btree), true, false)
#else
#define covara_gin_find_leaf_page(btree) \
	ginFindLeafPage((btree), true, false, GetActiveSnapshot())
#endif

#endif							/* COVARA_COMPAT_H */
