#!/usr/bin/env python3
"""baseline.py: the keyword baseline the scene extractor is compared with.

A paragraph is illustratable when it holds at least THRESHOLD words of a
fixed list of about a dozen visual words per language (a word counts when
it starts with one of the list's stems, so "eyes" and "trees" count); the
threshold is chosen on the tune half of the labels (check_scenes.py does
that with choose_threshold()).  Its kind is the kind whose words are the
most frequent among the hits (location on a tie), or none below the
threshold.  No stemmer, no rules: it shows what the extractor adds.

  baseline.py [--lang en|ru] [--threshold N] < paragraphs   kind, illustratable (TSV)
"""

import argparse
import re
import sys

# stem -> kind; about a dozen per language
WORDS = {
    "en": {
        "light": "atmosphere", "dark": "atmosphere", "sky": "atmosphere",
        "sun": "atmosphere", "eyes": "character", "face": "character",
        "hair": "character", "room": "location", "wall": "location",
        "tree": "location", "window": "location", "white": "location",
        "black": "location", "red": "location", "green": "location",
    },
    "ru": {
        "свет": "atmosphere", "темн": "atmosphere", "неб": "atmosphere",
        "солн": "atmosphere", "глаз": "character", "лиц": "character",
        "волос": "character", "комнат": "location", "стен": "location",
        "дерев": "location", "окн": "location", "бел": "location",
        "черн": "location", "красн": "location", "зелен": "location",
    },
}

WORD_RE = re.compile(r"\w+", re.UNICODE)


def hits(text, lang):
    """The kinds of the list words in text, one entry per word."""
    found = []
    words = WORDS.get(lang, {})
    for w in WORD_RE.findall(text.lower().replace("ё", "е")):
        for stem, kind in words.items():
            if w.startswith(stem) and len(w) <= len(stem) + 3:
                found.append(kind)
                break
    return found


def judge(text, lang, threshold):
    """(kind, illustratable) of one paragraph."""
    found = hits(text, lang)
    if len(found) < threshold:
        return "none", False
    best = max(("location", "character", "atmosphere"),
               key=lambda k: (found.count(k), k == "location"))
    return best, True


def choose_threshold(rows, lang_of, text_of, truth_of):
    """The threshold (1..6) with the best F1 of illustratable on rows."""
    best = (None, -1.0)
    for t in range(1, 7):
        tp = fp = fn = 0
        for r in rows:
            pred = judge(text_of(r), lang_of(r), t)[1]
            truth = truth_of(r)
            tp += pred and truth
            fp += pred and not truth
            fn += truth and not pred
        p = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
        if f1 > best[1]:
            best = (t, f1)
    return best[0] or 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lang", default="en", choices=sorted(WORDS))
    ap.add_argument("--threshold", type=int, default=2)
    a = ap.parse_args()
    for line in sys.stdin:
        kind, ill = judge(line.rstrip("\n"), a.lang, a.threshold)
        print("%s\t%s" % (kind, "yes" if ill else "no"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
