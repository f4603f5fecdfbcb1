/*-------------------------------------------------------------------------
 *
 * bookparse.c
 *	  Entry point of the bookparse extension: _PG_init.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "bookparse.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Define the GUCs and, when preloaded, register the background launcher. */
void
_PG_init(void)
{
	bp_guc_init();
	bp_workers_init();
}
