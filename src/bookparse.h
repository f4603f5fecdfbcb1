/*-------------------------------------------------------------------------
 *
 * bookparse.h
 *	  Declarations shared by the extension's C files (not src/core).
 *
 *-------------------------------------------------------------------------
 */
#ifndef BOOKPARSE_H
#define BOOKPARSE_H

#include "bookparse_core.h"

/* guc.c: define every bookparse.* GUC; called from _PG_init */
extern void bp_guc_init(void);

/* launcher.c: register the launcher when preloaded; called from _PG_init */
extern void bp_workers_init(void);

#endif							/* BOOKPARSE_H */
