/*
 * test_xml_bounds.c
 *	  No XML input of N bytes may cost more than a constant times N, and a
 *	  long XML parse can be canceled (issue 17, item 10).
 *
 *	  - Growth: each hostile shape (attributes, namespace declarations,
 *		attribute defaults of the internal subset, deep nesting, character
 *		and entity references, long values, siblings) is parsed as the only
 *		chapter of an EPUB at size N and 4N, best of three runs each;
 *		time(4N) / max(time(N), floor) must stay below 8 (12 under ASan).  Linear growth
 *		gives about 4, quadratic about 16 (and the unbounded attribute
 *		shapes took seconds at 4N).  Times are user CPU time of the process.
 *	  - Progress: bp_xml_parse of one 3-5MB document calls the progress
 *		hook at least 4 times per MB (every 64kB of input: about 16-24), and
 *		a hook that says stop ends the parse with BP_ERR_CANCELED at once.
 *	  - The caps drop what is past them, with a warning, and keep the text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <libxml/tree.h>

#include "bp_internal.h"
#include "bp_test.h"
#include "zipgen.h"

#define FLOOR_SECONDS 0.01		/* times below this count as this */

/*
 * Linear growth gives about 4, quadratic 16.  ASan's allocator (quarantine,
 * redzones) makes the allocation-heavy shapes grow up to 10x at these
 * small sizes, so its builds get more room; still well below quadratic.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BP_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(BP_TEST_ASAN)
#define MAX_RATIO 12.0
#else
#define MAX_RATIO 8.0
#endif

/* A growable string for building documents. */
typedef struct sbuf
{
	char	   *s;
	size_t		len;
	size_t		cap;
} sbuf;

/* Append printf output to b. */
static void
sb_printf(sbuf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t) n + 1 > b->cap)
	{
		b->cap = (b->len + (size_t) n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (b->s == NULL)
			abort();
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t) n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t) n;
}

/* Append s n times. */
static void
sb_repeat(sbuf *b, const char *s, long n)
{
	for (long i = 0; i < n; i++)
		sb_printf(b, "%s", s);
}

/* The XHTML document head up to <body>, with an optional DOCTYPE. */
static void
sb_head(sbuf *b, const char *doctype)
{
	sb_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n%s"
			  "<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>T</title></head><body>",
			  doctype ? doctype : "");
}

/* Write the hostile shape `shape` at size n into b (a whole XHTML document). */
static void
build_shape(sbuf *b, const char *shape, long n)
{
	if (strcmp(shape, "attributes") == 0)
	{
		sb_head(b, NULL);
		sb_printf(b, "<p");
		for (long i = 0; i < n; i++)
			sb_printf(b, " a%ld=\"x\"", i);
		sb_printf(b, ">Text</p>");
	}
	else if (strcmp(shape, "attributes_html") == 0)
	{
		/* no values: not XML, so the HTML parser reads it too */
		sb_head(b, NULL);
		sb_printf(b, "<p");
		for (long i = 0; i < n; i++)
			sb_printf(b, " a%ld", i);
		sb_printf(b, ">Text</p>");
	}
	else if (strcmp(shape, "namespaces") == 0)
	{
		sb_head(b, NULL);
		sb_printf(b, "<p");
		for (long i = 0; i < n; i++)
			sb_printf(b, " xmlns:p%ld=\"urn:x:%ld\"", i, i);
		sb_printf(b, ">Text</p>");
	}
	else if (strcmp(shape, "namespaces_nested") == 0)
	{
		/* 200 levels of n/200 declarations each, then n prefixed elements */
		sb_head(b, NULL);
		for (int l = 0; l < 200; l++)
		{
			sb_printf(b, "<div");
			for (long i = 0; i < n / 200; i++)
				sb_printf(b, " xmlns:q%d_%ld=\"urn:x:%ld\"", l, i, i);
			sb_printf(b, ">");
		}
		sb_repeat(b, "<z:a/><b/>", n);
		sb_repeat(b, "</div>", 200);
	}
	else if (strcmp(shape, "attlist") == 0)
	{
		/* n/10 attribute defaults for p, then n/10 p elements */
		sbuf		dt = {0};

		sb_printf(&dt, "<!DOCTYPE html [<!ATTLIST p");
		for (long i = 0; i < n / 10; i++)
			sb_printf(&dt, " a%ld CDATA \"x\"", i);
		sb_printf(&dt, ">]>");
		sb_head(b, dt.s);
		sb_repeat(b, "<p/>", n / 10);
		free(dt.s);
	}
	else if (strcmp(shape, "deep") == 0)
	{
		sb_head(b, NULL);
		sb_repeat(b, "<div>", n);
		sb_printf(b, "x");
		sb_repeat(b, "</div>", n);
	}
	else if (strcmp(shape, "deep_unmatched") == 0)
	{
		sb_head(b, NULL);
		sb_repeat(b, "<div><span>", n);
		sb_repeat(b, "</x>", n);
	}
	else if (strcmp(shape, "char_refs") == 0)
	{
		sb_head(b, NULL);
		sb_printf(b, "<p>");
		sb_repeat(b, "&#65;&#x416;", n);
		sb_printf(b, "</p>");
	}
	else if (strcmp(shape, "entities") == 0)
	{
		sb_head(b, NULL);
		sb_printf(b, "<p>");
		sb_repeat(b, "&nbsp;&eacute;&amp;&unknown;", n);
		sb_printf(b, "</p>");
	}
	else if (strcmp(shape, "long_value") == 0)
	{
		sb_head(b, NULL);
		sb_printf(b, "<p title=\"");
		sb_repeat(b, "abcdefgh&amp;", n);
		sb_printf(b, "\">x</p>");
	}
	else if (strcmp(shape, "siblings") == 0)
	{
		sb_head(b, NULL);
		sb_repeat(b, "<p id=\"a\">x</p><br/>", n);
	}
	else if (strcmp(shape, "mixed") == 0)
	{
		sb_head(b, NULL);
		sb_printf(b, "<p>");
		sb_repeat(b, "a<em>b</em><!--c-->", n);
		sb_printf(b, "</p>");
	}
	sb_printf(b, "</body></html>");
}

/* An EPUB whose only chapter is doc. */
static void
build_epub(zg *z, const char *doc, size_t len)
{
	const char *container =
	"<?xml version=\"1.0\"?><container version=\"1.0\" "
	"xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles>"
	"<rootfile full-path=\"content.opf\" media-type=\"application/oebps-package+xml\"/>"
	"</rootfiles></container>";
	const char *opf =
	"<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
	"<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Shape</dc:title>"
	"</metadata><manifest><item id=\"c\" href=\"c.xhtml\" media-type=\"application/xhtml+xml\"/>"
	"</manifest><spine><itemref idref=\"c\"/></spine></package>";

	zg_init(z);
	zg_add_str(z, "mimetype", "application/epub+zip", 0);
	zg_add_str(z, "META-INF/container.xml", container, 0);
	zg_add_str(z, "content.opf", opf, 0);
	zg_add(z, "c.xhtml", doc, len, 0, 0, false, false);
	zg_finish(z, false);
}

/*
 * User CPU seconds of this process: what the parse costs, whatever else the
 * (shared, loaded) machine runs meanwhile, and without the kernel's time
 * for fresh pages, which grows unevenly with the heap.
 */
static double
now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6;
}

/* Best of three: seconds to parse shape at size n; *bytes gets its size. */
static double
time_shape(const char *shape, long n, size_t *bytes)
{
	sbuf		b = {0};
	zg			z;
	double		best = 1e9;

	build_shape(&b, shape, n);
	build_epub(&z, b.s, b.len);
	*bytes = b.len;
	for (int run = 0; run < 3; run++)
	{
		bp_options	opts;
		bp_error	err;
		bp_book    *book;
		double		t0,
					t;

		bp_options_init(&opts);
		t0 = now();
		book = bp_parse(z.buf, z.len, "shape.epub", &opts, &err);
		t = now() - t0;
		CHECK_MSG(book != NULL || err.code == BP_ERR_NO_TEXT, "%s at %ld: %s: %s",
				  shape, n, bp_code_name(err.code), err.message);
		bp_book_free(book);
		if (t < best)
			best = t;
		if (t > 5.0)
			break;				/* clearly superlinear: no need for more runs */
	}
	zg_free(&z);
	free(b.s);
	return best;
}

/* Each shape's time at 4N over its time at N stays below MAX_RATIO. */
static void
test_growth(void)
{
	static const struct
	{
		const char *shape;
		long		n;
	}			shapes[] = {
		{"attributes", 10000},
		{"attributes_html", 10000},
		{"namespaces", 10000},
		{"namespaces_nested", 20000},
		{"attlist", 20000},
		{"deep", 20000},
		{"deep_unmatched", 20000},
		{"char_refs", 40000},
		{"entities", 20000},
		{"long_value", 60000},
		{"siblings", 20000},
		{"mixed", 20000},
	};

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
	{
		size_t		b1,
					b4;
		double		t1 = time_shape(shapes[i].shape, shapes[i].n, &b1);
		double		t4 = time_shape(shapes[i].shape, 4 * shapes[i].n, &b4);
		double		ratio = t4 / (t1 > FLOOR_SECONDS ? t1 : FLOOR_SECONDS);

		printf("  %-18s N %8zu bytes %7.3f s   4N %8zu bytes %7.3f s   ratio %5.1f\n",
			   shapes[i].shape, b1, t1, b4, t4, ratio);
		CHECK_MSG(ratio < MAX_RATIO, "%s: time(4N)/time(N) = %.1f (%.3f s / %.3f s)",
				  shapes[i].shape, ratio, t4, t1);
	}
}

/* What the progress hook saw. */
typedef struct tick_log
{
	int			calls;
	int			stop_after;		/* say stop on this call (0: never) */
	double		last;
	double		max_gap;
} tick_log;

/* Progress hook: count calls and the longest gap; stop when told. */
static bool
tick(void *arg, bp_phase phase, size_t done, size_t total, size_t memory)
{
	tick_log   *log = arg;
	double		t = now();

	if (log->calls > 0 && t - log->last > log->max_gap)
		log->max_gap = t - log->last;
	log->last = t;
	log->calls++;
	return log->stop_after == 0 || log->calls < log->stop_after;
}

/* Parse doc with bp_xml_parse under a progress hook; returns the elapsed time. */
static double
parse_with_ticks(const char *doc, size_t len, int flags, tick_log *log,
				 bp_code *code)
{
	bp_options	opts;
	bp_ctx	   *ctx;
	xmlDocPtr	xdoc;
	double		t0;

	bp_options_init(&opts);
	opts.progress = tick;
	opts.progress_arg = log;
	ctx = bp_ctx_create(&opts, "ticks", len);
	log->last = t0 = now();
	xdoc = bp_xml_parse(ctx, doc, len, "big.xhtml", flags);
	t0 = now() - t0;
	*code = ctx->err.code;
	bp_xml_free(xdoc);
	bp_ctx_destroy(ctx);
	return t0;
}

/* A long XML parse reports progress often, and a stop ends it at once. */
static void
test_progress(void)
{
	static const char *shapes[] = {"siblings", "mixed", "attributes", "char_refs"};
	int			flags = BP_XML_HTML_ENTITIES | BP_XML_HTML_FALLBACK;

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
	{
		sbuf		b = {0};
		tick_log	log = {0};
		bp_code		code;
		double		t,
					mb;

		/* 3-5MB of one document */
		build_shape(&b, shapes[i], strcmp(shapes[i], "attributes") == 0 ? 400000 :
					strcmp(shapes[i], "siblings") == 0 ? 200000 : 250000);
		mb = (double) b.len / (1024.0 * 1024.0);
		t = parse_with_ticks(b.s, b.len, flags, &log, &code);
		printf("  progress %-12s %5.1f MB in %.3f s: %d calls (%.1f per MB), longest gap %.4f s (user CPU)\n",
			   shapes[i], mb, t, log.calls, log.calls / mb, log.max_gap);
		CHECK_MSG(code == BP_OK, "%s: %s", shapes[i], bp_code_name(code));
		CHECK_MSG(log.calls >= 4 * mb, "%s: %d progress calls for %.1f MB",
				  shapes[i], log.calls, mb);
		CHECK_MSG(log.max_gap < 0.5, "%s: %.3f s without progress", shapes[i],
				  log.max_gap);

		/* a stop on the third call ends the parse there */
		memset(&log, 0, sizeof(log));
		log.stop_after = 3;
		parse_with_ticks(b.s, b.len, flags, &log, &code);
		CHECK_MSG(code == BP_ERR_CANCELED, "%s: stop gave %s", shapes[i],
				  bp_code_name(code));
		CHECK_MSG(log.calls == 3, "%s: %d calls after the stop", shapes[i], log.calls);
		free(b.s);
	}
}

/* Parse doc alone; returns its collapsed text (malloc'd) and the warnings seen. */
static char *
parse_doc(const char *doc, int flags, char *warnings, size_t wsize)
{
	bp_options	opts;
	bp_ctx	   *ctx;
	xmlDocPtr	xdoc;
	char	   *text = NULL;

	bp_options_init(&opts);
	ctx = bp_ctx_create(&opts, "caps", strlen(doc));
	xdoc = bp_xml_parse(ctx, doc, strlen(doc), "caps.xhtml", flags);
	if (xdoc != NULL)
	{
		char	   *t = bp_xml_text(ctx, xmlDocGetRootElement(xdoc));

		text = t ? strdup(t) : NULL;
	}
	warnings[0] = '\0';
	for (int i = 0; i < ctx->book->nwarnings; i++)
		snprintf(warnings + strlen(warnings), wsize - strlen(warnings), "%s: %s\n",
				 ctx->book->warnings[i].code, ctx->book->warnings[i].message);
	bp_xml_free(xdoc);
	bp_ctx_destroy(ctx);
	return text;
}

/* The caps drop what is past them, warn, and keep the document's text. */
static void
test_caps(void)
{
	sbuf		b = {0};
	char		w[4096];
	char	   *text;

	/* 300 attributes: the first 256 are kept */
	sb_printf(&b, "<r><p");
	for (int i = 0; i < 300; i++)
		sb_printf(&b, " a%d=\"v&amp;%d\"", i, i);
	sb_printf(&b, " id=\"last\">Kept text</p><q a=\"1\" b=\"2\"/>After</r>");
	text = parse_doc(b.s, 0, w, sizeof(w));
	CHECK_MSG(text != NULL && strcmp(text, "Kept textAfter") == 0, "%s", text);
	CHECK_MSG(strstr(w, "xml_attributes_dropped: caps.xhtml: 45 attributes past the cap "
					 "of 256 per element dropped") != NULL, "%s", w);
	CHECK_MSG(strstr(w, "xml_recovered") == NULL, "%s", w);
	free(text);

	/* self-closing tags keep their slash after dropped attributes */
	b.len = 0;
	sb_printf(&b, "<r><img");
	for (int i = 0; i < 260; i++)
		sb_printf(&b, " a%d='x'", i);
	sb_printf(&b, "/><p>Two</p></r>");
	text = parse_doc(b.s, 0, w, sizeof(w));
	CHECK_MSG(text != NULL && strcmp(text, "Two") == 0, "%s", text);
	CHECK_MSG(strstr(w, "xml_recovered") == NULL, "%s", w);
	free(text);

	/* namespaces: 300 declarations in scope, 256 kept; end tags give them back */
	b.len = 0;
	sb_printf(&b, "<r>");
	for (int k = 0; k < 3; k++)
	{
		sb_printf(&b, "<div");
		for (int i = 0; i < 100; i++)
			sb_printf(&b, " xmlns:n%d_%d=\"urn:%d\"", k, i, i);
		sb_printf(&b, ">");
	}
	sb_printf(&b, "<n0_1:p>Deep</n0_1:p></div></div></div>");
	sb_printf(&b, "<div");
	for (int i = 0; i < 200; i++)
		sb_printf(&b, " xmlns:m%d=\"urn:%d\"", i, i);
	sb_printf(&b, "><m199:p>Again</m199:p></div></r>");
	text = parse_doc(b.s, 0, w, sizeof(w));
	CHECK_MSG(text != NULL && strcmp(text, "DeepAgain") == 0, "%s", text);
	CHECK_MSG(strstr(w, "xml_namespaces_dropped: caps.xhtml: 44 namespace declarations") != NULL,
			  "%s", w);
	free(text);

	/* the internal subset's ATTLIST goes, its entities stay */
	text = parse_doc("<!DOCTYPE r [<!ATTLIST p a CDATA \"x>y\" b CDATA 'z'>"
					 "<!ENTITY e \"Entity\">]><r><p>&e; text</p></r>", 0, w, sizeof(w));
	CHECK_MSG(text != NULL && strstr(text, "text") != NULL, "%s", text);
	CHECK_MSG(strstr(w, "xml_attlist_dropped: caps.xhtml: 1 attribute-list") != NULL,
			  "%s", w);
	free(text);
	free(b.s);
}

int
main(int argc, char **argv)
{
	test_caps();
	test_progress();
	test_growth();
	return bp_test_summary("test_xml_bounds");
}
