/*
 * test_zip.c
 *	  Tests of the zip reader (src/core/bp_zip.c) on archives built in
 *	  memory with zipgen.h, and on the corpus when it is present.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bp_internal.h"
#include "bp_test.h"
#include "zipgen.h"

/* A context with default options, or with a tweak applied. */
static bp_ctx *
new_ctx(const bp_options *opts)
{
	bp_options	o;

	if (opts == NULL)
	{
		bp_options_init(&o);
		opts = &o;
	}
	return bp_ctx_create(opts, "test.zip", 0);
}

/* Number of warnings with this code. */
static int
nwarn(bp_ctx *ctx, const char *code)
{
	int			n = 0;

	for (int i = 0; i < ctx->book->nwarnings; i++)
		if (strcmp(ctx->book->warnings[i].code, code) == 0)
			n++;
	return n;
}

/* Read an entry by name and compare it with the expected bytes. */
static bool
read_is(bp_zip *zip, const char *name, const void *want, size_t wantlen)
{
	const bp_zip_entry *e = bp_zip_find(zip, name);
	unsigned char *out;
	size_t		n;
	bool		ok;

	if (e == NULL || !bp_zip_read(zip, e, &out, &n))
		return false;
	ok = n == wantlen && memcmp(out, want, n) == 0 && out[n] == '\0';
	bp_free(zip->ctx, out);
	return ok;
}

/* Some compressible text of n bytes. */
static char *
make_text(size_t n, unsigned seed)
{
	char	   *s = malloc(n + 1);
	static const char *words[] = {"lorem ", "ipsum ", "dolor ", "sit ", "amet, ",
	"consectetur ", "adipiscing ", "elit. ", "\n"};

	for (size_t i = 0; i < n;)
	{
		const char *w = words[(seed = seed * 1103515245u + 12345u) >> 16 & 7];

		for (; *w && i < n; w++)
			s[i++] = *w;
	}
	s[n] = '\0';
	return s;
}

/* Stored and deflate entries, lookups, memory released. */
static void
test_basic(void)
{
	zg			z;
	bp_ctx	   *ctx = new_ctx(NULL);
	bp_zip		zip;
	char	   *big = make_text(300000, 1);
	size_t		base = ctx->mem_used;

	zg_init(&z);
	zg_add_str(&z, "mimetype", "application/epub+zip", 0);
	zg_add_str(&z, "META-INF/container.xml", "<container/>", 8);
	zg_add(&z, "OEBPS/Text/ch01.xhtml", big, 300000, 8, 0, false, false);
	zg_add(&z, "OEBPS/empty.txt", "", 0, 8, 0, false, false);
	zg_add(&z, "OEBPS/empty-stored.txt", "", 0, 0, 0, false, false);
	zg_finish(&z, false);

	CHECK(bp_zip_is_zip(z.buf, z.len));
	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(zip.nentries == 5);
	CHECK(!zip.recovered);
	CHECK(strcmp(zip.entries[2].name, "OEBPS/Text/ch01.xhtml") == 0);
	CHECK(zip.entries[2].method == 8 && zip.entries[2].uncomp_size == 300000);
	CHECK(read_is(&zip, "mimetype", "application/epub+zip", 20));
	CHECK(read_is(&zip, "META-INF/container.xml", "<container/>", 12));
	CHECK(read_is(&zip, "OEBPS/Text/ch01.xhtml", big, 300000));
	CHECK(read_is(&zip, "OEBPS/empty.txt", "", 0));
	CHECK(read_is(&zip, "OEBPS/empty-stored.txt", "", 0));
	/* case-insensitive fallback */
	CHECK(bp_zip_find(&zip, "meta-inf/CONTAINER.XML") == &zip.entries[1]);
	CHECK(bp_zip_find(&zip, "nothing") == NULL);
	CHECK(bp_zip_find(&zip, "") == NULL);
	CHECK(ctx->book->nwarnings == 0);
	CHECK(!bp_failed(ctx));
	CHECK(ctx->total_inflated == 20 + 12 + 300000);
	bp_zip_close(&zip);
	CHECK_MSG(ctx->mem_used == base, "leaked %zu bytes", ctx->mem_used - base);
	bp_ctx_destroy(ctx);
	zg_free(&z);
	free(big);
}

/* Data descriptors, ZIP64 records, prepended bytes, an empty archive. */
static void
test_formats(void)
{
	zg			z;
	bp_ctx	   *ctx = new_ctx(NULL);
	bp_zip		zip;
	char	   *t = make_text(70000, 2);
	unsigned char *pre;

	zg_init(&z);
	zg_add(&z, "desc-deflate.txt", t, 70000, 8, 0, true, false);
	zg_add(&z, "desc-stored.txt", t, 5000, 0, 0, true, false);
	zg_add(&z, "zip64.txt", t, 1234, 8, 0, false, true);
	zg_add(&z, "zip64-desc.txt", t, 4321, 8, 0, true, true);
	zg_finish(&z, true);

	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(zip.nentries == 4 && !zip.recovered);
	CHECK(read_is(&zip, "desc-deflate.txt", t, 70000));
	CHECK(read_is(&zip, "desc-stored.txt", t, 5000));
	CHECK(read_is(&zip, "zip64.txt", t, 1234));
	CHECK(read_is(&zip, "zip64-desc.txt", t, 4321));
	CHECK(zip.nentries == 4 && zip.entries[2].uncomp_size == 1234);
	CHECK_MSG(ctx->book->nwarnings == 0, "%s", ctx->book->nwarnings ? ctx->book->warnings[0].message : "");
	bp_zip_close(&zip);

	/* 1000 bytes prepended (a self-extractor): offsets are shifted */
	pre = malloc(z.len + 1000);
	memset(pre, 'x', 1000);
	memcpy(pre + 1000, z.buf, z.len);
	CHECK(bp_zip_open(ctx, pre, z.len + 1000, &zip));
	CHECK(zip.nentries == 4 && !zip.recovered);
	CHECK(read_is(&zip, "zip64.txt", t, 1234));
	CHECK(read_is(&zip, "desc-deflate.txt", t, 70000));
	bp_zip_close(&zip);
	free(pre);
	CHECK(!bp_failed(ctx));
	bp_ctx_destroy(ctx);
	zg_free(&z);

	/* the same without ZIP64 end records, prepended bytes too */
	zg_init(&z);
	zg_add(&z, "a.txt", t, 100, 8, 0, false, false);
	zg_finish(&z, false);
	ctx = new_ctx(NULL);
	pre = malloc(z.len + 77);
	memset(pre, 0, 77);
	memcpy(pre + 77, z.buf, z.len);
	CHECK(bp_zip_is_zip(pre, z.len + 77));
	CHECK(bp_zip_open(ctx, pre, z.len + 77, &zip));
	CHECK(zip.nentries == 1 && read_is(&zip, "a.txt", t, 100));
	bp_zip_close(&zip);
	free(pre);
	bp_ctx_destroy(ctx);
	zg_free(&z);

	/* an empty archive: only an end record */
	zg_init(&z);
	zg_finish(&z, false);
	ctx = new_ctx(NULL);
	CHECK(z.len == 22 && bp_zip_is_zip(z.buf, z.len));
	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(zip.nentries == 0 && bp_zip_find(&zip, "x") == NULL);
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);
	zg_free(&z);
	free(t);
}

/* CP437 names, duplicate names. */
static void
test_names(void)
{
	zg			z;
	bp_ctx	   *ctx = new_ctx(NULL);
	bp_zip		zip;

	zg_init(&z);
	zg_add_raw(&z, "caf\x82.xhtml", 10, 0, 0, "one", 3, 3,
			   (uint32_t) crc32(0, (const Bytef *) "one", 3), false, false);
	zg_add_raw(&z, "\x8e\x99\x9a.txt", 7, 0, 0, "two", 3, 3,
			   (uint32_t) crc32(0, (const Bytef *) "two", 3), false, false);
	zg_add_raw(&z, "na\xc3\xafve.txt", 10, 0, 0x0800, "utf", 3, 3,
			   (uint32_t) crc32(0, (const Bytef *) "utf", 3), false, false);
	zg_add_str(&z, "OPS/dup.xhtml", "first", 8);
	zg_add_str(&z, "OPS/other.xhtml", "other", 8);
	zg_add_str(&z, "OPS/dup.xhtml", "second", 8);
	zg_add_str(&z, "OPS/dup.xhtml", "third", 0);
	zg_finish(&z, false);

	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(zip.nentries == 7);
	CHECK(strcmp(zip.entries[0].name, "caf\xc3\xa9.xhtml") == 0);
	CHECK(strcmp(zip.entries[1].name, "\xc3\x84\xc3\x96\xc3\x9c.txt") == 0);
	CHECK(strcmp(zip.entries[2].name, "na\xc3\xafve.txt") == 0);
	CHECK(read_is(&zip, "caf\xc3\xa9.xhtml", "one", 3));
	CHECK(nwarn(ctx, "zip_name_not_utf8") == 1);
	CHECK(bp_zip_find(&zip, "OPS/dup.xhtml") == &zip.entries[3]);
	CHECK(read_is(&zip, "OPS/dup.xhtml", "first", 5));
	CHECK(nwarn(ctx, "zip_duplicate_entry") == 1);
	CHECK(!bp_failed(ctx));
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);
	zg_free(&z);
}

/* A zip whose central directory is cut off, or missing entirely. */
static void
test_recovery(void)
{
	zg			z;
	char	   *t = make_text(50000, 3);
	size_t		data_end;
	size_t		cuts[3];

	zg_init(&z);
	zg_add_str(&z, "mimetype", "application/epub+zip", 0);
	zg_add(&z, "a.xhtml", t, 50000, 8, 0, false, false);
	zg_add(&z, "b-desc.xhtml", t, 20000, 8, 0, true, false);
	zg_add(&z, "c-desc-stored.xhtml", t, 3000, 0, 0, true, false);
	zg_add(&z, "d.xhtml", t, 1000, 8, 0, false, false);
	data_end = z.len;
	zg_finish(&z, false);

	cuts[0] = z.len - 10;		/* inside the end record */
	cuts[1] = data_end + 60;	/* inside the central directory */
	cuts[2] = data_end;			/* no central directory at all */
	for (int i = 0; i < 3; i++)
	{
		bp_ctx	   *ctx = new_ctx(NULL);
		bp_zip		zip;

		CHECK(bp_zip_open(ctx, z.buf, cuts[i], &zip));
		CHECK(zip.recovered);
		CHECK(zip.nentries == 5);
		CHECK(nwarn(ctx, "zip_recovered") == 1);
		CHECK(read_is(&zip, "mimetype", "application/epub+zip", 20));
		CHECK(read_is(&zip, "a.xhtml", t, 50000));
		CHECK(read_is(&zip, "b-desc.xhtml", t, 20000));
		CHECK(read_is(&zip, "c-desc-stored.xhtml", t, 3000));
		CHECK(read_is(&zip, "d.xhtml", t, 1000));
		CHECK_MSG(ctx->book->nwarnings == 1, "cut %d: %d warnings, last %s", i,
				  ctx->book->nwarnings,
				  ctx->book->warnings[ctx->book->nwarnings - 1].message);
		bp_zip_close(&zip);
		bp_ctx_destroy(ctx);
	}

	/* cut inside the last entry's data: its header is whole, data is not */
	{
		bp_ctx	   *ctx = new_ctx(NULL);
		bp_zip		zip;
		const bp_zip_entry *e;
		unsigned char *out;
		size_t		n;

		CHECK(bp_zip_open(ctx, z.buf, data_end - 100, &zip));
		CHECK(zip.recovered && zip.nentries == 5);
		CHECK(read_is(&zip, "a.xhtml", t, 50000));
		e = bp_zip_find(&zip, "d.xhtml");
		CHECK(e != NULL && !bp_zip_read(&zip, e, &out, &n));
		CHECK(!bp_failed(ctx) && nwarn(ctx, "zip_entry_corrupt") == 1);
		bp_zip_close(&zip);
		bp_ctx_destroy(ctx);
	}

	/* nothing readable at all */
	{
		const char *junk[] = {"just some text, not a zip", "PK\003\004short",
		"PK\005\006 an end record signature and junk after it"};

		for (int i = 0; i < 3; i++)
		{
			bp_ctx	   *ctx = new_ctx(NULL);
			bp_zip		zip;

			CHECK(!bp_zip_open(ctx, (const unsigned char *) junk[i], strlen(junk[i]), &zip));
			CHECK(ctx->err.code == BP_ERR_CORRUPT);
			CHECK(strstr(ctx->err.message, "zip") != NULL);
			CHECK(zip.nentries == 0 && zip.entries == NULL);
			bp_ctx_destroy(ctx);
		}
	}
	zg_free(&z);
	free(t);
}

/* Recovery stays linear on hostile input: headers whose sizes are unknown. */
static void
test_recovery_budget(void)
{
	size_t		n = 200000;
	size_t		len = n * 30;
	unsigned char *buf = calloc(1, len);
	bp_ctx	   *ctx = new_ctx(NULL);
	bp_zip		zip;
	clock_t		t0 = clock();
	double		secs;

	/* back-to-back local headers: stored, data descriptor, no name */
	for (size_t i = 0; i < n; i++)
	{
		unsigned char *h = buf + i * 30;

		memcpy(h, "PK\003\004", 4);
		h[6] = 0x08;
	}
	CHECK(!bp_zip_open(ctx, buf, len, &zip));
	CHECK(ctx->err.code == BP_ERR_CORRUPT);
	secs = (double) (clock() - t0) / CLOCKS_PER_SEC;
	CHECK_MSG(secs < 3.0, "recovery took %.1fs", secs);
	bp_ctx_destroy(ctx);
	free(buf);
}

/* CRC mismatch, lying sizes, local/central disagreement. */
static void
test_lies(void)
{
	zg			z;
	bp_ctx	   *ctx = new_ctx(NULL);
	bp_zip		zip;
	char	   *t = make_text(100000, 4);
	int			i_crc,
				i_big,
				i_small,
				i_stored;

	zg_init(&z);
	i_crc = zg_add(&z, "crc.txt", t, 5000, 8, 0, false, false);
	i_big = zg_add(&z, "claims-huge.txt", t, 100000, 8, 0, false, false);
	i_small = zg_add(&z, "claims-small.txt", t, 100000, 8, 0, false, false);
	i_stored = zg_add(&z, "stored-lie.txt", t, 500, 0, 0, false, false);
	z.rec[i_crc].crc ^= 0x1234;
	z.rec[i_big].usize = (uint64_t) 3 << 30;	/* 3GB claimed */
	z.rec[i_small].usize = 10;
	z.rec[i_stored].usize = 400;
	zg_finish(&z, false);

	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	/* local headers disagree with the central directory for 3 entries */
	CHECK(nwarn(ctx, "zip_size_mismatch") == 3);
	CHECK(read_is(&zip, "crc.txt", t, 5000));
	CHECK(nwarn(ctx, "zip_crc_mismatch") == 1);
	CHECK(read_is(&zip, "claims-huge.txt", t, 100000));
	CHECK(read_is(&zip, "claims-small.txt", t, 100000));
	CHECK(read_is(&zip, "stored-lie.txt", t, 500));
	CHECK(nwarn(ctx, "zip_size_mismatch") == 6);
	CHECK(nwarn(ctx, "zip_crc_mismatch") == 1);
	CHECK(!bp_failed(ctx));
	/* the 3GB claim never turned into an allocation */
	CHECK_MSG(ctx->mem_peak < 4 * 1024 * 1024, "peak %zu", ctx->mem_peak);
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);
	zg_free(&z);
	free(t);
}

/* Encrypted, unsupported and corrupt entries fail alone, not the ctx. */
static void
test_entry_defects(void)
{
	zg			z;
	bp_ctx	   *ctx = new_ctx(NULL);
	bp_zip		zip;
	char	   *t = make_text(10000, 5);
	unsigned char *out;
	size_t		n;
	size_t		clen;
	unsigned char *c = zg_deflate(t, 10000, &clen);
	int			i_cut;
	const char *names[] = {"enc.txt", "bzip2.txt", "garbage.txt", "cut.txt",
	"badoffset.txt"};

	zg_init(&z);
	zg_add(&z, "enc.txt", t, 100, 8, 0x0001, false, false);
	zg_add(&z, "bzip2.txt", "BZh91AY&SY", 10, 12, 0, false, false);
	zg_add_raw(&z, "garbage.txt", 11, 8, 0, "\xff\xff\xff\xff\xff\xff", 6, 100, 0,
			   false, false);
	i_cut = zg_add_raw(&z, "cut.txt", 7, 8, 0, c, clen / 2, 10000, 0, false, false);
	zg_add_str(&z, "badoffset.txt", "x", 0);
	zg_add_str(&z, "good.txt", "good", 8);
	z.rec[4].offset += 3;		/* no local header there */
	(void) i_cut;
	zg_finish(&z, false);

	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(zip.nentries == 6 && zip.entries[0].encrypted);
	for (int i = 0; i < 5; i++)
	{
		const bp_zip_entry *e = bp_zip_find(&zip, names[i]);

		out = (unsigned char *) "unchanged";
		CHECK_MSG(e != NULL && !bp_zip_read(&zip, e, &out, &n), "%s", names[i]);
		CHECK(out == NULL && n == 0);
		CHECK_MSG(!bp_failed(ctx), "%s: %s", names[i], ctx->err.message);
	}
	CHECK(nwarn(ctx, "zip_entry_encrypted") == 1);
	CHECK(nwarn(ctx, "zip_entry_unsupported_method") == 1);
	CHECK(nwarn(ctx, "zip_entry_corrupt") == 3);
	for (int i = 0; i < ctx->book->nwarnings; i++)
		if (strcmp(ctx->book->warnings[i].code, "zip_entry_unsupported_method") == 0)
			CHECK(strstr(ctx->book->warnings[i].message, "bzip2") != NULL);
	CHECK(read_is(&zip, "good.txt", "good", 4));
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);
	zg_free(&z);
	free(c);
	free(t);
}

/* Progress callback that counts calls and stops after `stop_after`. */
static int	progress_calls;
static int	progress_stop_after;
static size_t progress_max_memory;

static bool
count_progress(void *arg, bp_phase phase, size_t done, size_t total, size_t memory)
{
	progress_calls++;
	if (memory > progress_max_memory)
		progress_max_memory = memory;
	return progress_stop_after <= 0 || progress_calls < progress_stop_after;
}

/* A 2GB entry of zeros (2MB compressed): the limit, not the memory, stops it. */
static void
test_bomb(void)
{
	zg			z;
	bp_zip		zip;
	bp_options	o;
	bp_ctx	   *ctx;
	size_t		clen;
	unsigned char *c = zg_deflate_zeros((uint64_t) 64 << 20, &clen);
	unsigned char *out;
	size_t		n;

	/* the generator's stream really is that many zeros (64MB to be quick) */
	{
		z_stream	zs;
		unsigned char *buf = malloc(1 << 20);
		uint64_t	total = 0;
		int			rc;
		bool		zeros = true;

		memset(&zs, 0, sizeof(zs));
		inflateInit2(&zs, -MAX_WBITS);
		zs.next_in = c;
		zs.avail_in = (uInt) clen;
		do
		{
			zs.next_out = buf;
			zs.avail_out = 1 << 20;
			rc = inflate(&zs, Z_NO_FLUSH);
			total += (1 << 20) - zs.avail_out;
			if (buf[0] != 0 || buf[(1 << 20) - 1 - zs.avail_out] != 0)
				zeros = false;
		} while (rc == Z_OK);
		inflateEnd(&zs);
		CHECK(rc == Z_STREAM_END && total == ((uint64_t) 64 << 20) && zeros);
		free(buf);
		free(c);
	}
	c = zg_deflate_zeros((uint64_t) 2 << 30, &clen);
	CHECK_MSG(clen < 4 * 1024 * 1024, "bomb is %zu bytes", clen);

	zg_init(&z);
	zg_add_raw(&z, "OEBPS/ch01.xhtml", 16, 8, 0, c, clen, (uint64_t) 2 << 30, 0,
			   false, true);
	zg_finish(&z, true);

	/* max_entry_size 16MB */
	bp_options_init(&o);
	o.max_entry_size = 16 * 1024 * 1024;
	o.progress = count_progress;
	progress_calls = 0;
	progress_stop_after = 0;
	progress_max_memory = 0;
	ctx = new_ctx(&o);
	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(zip.nentries == 1 && zip.entries[0].uncomp_size == ((uint64_t) 2 << 30));
	CHECK(!bp_zip_read(&zip, &zip.entries[0], &out, &n));
	CHECK(ctx->err.code == BP_ERR_LIMIT);
	CHECK_MSG(strstr(ctx->err.message, "\"OEBPS/ch01.xhtml\" inflates to more than 16MB") != NULL,
			  "%s", ctx->err.message);
	CHECK(strstr(ctx->err.message, "zip bomb") != NULL);
	CHECK_MSG(ctx->mem_peak < 20 * 1024 * 1024, "peak %zu", ctx->mem_peak);
	CHECK(progress_calls >= 10);
	CHECK(progress_max_memory < 20 * 1024 * 1024);
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);

	/* the memory limit below the entry limit: the memory message names the entry */
	bp_options_init(&o);
	o.max_memory = 8 * 1024 * 1024;
	ctx = new_ctx(&o);
	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(!bp_zip_read(&zip, &zip.entries[0], &out, &n));
	CHECK(ctx->err.code == BP_ERR_LIMIT);
	CHECK_MSG(strstr(ctx->err.message, "inflating OEBPS/ch01.xhtml") != NULL, "%s",
			  ctx->err.message);
	CHECK(ctx->mem_peak <= 8 * 1024 * 1024);
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);

	/* canceled by the progress callback */
	bp_options_init(&o);
	o.progress = count_progress;
	progress_calls = 0;
	progress_stop_after = 5;
	ctx = new_ctx(&o);
	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(!bp_zip_read(&zip, &zip.entries[0], &out, &n));
	CHECK(ctx->err.code == BP_ERR_CANCELED);
	CHECK(progress_calls == 5);
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);
	zg_free(&z);

	/* the same bomb behind a data descriptor, found in recovery */
	zg_init(&z);
	zg_add_raw(&z, "bomb.xhtml", 10, 8, 0, c, clen, (uint64_t) 2 << 30, 0, true, false);
	bp_options_init(&o);
	o.max_entry_size = 4 * 1024 * 1024;
	ctx = new_ctx(&o);
	CHECK(!bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(ctx->err.code == BP_ERR_LIMIT);
	CHECK_MSG(strstr(ctx->err.message, "\"bomb.xhtml\" inflates to more than 4MB") != NULL,
			  "%s", ctx->err.message);
	CHECK(ctx->mem_peak < 1024 * 1024);
	bp_ctx_destroy(ctx);
	zg_free(&z);
	free(c);

	/* max_total_inflated over several reads */
	{
		char	   *t = make_text(1 << 20, 6);

		zg_init(&z);
		zg_add(&z, "1.txt", t, 1 << 20, 8, 0, false, false);
		zg_add(&z, "2.txt", t, 1 << 20, 8, 0, false, false);
		zg_add(&z, "3.txt", t, 1 << 20, 0, 0, false, false);
		zg_finish(&z, false);
		bp_options_init(&o);
		o.max_total_inflated = 2 * 1024 * 1024 + 1000;
		ctx = new_ctx(&o);
		CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
		CHECK(read_is(&zip, "1.txt", t, 1 << 20));
		CHECK(read_is(&zip, "2.txt", t, 1 << 20));
		CHECK(!read_is(&zip, "3.txt", t, 1 << 20));
		CHECK(ctx->err.code == BP_ERR_LIMIT);
		CHECK_MSG(strstr(ctx->err.message, "in all") != NULL, "%s", ctx->err.message);
		bp_zip_close(&zip);
		bp_ctx_destroy(ctx);

		/* one stored entry over max_entry_size */
		bp_options_init(&o);
		o.max_entry_size = 1000;
		ctx = new_ctx(&o);
		CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
		CHECK(!read_is(&zip, "3.txt", t, 1 << 20));
		CHECK(ctx->err.code == BP_ERR_LIMIT);
		CHECK(strstr(ctx->err.message, "\"3.txt\" inflates to more than") != NULL);
		bp_zip_close(&zip);
		bp_ctx_destroy(ctx);
		zg_free(&z);
		free(t);
	}
}

/* Entries whose data overlap (one stream reused), too many entries. */
static void
test_overlap_and_count(void)
{
	zg			z;
	bp_zip		zip;
	bp_ctx	   *ctx;
	bp_options	o;
	char	   *t = make_text(20000, 7);
	int			a;

	/*
	 * The zip-bomb layout: a's stored data is b's whole local entry, so
	 * both local headers are valid and b lies inside a.
	 */
	{
		zg			inner;

		zg_init(&inner);
		zg_add(&inner, "b.xhtml", t, 1000, 0, 0, false, false);
		zg_init(&z);
		a = zg_add_raw(&z, "a.xhtml", 7, 0, 0, inner.buf, inner.len, inner.len,
					   (uint32_t) crc32(0, inner.buf, (uInt) inner.len), false, false);
		zg_add_str(&z, "placeholder", "x", 0);
		z.rec[1] = inner.rec[0];
		z.rec[1].offset = z.rec[a].offset + 30 + 7;
		zg_finish(&z, false);
		zg_free(&inner);
	}
	ctx = new_ctx(NULL);
	CHECK(!bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(ctx->err.code == BP_ERR_CORRUPT);
	CHECK_MSG(strstr(ctx->err.message, "overlapping entries") != NULL, "%s", ctx->err.message);
	bp_ctx_destroy(ctx);
	zg_free(&z);

	/* a central record pointing into another entry's data, at no header */
	zg_init(&z);
	a = zg_add(&z, "a.xhtml", t, 20000, 8, 0, false, false);
	zg_add(&z, "b.xhtml", t, 20000, 8, 0, false, false);
	z.rec[1].offset = z.rec[a].offset + 40;
	zg_finish(&z, false);
	ctx = new_ctx(NULL);
	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(read_is(&zip, "a.xhtml", t, 20000));
	CHECK(!read_is(&zip, "b.xhtml", t, 20000));
	CHECK(!bp_failed(ctx) && nwarn(ctx, "zip_entry_corrupt") == 1);
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);
	zg_free(&z);

	/* a's data claims to run into b's local header */
	zg_init(&z);
	zg_add(&z, "a.xhtml", t, 20000, 8, 0, false, false);
	zg_add(&z, "b.xhtml", t, 20000, 8, 0, false, false);
	z.rec[0].csize += 100;
	zg_finish(&z, false);
	ctx = new_ctx(NULL);
	CHECK(!bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(ctx->err.code == BP_ERR_CORRUPT);
	bp_ctx_destroy(ctx);
	zg_free(&z);

	/* two central records for one local header: one stream, two names */
	zg_init(&z);
	zg_add(&z, "a.xhtml", t, 20000, 8, 0, false, false);
	zg_add(&z, "b.xhtml", t, 20000, 8, 0, false, false);
	z.rec[1] = z.rec[0];
	strcpy(z.rec[1].name, "alias.xhtml");
	z.rec[1].namelen = strlen("alias.xhtml");
	zg_finish(&z, false);
	ctx = new_ctx(NULL);
	CHECK(!bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(ctx->err.code == BP_ERR_CORRUPT);
	CHECK_MSG(strstr(ctx->err.message, "share one local header") != NULL, "%s",
			  ctx->err.message);
	bp_ctx_destroy(ctx);
	zg_free(&z);

	/* max_entries, in the central directory and in recovery */
	zg_init(&z);
	for (int i = 0; i < 20; i++)
	{
		char		name[32];

		snprintf(name, sizeof(name), "f%02d.txt", i);
		zg_add_str(&z, name, "x", 0);
	}
	zg_finish(&z, false);
	for (int pass = 0; pass < 2; pass++)
	{
		bp_options_init(&o);
		o.max_entries = 10;
		ctx = new_ctx(&o);
		CHECK(!bp_zip_open(ctx, z.buf, pass == 0 ? z.len : z.len - 30, &zip));
		CHECK(ctx->err.code == BP_ERR_LIMIT);
		CHECK_MSG(strstr(ctx->err.message, "more than 10 entries") != NULL, "%s",
				  ctx->err.message);
		bp_ctx_destroy(ctx);
	}
	bp_options_init(&o);
	o.max_entries = 20;
	ctx = new_ctx(&o);
	CHECK(bp_zip_open(ctx, z.buf, z.len, &zip));
	CHECK(zip.nentries == 20);
	CHECK(bp_zip_find(&zip, "f13.txt") == &zip.entries[13]);
	bp_zip_close(&zip);
	bp_ctx_destroy(ctx);
	zg_free(&z);
	free(t);
}

/* Every truncation and many byte flips of a small zip: no crash, no leak. */
static void
test_mangled(void)
{
	zg			z;
	char	   *t = make_text(3000, 8);
	unsigned char *copy;
	int			opened = 0;
	bool		clean = true;
	unsigned	seed = 42;

	zg_init(&z);
	zg_add_str(&z, "mimetype", "application/epub+zip", 0);
	zg_add(&z, "a.xhtml", t, 3000, 8, 0, false, false);
	zg_add(&z, "b.xhtml", t, 2000, 8, 0, true, false);
	zg_add(&z, "c.xhtml", t, 500, 0, 0, true, true);
	zg_finish(&z, true);
	copy = malloc(z.len);

	for (size_t cut = 0; cut <= z.len + 2000; cut++)
	{
		size_t		len = cut <= z.len ? cut : z.len;
		bp_ctx	   *ctx = new_ctx(NULL);
		bp_zip		zip;

		memcpy(copy, z.buf, z.len);
		if (cut > z.len)
		{
			/* flip one to three random bytes of the whole archive */
			for (int k = 0; k < 1 + (int) (cut % 3); k++)
			{
				seed = seed * 1103515245u + 12345u;
				copy[(seed >> 8) % z.len] ^= (unsigned char) (1 + (seed >> 24) % 255);
			}
		}
		if (bp_zip_open(ctx, copy, len, &zip))
		{
			size_t		base;

			opened++;
			for (int i = 0; i < zip.nentries && !bp_failed(ctx); i++)
			{
				unsigned char *out;
				size_t		n;

				if (bp_zip_read(&zip, &zip.entries[i], &out, &n))
					bp_free(ctx, out);
			}
			bp_zip_close(&zip);
			base = sizeof(bp_book);
			(void) base;
		}
		if (!bp_failed(ctx) && ctx->err.code != BP_OK)
			clean = false;
		bp_ctx_destroy(ctx);
	}
	CHECK(clean);
	CHECK(opened > 100);
	free(copy);
	zg_free(&z);
	free(t);
}

/* Open every zip of the corpus and read every entry. */
static void
test_corpus(void)
{
	const char *dirs[] = {"epub", "derived", "malformed", "fb2"};
	const char *root = bp_test_corpus();
	int			files = 0;
	int			entries = 0;

	if (root == NULL)
	{
		printf("test_zip: SKIPPED corpus tests: corpus not found\n");
		return;
	}
	for (int d = 0; d < 4; d++)
	{
		char		path[1024];
		DIR		   *dir;
		struct dirent *de;

		snprintf(path, sizeof(path), "%s/%s", root, dirs[d]);
		dir = opendir(path);
		if (dir == NULL)
			continue;
		while ((de = readdir(dir)) != NULL)
		{
			unsigned char *data;
			size_t		len;
			bp_ctx	   *ctx;
			bp_zip		zip;
			bool		expect_fail;
			bool		ok;

			if (!bp_has_suffix_ci(de->d_name, ".epub") && !bp_has_suffix_ci(de->d_name, ".zip"))
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", root, dirs[d], de->d_name);
			data = bp_test_read_file(path, &len);
			if (data == NULL)
				continue;
			files++;
			expect_fail = strstr(de->d_name, "unreadable-empty") != NULL ||
				strstr(de->d_name, "image-with-epub-extension") != NULL;
			ctx = new_ctx(NULL);
			ok = bp_zip_open(ctx, data, len, &zip);
			CHECK_MSG(ok != expect_fail, "%s: %s", de->d_name, ctx->err.message);
			if (expect_fail)
				CHECK_MSG(ctx->err.code == BP_ERR_CORRUPT, "%s", de->d_name);
			if (ok)
			{
				bool		allread = true;

				if (strstr(de->d_name, "no-end-header") != NULL)
					CHECK_MSG(zip.recovered && zip.nentries >= 2, "%s", de->d_name);
				else
					CHECK_MSG(!zip.recovered, "%s", de->d_name);
				for (int i = 0; i < zip.nentries; i++)
				{
					unsigned char *out;
					size_t		n;

					if (bp_zip_read(&zip, &zip.entries[i], &out, &n))
					{
						entries++;
						bp_free(ctx, out);
					}
					else if (strstr(de->d_name, "no-end-header") == NULL ||
							 i + 1 < zip.nentries)
						allread = false;
				}
				CHECK_MSG(allread && !bp_failed(ctx), "%s: %s", de->d_name,
						  ctx->book->nwarnings ? ctx->book->warnings[0].message : ctx->err.message);
				if (strstr(de->d_name, "not-utf8") != NULL)
					CHECK(nwarn(ctx, "zip_name_not_utf8") == 1 &&
						  bp_zip_find(&zip, "EPUB/content_\xc3\xa9.xhtml") != NULL);
				if (strstr(de->d_name, "duplicate-zip-entry") != NULL)
					CHECK(nwarn(ctx, "zip_duplicate_entry") == 1);
				if (strstr(de->d_name, "utf8-valid") != NULL)
					CHECK(nwarn(ctx, "zip_name_not_utf8") == 0);
				if (strstr(de->d_name, "no-end-header") == NULL &&
					strstr(de->d_name, "not-utf8") == NULL &&
					strstr(de->d_name, "duplicate") == NULL)
					CHECK_MSG(ctx->book->nwarnings == 0, "%s: %s", de->d_name,
							  ctx->book->warnings[0].message);
				bp_zip_close(&zip);
			}
			bp_ctx_destroy(ctx);
			free(data);
		}
		closedir(dir);
	}
	printf("test_zip: corpus: %d zip files, %d entries read\n", files, entries);
	CHECK(files >= 40);
}

int
main(void)
{
	test_basic();
	test_formats();
	test_names();
	test_recovery();
	test_recovery_budget();
	test_lies();
	test_entry_defects();
	test_bomb();
	test_overlap_and_count();
	test_mangled();
	test_corpus();
	return bp_test_summary("test_zip");
}
