/*-------------------------------------------------------------------------
 *
 * covara.h
 *	  Declarations shared by covara's C sources.
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_H
#define COVARA_H

#include "postgres.h"

/* SQL-callable token functions (token.c), also called directly by auth.c */
#include "fmgr.h"
extern PGDLLEXPORT Datum covara_hash_token(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum covara_token_equals(PG_FUNCTION_ARGS);

#endif							/* COVARA_H */
