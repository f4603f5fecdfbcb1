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
#include "bookparse_core.h"
#include "shmem.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Define the GUCs, count libxml2's and ICU's allocations against
 * bookparse.work_mem (hooks that pass through outside a parse), stop the
 * workers before DROP EXTENSION and, when preloaded, register the
 * background launcher.
 */
void
_PG_init(void)
{
	bp_guc_init();
	bp_memhooks_install();
	bp_utility_hook_init();
	bp_workers_init();
}
