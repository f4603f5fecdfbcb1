/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  The bookparse.* configuration parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "bookparse.h"

/* Define every bookparse.* GUC (placeholder until the queue lands). */
void
bp_guc_init(void)
{
	MarkGUCPrefixReserved("bookparse");
}
