/*-------------------------------------------------------------------------
 *
 * bp_txt_meta.c
 *	  Metadata of a plain text: the Project Gutenberg header ("Title:",
 *	  "Author:", "Language:", "Translator:", "Editor:", "Release Date:"),
 *	  a title line standing alone at the start, and the START/END markers
 *	  around a Project Gutenberg book's body.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_txt_int.h"

/* ISO code of a language name as Project Gutenberg writes it, or NULL. */
static const char *
txt_language_code(const char *v, size_t len)
{
	static const char *const map[][2] = {
		{"english", "en"}, {"russian", "ru"}, {"french", "fr"},
		{"german", "de"}, {"spanish", "es"}, {"italian", "it"},
		{"portuguese", "pt"}, {"dutch", "nl"}, {"finnish", "fi"},
		{"swedish", "sv"}, {"danish", "da"}, {"norwegian", "no"},
		{"polish", "pl"}, {"czech", "cs"}, {"ukrainian", "uk"},
		{"chinese", "zh"}, {"japanese", "ja"}, {"korean", "ko"},
		{"latin", "la"}, {"greek", "el"}, {"hungarian", "hu"},
		{"esperanto", "eo"}, {"русский", "ru"}, {NULL, NULL}
	};
	char		lw[64];
	size_t		n;
	int			i;

	if (len == 0 || len >= 30)
		return NULL;
	n = bp_txt_lower(v, len, lw, sizeof(lw));
	for (i = 0; map[i][0]; i++)
		if (strcmp(lw, map[i][0]) == 0)
			return map[i][1];
	(void) n;
	return NULL;
}

/* Read "Title: …", "Author: …", "Language: …" lines among [a, b). */
bool
bp_txt_header_metadata(txt_state *t, int a, int b)
{
	bp_ctx	   *ctx = t->ctx;
	bp_metadata *m = &ctx->book->meta;
	int			i;

	for (i = a; i < b; i++)
	{
		const char *s = t->text + t->lines[i].off;
		size_t		len = t->lines[i].len;
		static const char *const keys[] = {
			"Title:", "Author:", "Language:", "Translator:", "Editor:",
			"Release date:", "Release Date:", NULL
		};
		int			k;

		if (t->lines[i].indented && i > a)
			continue;
		for (k = 0; keys[k]; k++)
		{
			size_t		kl = strlen(keys[k]);
			char	   *v;
			size_t		vlen;

			if (len <= kl || strncmp(s, keys[k], kl) != 0)
				continue;
			v = bp_clean_space(ctx, s + kl, len - kl);
			if (v == NULL)
				break;
			vlen = strlen(v);
			switch (k)
			{
				case 0:
					/* a long title continues on indented lines */
					while (i + 1 < b && t->lines[i + 1].indented &&
						   !t->lines[i + 1].blank && vlen < 1000)
					{
						char	   *w;

						i++;
						w = bp_sprintf(ctx, "%s %.*s", v, (int) t->lines[i].len,
									   t->text + t->lines[i].off);
						if (w == NULL)
							return false;
						bp_free(ctx, v);
						v = w;
						vlen = strlen(v);
					}
					if (!bp_meta_set(ctx, &m->title, v))
						return false;
					break;
				case 1:
					if (!bp_meta_add_creator(ctx, v, "aut", NULL))
						return false;
					break;
				case 2:
					{
						const char *code = txt_language_code(v, vlen);

						if (code == NULL && vlen >= 2 && vlen <= 8 &&
							strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == vlen)
							code = v;
						if (code && !bp_meta_set(ctx, &m->language, code))
							return false;
					}
					break;
				case 3:
					if (!bp_meta_add_creator(ctx, v, "trl", NULL))
						return false;
					break;
				case 4:
					if (!bp_meta_add_creator(ctx, v, "edt", NULL))
						return false;
					break;
				default:
					{
						/* "January 1, 1994 [eBook #11]": keep the date part */
						char	   *br = strchr(v, '[');

						if (br)
							*br = '\0';
						if (!bp_meta_set(ctx, &m->published, v))
							return false;
					}
					break;
			}
			bp_free(ctx, v);
			break;
		}
	}
	return true;
}

/*
 * Without a "Title:" line, a short first line standing alone (a blank line
 * and more text after it, not a chapter heading) is the book's title.
 */
bool
bp_txt_title_line(txt_state *t, int a, int b)
{
	int			i = a;
	int			j;
	const txt_line *l;

	if (t->ctx->book->meta.title != NULL)
		return true;
	while (i < b && t->lines[i].blank)
		i++;
	if (i >= b)
		return true;
	l = &t->lines[i];
	if (l->heading != H_NONE || l->scene || l->chars < 2 || l->chars > 80 ||
		i + 1 >= b || !t->lines[i + 1].blank)
		return true;
	for (j = i + 1; j < b && t->lines[j].blank; j++)
		;
	if (j >= b)
		return true;			/* the line is all the text there is */
	{
		char	   *title = bp_strndup(t->ctx, t->text + l->off, l->len);
		bool		ok = title != NULL && bp_meta_set(t->ctx, &t->ctx->book->meta.title, title);

		bp_free(t->ctx, title);
		return ok;
	}
}

/* Does the line start a Project Gutenberg START/END marker? */
bool
bp_txt_gutenberg_marker(const char *s, size_t len, const char *what)
{
	char		lw[128];
	size_t		n;

	if (len < 12 || s[0] != '*' || s[1] != '*' || s[2] != '*')
		return false;
	n = bp_txt_lower(s, len < 100 ? len : 100, lw, sizeof(lw));
	(void) n;
	return strstr(lw, what) != NULL && strstr(lw, "gutenberg") != NULL;
}
