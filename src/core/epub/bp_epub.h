/*-------------------------------------------------------------------------
 *
 * bp_epub.h
 *	  Internals shared by the EPUB parser's files: bp_epub.c (container,
 *	  package, manifest, spine, cover, assets), bp_epub_meta.c (metadata),
 *	  bp_epub_toc.c (nav / NCX), bp_epub_chapters.c (chapters in reading
 *	  order), bp_epub_crypt.c (DRM and entries that cannot be read) and
 *	  bp_xhtml.c (XHTML to the chapter writer).  Not part of
 *	  the core's contract.
 *
 *-------------------------------------------------------------------------
 */
#ifndef BP_EPUB_H
#define BP_EPUB_H

#include "bp_internal.h"

/* A manifest item. */
typedef struct bp_epub_item
{
	char	   *id;
	char	   *path;			/* zip path, NULL when remote/unresolvable */
	char	   *media_type;
	char	   *properties;
	const bp_zip_entry *entry;	/* NULL when absent from the zip */
	int			spine_pos;		/* position in ep->spine, or -1 */
} bp_epub_item;

/* An index entry: a key (id or path) and the item it belongs to. */
typedef struct bp_epub_key
{
	const char *key;
	int			item;
} bp_epub_key;

/* A spine position (only readable documents are kept). */
typedef struct bp_epub_spine
{
	int			item;
	bool		linear;
} bp_epub_spine;

/* A TOC entry with its resolved target. */
typedef struct bp_epub_toc
{
	char	   *title;
	char	   *path;			/* zip path or NULL */
	char	   *frag;			/* fragment or NULL */
	int			depth;
	int			spine;			/* spine position of the target, or -1 */
	bool		found;			/* frag found in the document */
	bool		done;			/* its chapter was started */
} bp_epub_toc;

/* Why bp_epub_read_xml last gave no document (bp_epub_crypt.c). */
#define BP_EPUB_UNREAD_OTHER	0	/* corrupt, not XML, ... */
#define BP_EPUB_UNREAD_DRM		1	/* listed in META-INF/encryption.xml */
#define BP_EPUB_UNREAD_PASSWORD 2	/* zip encryption */
#define BP_EPUB_UNREAD_METHOD	3	/* a compression method we lack */
#define BP_EPUB_UNREAD_KINDS	4
#define BP_EPUB_UNREAD_NAMES	3	/* entries named in the error */

/* The state of one EPUB parse. */
typedef struct bp_epub
{
	bp_ctx	   *ctx;
	bp_zip	   *zip;
	char	   *opf_path;
	int			version;		/* 2 or 3 */

	bp_epub_item *items;
	int			nitems;
	int			items_cap;
	bp_epub_key *by_id;			/* items sorted by id */
	int			nby_id;
	bp_epub_key *by_path;		/* items sorted by zip path */
	bp_epub_key *by_path_ci;	/* the same, ignoring ASCII case */
	int			nby_path;
	int			nrepairs;		/* TOC hrefs we tried to repair */
	int			nmissing_targets;	/* TOC #fragments not found */
	int			first_missing_target;

	bp_epub_spine *spine;
	int			nspine;
	int			spine_cap;
	char	   *spine_toc;		/* spine@toc (NCX item id) */

	bp_epub_toc *toc;
	int			ntoc;
	int			toc_cap;

	size_t		spine_bytes;	/* inflated bytes of all spine documents */
	size_t		done_bytes;

	/* protection (bp_epub_crypt.c) */
	bool	   *drm;			/* by zip entry index: DRM-encrypted; or NULL */
	char	   *drm_algorithm;	/* the first DRM algorithm named */
	int			last_unread;	/* BP_EPUB_UNREAD_* of the last failed read */
	int			ndocs_read;		/* spine documents read */
	int			nunread[BP_EPUB_UNREAD_KINDS];
	const char *unread_names[BP_EPUB_UNREAD_KINDS][BP_EPUB_UNREAD_NAMES];
	unsigned	unread_method;	/* method of the first one skipped for it */
} bp_epub;

/* bp_epub.c */
extern int	bp_epub_find_item(bp_epub *ep, const char *id);
extern int	bp_epub_find_path(bp_epub *ep, const char *path);
extern struct _xmlDoc *bp_epub_read_xml(bp_epub *ep, const bp_zip_entry *e,
										const char *what, int flags);

/* bp_epub_crypt.c: DRM, zip passwords, methods; the unreadable-book verdict */
extern bool bp_epub_read_encryption(bp_epub *ep);
extern bool bp_epub_is_drm(bp_epub *ep, const bp_zip_entry *e, const char *what);
extern void bp_epub_note_unread(bp_epub *ep, const bp_zip_entry *e);
extern bool bp_epub_check_readable(bp_epub *ep);

/* bp_epub_toc.c: fill ep->toc from nav or NCX; sets book->toc_source */
extern bool bp_epub_read_toc(bp_epub *ep);

/* bp_xhtml.c */

/* Callbacks of the XHTML walk. */
typedef struct bp_xhtml_cb
{
	/* an element with this id is about to be written */
	bool		(*on_id) (void *arg, const char *id);
	/* content (non-space text, an image) is about to be written */
	bool		(*on_content) (void *arg);
	void	   *arg;
} bp_xhtml_cb;

/* Write the content of body (a document's <body>) to the chapter writer. */
extern bool bp_xhtml_write(bp_ctx *ctx, struct _xmlNode *body,
						   const char *doc_path, const bp_xhtml_cb *cb);
/* The <body> of a document (or its root element when it has none). */
extern struct _xmlNode *bp_xhtml_body(struct _xmlDoc *doc);
/* Text of the first h1-h6 below body; with use_title, else <title>. */
extern char *bp_xhtml_first_heading(bp_ctx *ctx, struct _xmlDoc *doc,
									bool use_title);
/* Is this element one whose content is never text (script, style, ...)? */
extern bool bp_xhtml_is_dropped(const struct _xmlNode *node);


/* bp_epub.c: a lower-case copy of s; does s start with prefix (ASCII, any case)? */
extern char *bp_epub_lower_dup(bp_ctx *ctx, const char *s);
extern bool bp_epub_has_prefix_ci(const char *s, const char *prefix);

/* bp_epub_meta.c: read the OPF <metadata> into the book model. */
extern bool bp_epub_read_metadata(bp_epub *ep, struct _xmlNode *md);

/* bp_epub_chapters.c: write the chapters of the spine documents. */
extern bool bp_epub_write_chapters(bp_epub *ep);

#endif							/* BP_EPUB_H */
