#!/usr/bin/env python3
"""paragraphs.py: the paragraphs of the scene evaluation set (issue 13).

The label files (labels_en.tsv, labels_ru.tsv) hold no book text, only keys,
check hashes and judgements; this script re-derives each paragraph's text
from the book in the corpus with ./bookparse-dump.

A paragraph of BOOK is a non-empty line of `./bookparse-dump --text BOOK`
(UTF-8, lines split on "\\n").  Its key is (BOOK relative to the corpus root,
index = 0-based position among the non-empty lines); sha1_8 = the first 8
hex digits of sha1(line); split = tune if int(sha1("BOOK:INDEX")) is even,
else test.

  paragraphs.py text LABELS.tsv [--corpus DIR] [--dump PATH]
      the text of each label row, one line each, in order (exit 1 naming
      the row if its sha1_8 does not match the book)
  paragraphs.py list BOOK [--from I] [--to J] [--only I,J,...]
      index, sha1_8, length (characters) and text of the paragraphs, TSV
  paragraphs.py check LABELS.tsv... 
      validates the rows (columns, values, hashes, split, duplicate keys,
      uniform rows = the seeded draw) and prints counts
  paragraphs.py sample BOOK [--n N] [--seed S]
      the seeded uniform draw over BOOK's main text (main_text.tsv), in
      draw order: the first N indices

Exit codes: 0 ok, 1 invalid labels / hash mismatch, 2 usage or tool error,
77 corpus (or a book in it) missing: callers report SKIPPED.
"""

import argparse
import collections
import hashlib
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
DEFAULT_DUMP = os.path.join(ROOT, "bookparse-dump")
MAIN_TEXT = os.path.join(HERE, "main_text.tsv")

HEADER = ["book", "index", "sha1_8", "lang", "sample", "split", "kind",
          "illustratable"]
LANGS = {"en", "ru"}
SAMPLES = {"uniform", "targeted"}
SPLITS = {"tune", "test"}
KINDS = {"location", "character", "atmosphere", "none"}
ILLUS = {"yes", "no"}

# The uniform sample: seeded shuffle of the eligible paragraphs (main text,
# at least MIN_WORDS words); a book's uniform rows are a prefix of it.
SEED = 13
MIN_WORDS = 5

EXIT_SKIP = 77


class Skip(Exception):
    pass


class Fail(Exception):
    pass


class ToolError(Exception):
    pass


def sha1_8(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def split_of(book, index):
    h = int(hashlib.sha1(("%s:%d" % (book, index)).encode("utf-8")).hexdigest(), 16)
    return "tune" if h % 2 == 0 else "test"


class Books:
    """Paragraphs of corpus books, each book dumped once."""

    def __init__(self, corpus, dump):
        self.corpus = corpus
        self.dump = dump
        self.cache = {}
        if not os.path.isdir(corpus):
            raise Skip("corpus not found at %s (use --corpus DIR)" % corpus)

    def paragraphs(self, book):
        if book in self.cache:
            return self.cache[book]
        path = os.path.join(self.corpus, book)
        if not os.path.isfile(path):
            raise Skip("book %s not found in the corpus %s" % (book, self.corpus))
        if not os.access(self.dump, os.X_OK):
            raise ToolError("%s not found or not executable: build it with "
                       "`make bookparse-dump` (or use --dump PATH)" % self.dump)
        r = subprocess.run([self.dump, "--text", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise ToolError("%s --text %s failed (exit %d): %s" % (
                self.dump, path, r.returncode,
                r.stderr.decode("utf-8", "replace").strip()))
        text = r.stdout.decode("utf-8")
        paras = [line for line in text.split("\n") if line != ""]
        self.cache[book] = paras
        return paras


def main_text_ranges():
    """book -> (first, last) index of its main text, from main_text.tsv."""
    ranges = {}
    if not os.path.exists(MAIN_TEXT):
        return ranges
    with open(MAIN_TEXT, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] == "book":
                continue
            ranges[cols[0]] = (int(cols[1]), int(cols[2]))
    return ranges


def uniform_order(books, book):
    """The seeded uniform draw order of BOOK's eligible paragraphs."""
    ranges = main_text_ranges()
    if book not in ranges:
        raise ToolError("%s has no main-text range in %s" % (book, MAIN_TEXT))
    first, last = ranges[book]
    paras = books.paragraphs(book)
    eligible = [i for i in range(first, min(last, len(paras) - 1) + 1)
                if len(paras[i].split()) >= MIN_WORDS]
    rng = random.Random("%d:%s" % (SEED, book))
    rng.shuffle(eligible)
    return eligible


def read_labels(path):
    """Yield (where, cols) for each data row of a label file."""
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    seen_header = False
    for n, line in enumerate(lines, 1):
        where = "%s:%d" % (path, n)
        if line.startswith("#"):
            continue
        if not seen_header:
            if line != "\t".join(HEADER):
                raise Fail("%s: the first non-comment line must be the header %r"
                           % (where, "\t".join(HEADER)))
            seen_header = True
            continue
        yield where, line.split("\t")
    if not seen_header:
        raise Fail("%s: no header line" % path)


def row_errors(books, cols):
    """The problems of one label row (list of strings)."""
    errs = []
    if len(cols) != len(HEADER):
        return ["%d columns, expected %d" % (len(cols), len(HEADER))]
    book, index, h, lang, sample, split, kind, illus = cols
    if not index.isdigit():
        return ["index %r is not a non-negative integer" % index]
    index = int(index)
    for name, val, ok in (("lang", lang, LANGS), ("sample", sample, SAMPLES),
                          ("split", split, SPLITS), ("kind", kind, KINDS),
                          ("illustratable", illus, ILLUS)):
        if val not in ok:
            errs.append("%s %r not one of %s" % (name, val, "/".join(sorted(ok))))
    if split in SPLITS and split != split_of(book, index):
        errs.append("split %s, but %s:%d is in %s" % (
            split, book, index, split_of(book, index)))
    paras = books.paragraphs(book)
    if index >= len(paras):
        errs.append("index %d past the book's %d paragraphs" % (index, len(paras)))
    elif sha1_8(paras[index]) != h:
        errs.append("sha1_8 %s does not match the paragraph (%s): the dump "
                    "of the book changed" % (h, sha1_8(paras[index])))
    return errs


def cmd_text(args, books):
    for where, cols in read_labels(args.labels):
        if len(cols) < 3 or not cols[1].isdigit():
            raise Fail("%s: malformed row" % where)
        paras = books.paragraphs(cols[0])
        i = int(cols[1])
        if i >= len(paras) or sha1_8(paras[i]) != cols[2]:
            raise Fail("%s: %s:%s does not match sha1_8 %s" % (
                where, cols[0], cols[1], cols[2]))
        sys.stdout.write(paras[i] + "\n")
    return 0


def cmd_list(args, books):
    paras = books.paragraphs(args.book)
    if args.only:
        which = [int(x) for x in args.only.replace(",", " ").split()]
    else:
        last = len(paras) - 1 if args.to is None else min(args.to, len(paras) - 1)
        which = range(args.from_, last + 1)
    for i in which:
        p = paras[i]
        sys.stdout.write("%d\t%s\t%d\t%s\n" % (i, sha1_8(p), len(p), p))
    return 0


def cmd_sample(args, books):
    order = uniform_order(books, args.book)
    for i in order[:args.n]:
        sys.stdout.write("%d\n" % i)
    return 0


def cmd_check(args, books):
    bad = 0
    keys = {}
    rows = []
    uni = collections.defaultdict(set)   # uniform keys, valid or not
    for path in args.labels:
        for where, cols in read_labels(path):
            errs = row_errors(books, cols)
            if len(cols) >= 2:
                key = (cols[0], cols[1])
                if key in keys:
                    errs.append("duplicate key %s:%s (first at %s)" % (
                        cols[0], cols[1], keys[key]))
                else:
                    keys[key] = where
            for e in errs:
                print("%s: %s" % (where, e), file=sys.stderr)
            if errs:
                bad += 1
            else:
                rows.append(cols)
            if len(cols) == len(HEADER) and cols[1].isdigit() and cols[4] == "uniform":
                uni[cols[0]].add(int(cols[1]))
    # A book's uniform rows must be the first k of its seeded draw.
    ranges = main_text_ranges()
    for book, got in sorted(uni.items()):
        if book not in ranges:
            print("note: %s not in main_text.tsv, its uniform rows are not "
                  "checked against the seeded draw" % book, file=sys.stderr)
            continue
        prefix = set(uniform_order(books, book)[:len(got)])
        if got != prefix:
            print("%s: the %d uniform rows are not the first %d of the seeded "
                  "draw (`paragraphs.py sample %s --n %d`): extra %s, missing %s"
                  % (book, len(got), len(got), book, len(got),
                     sorted(got - prefix), sorted(prefix - got)), file=sys.stderr)
            bad += 1

    def count(title, keyf):
        c = collections.Counter(keyf(r) for r in rows)
        print("%s:" % title)
        for k in sorted(c):
            print("  %-60s %5d" % (k if isinstance(k, str) else " ".join(k), c[k]))

    print("rows: %d valid, %d invalid" % (len(rows), bad))
    count("lang", lambda r: r[3])
    count("book", lambda r: r[0])
    count("sample", lambda r: r[4])
    count("kind", lambda r: r[6])
    count("illustratable", lambda r: r[7])
    count("split", lambda r: r[5])
    count("book sample", lambda r: (r[0], r[4]))
    count("sample kind illustratable", lambda r: (r[4], r[6], r[7]))
    count("split kind illustratable", lambda r: (r[5], r[6], r[7]))
    return 1 if bad else 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--corpus", default=DEFAULT_CORPUS,
                       help="corpus root (default %(default)s)")
        p.add_argument("--dump", default=DEFAULT_DUMP,
                       help="bookparse-dump (default %(default)s)")

    p = sub.add_parser("text", help="the text of each label row")
    p.add_argument("labels")
    common(p)
    p = sub.add_parser("list", help="the paragraphs of a book")
    p.add_argument("book")
    p.add_argument("--from", dest="from_", type=int, default=0)
    p.add_argument("--to", type=int)
    p.add_argument("--only", help="comma-separated indices")
    common(p)
    p = sub.add_parser("check", help="validate label files, print counts")
    p.add_argument("labels", nargs="+")
    common(p)
    p = sub.add_parser("sample", help="the seeded uniform draw of a book")
    p.add_argument("book")
    p.add_argument("--n", type=int, default=40)
    common(p)
    args = ap.parse_args(argv)
    try:
        books = Books(args.corpus, args.dump)
        return {"text": cmd_text, "list": cmd_list, "check": cmd_check,
                "sample": cmd_sample}[args.cmd](args, books)
    except Skip as e:
        print("paragraphs.py: SKIPPED: %s" % e, file=sys.stderr)
        return EXIT_SKIP
    except Fail as e:
        print("paragraphs.py: %s" % e, file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise
    except (ToolError, OSError, UnicodeDecodeError) as e:
        print("paragraphs.py: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(0)
