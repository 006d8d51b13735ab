/*-------------------------------------------------------------------------
 *
 * covara.c
 *	  Module entry point: the magic block, load-time set-up and settings.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "sha256.h"

PG_MODULE_MAGIC;

typedef enum CovaraSha256Setting
{
	COVARA_SHA256_AUTO,
	COVARA_SHA256_PORTABLE
} CovaraSha256Setting;

static const struct config_enum_entry covara_sha256_options[] = {
	{"auto", COVARA_SHA256_AUTO, false},
	{"portable", COVARA_SHA256_PORTABLE, false},
	{NULL, 0, false}
};

static int	covara_sha256_setting = COVARA_SHA256_AUTO;
static char *covara_sha256_in_use = NULL;

void		_PG_init(void);

/* Switch the SHA-256 block function when covara.sha256_implementation changes. */
static void
covara_sha256_assign(int newval, void *extra)
{
	if (newval == COVARA_SHA256_PORTABLE)
		covara_sha256_use_portable();
	else
		covara_sha256_select_impl();
}

/* SHOW covara.sha256_in_use: the SHA-256 code running now. */
static const char *
covara_sha256_in_use_show(void)
{
	return covara_sha256_impl_name();
}

/* Library load: pick the SHA-256 code for this CPU and define settings. */
void
_PG_init(void)
{
	covara_sha256_select_impl();

	DefineCustomEnumVariable("covara.sha256_implementation",
							 "Selects the SHA-256 code used by covara's token functions.",
							 "\"auto\" uses the CPU's SHA instructions when it has them; "
							 "\"portable\" always uses plain C. Both give identical digests.",
							 &covara_sha256_setting,
							 COVARA_SHA256_AUTO,
							 covara_sha256_options,
							 PGC_USERSET,
							 GUC_NOT_IN_SAMPLE,
							 NULL,
							 covara_sha256_assign,
							 NULL);

	DefineCustomStringVariable("covara.sha256_in_use",
							   "Shows the SHA-256 code covara's token functions use: \"sha-ni\" or \"portable\".",
							   NULL,
							   &covara_sha256_in_use,
							   "portable",
							   PGC_INTERNAL,
							   GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							   NULL,
							   NULL,
							   covara_sha256_in_use_show);

	MarkGUCPrefixReserved("covara");
}
