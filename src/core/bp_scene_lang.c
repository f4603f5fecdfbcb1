/*-------------------------------------------------------------------------
 *
 * bp_scene_lang.c
 *	  Which word lists judge a text: the language the book declares
 *	  (its primary subtag, ISO 639-1 or -2), or when it declares none the
 *	  script most of its letters are in (Cyrillic: ru, Latin: en).
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_scene.h"

#define SCRIPT_SAMPLE	65536	/* bytes looked at to tell the script */

/* ISO 639-2 codes of the languages that have lists, to their 639-1 code. */
static const char *const three_letter[][2] = {
	{"eng", "en"}, {"rus", "ru"}, {"deu", "de"}, {"ger", "de"},
	{"fra", "fr"}, {"fre", "fr"}, {"spa", "es"}, {"ita", "it"},
	{"ukr", "uk"}
};

/* "en" for a mostly Latin text, "ru" for a mostly Cyrillic one, else NULL. */
const char *
bp_scene_script_language(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *) text;
	size_t		n = len < SCRIPT_SAMPLE ? len : SCRIPT_SAMPLE;
	size_t		latin = 0;
	size_t		cyrillic = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))
			latin++;
		else if ((s[i] == 0xD0 || s[i] == 0xD1) && i + 1 < n &&
				 (s[i + 1] & 0xC0) == 0x80)
		{
			cyrillic++;			/* U+0400-U+047F */
			i++;
		}
	}
	if (cyrillic == 0 && latin == 0)
		return NULL;
	return cyrillic >= latin ? "ru" : "en";
}

/* The language of lists to judge text in (see bookparse_core.h). */
const char *
bp_scene_pick_language(const bp_scene_lists *lists, const char *language,
					   const char *text, size_t len)
{
	char		code[8];
	size_t		n = 0;
	size_t		i;
	const bp_scene_lang *lang;

	if (language == NULL || language[0] == '\0')
	{
		const char *c = text ? bp_scene_script_language(text, len) : NULL;

		lang = bp_scene_lang_get(lists, c);
		return lang ? lang->code : NULL;
	}
	while (language[n] && language[n] != '-' && language[n] != '_' && n < 7)
	{
		char		c = language[n];

		code[n++] = (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
	}
	code[n] = '\0';
	if (language[n] && language[n] != '-' && language[n] != '_')
		return NULL;
	for (i = 0; i < sizeof(three_letter) / sizeof(three_letter[0]); i++)
		if (strcmp(code, three_letter[i][0]) == 0)
			strcpy(code, three_letter[i][1]);
	lang = bp_scene_lang_get(lists, code);
	return lang ? lang->code : NULL;
}
