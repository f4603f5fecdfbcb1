/*-------------------------------------------------------------------------
 *
 * bp_scene_classify.c
 *	  The verdict on one paragraph: sentences vote (a sentence is
 *	  descriptive when it holds words of the descriptive lists and little
 *	  speaking, thinking or bare action); the paragraph is of a
 *	  descriptive kind when such sentences fill about half of it, the kind
 *	  being the category with the most weight in them; direct speech and
 *	  very short paragraphs are none.  The thresholds are explained in
 *	  docs/scenes.md.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "bp_scene.h"

#define MIN_WORDS		6		/* shorter paragraphs are none */
#define HEADING_WORDS	12		/* shorter ones without a final stop too */
#define MAX_SPEECH		0.5		/* share of words in direct speech */
#define DESC_SHARE		0.5		/* share of bytes in descriptive sentences */
#define SENT_DENSITY	0.0		/* (description - negative) per word */
#define NEG_ACTION		0.5		/* weight of a verb of bare action */
#define NEG_PERSON		0.3		/* weight of a first/second person pronoun */
#define DETAIL_WEIGHT	1.0		/* a colour/shape word next to the kinds' */
#define KIND_DENSITY	0.05	/* a kind needs this density, */
#define KIND_AMOUNT		3.0		/* this much description in its sentences, */
#define KIND_DETAIL		1.0		/* and detail words (a look, not just a name) */
#define KIND_BARE		6.0		/* unless its description weighs this much */
#define SCORE_SHARE		0.3		/* the score: this much share, */
#define SCORE_DENSITY	0.1		/* the rest density up to this, */
#define SCORE_AMOUNT	10.0	/* times the description up to this */
#define ILLUS_AMOUNT	15.0	/* drawable: described times the description */
#define ILLUS_SCORE		0.15	/* up to ILLUS_AMOUNT reaches this, */
#define ILLUS_VISUAL	4		/* visual words it needs at least */
#define ILLUS_RATIO		0.07	/* and per word at least */
#define ILLUS_DETAIL	1.0		/* and detail words */
#define ILLUS_BARE		6		/* unless it has this many visual words */

/* Description and negative evidence of a sentence. */
static void
sentence_weights(const bp_scene_sentence *s, double *desc, double *neg)
{
	*desc = s->w[BP_SCAT_LOCATION] + s->w[BP_SCAT_CHARACTER] +
		s->w[BP_SCAT_ATMOSPHERE] + DETAIL_WEIGHT * s->w[BP_SCAT_DETAIL];
	*neg = s->w[BP_SCAT_SPEECH] + NEG_ACTION * s->w[BP_SCAT_ACTION] +
		NEG_PERSON * s->w[BP_SCAT_PERSON];
}

/* Clamp x into [0, 1]. */
static double
clamp01(double x)
{
	return x < 0 ? 0 : (x > 1 ? 1 : x);
}

/*
 * The verdict on scanned features.  The score is how much description
 * there is: how descriptive the paragraph is (share of descriptive
 * sentences, density of descriptive words), times how much description
 * its descriptive sentences hold, so that one named place or object
 * scores low however short the sentence.  A kind needs description over
 * about half of the paragraph, a density floor, and enough description
 * that is more than a name: a detail word (colour, shape, size, a static
 * verb) or else a good deal of kind words.
 */
void
bp_scene_decide(const bp_scene_features *f, bp_scene_verdict *out)
{
	double		kinds[3] = {0, 0, 0};
	double		desc_bytes = 0;
	double		all_bytes = 0;
	double		total_desc = 0;
	double		total_neg = 0;
	double		detail = 0;		/* detail weight in descriptive sentences */
	double		all_detail = 0; /* and in the whole paragraph */
	double		amount;
	double		share;
	double		density;
	double		described;
	int			words = 0;
	int			visual = 0;
	int			best = -1;
	int			i;

	memset(out, 0, sizeof(*out));
	out->kind = BP_SCENE_NONE;
	if (f->words < MIN_WORDS || f->opens_dash ||
		(f->words < HEADING_WORDS && f->unterminated) ||
		f->speech_words >= MAX_SPEECH * f->words)
		return;

	for (i = 0; i < f->nsentences; i++)
	{
		const bp_scene_sentence *s = &f->sentences[i];
		double		d;
		double		n;
		int			k;

		sentence_weights(s, &d, &n);
		all_bytes += (double) s->bytes;
		total_desc += d;
		total_neg += n;
		words += s->words;
		visual += s->visual;
		all_detail += s->w[BP_SCAT_DETAIL];
		if (s->visual == 0 || d - n < SENT_DENSITY * s->words)
			continue;
		desc_bytes += (double) s->bytes;
		for (k = 0; k < 3; k++)
			kinds[k] += s->w[k];
		detail += s->w[BP_SCAT_DETAIL];
	}
	if (words == 0 || all_bytes == 0)
		return;
	share = desc_bytes / all_bytes;
	density = (total_desc - total_neg) / words;
	amount = kinds[0] + kinds[1] + kinds[2] + DETAIL_WEIGHT * detail;
	described = SCORE_SHARE * share +
		(1 - SCORE_SHARE) * clamp01(density / SCORE_DENSITY);
	out->score = clamp01(described * clamp01(amount / SCORE_AMOUNT));
	for (i = 0; i < 3; i++)
		if (kinds[i] > 0 && (best < 0 || kinds[i] > kinds[best]))
			best = i;
	if (share >= DESC_SHARE && best >= 0 && density >= KIND_DENSITY &&
		amount >= KIND_AMOUNT && (detail >= KIND_DETAIL || amount >= KIND_BARE))
		out->kind = (bp_scene_kind) (BP_SCENE_LOCATION + best);
	out->illustratable = (described * clamp01(amount / ILLUS_AMOUNT) >= ILLUS_SCORE &&
						  visual >= ILLUS_VISUAL &&
						  visual >= ILLUS_RATIO * words &&
						  (all_detail >= ILLUS_DETAIL || visual >= ILLUS_BARE));
}

/* Classify one paragraph with a started scanner. */
bool
bp_scene_judge(bp_scene_scanner *sc, const char *text, size_t len,
			   bp_scene_verdict *out)
{
	bp_scene_features f;

	memset(out, 0, sizeof(*out));
	if (sc->lang == NULL || text == NULL || len == 0 ||
		bp_scene_is_speech(text, len))
		return true;
	if (!bp_scene_scan(sc, text, len, &f))
		return false;
	bp_scene_decide(&f, out);
	return true;
}

/* Classify one paragraph of text in a language (see bookparse_core.h). */
bool
bp_scene_classify(const bp_scene_lists *lists, const char *text, size_t len,
				  const char *language, const bp_options *opts,
				  bp_scene_verdict *out, bp_error *err)
{
	bp_ctx	   *ctx;
	bp_scene_scanner sc;
	const char *code;
	bool		ok;

	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	if (text == NULL)
		len = 0;
	code = bp_scene_pick_language(lists, language, text, len);
	ctx = bp_ctx_create(opts, NULL, 0);
	if (ctx == NULL)
	{
		err->code = BP_ERR_LIMIT;
		strcpy(err->message, "out of memory");
		return false;
	}
	bp_set_activity(ctx, "classifying a paragraph");
	ok = bp_scene_scanner_start(&sc, ctx, bp_scene_lang_get(lists, code)) &&
		bp_scene_judge(&sc, text, len, out);
	bp_scene_scanner_end(&sc);
	if (!ok || bp_failed(ctx))
	{
		*err = ctx->err;
		ok = false;
	}
	bp_ctx_destroy(ctx);
	return ok;
}
