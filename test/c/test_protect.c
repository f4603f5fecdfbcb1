/*
 * test_protect.c
 *	  Books that hold nothing readable, names that claim a container, and
 *	  limit errors that say which limit was hit (issue 17, items 8, 9, 14).
 *
 *	  - EPUBs whose only content document is encrypted (zip password,
 *		DRM in META-INF/encryption.xml) or compressed with a method the
 *		zip reader lacks fail with "encrypted" / "unsupported_compression"
 *		naming the entries; a book with one readable chapter still parses,
 *		with a warning; obfuscated fonts are not DRM.
 *	  - A file named .epub, .fb2 or .fb2.zip whose bytes are plain text is
 *		"not_a_book"; another book format under such a name parses with a
 *		warning; .txt and no name are unchanged.
 *	  - bp_error.setting / bp_error.cap say whether a setting or a fixed
 *		cap was the limit.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bookparse_core.h"
#include "bp_test.h"
#include "zipgen.h"

static const char *CONTAINER =
"<?xml version=\"1.0\"?><container version=\"1.0\" "
"xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles>"
"<rootfile full-path=\"OEBPS/content.opf\" "
"media-type=\"application/oebps-package+xml\"/></rootfiles></container>";

static const char *OPF =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?><package xmlns=\"http://www.idpf.org/2007/opf\" "
"version=\"3.0\" unique-identifier=\"id\"><metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
"<dc:identifier id=\"id\">urn:uuid:1</dc:identifier><dc:title>Protected</dc:title>"
"<dc:language>en</dc:language></metadata><manifest>"
"<item id=\"c1\" href=\"c1.xhtml\" media-type=\"application/xhtml+xml\"/>"
"<item id=\"c2\" href=\"c2.xhtml\" media-type=\"application/xhtml+xml\"/>"
"<item id=\"f\" href=\"font.otf\" media-type=\"font/otf\"/>"
"</manifest><spine><itemref idref=\"c1\"/><itemref idref=\"c2\"/></spine></package>";

static const char *CHAPTER =
"<?xml version=\"1.0\" encoding=\"UTF-8\"?><html xmlns=\"http://www.w3.org/1999/xhtml\">"
"<head><title>T</title></head><body><h1>Chapter</h1><p>The boats came home one "
"by one in the quiet harbour.</p></body></html>";

/* Cipher text: what a DRM-encrypted chapter looks like. */
static const unsigned char CIPHER[] =
"\x8f\x13\xa2\x77\x01\xfe\x5c\x99\x20\x4b\xd3\x0e\x71\x88\xc4\x3a"
"\x6d\xe2\x19\x50\xb7\x04\x9a\xcf\x33\x81\x5e\xf0\x2c\x67\xab\x12";

#define ENC_XML_HEAD \
"<?xml version=\"1.0\"?><encryption xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\" " \
"xmlns:enc=\"http://www.w3.org/2001/04/xmlenc#\">"
#define ENC_DATA(alg, uri) \
"<enc:EncryptedData><enc:EncryptionMethod Algorithm=\"" alg "\"/>" \
"<enc:CipherData><enc:CipherReference URI=\"" uri "\"/></enc:CipherData></enc:EncryptedData>"
#define AES "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
#define IDPF_OBF "http://www.idpf.org/2008/embedding"

/* How c1.xhtml and c2.xhtml of a test EPUB are stored. */
typedef struct chap_spec
{
	uint16_t	method;			/* 0, 8, or a method we lack (stored bytes) */
	uint16_t	flags;			/* 1: zip encryption */
	bool		cipher;			/* store CIPHER instead of the chapter */
} chap_spec;

/* Build an EPUB with two chapters as specified, and encryption.xml if given. */
static void
build_epub(zg *z, chap_spec c1, chap_spec c2, const char *encryption)
{
	const chap_spec *specs[2] = {&c1, &c2};
	const char *names[2] = {"OEBPS/c1.xhtml", "OEBPS/c2.xhtml"};

	zg_init(z);
	zg_add_str(z, "mimetype", "application/epub+zip", 0);
	zg_add_str(z, "META-INF/container.xml", CONTAINER, 8);
	if (encryption != NULL)
		zg_add_str(z, "META-INF/encryption.xml", encryption, 8);
	zg_add_str(z, "OEBPS/content.opf", OPF, 8);
	for (int i = 0; i < 2; i++)
	{
		const chap_spec *s = specs[i];

		if (s->cipher)
			zg_add(z, names[i], CIPHER, sizeof(CIPHER) - 1, 0, s->flags, false, false);
		else
			zg_add(z, names[i], CHAPTER, strlen(CHAPTER), s->method, s->flags,
				   false, false);
	}
	zg_add(z, "OEBPS/font.otf", CIPHER, sizeof(CIPHER) - 1, 0, 0, false, false);
	zg_finish(z, false);
}

/* Does the book have a warning with this code? */
static bool
has_warning(const bp_book *b, const char *code)
{
	for (int i = 0; i < b->nwarnings; i++)
		if (strcmp(b->warnings[i].code, code) == 0)
			return true;
	return false;
}

/* Parse bytes under a name; returns the book or NULL with *err filled. */
static bp_book *
parse_named(const void *data, size_t len, const char *name, bp_error *err)
{
	bp_options	opts;

	bp_options_init(&opts);
	return bp_parse(data, len, name, &opts, err);
}

/* Parse an EPUB built from the specs; expect failure with code, or success. */
static void
expect_epub(const char *label, chap_spec c1, chap_spec c2, const char *encryption,
			bp_code code, const char *in_message, const char *warning)
{
	zg			z;
	bp_error	err;
	bp_book    *b;

	build_epub(&z, c1, c2, encryption);
	b = parse_named(z.buf, z.len, "book.epub", &err);
	if (code != BP_OK)
	{
		CHECK_MSG(b == NULL && err.code == code, "%s: got %s: %s", label,
				  bp_code_name(err.code), err.message);
		CHECK_MSG(in_message == NULL || strstr(err.message, in_message) != NULL,
				  "%s: \"%s\" not in \"%s\"", label, in_message, err.message);
	}
	else
	{
		CHECK_MSG(b != NULL, "%s: %s: %s", label, bp_code_name(err.code), err.message);
		if (b != NULL)
		{
			CHECK_MSG(b->counts.words >= 10, "%s: %lld words", label,
					  (long long) b->counts.words);
			CHECK_MSG(warning == NULL || has_warning(b, warning), "%s: no %s",
					  label, warning);
			CHECK_MSG(!has_warning(b, "drm_encrypted") || warning != NULL,
					  "%s: drm warning", label);
			/* cipher text never reaches the chapters as garbage */
			for (int i = 0; i < b->nchapters; i++)
				CHECK_MSG(strstr(b->chapters[i].text, "\xEF\xBF\xBD") == NULL,
						  "%s: U+FFFD in chapter %d", label, i + 1);
		}
	}
	bp_book_free(b);
	zg_free(&z);
}

/* Item 8: nothing readable fails with a clear code; partly readable parses. */
static void
test_unreadable_epubs(void)
{
	chap_spec	plain = {8, 0, false};
	chap_spec	zipcrypto = {8, 1, false};
	chap_spec	deflate64 = {9, 0, false};
	chap_spec	unknown = {77, 0, false};
	chap_spec	cipher = {0, 0, true};
	const char *drm_both = ENC_XML_HEAD ENC_DATA(AES, "OEBPS/c1.xhtml")
		ENC_DATA(AES, "OEBPS/c2.xhtml") "</encryption>";
	const char *drm_one = ENC_XML_HEAD ENC_DATA(AES, "OEBPS/c1.xhtml") "</encryption>";
	const char *fonts = ENC_XML_HEAD ENC_DATA(IDPF_OBF, "OEBPS/font.otf")
		ENC_DATA("http://ns.adobe.com/pdf/enc#RC", "OEBPS/font.otf") "</encryption>";

	expect_epub("zipcrypto", zipcrypto, zipcrypto, NULL, BP_ERR_ENCRYPTED,
				"(zip password): none of its 2 content documents can be read; "
				"encrypted: \"OEBPS/c1.xhtml\", \"OEBPS/c2.xhtml\"", NULL);
	expect_epub("drm", cipher, cipher, drm_both, BP_ERR_ENCRYPTED,
				"the book is encrypted (DRM, META-INF/encryption.xml: " AES "): "
				"none of its 2 content documents can be read; encrypted: \"OEBPS/c1.xhtml\"",
				NULL);
	expect_epub("deflate64", deflate64, deflate64, NULL, BP_ERR_UNSUPPORTED_COMPRESSION,
				"none of the book's 2 content documents can be read: compression method 9 "
				"(deflate64) is not supported; entries: \"OEBPS/c1.xhtml\"", NULL);
	expect_epub("unknown method", unknown, unknown, NULL, BP_ERR_UNSUPPORTED_COMPRESSION,
				"compression method 77 (unknown)", NULL);
	/* DRM named first when causes mix */
	expect_epub("mixed", zipcrypto, deflate64, NULL, BP_ERR_ENCRYPTED, "zip password", NULL);
	/* some chapters readable: parsed, with the warnings */
	expect_epub("partly zipcrypto", zipcrypto, plain, NULL, BP_OK, NULL, "zip_entry_encrypted");
	expect_epub("partly deflate64", deflate64, plain, NULL, BP_OK, NULL,
				"zip_entry_unsupported_method");
	expect_epub("partly drm", cipher, plain, drm_one, BP_OK, NULL, "drm_encrypted");
	/* obfuscated fonts are not DRM */
	expect_epub("font obfuscation", plain, plain, fonts, BP_OK, NULL, NULL);
}

/* Item 8: the FictionBook inside a zip, encrypted or compressed oddly. */
static void
test_unreadable_fb2zip(void)
{
	const char *fb2 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><FictionBook "
		"xmlns=\"http://www.gribuser.ru/xml/fictionbook/2.0\"><body><section>"
		"<p>Text of the book.</p></section></body></FictionBook>";
	uint16_t	methods[2] = {8, 9};
	uint16_t	flags[2] = {1, 0};
	bp_code		codes[2] = {BP_ERR_ENCRYPTED, BP_ERR_UNSUPPORTED_COMPRESSION};
	const char *msgs[2] = {"the book is encrypted (zip password): \"book.fb2\" cannot be read",
	"\"book.fb2\" cannot be read: compression method 9 (deflate64) is not supported"};

	for (int i = 0; i < 2; i++)
	{
		zg			z;
		bp_error	err;
		bp_book    *b;

		zg_init(&z);
		zg_add(&z, "book.fb2", fb2, strlen(fb2), methods[i], flags[i], false, false);
		zg_finish(&z, false);
		b = parse_named(z.buf, z.len, "book.fb2.zip", &err);
		CHECK_MSG(b == NULL && err.code == codes[i], "fb2.zip %d: %s", i,
				  bp_code_name(err.code));
		CHECK_MSG(strstr(err.message, msgs[i]) != NULL, "%s", err.message);
		bp_book_free(b);
		zg_free(&z);
	}
}

/* Item 9: a name that claims a container the bytes are not. */
static void
test_claimed_names(void)
{
	static const struct
	{
		const char *name;
		const char *data;
		const char *message;	/* NULL: parses */
	}			cases[] = {
		{"book.epub", "x", "the file is named .epub but is plain text (1 byte)"},
		{"Book.EPUB", "404 Not Found", "the file is named .epub but is plain text (13 bytes)"},
		{"novel.fb2", "Error: quota exceeded\n", "the file is named .fb2 but is plain text (22 bytes)"},
		{"novel.fb2.zip", "Error: quota exceeded\n",
		"the file is named .fb2.zip but is plain text (22 bytes)"},
		{"/srv/up/novel.fb2.zip", "x", "the file is named .fb2.zip but is plain text (1 byte)"},
		{"notes.txt", "Some plain notes of the day.", NULL},
		{NULL, "Some plain notes of the day.", NULL},
		{"book.epub.txt", "Some plain notes of the day.", NULL},
	};
	const char *fb2 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><FictionBook "
		"xmlns=\"http://www.gribuser.ru/xml/fictionbook/2.0\"><body><section>"
		"<p>Text of the book.</p></section></body></FictionBook>";
	bp_error	err;
	bp_book    *b;
	zg			z;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		b = parse_named(cases[i].data, strlen(cases[i].data), cases[i].name, &err);
		if (cases[i].message != NULL)
			CHECK_MSG(b == NULL && err.code == BP_ERR_NOT_A_BOOK &&
					  strcmp(err.message, cases[i].message) == 0,
					  "%s: %s: %s", cases[i].name, bp_code_name(err.code), err.message);
		else
			CHECK_MSG(b != NULL && strcmp(b->format, "txt") == 0 &&
					  !has_warning(b, "format_name_mismatch"),
					  "%s: %s", cases[i].name ? cases[i].name : "(no name)", err.message);
		bp_book_free(b);
	}

	/* another book format: read as what it is, with a warning */
	b = parse_named(fb2, strlen(fb2), "book.epub", &err);
	CHECK_MSG(b != NULL && strcmp(b->format, "fb2") == 0 &&
			  has_warning(b, "format_name_mismatch"), "fb2 as .epub: %s", err.message);
	for (int i = 0; b != NULL && i < b->nwarnings; i++)
		if (strcmp(b->warnings[i].code, "format_name_mismatch") == 0)
			CHECK_MSG(strcmp(b->warnings[i].message, "the file is named .epub but is "
							 "a FictionBook 2 book; read as fb2") == 0,
					  "%s", b->warnings[i].message);
	bp_book_free(b);
	zg_init(&z);
	zg_add(&z, "book.fb2", fb2, strlen(fb2), 8, 0, false, false);
	zg_finish(&z, false);
	b = parse_named(z.buf, z.len, "book.fb2", &err);
	CHECK_MSG(b != NULL && strcmp(b->format, "fb2.zip") == 0 &&
			  has_warning(b, "format_name_mismatch"), "fb2.zip as .fb2: %s", err.message);
	bp_book_free(b);
	b = parse_named(z.buf, z.len, "book.fb2.zip", &err);
	CHECK(b != NULL && !has_warning(b, "format_name_mismatch"));
	bp_book_free(b);
	zg_free(&z);
}

/* Item 14: a limit error says whether a setting or a fixed cap was hit. */
static void
test_limit_kinds(void)
{
	chap_spec	plain = {8, 0, false};
	bp_options	opts;
	bp_error	err;
	bp_book    *b;
	zg			z;

	build_epub(&z, plain, plain, NULL);

	/* the memory setting */
	bp_options_init(&opts);
	opts.memory_setting = "test.work_mem";
	opts.max_memory = 2000;
	b = bp_parse(z.buf, z.len, "book.epub", &opts, &err);
	CHECK_MSG(b == NULL && err.code == BP_ERR_LIMIT, "%s", err.message);
	CHECK(err.setting != NULL && strcmp(err.setting, "test.work_mem") == 0);
	CHECK(err.cap[0] == '\0');
	CHECK(strstr(err.message, "raise test.work_mem") != NULL);
	bp_book_free(b);

	/* fixed caps: one entry, all entries, the number of entries */
	bp_options_init(&opts);
	opts.memory_setting = "test.work_mem";
	opts.max_entry_size = 100;
	b = bp_parse(z.buf, z.len, "book.epub", &opts, &err);
	CHECK_MSG(b == NULL && err.code == BP_ERR_LIMIT, "%s", err.message);
	CHECK(err.setting == NULL);
	CHECK_MSG(strcmp(err.cap, "100 bytes per zip entry") == 0, "cap \"%s\"", err.cap);
	CHECK(strstr(err.message, "raise") == NULL);
	bp_book_free(b);

	bp_options_init(&opts);
	opts.max_total_inflated = 300;
	b = bp_parse(z.buf, z.len, "book.epub", &opts, &err);
	CHECK_MSG(b == NULL && err.code == BP_ERR_LIMIT && err.setting == NULL &&
			  strcmp(err.cap, "300 bytes inflated over all zip entries") == 0,
			  "%s / %s", err.message, err.cap);
	bp_book_free(b);

	bp_options_init(&opts);
	opts.max_entries = 3;
	b = bp_parse(z.buf, z.len, "book.epub", &opts, &err);
	CHECK_MSG(b == NULL && err.code == BP_ERR_LIMIT && err.setting == NULL &&
			  strcmp(err.cap, "3 zip entries") == 0, "%s / %s", err.message, err.cap);
	bp_book_free(b);

	/* bp_limit_error names the setting too (the extension's own checks) */
	memset(&err, 0, sizeof(err));
	bp_options_init(&opts);
	opts.memory_setting = "test.work_mem";
	bp_limit_error(&opts, "storing chapter 3", &err);
	CHECK(err.code == BP_ERR_LIMIT && err.setting != NULL && err.cap[0] == '\0');

	/* other errors name no limit */
	b = parse_named("", 0, "x.txt", &err);
	CHECK(b == NULL && err.code == BP_ERR_EMPTY && err.setting == NULL && err.cap[0] == '\0');
	zg_free(&z);
}

/* The new codes have stable names. */
static void
test_code_names(void)
{
	CHECK(strcmp(bp_code_name(BP_ERR_ENCRYPTED), "encrypted") == 0);
	CHECK(strcmp(bp_code_name(BP_ERR_UNSUPPORTED_COMPRESSION), "unsupported_compression") == 0);
}

int
main(void)
{
	test_code_names();
	test_unreadable_epubs();
	test_unreadable_fb2zip();
	test_claimed_names();
	test_limit_kinds();
	return bp_test_summary("test_protect");
}
