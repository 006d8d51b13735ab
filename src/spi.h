/*-------------------------------------------------------------------------
 *
 * spi.h
 *	  covara's SPI helpers (spi.c): connect, prepare (and keep), execute,
 *	  each checking SPI's result with one style of internal error message,
 *	  "<what> failed...: <SPI's result code>".
 *
 * Include it after "postgres.h".
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_SPI_H
#define COVARA_SPI_H

#include "executor/spi.h"

extern void covara_spi_connect(void);
extern void covara_spi_finish(void);
extern SPIPlanPtr covara_spi_prepare(const char *sql, int nargs,
									 Oid *argtypes);
extern SPIPlanPtr covara_spi_prepare_kept(const char *sql, int nargs,
										  Oid *argtypes);
extern uint64 covara_spi_check(int rc, int expected, const char *what);
extern uint64 covara_spi_execute_plan(SPIPlanPtr plan, Datum *values,
									  const char *nulls, bool read_only,
									  long count, int expected,
									  const char *what);
extern uint64 covara_spi_execute_once(const char *sql, int nargs,
									  Oid *argtypes, Datum *values,
									  bool read_only, int expected,
									  const char *what);

#endif							/* COVARA_SPI_H */
