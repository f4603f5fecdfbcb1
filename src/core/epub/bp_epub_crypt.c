/*-------------------------------------------------------------------------
 *
 * bp_epub_crypt.c
 *	  Protected EPUBs: DRM listed in META-INF/encryption.xml, entries
 *	  encrypted with a zip password or compressed with a method the zip
 *	  reader lacks, and the verdict on a book none of whose content
 *	  documents can be read.
 *
 * An entry that encryption.xml lists with any algorithm but the font
 * obfuscation ones (IDPF, Adobe) is never read: its bytes are cipher
 * text, which would otherwise reach the chapters as garbage.  Obfuscated
 * fonts are not DRM (and fonts are never read).  A book with some
 * readable chapters parses with a warning per skipped entry; when no
 * content document at all can be read and protection or compression is
 * why, the parse fails with BP_ERR_ENCRYPTED or
 * BP_ERR_UNSUPPORTED_COMPRESSION naming the entries, so that a library
 * sees its DRM-protected uploads instead of empty books.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#include "bp_epub.h"

/* Algorithms that obfuscate fonts only: not DRM. */
static const char *const font_obfuscation[] = {
	"http://www.idpf.org/2008/embedding",
	"http://ns.adobe.com/pdf/enc#RC",
	NULL
};

/* Is this encryption algorithm one of the font obfuscations? */
static bool
is_font_obfuscation(const char *algorithm)
{
	int			i;

	if (algorithm == NULL)
		return false;
	for (i = 0; font_obfuscation[i] != NULL; i++)
		if (strcmp(algorithm, font_obfuscation[i]) == 0)
			return true;
	return false;
}

/* Mark the entry an EncryptedData element names as encrypted. */
static bool
mark_encrypted(bp_epub *ep, xmlNode *data)
{
	bp_ctx	   *ctx = ep->ctx;
	xmlNode    *method = bp_xml_find(data, "EncryptionMethod");
	xmlNode    *ref = bp_xml_find(data, "CipherReference");
	const char *algorithm = method ? bp_xml_attr(method, "Algorithm") : NULL;
	const char *uri = ref ? bp_xml_attr(ref, "URI") : NULL;
	const bp_zip_entry *e;
	char	   *path;

	if (uri == NULL || is_font_obfuscation(algorithm))
		return true;
	path = bp_path_resolve(ctx, NULL, uri, NULL, NULL);
	e = path ? bp_zip_find(ep->zip, path) : NULL;
	if (path)
		bp_free(ctx, path);
	if (e == NULL)
		return !bp_failed(ctx);
	if (ep->drm == NULL)
	{
		ep->drm = bp_alloc0(ctx, (size_t) ep->zip->nentries * sizeof(bool));
		ep->drm_algorithm = bp_strdup(ctx, algorithm ? algorithm
									  : "no algorithm named");
		if (ep->drm == NULL || ep->drm_algorithm == NULL)
			return false;
	}
	ep->drm[e - ep->zip->entries] = true;
	return true;
}

/* Read META-INF/encryption.xml, if any: which entries DRM encrypts. */
bool
bp_epub_read_encryption(bp_epub *ep)
{
	bp_ctx	   *ctx = ep->ctx;
	const bp_zip_entry *e = bp_zip_find(ep->zip, "META-INF/encryption.xml");
	xmlDoc	   *doc;
	xmlNode    *root,
			   *n;
	bool		ok = true;

	if (e == NULL)
		return true;
	doc = bp_epub_read_xml(ep, e, "META-INF/encryption.xml", 0);
	if (doc == NULL)
		return !bp_failed(ctx);
	root = xmlDocGetRootElement(doc);
	for (n = root; ok && n != NULL; n = bp_xml_walk_next(root, n, true))
		if (bp_xml_is(n, "EncryptedData"))
			ok = mark_encrypted(ep, n);
	bp_xml_free(doc);
	return ok && !bp_failed(ctx);
}

/*
 * Is entry e encrypted by DRM (META-INF/encryption.xml)?  Then a warning
 * names it and ep->last_unread says why it is not read.
 */
bool
bp_epub_is_drm(bp_epub *ep, const bp_zip_entry *e, const char *what)
{
	if (ep->drm == NULL || !ep->drm[e - ep->zip->entries])
		return false;
	ep->last_unread = BP_EPUB_UNREAD_DRM;
	bp_warn(ep->ctx, "drm_encrypted",
			"%s is encrypted (META-INF/encryption.xml: %s); skipped",
			what, ep->drm_algorithm);
	return true;
}

/* Count a content document that could not be read, by ep->last_unread. */
void
bp_epub_note_unread(bp_epub *ep, const bp_zip_entry *e)
{
	int			why = ep->last_unread;

	if (why == BP_EPUB_UNREAD_METHOD && ep->nunread[why] == 0)
		ep->unread_method = e->method;
	if (ep->nunread[why] < BP_EPUB_UNREAD_NAMES)
		ep->unread_names[why][ep->nunread[why]] = e->name;
	ep->nunread[why]++;
}

/* Append the names of the unread documents of one kind to msg. */
static void
list_names(bp_epub *ep, int why, char *msg, size_t size)
{
	int			i;
	size_t		n;

	for (i = 0; i < ep->nunread[why] && i < BP_EPUB_UNREAD_NAMES; i++)
	{
		n = strlen(msg);
		snprintf(msg + n, size - n, "%s\"%s\"", i > 0 ? ", " : "",
				 ep->unread_names[why][i]);
	}
	n = strlen(msg);
	if (ep->nunread[why] > BP_EPUB_UNREAD_NAMES)
		snprintf(msg + n, size - n, " and %d more",
				 ep->nunread[why] - BP_EPUB_UNREAD_NAMES);
}

/*
 * Fail the parse when no content document could be read and protection or
 * compression is why: BP_ERR_ENCRYPTED (DRM first, then a zip password) or
 * BP_ERR_UNSUPPORTED_COMPRESSION.  Otherwise (some text, or other causes)
 * the book goes on.
 */
bool
bp_epub_check_readable(bp_epub *ep)
{
	char		names[256];
	int			total;
	int			why;

	if (bp_failed(ep->ctx))
		return false;
	total = ep->nunread[BP_EPUB_UNREAD_DRM] + ep->nunread[BP_EPUB_UNREAD_PASSWORD] +
		ep->nunread[BP_EPUB_UNREAD_METHOD];
	if (ep->ndocs_read > 0 || total == 0)
		return true;
	total += ep->nunread[BP_EPUB_UNREAD_OTHER];
	names[0] = '\0';
	/* the first cause with entries (total > 0: METHOD at the latest) */
	why = BP_EPUB_UNREAD_DRM;
	while (why < BP_EPUB_UNREAD_METHOD && ep->nunread[why] == 0)
		why++;
	list_names(ep, why, names, sizeof(names));
	if (why == BP_EPUB_UNREAD_DRM)
		return bp_fail(ep->ctx, BP_ERR_ENCRYPTED,
					   "the book is encrypted (DRM, META-INF/encryption.xml: %s): "
					   "none of its %d content documents can be read; encrypted: %s",
					   ep->drm_algorithm, total, names);
	if (why == BP_EPUB_UNREAD_PASSWORD)
		return bp_fail(ep->ctx, BP_ERR_ENCRYPTED,
					   "the book is encrypted (zip password): none of its %d "
					   "content documents can be read; encrypted: %s",
					   total, names);
	return bp_fail(ep->ctx, BP_ERR_UNSUPPORTED_COMPRESSION,
				   "none of the book's %d content documents can be read: "
				   "compression method %u (%s) is not supported; entries: %s",
				   total, ep->unread_method, bp_zip_method_name(ep->unread_method),
				   names);
}
