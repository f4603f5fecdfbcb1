/*-------------------------------------------------------------------------
 *
 * bp_xml.c
 *	  Safe XML parsing with libxml2.
 *
 * Untrusted documents are parsed in recover mode with a fresh parser
 * context per call: no network, no external entities or DTDs (a refusing
 * entity loader is installed for the duration of the parse), no entity
 * substitution.  Errors go to a per-context structured handler (never the
 * global one, which PostgreSQL's xml functions own) and are summarised as
 * one warning per document.  Documents that are not well-formed may be
 * read again with the HTML parser (BP_XML_HTML_FALLBACK).
 *
 * Before parsing, the input is copied once through the scanner in
 * bp_xml_scan.c; the tree helpers and text extraction are in bp_xml_tree.c.
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "bp_xml_int.h"

#define BP_XML_OPTIONS	(XML_PARSE_RECOVER | XML_PARSE_NONET | \
						 XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
						 XML_PARSE_IGNORE_ENC | XML_PARSE_COMPACT)
#define BP_HTML_OPTIONS (HTML_PARSE_RECOVER | HTML_PARSE_NONET | \
						 HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
						 HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT)


/* Structured error handler of our parser contexts: count, keep the first. */
static void
bp_xml_serror(void *data, xmlErrorPtr error)
{
	xmlParserCtxtPtr pc;
	bp_xml_state *st;
	size_t		n;

	if (error == NULL)
		return;
	pc = (xmlParserCtxtPtr) (error->ctxt != NULL ? error->ctxt : data);
	if (pc == NULL || pc->_private == NULL)
		return;
	st = (bp_xml_state *) pc->_private;
	if (!st->collect || error->level < XML_ERR_ERROR)
		return;
	if (st->nerrors++ == 0)
	{
		st->first_line = error->line;
		snprintf(st->first_msg, sizeof(st->first_msg), "%s",
				 error->message ? error->message : "unknown error");
		n = strlen(st->first_msg);
		while (n > 0 && bp_xml_space((unsigned char) st->first_msg[n - 1]))
			st->first_msg[--n] = '\0';
	}
}

/* External entity loader that refuses everything. */
static xmlParserInputPtr
bp_xml_no_loader(const char *url, const char *id, xmlParserCtxtPtr pc)
{
	return NULL;
}

/* SAX resolveEntity that refuses everything. */
static xmlParserInputPtr
bp_xml_no_resolve(void *user, const xmlChar *publicId, const xmlChar *systemId)
{
	return NULL;
}

/* SAX externalSubset that never loads the external DTD. */
static void
bp_xml_no_subset(void *user, const xmlChar *name, const xmlChar *externalID,
				 const xmlChar *systemID)
{
}

/* Encode code point cp as UTF-8 into out (at least 5 bytes); returns length. */
static int
bp_xml_put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* Wrapper of SAX getEntity: HTML entity names resolve to their characters. */
static xmlEntityPtr
bp_xml_get_entity(void *user, const xmlChar *name)
{
	xmlParserCtxtPtr pc = (xmlParserCtxtPtr) user;
	bp_xml_state *st = (bp_xml_state *) pc->_private;
	xmlEntityPtr ent = NULL;
	const htmlEntityDesc *desc;
	bp_xml_fake *f;
	int			n;

	if (st != NULL && st->orig_get_entity != NULL)
		ent = st->orig_get_entity(user, name);
	if (ent != NULL || st == NULL || name == NULL ||
		!(st->flags & BP_XML_HTML_ENTITIES))
		return ent;
	if (strlen((const char *) name) > BP_XML_MAX_NAME)
		return NULL;
	for (f = st->fakes; f != NULL; f = f->next)
		if (strcmp(f->name, (const char *) name) == 0)
			return &f->ent;
	desc = htmlEntityLookup(name);
	if (desc == NULL || desc->value == 0 || desc->value > 0x10FFFF)
		return NULL;
	f = bp_alloc0(st->ctx, sizeof(bp_xml_fake));
	if (f == NULL)
		return NULL;
	strcpy(f->name, (const char *) name);
	n = bp_xml_put_utf8(desc->value, f->content);
	f->content[n] = '\0';
	f->ent.type = XML_ENTITY_DECL;
	f->ent.name = (const xmlChar *) f->name;
	f->ent.content = (xmlChar *) f->content;
	f->ent.length = n;
	f->ent.etype = XML_INTERNAL_PREDEFINED_ENTITY;
	f->next = st->fakes;
	st->fakes = f;
	st->nfakes++;
	return &f->ent;
}

/* Free the entities the getEntity wrapper made up. */
static void
bp_xml_free_fakes(bp_xml_state *st)
{
	while (st->fakes != NULL)
	{
		bp_xml_fake *next = st->fakes->next;

		bp_free(st->ctx, st->fakes);
		st->fakes = next;
	}
}

/* Bytes of non-space text below the body (or root), script/style skipped. */
static size_t
bp_xml_body_text_len(xmlDocPtr doc)
{
	xmlNodePtr	root = xmlDocGetRootElement(doc);
	xmlNodePtr	body,
				node;
	size_t		total = 0;

	if (root == NULL)
		return 0;
	body = bp_xml_is(root, "body") ? root : bp_xml_find(root, "body");
	if (body == NULL)
		body = root;
	node = body->children;
	while (node != NULL)
	{
		bool		descend = true;

		if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
		{
			const xmlChar *p;

			for (p = node->content; p != NULL && *p; p++)
				if (!bp_xml_space(*p))
					total++;
		}
		else if (node->type == XML_ELEMENT_NODE &&
				 (bp_xml_is(node, "script") || bp_xml_is(node, "style")))
			descend = false;
		node = bp_xml_walk_next(body, node, descend);
	}
	return total;
}

/* Parse prepared UTF-8 with the XML parser; *wellformed gets the verdict. */
static xmlDocPtr
bp_xml_parse_xml(bp_xml_state *st, const char *buf, int len, bool *wellformed)
{
	xmlParserCtxtPtr pc;
	xmlDocPtr	doc;

	*wellformed = false;
	pc = xmlNewParserCtxt();
	if (pc == NULL)
		return NULL;
	pc->_private = st;
	pc->sax->initialized = XML_SAX2_MAGIC;
	pc->sax->serror = bp_xml_serror;
	st->orig_get_entity = pc->sax->getEntity;
	pc->sax->getEntity = bp_xml_get_entity;
	pc->sax->resolveEntity = bp_xml_no_resolve;
	pc->sax->externalSubset = bp_xml_no_subset;
	bp_xml_hook_progress(st, pc);
	bp_mem_set_parser(pc);
	doc = xmlCtxtReadMemory(pc, buf, len, NULL, "UTF-8", BP_XML_OPTIONS);
	bp_mem_set_parser(NULL);
	*wellformed = pc->wellFormed != 0;
	pc->_private = NULL;
	xmlFreeParserCtxt(pc);
	return doc;
}

/* Parse prepared UTF-8 with the HTML parser. */
static xmlDocPtr
bp_xml_parse_html(bp_xml_state *st, const char *buf, int len)
{
	htmlParserCtxtPtr pc;
	xmlDocPtr	doc;

	pc = htmlNewParserCtxt();
	if (pc == NULL)
		return NULL;
	pc->_private = st;
	pc->sax->initialized = XML_SAX2_MAGIC;
	pc->sax->serror = bp_xml_serror;
	pc->sax->resolveEntity = bp_xml_no_resolve;
	pc->sax->externalSubset = bp_xml_no_subset;
	bp_xml_hook_progress(st, pc);
	bp_mem_set_parser(pc);
	doc = htmlCtxtReadMemory(pc, buf, len, NULL, "UTF-8", BP_HTML_OPTIONS);
	bp_mem_set_parser(NULL);
	pc->_private = NULL;
	htmlFreeParserCtxt(pc);
	return doc;
}

/* Parse UTF-8 XML safely (see bp_internal.h). */
xmlDocPtr
bp_xml_parse(bp_ctx *ctx, const char *data, size_t len, const char *what,
			 int flags)
{
	bp_xml_state st;
	bp_buf		in;
	xmlDocPtr	doc = NULL,
				hdoc = NULL;
	bool		wellformed = false;
	xmlExternalEntityLoader old_loader;
	uintptr_t	budget;
	int			i;

	if (bp_failed(ctx))
		return NULL;
	if (what == NULL)
		what = "document";
	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.flags = flags;
	bp_buf_init(&in, ctx);

	if (data == NULL)
		len = 0;
	if (len > (size_t) INT_MAX / 2)
	{
		bp_fail_bound(ctx, NULL, "1GB per XML document",
					  "%s is too large to parse as XML", what);
		return NULL;
	}
	if (len > 0 && !bp_xml_prepare(&st, &in, data, len))
		goto done;
	if (in.len == 0)
	{
		bp_fail(ctx, BP_ERR_BAD_XML, "%s: empty XML document", what);
		goto done;
	}

	xmlInitParser();
	old_loader = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(bp_xml_no_loader);

	st.collect = true;
	doc = bp_xml_parse_xml(&st, in.data, (int) in.len, &wellformed);
	st.collect = false;
	if (bp_failed(ctx))
	{
		/* the memory hooks stopped the parser at the limit */
		xmlSetExternalEntityLoader(old_loader);
		goto done;
	}
	if (doc != NULL && xmlDocGetRootElement(doc) == NULL)
	{
		xmlFreeDoc(doc);
		doc = NULL;
	}
	if (!wellformed && (flags & BP_XML_HTML_FALLBACK))
	{
		hdoc = bp_xml_parse_html(&st, in.data, (int) in.len);
		if (hdoc != NULL && xmlDocGetRootElement(hdoc) == NULL)
		{
			xmlFreeDoc(hdoc);
			hdoc = NULL;
		}
		if (hdoc != NULL &&
			(doc == NULL || bp_xml_body_text_len(hdoc) > bp_xml_body_text_len(doc)))
		{
			if (doc != NULL)
				xmlFreeDoc(doc);
			doc = hdoc;
			hdoc = NULL;
			bp_warn(ctx, "xml_html_fallback",
					"%s: not well-formed XML, read with the HTML parser", what);
		}
		if (hdoc != NULL)
			xmlFreeDoc(hdoc);
	}

	xmlSetExternalEntityLoader(old_loader);
	if (bp_failed(ctx))
		goto done;

	if (st.nerrors > 0)
		bp_warn(ctx, "xml_recovered", "%s: %d XML error%s, first: line %d: %s",
				what, st.nerrors, st.nerrors == 1 ? "" : "s", st.first_line,
				st.first_msg);
	if (st.nbad_utf8 > 0)
		bp_warn(ctx, "xml_bad_utf8", "%s: %lld invalid UTF-8 sequences replaced",
				what, (long long) st.nbad_utf8);
	if (st.nbad_chars > 0)
		bp_warn(ctx, "xml_bad_chars", "%s: %lld control characters dropped",
				what, (long long) st.nbad_chars);
	if (st.nattrs_dropped > 0)
		bp_warn(ctx, "xml_attributes_dropped",
				"%s: %lld attributes past the cap of %d per element dropped",
				what, (long long) st.nattrs_dropped, BP_XML_MAX_ATTRS);
	if (st.nns_dropped > 0)
		bp_warn(ctx, "xml_namespaces_dropped",
				"%s: %lld namespace declarations past the cap of %d in scope dropped",
				what, (long long) st.nns_dropped, BP_XML_MAX_NS);
	if (st.nattlist_dropped > 0)
		bp_warn(ctx, "xml_attlist_dropped",
				"%s: %lld attribute-list declarations of the internal DTD subset dropped",
				what, (long long) st.nattlist_dropped);
	if (st.nundefined > 0)
		bp_warn(ctx, "xml_undefined_entity",
				"%s: %lld undefined entit%s kept as text, first: &%s;",
				what, (long long) st.nundefined,
				st.nundefined == 1 ? "y" : "ies", st.first_undefined);

	if (doc == NULL)
	{
		bp_fail(ctx, BP_ERR_BAD_XML, "%s: no XML element could be read", what);
		goto done;
	}
	/* budget of entity-reference text for bp_xml_ref_text */
	budget = (uintptr_t) len + 65536;
	doc->_private = (void *) budget;

done:
	bp_xml_free_fakes(&st);
	for (i = 0; i < st.ndeclared; i++)
		bp_free(ctx, st.declared[i]);
	if (st.declared != NULL)
		bp_free(ctx, st.declared);
	bp_buf_free(&in);
	if (bp_failed(ctx) && doc != NULL)
	{
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

/* Free a document from bp_xml_parse. */
void
bp_xml_free(xmlDocPtr doc)
{
	if (doc == NULL)
		return;
	doc->_private = NULL;
	xmlFreeDoc(doc);
}
