/*-------------------------------------------------------------------------
 *
 * report.h
 *	  What covara's error messages quote of a caller's input: at most
 *	  COVARA_REPORT_MAX bytes (cut at a character boundary) and "...", so
 *	  that a huge argument never makes a huge message or log line.  The SQL
 *	  functions do the same with covara._report_cut().
 *
 * Include it after "postgres.h".
 *
 *-------------------------------------------------------------------------
 */
#ifndef COVARA_REPORT_H
#define COVARA_REPORT_H

#define COVARA_REPORT_MAX	200

extern const char *covara_report_cut(const char *s);
extern const char *covara_report_cut_len(const char *s, size_t len);

#endif							/* COVARA_REPORT_H */
