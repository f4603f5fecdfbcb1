#!/usr/bin/env python3
"""check_scenes.py: how well the scene extractor agrees with the labels.

Feeds every labelled paragraph (test/scenes/labels_en.tsv, labels_ru.tsv;
text re-derived from the corpus by paragraphs.py) through
`bookparse-dump --classify --lang=LANG` and reports, per language and for
both together, on the test half (split=test): precision and recall of
illustratable and of each kind, the same on the uniformly sampled rows
alone, and the same for the keyword baseline (baseline.py, its threshold
chosen on the tune half).  --split tune reports the tune half instead
(what the extractor was tuned on).

Exit: 0 when it ran (whether or not the targets are met: it says so),
77 with one line "SKIPPED: ..." when the corpus or the labels are absent,
2 when it cannot run (no bookparse-dump, a failing tool, bad labels).

  check_scenes.py [--split test|tune] [--corpus DIR] [--dump PATH]
                  [--errors]   (rows the extractor gets wrong, tune half only)
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import baseline  # noqa: E402

LANGS = ("en", "ru")
KINDS = ("location", "character", "atmosphere")
TARGET_ALL = (0.8, 0.6)        # illustratable precision, recall: test half
TARGET_UNIFORM = (0.6, 0.5)    # the same on the uniform rows alone
EXIT_SKIP = 77


class Skip(Exception):
    pass


def read_labels(path):
    """The label rows of a file as dicts."""
    rows = []
    header = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                continue
            if len(cols) != len(header):
                raise SystemExit("check_scenes: %s: bad row %r" % (path, line))
            rows.append(dict(zip(header, cols)))
    return rows


def texts(path, corpus, dump):
    """The paragraph of each row of a label file, from paragraphs.py."""
    cmd = [sys.executable, os.path.join(HERE, "paragraphs.py"), "text", path,
           "--dump", dump]
    if corpus:
        cmd += ["--corpus", corpus]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode == EXIT_SKIP:
        msg = r.stdout.decode("utf-8", "replace").strip().splitlines()
        raise Skip(msg[0][len("SKIPPED: "):] if msg and msg[0].startswith(
            "SKIPPED: ") else "corpus absent")
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        raise SystemExit("check_scenes: paragraphs.py failed (exit %d)"
                         % r.returncode)
    return r.stdout.decode("utf-8").split("\n")[:-1]


def classify(dump, lang, paragraphs):
    """(kind, score, illustratable) per paragraph from bookparse-dump."""
    r = subprocess.run([dump, "--classify", "--lang=" + lang],
                       input="".join(p + "\n" for p in paragraphs).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode("utf-8", "replace"))
        raise SystemExit("check_scenes: bookparse-dump --classify failed")
    out = []
    for line in r.stdout.decode("utf-8").split("\n")[:-1]:
        kind, score, ill = line.split("\t")
        out.append((kind, float(score), ill == "yes"))
    if len(out) != len(paragraphs):
        raise SystemExit("check_scenes: %d verdicts for %d paragraphs"
                         % (len(out), len(paragraphs)))
    return out


def pr(pairs):
    """Precision, recall, support (true, predicted) of boolean pairs."""
    tp = sum(1 for t, p in pairs if t and p)
    npred = sum(1 for _, p in pairs if p)
    ntrue = sum(1 for t, _ in pairs if t)
    return (tp / npred if npred else float("nan"),
            tp / ntrue if ntrue else float("nan"), ntrue, npred)


def fmt(p, r, nt, npred):
    """One precision/recall cell."""
    def f(x):
        return " n/a" if x != x else "%.2f" % x
    return "P %s R %s (%d true, %d found)" % (f(p), f(r), nt, npred)


def report(title, rows, pred_of):
    """Print precision/recall of illustratable and the kinds over rows."""
    ill = pr([(r["illustratable"] == "yes", pred_of(r)[1]) for r in rows])
    print("  %-34s illustratable %s" % (title + " (%d rows)" % len(rows),
                                         fmt(*ill)))
    for k in KINDS:
        kp = pr([(r["kind"] == k, pred_of(r)[0] == k) for r in rows])
        print("  %-34s %-13s %s" % ("", k, fmt(*kp)))
    return ill


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="test", choices=("test", "tune"))
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--dump", default=os.path.join(ROOT, "bookparse-dump"))
    ap.add_argument("--errors", action="store_true")
    a = ap.parse_args()

    rows = []
    try:
        for lang in LANGS:
            path = os.path.join(HERE, "labels_%s.tsv" % lang)
            if not os.path.exists(path):
                raise Skip("no labels: %s" % os.path.relpath(path, ROOT))
            if not os.access(a.dump, os.X_OK):
                print("check_scenes: no %s (run make)" % a.dump,
                      file=sys.stderr)
                return 2
            lrows = read_labels(path)
            ltexts = texts(path, a.corpus, a.dump)
            if len(ltexts) != len(lrows):
                print("check_scenes: %d texts for %d rows of %s"
                      % (len(ltexts), len(lrows), path), file=sys.stderr)
                return 2
            verdicts = classify(a.dump, lang, ltexts)
            for r, t, v in zip(lrows, ltexts, verdicts):
                r["lang"] = lang
                r["text"] = t
                r["pred"] = (v[0], v[2])
                r["score"] = v[1]
                rows.append(r)
    except Skip as e:
        print("SKIPPED: %s" % e)
        return EXIT_SKIP
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2

    tune = [r for r in rows if r["split"] == "tune"]
    threshold = {}
    for lang in LANGS:
        threshold[lang] = baseline.choose_threshold(
            [r for r in tune if r["lang"] == lang], lambda r: r["lang"],
            lambda r: r["text"], lambda r: r["illustratable"] == "yes")
    for r in rows:
        r["base"] = baseline.judge(r["text"], r["lang"], threshold[r["lang"]])

    half = [r for r in rows if r["split"] == a.split]
    print("scene extractor vs labels, %s half (%d of %d rows); baseline "
          "thresholds from the tune half: en %d, ru %d"
          % (a.split, len(half), len(rows), threshold["en"], threshold["ru"]))
    results = {}
    for name, pred in (("extractor", lambda r: r["pred"]),
                       ("baseline", lambda r: r["base"])):
        print("%s:" % name)
        for lang in LANGS + ("all",):
            sel = [r for r in half if lang == "all" or r["lang"] == lang]
            uni = [r for r in sel if r["sample"] == "uniform"]
            results[(name, lang)] = report("%s, all rows" % lang, sel, pred)
            results[(name, lang, "uniform")] = report(
                "%s, uniform rows" % lang, uni, pred)

    p, r, _, _ = results[("extractor", "all")]
    up, ur, _, _ = results[("extractor", "all", "uniform")]
    ok_all = p >= TARGET_ALL[0] and r >= TARGET_ALL[1]
    ok_uni = up >= TARGET_UNIFORM[0] and ur >= TARGET_UNIFORM[1]
    print("targets (%s half, en+ru): illustratable P>=%.1f at R>=%.1f: %s; "
          "uniform rows P>=%.1f at R>=%.1f: %s"
          % (a.split, TARGET_ALL[0], TARGET_ALL[1],
             "met" if ok_all else "NOT met", TARGET_UNIFORM[0],
             TARGET_UNIFORM[1], "met" if ok_uni else "NOT met"))

    if a.errors:
        if a.split != "tune":
            print("check_scenes: --errors shows the tune half only",
                  file=sys.stderr)
        else:
            for r in half:
                truth = (r["kind"], r["illustratable"] == "yes")
                if truth != r["pred"]:
                    print("%s:%s %s/%s got %s/%s %.3f  %s" % (
                        r["book"].split("/")[-1][:12], r["index"], truth[0],
                        "yes" if truth[1] else "no", r["pred"][0],
                        "yes" if r["pred"][1] else "no", r["score"],
                        r["text"][:150]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
