/*
 * test_writer.c
 *	  Tests of the chapter writer and the bounded allocator.
 */
#include "bp_internal.h"
#include "bp_test.h"

/* A fresh context with default options. */
static bp_ctx *
new_ctx(void)
{
	bp_options	o;

	bp_options_init(&o);
	return bp_ctx_create(&o, "test", 0);
}

/* Paragraphs, whitespace, soft hyphens, headings, inline markup. */
static void
test_paragraphs(void)
{
	bp_ctx	   *ctx = new_ctx();
	bp_book    *b = ctx->book;
	const char *t1 = "  Hello,\n\t   wor\xC2\xAD" "ld  ";

	CHECK(bp_w_chapter(ctx, "One", 1, "a.xhtml", false));
	CHECK(bp_w_open(ctx, BP_TAG_H1, NULL, "c1"));
	CHECK(bp_w_text(ctx, "Chapter  One", 12));
	CHECK(bp_w_close(ctx, BP_TAG_H1));
	CHECK(bp_w_open(ctx, BP_TAG_P, NULL, NULL));
	CHECK(bp_w_text(ctx, t1, strlen(t1)));
	CHECK(bp_w_open(ctx, BP_TAG_EM, NULL, NULL));
	CHECK(bp_w_text(ctx, "again", 5));
	CHECK(bp_w_close(ctx, BP_TAG_EM));
	CHECK(bp_w_text(ctx, " <&>", 4));
	CHECK(bp_w_close(ctx, BP_TAG_P));
	CHECK(bp_w_text(ctx, "loose", 5));
	CHECK(bp_w_boundary(ctx));
	CHECK(bp_w_text(ctx, "line1", 5));
	CHECK(bp_w_br(ctx));
	CHECK(bp_w_text(ctx, " line2", 6));
	CHECK(bp_w_finish(ctx));
	CHECK(b->nchapters == 1);
	CHECK_MSG(strcmp(b->chapters[0].text,
					 "Chapter One\n\nHello, world again <&>\n\nloose\n\nline1\nline2") == 0,
			  "text: [%s]", b->chapters[0].text);
	CHECK_MSG(strcmp(b->chapters[0].html,
					 "<h1 id=\"c1\">Chapter One</h1><p>Hello, world<em> again</em> &lt;&amp;&gt;</p>"
					 "<p>loose</p><p>line1<br/>line2</p>") == 0,
			  "html: [%s]", b->chapters[0].html);
	CHECK(b->chapters[0].counts.paragraphs == 4);
	bp_ctx_destroy(ctx);
}

/* A chapter split inside a blockquote reopens it; content before any chapter leads. */
static void
test_split(void)
{
	bp_ctx	   *ctx = new_ctx();
	bp_book    *b = ctx->book;

	CHECK(bp_w_text(ctx, "front matter", 12));
	CHECK(bp_w_chapter(ctx, "A", 1, "x#a", false));
	CHECK(bp_w_open(ctx, BP_TAG_BLOCKQUOTE, NULL, NULL));
	CHECK(bp_w_open(ctx, BP_TAG_P, NULL, NULL));
	CHECK(bp_w_text(ctx, "first", 5));
	CHECK(bp_w_close(ctx, BP_TAG_P));
	CHECK(bp_w_chapter(ctx, "B", 2, "x#b", false));
	CHECK(bp_w_open(ctx, BP_TAG_P, NULL, NULL));
	CHECK(bp_w_text(ctx, "second", 6));
	CHECK(bp_w_finish(ctx));
	CHECK(b->nchapters == 3);
	if (b->nchapters == 3)
	{
		CHECK(b->chapters[0].title == NULL);
		CHECK(strcmp(b->chapters[0].text, "front matter") == 0);
		CHECK(strcmp(b->chapters[1].html, "<blockquote><p>first</p></blockquote>") == 0);
		CHECK_MSG(strcmp(b->chapters[2].html, "<blockquote><p>second</p></blockquote>") == 0,
				  "html: [%s]", b->chapters[2].html);
		CHECK(b->chapters[2].depth == 2);
		CHECK(b->chapters[2].number == 3);
	}
	bp_ctx_destroy(ctx);
}

/* Unsafe links lose their href; invalid UTF-8 becomes U+FFFD; NUL dropped. */
static void
test_sanitize(void)
{
	bp_ctx	   *ctx = new_ctx();
	bp_book    *b = ctx->book;

	CHECK(bp_w_chapter(ctx, "S", 1, NULL, false));
	CHECK(bp_w_open(ctx, BP_TAG_A, "javascript:alert(1)", "x\"onload"));
	CHECK(bp_w_text(ctx, "bad\xFF\0z", 6));
	CHECK(bp_w_close(ctx, BP_TAG_A));
	CHECK(bp_w_open(ctx, BP_TAG_A, "https://example.org/?a=1&b=2", NULL));
	CHECK(bp_w_text(ctx, "ok", 2));
	CHECK(bp_w_close(ctx, BP_TAG_A));
	CHECK(bp_w_open(ctx, BP_TAG_A, "ch2.xhtml#n1", NULL));
	CHECK(bp_w_close(ctx, BP_TAG_A));
	CHECK(bp_w_img(ctx, "img/a\".png", NULL));
	CHECK(bp_w_finish(ctx));
	CHECK_MSG(strcmp(b->chapters[0].html,
					 "<a>bad\xEF\xBF\xBDz</a><a href=\"https://example.org/?a=1&amp;b=2\">ok</a>"
					 "<a href=\"ch2.xhtml#n1\"></a><img src=\"img/a&quot;.png\"/>") == 0,
			  "html: [%s]", b->chapters[0].html);
	CHECK(bp_utf8_valid(b->chapters[0].text, b->chapters[0].text_len));
	bp_ctx_destroy(ctx);
}

/* Tables: a row is a paragraph, cells separated by tabs. */
static void
test_table(void)
{
	bp_ctx	   *ctx = new_ctx();
	bp_book    *b = ctx->book;

	CHECK(bp_w_chapter(ctx, "T", 1, NULL, false));
	CHECK(bp_w_open(ctx, BP_TAG_TABLE, NULL, NULL));
	CHECK(bp_w_open(ctx, BP_TAG_TR, NULL, NULL));
	CHECK(bp_w_open(ctx, BP_TAG_TD, NULL, NULL));
	CHECK(bp_w_text(ctx, "a", 1));
	CHECK(bp_w_close(ctx, BP_TAG_TD));
	CHECK(bp_w_open(ctx, BP_TAG_TD, NULL, NULL));
	CHECK(bp_w_text(ctx, "b", 1));
	CHECK(bp_w_close(ctx, BP_TAG_TD));
	CHECK(bp_w_close(ctx, BP_TAG_TR));
	CHECK(bp_w_open(ctx, BP_TAG_TR, NULL, NULL));
	CHECK(bp_w_open(ctx, BP_TAG_TD, NULL, NULL));
	CHECK(bp_w_text(ctx, "c", 1));
	CHECK(bp_w_finish(ctx));
	CHECK_MSG(strcmp(b->chapters[0].text, "a\tb\n\nc") == 0, "text: [%s]", b->chapters[0].text);
	CHECK(strcmp(b->chapters[0].html,
				 "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == 0);
	bp_ctx_destroy(ctx);
}

/* The allocator enforces the limit and names the setting and activity. */
static void
test_limit(void)
{
	bp_options	o;
	bp_ctx	   *ctx;
	void	   *p;

	bp_options_init(&o);
	o.max_memory = 1024 * 1024;
	o.memory_setting = "bookparse.work_mem";
	ctx = bp_ctx_create(&o, "t", 0);
	bp_set_activity(ctx, "inflating OEBPS/ch01.xhtml");
	p = bp_alloc(ctx, 512 * 1024);
	CHECK(p != NULL);
	CHECK(bp_alloc(ctx, 600 * 1024) == NULL);
	CHECK(ctx->err.code == BP_ERR_LIMIT);
	CHECK_MSG(strcmp(ctx->err.message,
					 "book needs more than bookparse.work_mem (1MB) while inflating "
					 "OEBPS/ch01.xhtml; raise bookparse.work_mem to parse it") == 0,
			  "msg: %s", ctx->err.message);
	bp_free(ctx, p);
	CHECK(ctx->mem_peak >= 512 * 1024);
	bp_ctx_destroy(ctx);
}

/* Runs the writer tests. */
int
main(void)
{
	test_paragraphs();
	test_split();
	test_sanitize();
	test_table();
	test_limit();
	return bp_test_summary("test_writer");
}
