/*-------------------------------------------------------------------------
 *
 * bp_xml_tree.c
 *	  Small helpers over libxml2 trees, and text extraction.
 *
 * Element and attribute lookup by local name (any namespace prefix),
 * iterative document-order walking, the text of entity reference nodes
 * (bounded by the per-document budget bp_xml_parse sets) and collapsed
 * text of a subtree.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <libxml/entities.h>
#include <libxml/tree.h>

#include "bp_xml_int.h"

#define BP_XML_REF_DEPTH 8		/* nested entity references expanded */
#define BP_XML_BUDGET_WARNED ((uintptr_t) 1 << (sizeof(uintptr_t) * 8 - 1))

/* Local part of a possibly prefixed name. */
static const char *
bp_xml_local(const xmlChar *name)
{
	const char *s = (const char *) name;
	const char *colon;

	if (s == NULL)
		return "";
	colon = strrchr(s, ':');
	return colon != NULL ? colon + 1 : s;
}

/* Local name of an element (no prefix), or "" for non-elements. */
const char *
bp_xml_name(const xmlNode *node)
{
	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return "";
	return bp_xml_local(node->name);
}

/* Is node an element with this local name? (ASCII case-insensitive) */
bool
bp_xml_is(const xmlNode *node, const char *localname)
{
	const char *a,
			   *b;

	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return false;
	a = bp_xml_local(node->name);
	b = localname;
	while (*a && *b)
	{
		char		ca = *a,
					cb = *b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb)
			return false;
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* Attribute by local name, any namespace; pointer into the tree or NULL. */
const char *
bp_xml_attr(const xmlNode *node, const char *localname)
{
	const xmlAttr *a;

	if (node == NULL || node->type != XML_ELEMENT_NODE)
		return NULL;
	for (a = node->properties; a != NULL; a = a->next)
	{
		const xmlNode *c;

		if (strcmp(bp_xml_local(a->name), localname) != 0)
			continue;
		for (c = a->children; c != NULL; c = c->next)
			if (c->type == XML_TEXT_NODE && c->content != NULL)
				return (const char *) c->content;
		return "";
	}
	return NULL;
}

/* First child element with this local name, or NULL. */
xmlNode *
bp_xml_child(const xmlNode *node, const char *localname)
{
	xmlNode    *c;

	if (node == NULL)
		return NULL;
	for (c = node->children; c != NULL; c = c->next)
		if (bp_xml_is(c, localname))
			return c;
	return NULL;
}

/* Next sibling element with this local name, or NULL. */
xmlNode *
bp_xml_next(const xmlNode *node, const char *localname)
{
	xmlNode    *c;

	if (node == NULL)
		return NULL;
	for (c = node->next; c != NULL; c = c->next)
		if (bp_xml_is(c, localname))
			return c;
	return NULL;
}

/* First element with this local name in document order below node. */
xmlNode *
bp_xml_find(const xmlNode *node, const char *localname)
{
	xmlNode    *n;

	if (node == NULL)
		return NULL;
	n = bp_xml_walk_next(node, node, true);
	while (n != NULL)
	{
		if (bp_xml_is(n, localname))
			return n;
		n = bp_xml_walk_next(node, n, true);
	}
	return NULL;
}

/* Next node in document order below root (iterative, no recursion). */
xmlNode *
bp_xml_walk_next(const xmlNode *root, const xmlNode *node, bool descend)
{
	if (node == NULL)
		return NULL;
	if (descend && node->children != NULL &&
		(node->type == XML_ELEMENT_NODE || node->type == XML_DOCUMENT_NODE ||
		 node->type == XML_HTML_DOCUMENT_NODE))
		return node->children;
	while (node != NULL && node != root)
	{
		if (node->next != NULL)
			return node->next;
		node = node->parent;
	}
	return NULL;
}

/* Take n bytes of the document's entity budget; false when spent. */
static bool
bp_xml_take_budget(bp_ctx *ctx, xmlDocPtr doc, size_t n)
{
	uintptr_t	v,
				left;

	if (doc == NULL)
		return false;
	v = (uintptr_t) doc->_private;
	left = v & ~BP_XML_BUDGET_WARNED;
	if (left >= n)
	{
		doc->_private = (void *) ((v & BP_XML_BUDGET_WARNED) | (left - n));
		return true;
	}
	if (!(v & BP_XML_BUDGET_WARNED))
	{
		bp_warn(ctx, "xml_entity_budget",
				"entity references expand to too much text; the rest is dropped");
		doc->_private = (void *) (v | BP_XML_BUDGET_WARNED);
	}
	return false;
}

/* Append the text an entity reference node stands for (bounded). */
bool
bp_xml_ref_text(bp_ctx *ctx, const xmlNode *ref, bp_buf *buf)
{
	xmlEntityPtr stack_ent[BP_XML_REF_DEPTH];
	const xmlNode *stack_ref[BP_XML_REF_DEPTH];
	int			depth = 0;
	xmlEntityPtr ent;
	const xmlNode *cur;

	if (ref == NULL || ref->type != XML_ENTITY_REF_NODE)
		return true;
	ent = xmlGetDocEntity(ref->doc, ref->name);
	if (ent == NULL)
		return true;
	if (ent->etype == XML_INTERNAL_PREDEFINED_ENTITY)
	{
		size_t		n = ent->content ? strlen((const char *) ent->content) : 0;

		if (n == 0 || !bp_xml_take_budget(ctx, ref->doc, n))
			return true;
		return bp_buf_append(buf, ent->content, n);
	}
	if (ent->etype != XML_INTERNAL_GENERAL_ENTITY || ent->children == NULL)
		return true;

	stack_ent[0] = ent;
	stack_ref[0] = ref;
	depth = 1;
	cur = ent->children;
	while (cur != NULL)
	{
		bool		descend = false;

		if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE)
		{
			size_t		n = cur->content ? strlen((const char *) cur->content) : 0;

			if (n > 0)
			{
				if (!bp_xml_take_budget(ctx, ref->doc, n))
					return true;
				if (!bp_buf_append(buf, cur->content, n))
					return false;
			}
		}
		else if (cur->type == XML_ENTITY_REF_NODE && depth < BP_XML_REF_DEPTH)
		{
			xmlEntityPtr e = xmlGetDocEntity(ref->doc, cur->name);
			int			k;
			bool		loop = false;

			for (k = 0; k < depth; k++)
				if (stack_ent[k] == e)
					loop = true;
			if (e != NULL && !loop && e->etype == XML_INTERNAL_GENERAL_ENTITY &&
				e->children != NULL)
			{
				stack_ent[depth] = e;
				stack_ref[depth] = cur;
				depth++;
				cur = e->children;
				continue;
			}
			if (e != NULL && e->etype == XML_INTERNAL_PREDEFINED_ENTITY &&
				e->content != NULL)
			{
				size_t		n = strlen((const char *) e->content);

				if (!bp_xml_take_budget(ctx, ref->doc, n))
					return true;
				if (!bp_buf_append(buf, e->content, n))
					return false;
			}
		}
		else if (cur->type == XML_ELEMENT_NODE && cur->children != NULL)
			descend = true;

		if (descend)
		{
			cur = cur->children;
			continue;
		}
		/* advance: next sibling, else climb; leave entities at their end */
		for (;;)
		{
			if (cur->next != NULL)
			{
				cur = cur->next;
				break;
			}
			if (cur->parent == NULL ||
				cur->parent == (const xmlNode *) stack_ent[depth - 1])
			{
				depth--;
				if (depth == 0)
					return true;
				cur = stack_ref[depth];
				continue;
			}
			cur = cur->parent;
		}
	}
	return true;
}

/* Append s (n bytes) to buf with whitespace runs collapsed to one space. */
static bool
bp_xml_append_collapsed(bp_buf *buf, const char *s, size_t n, bool *space)
{
	size_t		i = 0;

	while (i < n)
	{
		size_t		j;

		if (bp_xml_space((unsigned char) s[i]))
		{
			*space = true;
			i++;
			continue;
		}
		j = i;
		while (j < n && !bp_xml_space((unsigned char) s[j]))
			j++;
		if (*space && buf->len > 0 && !bp_buf_putc(buf, ' '))
			return false;
		*space = false;
		if (!bp_buf_append(buf, s + i, j - i))
			return false;
		i = j;
	}
	return true;
}

/* All text below node, whitespace collapsed, trimmed; NULL if empty. */
char *
bp_xml_text(bp_ctx *ctx, const xmlNode *node)
{
	bp_buf		buf,
				tmp;
	const xmlNode *n;
	bool		space = false;
	bool		ok = true;

	if (node == NULL || bp_failed(ctx))
		return NULL;
	bp_buf_init(&buf, ctx);
	bp_buf_init(&tmp, ctx);
	n = node;
	while (n != NULL && ok)
	{
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
			n->content != NULL)
			ok = bp_xml_append_collapsed(&buf, (const char *) n->content,
										 strlen((const char *) n->content),
										 &space);
		else if (n->type == XML_ENTITY_REF_NODE)
		{
			bp_buf_reset(&tmp);
			ok = bp_xml_ref_text(ctx, n, &tmp);
			if (ok && tmp.len > 0)
				ok = bp_xml_append_collapsed(&buf, tmp.data, tmp.len, &space);
		}
		n = bp_xml_walk_next(node, n, true);
	}
	bp_buf_free(&tmp);
	if (!ok || buf.len == 0)
	{
		bp_buf_free(&buf);
		return NULL;
	}
	return bp_buf_steal(&buf, NULL);
}
