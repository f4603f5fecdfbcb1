/*-------------------------------------------------------------------------
 *
 * scene_funcs.c
 *	  Scenes in a backend: the word lists of the installation, loaded once
 *	  per process, and bookparse.classify_paragraph().
 *
 * The lists live in share/extension/bookparse/scenes (make install puts
 * data/scenes there; docs/scenes.md describes them).  They are read on
 * first use and kept for the life of the process (a few hundred kB, in
 * the core's malloc'd memory, read-only afterwards).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "bookparse.h"

/* The lists once loaded; the failure once warned about. */
static bp_scene_lists *scene_lists = NULL;
static bool scene_lists_warned = false;

/* The directory of the installation's scene word lists. */
static void
scene_lists_dir(char *dir)
{
	char		share[MAXPGPATH];

	get_share_path(my_exec_path, share);
	snprintf(dir, MAXPGPATH, "%s/extension/bookparse/scenes", share);
}

/* The installation's scene word lists (see bookparse.h). */
const bp_scene_lists *
bp_pg_scene_lists(bool missing_ok)
{
	char		dir[MAXPGPATH];
	bp_error	err;

	if (scene_lists != NULL)
		return scene_lists;
	scene_lists_dir(dir);
	memset(&err, 0, sizeof(err));
	scene_lists = bp_scene_load(dir, &err);
	if (scene_lists != NULL)
		return scene_lists;
	if (!missing_ok)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("could not load the scene word lists: %s", err.message),
				 errhint("They are installed by make install or the package, in \"%s\".", dir)));
	if (!scene_lists_warned)
		ereport(WARNING,
				(errcode(ERRCODE_CONFIG_FILE_ERROR),
				 errmsg("could not load the scene word lists: %s; books are stored without scenes",
						err.message),
				 errhint("They are installed by make install or the package, in \"%s\".", dir)));
	scene_lists_warned = true;
	return NULL;
}

/*
 * bookparse.classify_paragraph(paragraph text, language text) ->
 * (kind text, score real, illustratable boolean): the scene extractor's
 * verdict on one paragraph; language NULL = from the script of the text.
 */
PG_FUNCTION_INFO_V1(bookparse_classify_paragraph);
Datum
bookparse_classify_paragraph(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	text	   *para;
	char	   *utf8;
	char	   *language = NULL;
	size_t		len;
	bp_options	opts;
	bp_scene_verdict verdict;
	bp_error	err;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	const bp_scene_lists *lists;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	para = PG_GETARG_TEXT_PP(0);
	len = VARSIZE_ANY_EXHDR(para);
	/* the core reads UTF-8 */
	utf8 = (char *) pg_server_to_any(VARDATA_ANY(para), (int) len, PG_UTF8);
	if (utf8 != VARDATA_ANY(para))
		len = strlen(utf8);
	if (!PG_ARGISNULL(1))
		language = text_to_cstring(PG_GETARG_TEXT_PP(1));

	lists = bp_pg_scene_lists(false);
	bp_pg_options(&opts);
	memset(&err, 0, sizeof(err));
	if (!bp_scene_classify(lists, utf8, len, language, &opts, &verdict, &err))
		bp_pg_report_error(&err, NULL);

	values[0] = CStringGetTextDatum(bp_scene_kind_name(verdict.kind));
	values[1] = Float4GetDatum((float4) verdict.score);
	values[2] = BoolGetDatum(verdict.illustratable);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
