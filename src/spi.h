/*-------------------------------------------------------------------------
 *
 * spi.h
 *	  The extension's helpers around SPI (spi.c): connecting, prepared
 *	  plans kept per backend, running them and reading result columns.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_SPI_H
#define BP_SPI_H

#include "postgres.h"

#include "executor/spi.h"

/* SPI_connect, or ERROR. */
extern void bp_spi_connect(void);

/*
 * bp_spi_connect after pushing a snapshot if none is active; returns
 * whether it pushed one (pass that to bp_spi_end).
 */
extern bool bp_spi_begin(void);

/* SPI_finish, and pop the snapshot bp_spi_begin pushed. */
extern void bp_spi_end(bool pushed);

/*
 * Prepare sql once per backend (SPI_prepare + SPI_keepplan) and cache it
 * in *cache.  Inside SPI_connect.
 */
extern SPIPlanPtr bp_spi_plan(SPIPlanPtr *cache, const char *sql,
							  int nargs, Oid *argtypes);

/*
 * Run a prepared plan (not read-only: each statement sees a fresh snapshot
 * in READ COMMITTED); ERROR unless SPI_execute_plan returned expect.
 */
extern void bp_spi_run(SPIPlanPtr plan, Datum *values, const char *nulls,
					   int expect);

/* Column col (1-based) of row row of SPI_tuptable as int64 (0 if NULL). */
extern int64 bp_spi_int64(int row, int col);

/* Column col of row row of SPI_tuptable as bool (false if NULL). */
extern bool bp_spi_bool(int row, int col);

#endif							/* BP_SPI_H */
