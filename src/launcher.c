/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  The background launcher that keeps parse workers busy.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "bookparse.h"

/* Register the launcher when loaded via shared_preload_libraries (placeholder). */
void
bp_workers_init(void)
{
}
