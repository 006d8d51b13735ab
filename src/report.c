/*-------------------------------------------------------------------------
 *
 * report.c
 *	  Bounded quoting of a caller's input in error messages (report.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "report.h"

/* s itself when short enough, else a palloc'd prefix and "...". */
const char *
covara_report_cut(const char *s)
{
	size_t		len = strlen(s);

	return len <= COVARA_REPORT_MAX ? s : covara_report_cut_len(s, len);
}

/* The same for len bytes of s (not necessarily NUL-terminated), copied. */
const char *
covara_report_cut_len(const char *s, size_t len)
{
	int			keep;
	char	   *out;

	if (len <= COVARA_REPORT_MAX)
		return pnstrdup(s, len);
	keep = pg_mbcliplen(s, (int) Min(len, (size_t) PG_INT32_MAX), COVARA_REPORT_MAX);
	out = palloc(keep + 4);
	memcpy(out, s, keep);
	memcpy(out + keep, "...", 4);
	return out;
}
