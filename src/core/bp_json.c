/*-------------------------------------------------------------------------
 *
 * bp_json.c
 *	  Serialise a book model as JSON.
 *
 * The keys come in a fixed order so that the output is stable (tests and
 * the extension's jsonb both rely on it).  Absent values are null.  The
 * result is malloc'd: it outlives the parse context and the caller frees
 * it with free(), as bookparse_core.h promises.
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bookparse_core.h"

/* A malloc'd growable string; failed is set once memory ran out. */
typedef struct json_out
{
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		failed;
} json_out;

/* Make room for extra more bytes plus a NUL; false when out of memory. */
static bool
jo_reserve(json_out *o, size_t extra)
{
	size_t		need;
	size_t		ncap;
	char	   *p;

	if (o->failed)
		return false;
	if (extra > SIZE_MAX / 2 - o->len - 1)
	{
		o->failed = true;
		return false;
	}
	need = o->len + extra + 1;
	if (need <= o->cap)
		return true;
	ncap = o->cap ? o->cap : 1024;
	while (ncap < need)
		ncap *= 2;
	p = realloc(o->data, ncap);
	if (p == NULL)
	{
		o->failed = true;
		return false;
	}
	o->data = p;
	o->cap = ncap;
	return true;
}

/* Append len raw bytes. */
static void
jo_raw(json_out *o, const char *s, size_t len)
{
	if (!jo_reserve(o, len))
		return;
	memcpy(o->data + o->len, s, len);
	o->len += len;
	o->data[o->len] = '\0';
}

/* Append a raw NUL-terminated string. */
static void
jo_puts(json_out *o, const char *s)
{
	jo_raw(o, s, strlen(s));
}

/* Append a JSON string literal (or null when s is NULL). */
static void
jo_str(json_out *o, const char *s)
{
	const unsigned char *p;
	const unsigned char *run;

	if (s == NULL)
	{
		jo_puts(o, "null");
		return;
	}
	jo_raw(o, "\"", 1);
	run = (const unsigned char *) s;
	for (p = run; *p; p++)
	{
		const char *esc = NULL;
		char		ubuf[8];

		switch (*p)
		{
			case '"':
				esc = "\\\"";
				break;
			case '\\':
				esc = "\\\\";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			default:
				if (*p < 0x20 || *p == 0x7f)
				{
					snprintf(ubuf, sizeof(ubuf), "\\u%04x", (unsigned) *p);
					esc = ubuf;
				}
				break;
		}
		if (esc != NULL)
		{
			jo_raw(o, (const char *) run, (size_t) (p - run));
			jo_puts(o, esc);
			run = p + 1;
		}
	}
	jo_raw(o, (const char *) run, (size_t) (p - run));
	jo_raw(o, "\"", 1);
}

/* Append a signed integer. */
static void
jo_int(json_out *o, int64_t v)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	jo_puts(o, buf);
}

/* Append a key (with its leading comma unless first) and the colon. */
static void
jo_key(json_out *o, const char *key, bool first)
{
	if (!first)
		jo_raw(o, ",", 1);
	jo_str(o, key);
	jo_raw(o, ":", 1);
}

/* Append "key":"value" (or null). */
static void
jo_kstr(json_out *o, const char *key, const char *value, bool first)
{
	jo_key(o, key, first);
	jo_str(o, value);
}

/* Append "key":number. */
static void
jo_kint(json_out *o, const char *key, int64_t value, bool first)
{
	jo_key(o, key, first);
	jo_int(o, value);
}

/* Append "key":true/false. */
static void
jo_kbool(json_out *o, const char *key, bool value, bool first)
{
	jo_key(o, key, first);
	jo_puts(o, value ? "true" : "false");
}

/* The metadata object. */
static void
jo_metadata(json_out *o, const bp_metadata *m)
{
	int			i;

	jo_raw(o, "{", 1);
	jo_kstr(o, "title", m->title, true);

	jo_key(o, "creators", false);
	jo_raw(o, "[", 1);
	for (i = 0; i < m->ncreators && m->creators != NULL; i++)
	{
		if (i > 0)
			jo_raw(o, ",", 1);
		jo_raw(o, "{", 1);
		jo_kstr(o, "name", m->creators[i].name, true);
		jo_kstr(o, "role", m->creators[i].role, false);
		jo_kstr(o, "file_as", m->creators[i].file_as, false);
		jo_raw(o, "}", 1);
	}
	jo_raw(o, "]", 1);

	jo_kstr(o, "language", m->language, false);

	jo_key(o, "identifiers", false);
	jo_raw(o, "[", 1);
	for (i = 0; i < m->nidentifiers && m->identifiers != NULL; i++)
	{
		if (i > 0)
			jo_raw(o, ",", 1);
		jo_raw(o, "{", 1);
		jo_kstr(o, "scheme", m->identifiers[i].scheme, true);
		jo_kstr(o, "value", m->identifiers[i].value, false);
		jo_raw(o, "}", 1);
	}
	jo_raw(o, "]", 1);

	jo_kstr(o, "isbn", m->isbn, false);
	jo_kstr(o, "publisher", m->publisher, false);
	jo_kstr(o, "published", m->published, false);
	jo_kstr(o, "description", m->description, false);

	jo_key(o, "subjects", false);
	jo_raw(o, "[", 1);
	for (i = 0; i < m->nsubjects && m->subjects != NULL; i++)
	{
		if (i > 0)
			jo_raw(o, ",", 1);
		jo_str(o, m->subjects[i]);
	}
	jo_raw(o, "]", 1);

	jo_kstr(o, "series", m->series, false);
	jo_kstr(o, "series_index", m->series_index, false);
	jo_raw(o, "}", 1);
}

/* Serialise a book model as JSON (see bookparse_core.h). */
char *
bp_book_to_json(const bp_book *book, size_t *len)
{
	json_out	o;
	int			i;

	memset(&o, 0, sizeof(o));
	if (len != NULL)
		*len = 0;
	if (book == NULL)
		return NULL;

	jo_raw(&o, "{", 1);
	jo_kstr(&o, "format", book->format, true);
	jo_kstr(&o, "version", book->version, false);
	jo_kstr(&o, "encoding", book->encoding, false);
	jo_kint(&o, "input_size", (int64_t) book->input_size, false);

	jo_key(&o, "metadata", false);
	jo_metadata(&o, &book->meta);

	jo_key(&o, "toc", false);
	jo_raw(&o, "[", 1);
	for (i = 0; i < book->ntoc && book->toc != NULL; i++)
	{
		const bp_toc_entry *t = &book->toc[i];

		if (i > 0)
			jo_raw(&o, ",", 1);
		jo_raw(&o, "{", 1);
		jo_kstr(&o, "title", t->title, true);
		jo_kstr(&o, "href", t->href, false);
		jo_kint(&o, "depth", t->depth, false);
		jo_raw(&o, "}", 1);
	}
	jo_raw(&o, "]", 1);
	jo_kstr(&o, "toc_source", book->toc_source, false);

	jo_key(&o, "chapters", false);
	jo_raw(&o, "[", 1);
	for (i = 0; i < book->nchapters && book->chapters != NULL; i++)
	{
		const bp_chapter *c = &book->chapters[i];

		if (i > 0)
			jo_raw(&o, ",", 1);
		jo_raw(&o, "{", 1);
		jo_kint(&o, "number", c->number, true);
		jo_kstr(&o, "title", c->title, false);
		jo_kint(&o, "depth", c->depth, false);
		jo_kstr(&o, "source", c->source, false);
		jo_kbool(&o, "is_notes", c->is_notes, false);
		jo_kint(&o, "words", c->counts.words, false);
		jo_kint(&o, "sentences", c->counts.sentences, false);
		jo_kint(&o, "characters", c->counts.characters, false);
		jo_kint(&o, "paragraphs", c->counts.paragraphs, false);
		jo_raw(&o, "}", 1);
	}
	jo_raw(&o, "]", 1);

	jo_key(&o, "assets", false);
	jo_raw(&o, "[", 1);
	for (i = 0; i < book->nassets && book->assets != NULL; i++)
	{
		const bp_asset *a = &book->assets[i];

		if (i > 0)
			jo_raw(&o, ",", 1);
		jo_raw(&o, "{", 1);
		jo_kstr(&o, "href", a->href, true);
		jo_kstr(&o, "media_type", a->media_type, false);
		jo_kint(&o, "size", (int64_t) a->size, false);
		jo_kbool(&o, "is_cover", a->is_cover, false);
		jo_raw(&o, "}", 1);
	}
	jo_raw(&o, "]", 1);

	jo_key(&o, "stats", false);
	jo_raw(&o, "{", 1);
	jo_kint(&o, "chapters", book->nchapters, true);
	jo_kint(&o, "words", book->counts.words, false);
	jo_kint(&o, "sentences", book->counts.sentences, false);
	jo_kint(&o, "characters", book->counts.characters, false);
	jo_kint(&o, "paragraphs", book->counts.paragraphs, false);
	jo_kint(&o, "reading_minutes", book->reading_minutes, false);
	jo_raw(&o, "}", 1);

	jo_key(&o, "warnings", false);
	jo_raw(&o, "[", 1);
	for (i = 0; i < book->nwarnings && book->warnings != NULL; i++)
	{
		if (i > 0)
			jo_raw(&o, ",", 1);
		jo_raw(&o, "{", 1);
		jo_kstr(&o, "code", book->warnings[i].code, true);
		jo_kstr(&o, "message", book->warnings[i].message, false);
		jo_raw(&o, "}", 1);
	}
	jo_raw(&o, "]", 1);
	jo_kint(&o, "warnings_dropped", book->warnings_dropped, false);
	jo_raw(&o, "}", 1);

	if (o.failed)
	{
		free(o.data);
		return NULL;
	}
	if (len != NULL)
		*len = o.len;
	return o.data;
}
