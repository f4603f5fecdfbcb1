/*-------------------------------------------------------------------------
 *
 * bp_scene_scan.c
 *	  One pass over a paragraph: its sentences, its words (UAX #29 word
 *	  rules on ICU's Word_Break property, as the core's word counter),
 *	  which words are inside direct speech, and per sentence the summed
 *	  weights of the word lists' categories.
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>
#include <string.h>

#include "bp_scene.h"
#include "bp_text_int.h"

/* Code points that open or close direct speech. */
#define CP_LDQUO	0x201C		/* “ */
#define CP_RDQUO	0x201D		/* ” */
#define CP_BDQUO	0x201E		/* „ */
#define CP_LAQUO	0x00AB		/* « */
#define CP_RAQUO	0x00BB		/* » */
#define CP_EMDASH	0x2014
#define CP_ENDASH	0x2013
#define CP_ELLIPSIS 0x2026

/* State of one pass. */
typedef struct scan_state
{
	bp_scene_scanner *sc;
	bp_scene_features *f;
	bp_scene_sentence *cur;		/* the open sentence */
	int			open;			/* its index */
	int			quote;			/* 0, or the code point that closes it */
	bool		dash_speech;	/* the paragraph opens with a dash */
	const char *end;			/* of the paragraph */
} scan_state;

/* The code point at s[*i] (any byte of invalid UTF-8 is U+FFFD). */
static uint32_t
next_cp(const char *s, size_t len, size_t *i)
{
	uint32_t	cp;
	int			n = bp_utf8_decode((const unsigned char *) s + *i, len - *i, &cp);

	if (n <= 0)
	{
		(*i)++;
		return 0xFFFD;
	}
	*i += (size_t) n;
	return cp;
}

/*
 * Is the character at p[i] a plain letter or digit (CL_PLAIN) in ASCII or
 * 2-byte UTF-8?  Other characters take the general path.
 */
static inline bool
plain_at(bp_class_cache *cc, const uint8_t *p, size_t len, size_t i)
{
	uint8_t		b = p[i];

	if (b < 0x80)
		return (cc->ascii[b] & CL_PLAIN) != 0;
	if (b >= 0xC2 && b < 0xE0 && i + 1 < len && (p[i + 1] & 0xC0) == 0x80)
	{
		int			c = ((b & 0x1F) << 6) | (p[i + 1] & 0x3F);
		uint16_t	cls = cc->lo[c] ? (uint16_t) (cc->lo[c] & ~CL_KNOWN) :
			bp_text_lo_fill(cc, c);

		return (cls & CL_PLAIN) != 0;
	}
	return false;
}

/*
 * How many of the 8 bytes of v (in memory order) are ASCII letters before
 * the first that is not one (8: all are).  Bytewise, with no carry from
 * byte to byte: x is the byte folded to lower case without its top bit.
 */
static inline size_t
ascii_letters(uint64_t v)
{
	const uint64_t hi = UINT64_C(0x8080808080808080);
	uint64_t	x = (v | UINT64_C(0x2020202020202020)) & ~hi;
	uint64_t	ge_a = x + UINT64_C(0x1F1F1F1F1F1F1F1F);	/* top bit: x >= 'a' */
	uint64_t	gt_z = x + UINT64_C(0x0505050505050505);	/* top bit: x > 'z' */
	uint64_t	other = ~(ge_a & ~gt_z & ~v) & hi;

	return other ? (size_t) __builtin_ctzll(other) / 8 : 8;
}

/* Add one word [s, s+len) to the current sentence. */
static inline bool
add_word(scan_state *st, const char *s, size_t len)
{
	const bp_scene_entry *e;
	bp_scene_sentence *cur = st->cur;
	size_t		avail = (size_t) (st->end - s);
	int			c;

	st->f->words++;
	if (st->quote || st->dash_speech)
	{
		st->f->speech_words++;	/* words in speech are not weighed */
		return true;
	}
	if (len <= 8 && avail >= 8)
	{
		/* a front-cache hit without a call: the usual case */
		uint64_t	head = bp_scene_word_head(s, len, avail);
		const bp_scene_front *f = bp_scene_front_slot(st->sc, head);

		if (f->head == head && f->len == len)
		{
			cur->words++;
			if (f->entry < 0)
				return true;
			e = &st->sc->lang->table[f->entry];
			goto weigh;
		}
	}
	e = bp_scene_word(st->sc, s, len, avail);
	if (e == NULL && bp_failed(st->sc->ctx))
		return false;
	cur->words++;
	if (e == NULL)
		return true;
weigh:
	for (c = 0; c < BP_SCAT__COUNT; c++)
		cur->w[c] += e->w[c];
	if (e->w[BP_SCAT_LOCATION] > 0 || e->w[BP_SCAT_CHARACTER] > 0 ||
		e->w[BP_SCAT_ATMOSPHERE] > 0 || e->w[BP_SCAT_DETAIL] > 0)
		cur->visual++;
	return true;
}

/* Close the current sentence at byte end; the next one starts there. */
static void
end_sentence(scan_state *st, size_t end)
{
	bp_scene_sentence *cur = st->cur;

	cur->bytes = end - cur->start;
	if (cur->words == 0)
	{
		cur->start = end;		/* nothing of it counts: reuse the record */
		cur->bytes = 0;
		return;
	}
	/* past the cap, the last record takes every further sentence */
	if (st->open < BP_SCENE_MAX_SENTENCES - 1)
	{
		st->cur = &st->f->sentences[++st->open];
		memset(st->cur, 0, sizeof(*st->cur));
		st->cur->start = end;
	}
}

/* Track quotation marks: cp opens or closes direct speech. */
static void
quote_mark(scan_state *st, uint32_t cp)
{
	if (st->quote)
	{
		if (cp == (uint32_t) st->quote || (cp == '"' && st->quote == '"'))
			st->quote = 0;
		return;
	}
	if (cp == CP_LDQUO)
		st->quote = CP_RDQUO;
	else if (cp == CP_BDQUO)
		st->quote = CP_LDQUO;
	else if (cp == CP_LAQUO)
		st->quote = CP_RAQUO;
	else if (cp == '"')
		st->quote = '"';
}

/* Does the paragraph open with a dash (Russian dialogue) or a quote? */
static void
opening(scan_state *st, const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
		i++;
	if (i < len)
	{
		uint32_t	cp = next_cp(s, len, &i);

		st->dash_speech = (cp == CP_EMDASH || cp == CP_ENDASH ||
						   (cp == '-' && i < len && s[i] == ' '));
		st->f->opens_quote = (cp == CP_LDQUO || cp == CP_LAQUO ||
							  cp == CP_BDQUO || cp == '"');
		st->f->opens_dash = st->dash_speech;
	}
}

/* Bytes that may start a quotation mark: '"', and the lead bytes of “”„«». */
static const uint8_t quote_bytes[3] = {'"', 0xC2, 0xE2};

/*
 * The first byte at or after i that may start a quotation mark, or len:
 * memchr for each candidate byte, next[k] remembering where the last
 * search for byte k ended (0: not searched yet), so each byte of the
 * paragraph is searched once per candidate.
 */
static size_t
next_quote_byte(const uint8_t *p, size_t len, size_t i, size_t next[3])
{
	size_t		best = len;
	int			k;

	for (k = 0; k < 3; k++)
	{
		if (next[k] == 0 || (next[k] - 1 < i && next[k] - 1 < len))
		{
			const uint8_t *q = memchr(p + i, quote_bytes[k], len - i);

			next[k] = q ? (size_t) (q - p) + 1 : len + 1;
		}
		if (next[k] - 1 < best)
			best = next[k] - 1;
	}
	return best;
}

/*
 * Is the paragraph direct speech: does it open with a dash (Russian
 * dialogue), or are half of its bytes or more inside quotation marks?
 * A pass over the bytes alone, so dialogue costs no word scan.
 */
bool
bp_scene_is_speech(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *) s;
	scan_state	st;
	bp_scene_features f;
	size_t		quoted = 0;
	size_t		from = 0;		/* where the open quote began */
	size_t		next[3] = {0, 0, 0};
	size_t		i;

	memset(&st, 0, sizeof(st));
	st.f = &f;
	opening(&st, s, len);
	if (st.dash_speech)
		return true;
	for (i = 0; i < len; i++)
	{
		uint32_t	cp;
		int			open = st.quote;

		i = next_quote_byte(p, len, i, next);
		if (i >= len)
			break;
		if (p[i] == '"')
			cp = '"';
		else if (p[i] == 0xE2 && i + 2 < len && p[i + 1] == 0x80 &&
				 p[i + 2] >= 0x9C && p[i + 2] <= 0x9E)
			cp = 0x2000 + (p[i + 2] - 0x80);	/* U+201C-U+201E */
		else if (p[i] == 0xC2 && i + 1 < len &&
				 (p[i + 1] == 0xAB || p[i + 1] == 0xBB))
			cp = p[i + 1];		/* U+00AB, U+00BB */
		else
			continue;
		quote_mark(&st, cp);
		if (!open && st.quote)
			from = i;
		else if (open && !st.quote)
			quoted += i + 1 - from;
	}
	if (st.quote)
		quoted += len - from;	/* speech that goes on past the paragraph */
	return quoted * 2 >= len;
}

/* Does the paragraph end without a sentence stop (.!?…:; or a closing mark)? */
static bool
unterminated(const char *s, size_t len)
{
	static const char *const ends[] = {
		".", "!", "?", ":", ";", ")", "\"", "'", "\xE2\x80\xA6", "\xE2\x80\x9D",
		"\xC2\xBB", "\xE2\x80\x99", "\xE2\x80\x9C"
	};
	size_t		i;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n' ||
					   s[len - 1] == '\t'))
		len--;
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
	{
		size_t		n = strlen(ends[i]);

		if (len >= n && memcmp(s + len - n, ends[i], n) == 0)
			return false;
	}
	return true;
}

/*
 * Scan a paragraph into *f: sentences with their words and weights,
 * words inside direct speech.  False (ctx failed) when out of memory.
 */
bool
bp_scene_scan(bp_scene_scanner *sc, const char *s, size_t len,
			  bp_scene_features *f)
{
	scan_state	st;
	bp_class_cache *cc = sc->classes;
	const uint8_t *p = (const uint8_t *) s;
	size_t		i = 0;
	size_t		wstart = 0;
	size_t		wend = 0;		/* end of the word so far */
	bool		in_word = false;
	bool		term = false;	/* after a sentence terminator */

	/* the sentence records are cleared one by one as they are opened */
	memset(f, 0, offsetof(bp_scene_features, sentences) +
		   sizeof(bp_scene_sentence));
	memset(&st, 0, sizeof(st));
	st.sc = sc;
	st.f = f;
	st.cur = &f->sentences[0];
	st.end = s + len;
	f->bytes = len;
	opening(&st, s, len);

	while (i < len)
	{
		size_t		at = i;
		uint16_t	cls;
		int			w;
		int			sc_cls;

		/* fast path: a run of plain letters (ASCII, 2-byte UTF-8) */
		if (plain_at(cc, p, len, i))
		{
			if (term)
			{
				end_sentence(&st, at);
				term = false;
			}
			if (!in_word)
				wstart = at;
			in_word = true;
			i += (p[i] < 0x80) ? 1 : 2;
			for (;;)
			{
				/* 8 bytes at a time while they are letters */
				while (i + 8 <= len)
				{
					uint64_t	v;
					size_t		n;

					memcpy(&v, p + i, 8);
					n = ascii_letters(v);
					if (n == 0 && sc->cyrillic_plain &&
						(v & UINT64_C(0xC0FEC0FEC0FEC0FE)) ==
						UINT64_C(0x80D080D080D080D0))
						n = 8;	/* four letters U+0400-U+047F */
					i += n;
					if (n < 8)
						break;
				}
				if (i >= len || !plain_at(cc, p, len, i))
					break;
				i += (p[i] < 0x80) ? 1 : 2;
			}
			wend = i;
			if (i < len && p[i] == ' ')
			{
				/* the usual end of a word: as the space's path below */
				if (!add_word(&st, s + wstart, wend - wstart))
					return false;
				in_word = false;
				i++;
			}
			continue;
		}
		/* fast path: a space ends a word and changes nothing else */
		if (p[i] == ' ')
		{
			if (in_word)
			{
				if (!add_word(&st, s + wstart, wend - wstart))
					return false;
				in_word = false;
			}
			i++;
			continue;
		}
		cls = bp_text_next_class(cc, p, len, &i);
		w = CL_WORD(cls);
		sc_cls = CL_SENT(cls);
		if (w == WC_LETTER || w == WC_HEBREW || w == WC_NUM || w == WC_DICT ||
			(w == WC_IGNORE && in_word))
		{
			if (term)
			{
				end_sentence(&st, at);
				term = false;
			}
			if (!in_word)
				wstart = at;
			in_word = true;
			wend = i;
			continue;
		}
		/* an apostrophe or a full stop between letters keeps the word */
		if (in_word && wend == at &&
			(w == WC_MIDLETTER || w == WC_MIDNUMLET || w == WC_SQUOTE) &&
			i < len)
		{
			size_t		j = i;
			int			nw = CL_WORD(bp_text_next_class(cc, p, len, &j));

			if (nw == WC_LETTER || nw == WC_HEBREW)
				continue;
		}
		if (in_word)
		{
			if (!add_word(&st, s + wstart, wend - wstart))
				return false;
			in_word = false;
		}
		if (s[at] == '\n' && !term)
		{
			term = true;		/* a line break inside a paragraph */
			continue;
		}
		if (sc_cls == SC_ATERM || sc_cls == SC_STERM)
			term = true;
		else if (term && sc_cls != SC_CLOSE && sc_cls != SC_SP &&
				 sc_cls != SC_SEP)
			term = (sc_cls == SC_ATERM || sc_cls == SC_STERM);
		if (!(cls & CL_ALNUM) && p[at] != ' ')
		{
			size_t		k = at;
			uint32_t	cp = next_cp(s, len, &k);

			if (cp == '"' || cp == CP_LDQUO || cp == CP_RDQUO ||
				cp == CP_BDQUO || cp == CP_LAQUO || cp == CP_RAQUO)
				quote_mark(&st, cp);
			else if (cp == CP_ELLIPSIS)
				term = true;
		}
	}
	if (in_word && !add_word(&st, s + wstart, wend - wstart))
		return false;
	end_sentence(&st, len);
	f->nsentences = st.open + (st.cur->words > 0 ? 1 : 0);
	f->unterminated = unterminated(s, len);
	return true;
}
