/*-------------------------------------------------------------------------
 *
 * version_funcs.c
 *	  The library's version against the installed extension's (SQL)
 *	  version: bookparse.version() and the check the queue runs before
 *	  touching the schema.
 *
 * One library serves every database of the server, whatever version of
 * the extension each one is at.  After a new package is installed (and
 * the server restarted) a database stays at its old version until
 * ALTER EXTENSION bookparse UPDATE runs there: the library must keep
 * serving it (store.c and queue.c look for the tables and columns a later
 * version added before using them).  The other way round, an extension
 * newer than the library (a package downgraded, a library left behind
 * on one server of a cluster) has a schema this library does not know:
 * the queue functions then raise a clear error, and the launcher starts
 * no worker, instead of writing to tables they do not understand.  (This
 * is what Citus does with its CheckCitusVersion(); pg_cron, like store.c,
 * looks for the objects themselves.)
 *
 * A function that the installed SQL declares but this library lacks
 * (its symbol is looked up when the function is first called) is an
 * ERROR of PostgreSQL itself: could not find function "..." in file.
 *
 * BP_LIBRARY_VERSION comes from bookparse.control's default_version
 * (mk/release.mk passes it to this file only).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "bookparse.h"

/* The oldest extension version this library serves. */
#define BP_OLDEST_SERVED	"0.1.0"

/*
 * The version of this library (bookparse.control's default_version;
 * BP_LIBRARY_VERSION undeclared means a build without mk/release.mk).
 */
const char *
bp_library_version(void)
{
	return BP_LIBRARY_VERSION;
}

/*
 * A version "MAJOR.MINOR.PATCH" as one number (each part below 1000);
 * -1 when it has another form.
 */
static long
version_number(const char *v)
{
	long		n = 0;
	int			part;

	for (part = 0; part < 3; part++)
	{
		long		x = 0;
		int			digits = 0;

		while (*v >= '0' && *v <= '9' && digits < 4)
		{
			x = x * 10 + (*v - '0');
			v++;
			digits++;
		}
		if (digits == 0 || x >= 1000)
			return -1;
		n = n * 1000 + x;
		if (part < 2)
		{
			if (*v != '.')
				return -1;
			v++;
		}
	}
	return *v == '\0' ? n : -1;
}

/*
 * The installed version of the extension bookparse in this database
 * (palloc'd), or NULL when it is not installed.  In a transaction.
 */
char *
bp_installed_version(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	char	   *version = NULL;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("bookparse"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d;

		d = heap_getattr(tup, Anum_pg_extension_extversion,
						 RelationGetDescr(rel), &isnull);
		if (!isnull)
			version = text_to_cstring(DatumGetTextPP(d));
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return version;
}

/*
 * How this library stands to an installed extension version: "ok" (the
 * same), "update pending" (older, served until ALTER EXTENSION UPDATE) or
 * "unsupported" (newer than the library, or unknown).
 */
static const char *
version_status(const char *installed)
{
	long		ext = version_number(installed);
	long		lib = version_number(BP_LIBRARY_VERSION);

	if (ext < 0 || lib < 0 || ext > lib ||
		ext < version_number(BP_OLDEST_SERVED))
		return "unsupported";
	return ext == lib ? "ok" : "update pending";
}

/*
 * NULL when this library serves the extension installed in this database
 * (or none is installed), else the installed version it cannot serve
 * (palloc'd in the caller's memory context).  Runs its own short
 * transaction when called outside one (the launcher).
 */
char *
bp_unsupported_version(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	bool		own = !IsTransactionState();
	char	   *installed;
	char	   *result = NULL;

	if (own)
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
	}
	installed = bp_installed_version();
	if (installed != NULL && strcmp(version_status(installed), "unsupported") == 0)
		result = MemoryContextStrdup(cxt, installed);
	if (own)
	{
		CommitTransactionCommand();
		MemoryContextSwitchTo(cxt);
	}
	return result;
}

/*
 * ERROR when the installed extension is one this library cannot serve:
 * called by the queue's SQL functions before they touch the schema.
 */
void
bp_check_installed_version(void)
{
	char	   *installed = bp_unsupported_version();

	if (installed != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("bookparse library %s cannot serve the installed extension version %s",
						BP_LIBRARY_VERSION, installed),
				 errdetail("This library serves extension versions %s to %s; the schema of %s is unknown to it.",
						   BP_OLDEST_SERVED, BP_LIBRARY_VERSION, installed),
				 errhint("Install the bookparse package (or make install) of version %s or later on this server and restart it.",
						 installed)));
}

/* Whether bookparse.<table> has <column> (see bookparse.h). */
bool
bp_schema_has_column(const char *table, const char *column)
{
	Oid			nsp = get_namespace_oid("bookparse", true);
	Oid			rel;

	if (!OidIsValid(nsp))
		return false;
	rel = get_relname_relid(table, nsp);
	return OidIsValid(rel) && get_attnum(rel, column) != InvalidAttrNumber;
}

/*
 * bookparse.version() -> (library text, extension text, status text): the
 * version of the loaded library, the version of the extension installed
 * in this database, and "ok", "update pending" (ALTER EXTENSION bookparse
 * UPDATE will bring the schema to the library's version) or "unsupported".
 */
PG_FUNCTION_INFO_V1(bookparse_version);
Datum
bookparse_version(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char	   *installed;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	installed = bp_installed_version();
	values[0] = CStringGetTextDatum(BP_LIBRARY_VERSION);
	if (installed == NULL)
	{
		/* no extension bookparse here: the function was made by hand */
		nulls[1] = true;
		nulls[2] = true;
	}
	else
	{
		values[1] = CStringGetTextDatum(installed);
		values[2] = CStringGetTextDatum(version_status(installed));
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
