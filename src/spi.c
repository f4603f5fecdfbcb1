/*-------------------------------------------------------------------------
 *
 * spi.c
 *	  The extension's helpers around SPI: connecting (with a snapshot when
 *	  none is active), prepared plans kept per backend, running them and
 *	  reading result columns.  Used by the queue (queue.c, store.c), its
 *	  SQL functions (queue_funcs.c) and the launcher.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/snapmgr.h"

#include "spi.h"

/* Connect to SPI or fail. */
void
bp_spi_connect(void)
{
	int			rc = SPI_connect();

	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "bookparse: SPI_connect failed: %s",
			 SPI_result_code_string(rc));
}

/* Connect to SPI, pushing a snapshot if none is active; returns if pushed. */
bool
bp_spi_begin(void)
{
	bool		pushed = false;

	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	bp_spi_connect();
	return pushed;
}

/* Undo bp_spi_begin. */
void
bp_spi_end(bool pushed)
{
	SPI_finish();
	if (pushed)
		PopActiveSnapshot();
}

/* Prepare sql once per backend and keep the plan. */
SPIPlanPtr
bp_spi_plan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan;

	if (*cache != NULL)
		return *cache;
	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "bookparse: SPI_prepare failed: %s",
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "bookparse: SPI_keepplan failed");
	*cache = plan;
	return plan;
}

/* Run a prepared plan; ERROR unless SPI_execute_plan returned expect. */
void
bp_spi_run(SPIPlanPtr plan, Datum *values, const char *nulls, int expect)
{
	int			rc;

	rc = SPI_execute_plan(plan, values, nulls, false, 0);
	if (rc != expect)
		elog(ERROR, "bookparse: SPI_execute_plan returned %s, expected %s",
			 SPI_result_code_string(rc), SPI_result_code_string(expect));
}

/* Column col (1-based) of row row of SPI_tuptable as int64 (0 if NULL). */
int64
bp_spi_int64(int row, int col)
{
	bool		isnull;
	Datum		d;

	d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col,
					  &isnull);
	if (isnull)
		return 0;
	switch (SPI_gettypeid(SPI_tuptable->tupdesc, col))
	{
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return DatumGetInt64(d);
		default:
			elog(ERROR, "bookparse: unexpected column type");
	}
	return 0;
}

/* Column col of row row of SPI_tuptable as bool (false if NULL). */
bool
bp_spi_bool(int row, int col)
{
	bool		isnull;
	Datum		d;

	d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col,
					  &isnull);
	return !isnull && DatumGetBool(d);
}
