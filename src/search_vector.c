/*-------------------------------------------------------------------------
 *
 * search_vector.c
 *	  bookparse.search_vector(config, title, body): a chapter's search
 *	  vector, as setweight(to_tsvector(config, title), 'A') ||
 *	  setweight(to_tsvector(config, body), 'B') would make it, built by the
 *	  core's lexer (src/core/bp_lex.c) about ten times faster.
 *
 * The lexer reproduces PostgreSQL's default parser and Snowball and simple
 * dictionaries.  For a configuration made of those (every built-in
 * language configuration, and copies of them) this file reads what the
 * catalog says (which dictionary each token type goes to, their languages
 * and stop-word files) and hands it to the lexer; any other configuration
 * (ispell, synonyms, unaccent, another parser) goes through to_tsvector()
 * itself.  See docs/search.md.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_ts_template.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "tsearch/ts_cache.h"
#include "tsearch/ts_locale.h"
#include "tsearch/ts_public.h"
#include "tsearch/ts_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/pg_locale.h"
#include "utils/syscache.h"

#include "bp_lex.h"

/* the default parser's token types (ts_token_type('default')) */
#define TT_ASCIIWORD		1
#define TT_WORD				2
#define TT_NUMWORD			3
#define TT_HOST				6
#define TT_SFLOAT			7
#define TT_VERSION			8
#define TT_HWORD_NUMPART	9
#define TT_HWORD_PART		10
#define TT_HWORD_ASCIIPART	11
#define TT_NUMHWORD			15
#define TT_ASCIIHWORD		16
#define TT_HWORD			17
#define TT_FILE				19
#define TT_FLOAT			20
#define TT_INT				21
#define TT_UINT				22

#define DEFAULT_PARSER_OID	3722	/* pg_ts_parser "default" */
#define SIMPLE_DICT_OID		3765	/* pg_ts_dict "simple" */

#define LEX_SLICE			(1024 * 1024)	/* text between interrupt checks */

/* A configuration met in this process and its lexer (NULL: to_tsvector). */
typedef struct lex_cache
{
	Oid			cfg;
	bp_lex	   *lx;
	StopList	stop[2];
	struct lex_cache *next;
} lex_cache;

static lex_cache *lexers;
static bool lexers_stale;
static bool callbacks_set;

/* A text search catalog changed: build the lexers anew when next used. */
static void
lexers_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	lexers_stale = true;
}

/* Forget every lexer (after a catalog change). */
static void
lexers_clear(void)
{
	while (lexers)
	{
		lex_cache  *c = lexers;

		lexers = c->next;
		bp_lex_free(c->lx);
		pfree(c);
	}
	lexers_stale = false;
}

/* The single dictionary a token type maps to in cfg, or InvalidOid. */
static Oid
single_dict(TSConfigCacheEntry *cfg, int type)
{
	if (type >= cfg->lenmap || cfg->map[type].len != 1)
		return InvalidOid;
	return cfg->map[type].dictIds[0];
}

/* The same single dictionary for every type of types[], or InvalidOid. */
static Oid
same_dict(TSConfigCacheEntry *cfg, const int *types, int n)
{
	Oid			d = single_dict(cfg, types[0]);
	int			i;

	for (i = 1; i < n; i++)
		if (single_dict(cfg, types[i]) != d)
			return InvalidOid;
	return d;
}

/*
 * Describe dictionary dictoid for the lexer: a Snowball dictionary with a
 * language and perhaps stop words, or simple without options.  False for
 * anything else.
 */
static bool
describe_dict(Oid dictoid, bp_lex_dict *out, StopList *stop, MemoryContext cxt)
{
	HeapTuple	tp;
	Form_pg_ts_dict dict;
	Datum		opt;
	bool		isnull;
	char	   *tmpl;
	ListCell   *lc;
	List	   *opts = NIL;
	bool		ok = true;

	memset(out, 0, sizeof(*out));
	tp = SearchSysCache1(TSDICTOID, ObjectIdGetDatum(dictoid));
	if (!HeapTupleIsValid(tp))
		return false;
	dict = (Form_pg_ts_dict) GETSTRUCT(tp);
	{
		HeapTuple	tt = SearchSysCache1(TSTEMPLATEOID, ObjectIdGetDatum(dict->dicttemplate));

		if (!HeapTupleIsValid(tt))
		{
			ReleaseSysCache(tp);
			return false;
		}
		tmpl = pstrdup(NameStr(((Form_pg_ts_template) GETSTRUCT(tt))->tmplname));
		ReleaseSysCache(tt);
	}
	opt = SysCacheGetAttr(TSDICTOID, tp, Anum_pg_ts_dict_dictinitoption, &isnull);
	if (!isnull)
		opts = deserialize_deflist(opt);
	ReleaseSysCache(tp);

	if (strcmp(tmpl, "simple") == 0)
		return opts == NIL;		/* no stop words, every word accepted */
	if (strcmp(tmpl, "snowball") != 0)
		return false;
	foreach(lc, opts)
	{
		DefElem    *de = (DefElem *) lfirst(lc);

		if (strcmp(de->defname, "language") == 0)
			out->stem_lang = MemoryContextStrdup(cxt, defGetString(de));
		else if (strcmp(de->defname, "stopwords") == 0)
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

#if PG_VERSION_NUM >= 170000
			readstoplist(defGetString(de), stop, str_tolower);
#else
			readstoplist(defGetString(de), stop, lowerstr);
#endif
			MemoryContextSwitchTo(old);
			out->stop = (const char *const *) stop->stop;
			out->nstop = (size_t) stop->len;
		}
		else
			ok = false;
	}
	return ok && out->stem_lang != NULL;
}

/*
 * The lexer of configuration cfgoid, made on first use; NULL when the
 * configuration is not one the lexer reproduces.
 */
static bp_lex *
lexer_for(Oid cfgoid)
{
	static const int ascii_types[] = {TT_ASCIIWORD, TT_ASCIIHWORD, TT_HWORD_ASCIIPART};
	static const int word_types[] = {TT_WORD, TT_HWORD, TT_HWORD_PART};
	static const int simple_types[] = {TT_NUMWORD, TT_HOST, TT_SFLOAT, TT_VERSION,
		TT_HWORD_NUMPART, TT_NUMHWORD, TT_FILE, TT_FLOAT, TT_INT, TT_UINT};
	lex_cache  *c;
	TSConfigCacheEntry *cfg;
	Oid			ad,
				wd;
	bp_lex_dict dicts[2];
	char		err[200];

	if (!callbacks_set)
	{
		CacheRegisterSyscacheCallback(TSCONFIGMAP, lexers_invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(TSCONFIGOID, lexers_invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(TSDICTOID, lexers_invalidate, (Datum) 0);
		callbacks_set = true;
	}
	if (lexers_stale)
		lexers_clear();
	for (c = lexers; c; c = c->next)
		if (c->cfg == cfgoid)
			return c->lx;

	c = MemoryContextAllocZero(TopMemoryContext, sizeof(lex_cache));
	c->cfg = cfgoid;
	cfg = lookup_ts_config_cache(cfgoid);
	ad = same_dict(cfg, ascii_types, lengthof(ascii_types));
	wd = same_dict(cfg, word_types, lengthof(word_types));
	if (cfg->prsId == DEFAULT_PARSER_OID && OidIsValid(ad) && OidIsValid(wd) &&
		same_dict(cfg, simple_types, lengthof(simple_types)) == SIMPLE_DICT_OID &&
		describe_dict(ad, &dicts[0], &c->stop[0], TopMemoryContext) &&
		describe_dict(wd, &dicts[1], &c->stop[1], TopMemoryContext))
	{
		c->lx = bp_lex_new(&dicts[0], &dicts[1], lc_ctype_is_c(DEFAULT_COLLATION_OID),
						   err, sizeof(err));
		if (c->lx == NULL)
			ereport(DEBUG1,
					(errmsg("bookparse: text search configuration %u goes through to_tsvector(): %s",
							cfgoid, err)));
	}
	c->next = lexers;
	lexers = c;
	return c->lx;
}

/* Add one part of text to the lexer, checking for interrupts between slices. */
static void
lex_part(bp_lex *lx, int weight, text *t)
{
	const char *s = VARDATA_ANY(t);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	size_t		off = 0;

	bp_lex_begin(lx, weight);
	while (off < len)
	{
		size_t		end = len - off > LEX_SLICE ? off + LEX_SLICE : len;

		/* a slice ends after a space: no token spans it */
		while (end < len && s[end - 1] != ' ' && s[end - 1] != '\n' &&
			   end - off < LEX_SLICE + 65536)
			end++;
		if (end - off >= LEX_SLICE + 65536)
			end = len;
		if (!bp_lex_add(lx, s + off, end - off))
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory building a search vector")));
		off = end;
		CHECK_FOR_INTERRUPTS();
	}
	bp_lex_end(lx);
}

/* The lexer's result as a tsvector (as make_tsvector() lays it out). */
static TSVector
lex_tsvector(bp_lex *lx)
{
	size_t		n,
				data,
				i,
				off = 0;
	const bp_lexeme *lex = bp_lex_result(lx, &n, &data);
	TSVector	out;
	WordEntry  *we;
	char	   *str;
	Size		total;

	if (!bp_lex_ok(lx))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory building a search vector")));
	total = CALCDATASIZE(n, data);
	out = (TSVector) palloc0(total);
	SET_VARSIZE(out, total);
	out->size = (int32) n;
	we = ARRPTR(out);
	str = STRPTR(out);
	for (i = 0; i < n; i++)
	{
		we[i].len = lex[i].len;
		we[i].pos = (uint32) off;
		memcpy(str + off, lex[i].str, lex[i].len);
		off += lex[i].len;
		if (lex[i].npos)
		{
			we[i].haspos = 1;
			off = SHORTALIGN(off);
			*(uint16 *) (str + off) = lex[i].npos;
			memcpy(str + off + sizeof(uint16), lex[i].pos,
				   lex[i].npos * sizeof(WordEntryPos));
			off += sizeof(uint16) + lex[i].npos * sizeof(WordEntryPos);
		}
		else
			we[i].haspos = 0;
	}
	Assert(off == data);
	if (bp_lex_dropped(lx) > 0)
		ereport(DEBUG1,
				(errmsg("bookparse: %zu words of a chapter were not indexed: its search vector reached PostgreSQL's limit of 1 MB",
						bp_lex_dropped(lx))));
	return out;
}

/* to_tsvector() of a part with a weight (the way for other configurations). */
static Datum
pg_part(Oid cfg, text *t, char weight)
{
	Datum		v = DirectFunctionCall2(to_tsvector_byid, ObjectIdGetDatum(cfg),
										PointerGetDatum(t));

	return DirectFunctionCall2(tsvector_setweight, v, CharGetDatum(weight));
}

PG_FUNCTION_INFO_V1(bp_search_vector);
Datum
bp_search_vector(PG_FUNCTION_ARGS)
{
	Oid			cfg;
	text	   *title;
	text	   *body;
	bp_lex	   *lx;
	TSVector	v;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	cfg = PG_GETARG_OID(0);
	title = PG_ARGISNULL(1) ? cstring_to_text("") : PG_GETARG_TEXT_PP(1);
	body = PG_ARGISNULL(2) ? cstring_to_text("") : PG_GETARG_TEXT_PP(2);

	lx = lexer_for(cfg);
	if (lx == NULL)
		PG_RETURN_DATUM(DirectFunctionCall2(tsvector_concat, pg_part(cfg, title, 'A'),
											pg_part(cfg, body, 'B')));
	bp_lex_reset(lx);
	PG_TRY();
	{
		lex_part(lx, 3, title);
		lex_part(lx, 2, body);
		v = lex_tsvector(lx);
	}
	PG_FINALLY();
	{
		bp_lex_reset(lx);
	}
	PG_END_TRY();
	PG_RETURN_TSVECTOR(v);
}

/*
 * The part of body around the first word that matches a lexeme of query:
 * radius bytes before and after it, cut at spaces.  ts_headline() parses
 * all the text it is given with PostgreSQL's parser (5 MB/s): given this
 * excerpt instead of a whole chapter, a search's snippets cost
 * milliseconds, not a tenth of a second each.  The beginning of body when
 * nothing matches; the whole body for a configuration the lexer does not
 * reproduce.
 */
PG_FUNCTION_INFO_V1(bp_search_excerpt);
Datum
bp_search_excerpt(PG_FUNCTION_ARGS)
{
	Oid			cfg = PG_GETARG_OID(0);
	text	   *body = PG_GETARG_TEXT_PP(1);
	TSQuery		query = PG_GETARG_TSQUERY(2);
	int32		radius = PG_ARGISNULL(3) ? 1500 : PG_GETARG_INT32(3);
	const char *s = VARDATA_ANY(body);
	size_t		len = VARSIZE_ANY_EXHDR(body);
	bp_lex	   *lx = lexer_for(cfg);
	QueryItem  *item = GETQUERY(query);
	char	   *operands = GETOPERAND(query);
	bp_lexeme  *want;
	int			nwant = 0;
	size_t		off = 0,
				start,
				end;
	int			i;

	if (radius < 0)
		radius = 0;
	if (lx == NULL)
		PG_RETURN_TEXT_P(body);
	want = palloc(sizeof(bp_lexeme) * (query->size + 1));
	for (i = 0; i < query->size; i++)
		if (item[i].type == QI_VAL)
		{
			want[nwant].str = operands + item[i].qoperand.distance;
			want[nwant].len = item[i].qoperand.length;
			want[nwant].npos = 0;
			want[nwant].pos = NULL;
			nwant++;
		}
	bp_lex_reset(lx);
	if (nwant == 0 || !bp_lex_find(lx, s, len, want, nwant, &off))
		off = 0;
	bp_lex_reset(lx);

	/* [off - radius, off + radius], moved to spaces and character starts */
	start = off > (size_t) radius ? off - (size_t) radius : 0;
	end = len - off > (size_t) radius ? off + (size_t) radius : len;
	if (start > 0)
	{
		size_t		sp = start;

		while (sp < off && s[sp] != ' ' && s[sp] != '\n')
			sp++;
		start = sp < off ? sp + 1 : start;
		while (start < off && (s[start] & 0xC0) == 0x80)
			start++;
	}
	if (end < len)
	{
		size_t		sp = end;

		while (sp > off && s[sp] != ' ' && s[sp] != '\n')
			sp--;
		end = sp > off ? sp : end;
		while (end > off && (s[end] & 0xC0) == 0x80)
			end--;
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(s + start, (int) (end - start)));
}
