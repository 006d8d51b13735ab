/*-------------------------------------------------------------------------
 *
 * search_fields.c
 *	  Field specifications: the fields and exclusions of a search trigger's
 *	  arguments (column[.key...][:weight], exclude=column.key...) and the
 *	  field lists of search_vector() and search_text() (a jsonb object of
 *	  weights or an array of such strings), parsed into CovaraFields.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "report.h"
#include "search.h"

/* Append one name to a path under construction. */
static void
covara_path_append(CovaraPath *path, int *cap, char *name, int len)
{
	if (path->nparts == *cap)
	{
		*cap *= 2;
		path->parts = repalloc(path->parts, sizeof(char *) * *cap);
		path->lens = repalloc(path->lens, sizeof(int) * *cap);
	}
	path->parts[path->nparts] = name;
	path->lens[path->nparts] = len;
	path->nparts++;
}

/*
 * Parse name[.name...] from str, where a name is either a run of characters
 * other than '.', ':' and '"', taken literally (no case folding: trigger
 * arguments name columns exactly), or a double-quoted name in which "" is a
 * quote.  Stops at the first character that cannot continue the path and
 * sets *endp to it.  Returns false with *problem set on bad syntax.
 */
static bool
covara_parse_path(const char *str, const char **endp, CovaraPath *path,
				  const char **problem)
{
	const char *p = str;
	int			cap = 4;

	path->nparts = 0;
	path->parts = palloc(sizeof(char *) * cap);
	path->lens = palloc(sizeof(int) * cap);

	for (;;)
	{
		StringInfoData name;

		initStringInfo(&name);
		if (*p == '"')
		{
			p++;
			for (;;)
			{
				if (*p == '\0')
				{
					*problem = "A double-quoted name is not closed.";
					return false;
				}
				if (*p == '"')
				{
					if (p[1] != '"')
						break;
					p++;
				}
				appendStringInfoChar(&name, *p);
				p++;
			}
			p++;				/* closing quote */
			if (name.len == 0)
			{
				*problem = "A name is empty.";
				return false;
			}
		}
		else
		{
			while (*p != '\0' && *p != '.' && *p != ':' && *p != '"')
				appendStringInfoChar(&name, *p++);
			if (*p == '"')
			{
				*problem = "A double quote may only enclose a whole name.";
				return false;
			}
			if (name.len == 0)
			{
				*problem = "A name is empty.";
				return false;
			}
		}
		covara_path_append(path, &cap, name.data, name.len);
		if (*p != '.')
			break;
		p++;
	}
	*endp = p;
	return true;
}

/* Report a field argument that cannot be parsed. */
static void
covara_bad_field(const char *arg, const char *where, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid field \"%s\" in %s", covara_report_cut(arg), where),
			 errdetail_internal("%s", problem),
			 errhint("Write a field as column[.key[.key...]][:weight] with weight A, B, C or D (D when omitted); "
					 "double-quote a name that contains \".\", \":\" or \"\"\".")));
}

/* A weight letter (A..D, either case) as stored: 3 for A .. 0 for D; -1 for anything else. */
int
covara_weight_code(char letter)
{
	if (letter >= 'a' && letter <= 'd')
		letter = letter - 'a' + 'A';
	if (letter < 'A' || letter > 'D')
		return -1;
	return 'D' - letter;		/* A = 3, B = 2, C = 1, D = 0 */
}

/* Parse one field argument, column[.key...][:weight], into *field. */
void
covara_parse_field(const char *arg, const char *where, CovaraField *field)
{
	const char *end;
	const char *problem = NULL;

	memset(field, 0, sizeof(CovaraField));
	field->arg = pstrdup(arg);
	field->weight = COVARA_WEIGHT_D;
	if (!covara_parse_path(arg, &end, &field->path, &problem))
		covara_bad_field(arg, where, problem);
	if (*end == ':')
	{
		int			w = covara_weight_code(end[1]);

		if (w < 0 || end[2] != '\0')
			covara_bad_field(arg, where, "The weight must be one of A, B, C or D.");
		field->weight = w;
	}
	else if (*end != '\0')
		covara_bad_field(arg, where, "Unexpected characters after the name.");
}

/* True when prefix names the same node as path or one above it. */
static bool
covara_path_is_prefix(const CovaraPath *prefix, const CovaraPath *path)
{
	int			i;

	if (prefix->nparts > path->nparts)
		return false;
	for (i = 0; i < prefix->nparts; i++)
	{
		if (prefix->lens[i] != path->lens[i] ||
			memcmp(prefix->parts[i], path->parts[i], path->lens[i]) != 0)
			return false;
	}
	return true;
}

/*
 * Parse an exclusion (the path after "exclude=") and attach it, relative to
 * the field, to every field whose node lies above the excluded one.
 */
void
covara_add_exclusion(CovaraField *fields, int nfields, const char *arg,
					 const char *spec, const char *where)
{
	CovaraPath	path;
	const char *end;
	const char *problem = NULL;
	int			i;
	bool		used = false;

	if (!covara_parse_path(spec, &end, &path, &problem) || *end != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid option \"%s\" in %s", covara_report_cut(arg), where),
				 errdetail_internal("%s", problem ? problem : "An exclusion is a path without a weight."),
				 errhint("Write an exclusion as exclude=column.key[.key...], naming a key inside a jsonb field.")));

	for (i = 0; i < nfields; i++)
	{
		CovaraField *f = &fields[i];
		CovaraPath *rel;

		if (f->path.nparts >= path.nparts ||
			!covara_path_is_prefix(&f->path, &path))
			continue;
		f->excl = f->nexcl == 0 ? palloc(sizeof(CovaraPath))
			: repalloc(f->excl, sizeof(CovaraPath) * (f->nexcl + 1));
		rel = &f->excl[f->nexcl++];
		rel->nparts = path.nparts - f->path.nparts;
		rel->parts = path.parts + f->path.nparts;
		rel->lens = path.lens + f->path.nparts;
		used = true;
	}
	if (!used)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("exclusion \"%s\" in %s is not inside any field", covara_report_cut(spec), where),
				 errhint("An exclusion names a key inside a jsonb field, e.g. exclude=source.id with the field source.")));
}

/* Report a fields argument of the wrong shape. */
static void
covara_bad_fields(const char *where, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s is not a valid list of fields", where),
			 errdetail_internal("%s", problem),
			 errhint("Give fields as a JSON object mapping keys to weights, e.g. {\"title\": \"A\", \"body\": \"B\"}, "
					 "or as an array of \"key[.key...][:weight]\" strings.")));
}

/*
 * Parse a document field list: a jsonb object {"path": "weight", ...} (by
 * weight, A first) or an array ["path[:weight]", ...] (in array order).
 * Paths start at the document's top-level keys.
 */
void
covara_parse_document_fields(Jsonb *fields, const char *where,
							 CovaraField **fieldsp, int *nfieldsp)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue	key;
	CovaraField *out;
	int			n = 0;
	int			cap;
	bool		is_object;

	if (JB_ROOT_IS_SCALAR(fields) ||
		!(JB_ROOT_IS_OBJECT(fields) || JB_ROOT_IS_ARRAY(fields)))
		covara_bad_fields(where, "The fields are neither an object nor an array.");
	is_object = JB_ROOT_IS_OBJECT(fields);
	cap = Max(JB_ROOT_COUNT(fields), 1);
	out = palloc0(sizeof(CovaraField) * cap);

	memset(&key, 0, sizeof(key));
	it = JsonbIteratorInit(&fields->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char	   *spec;

		if (tok == WJB_KEY)
		{
			key = v;
			continue;
		}
		if (tok != WJB_VALUE && tok != WJB_ELEM)
			continue;
		if (is_object)
		{
			char	   *name = pnstrdup(key.val.string.val, key.val.string.len);
			char	   *weight;

			if (v.type != jbvString)
				covara_bad_fields(where, psprintf("The weight of \"%s\" is not a string.", covara_report_cut(name)));
			weight = pnstrdup(v.val.string.val, v.val.string.len);
			if (strlen(weight) != 1)
				covara_bad_fields(where, psprintf("The weight of \"%s\" must be one of A, B, C or D.", covara_report_cut(name)));
			if (strchr(name, ':') != NULL && name[0] != '"')
				covara_bad_fields(where, psprintf("The key \"%s\" contains \":\"; give the weight as the value and double-quote such a name.", covara_report_cut(name)));
			spec = psprintf("%s:%s", name, weight);
		}
		else
		{
			if (v.type != jbvString)
				covara_bad_fields(where, "An element of the fields array is not a string.");
			spec = pnstrdup(v.val.string.val, v.val.string.len);
		}
		covara_parse_field(spec, where, &out[n]);
		n++;
	}

	/*
	 * jsonb keeps no key order, so an object's fields go by weight, A first,
	 * and keys of equal weight in jsonb order (insertion sort: stable).
	 */
	if (is_object)
	{
		int			i;

		for (i = 1; i < n; i++)
		{
			CovaraField tmp = out[i];
			int			j = i - 1;

			while (j >= 0 && out[j].weight < tmp.weight)
			{
				out[j + 1] = out[j];
				j--;
			}
			out[j + 1] = tmp;
		}
	}
	*fieldsp = out;
	*nfieldsp = n;
}
