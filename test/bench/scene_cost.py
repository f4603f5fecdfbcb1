#!/usr/bin/python3
"""Scene extraction cost (issue 13): what `--scenes` adds to a novel's parse.

For each book, `bookparse-dump --full BOOK` (the parse as the workers do it,
JSON out) against `bookparse-dump --full --scenes BOOK` (the same parse, the
word lists loaded, every paragraph judged, TSV out):

- instructions of the whole process under callgrind, once per book and
  mode, and from the --scenes run the inclusive instructions of
  bp_book_scenes() (minus bp_scene_lang_build(), stemming the language's
  lists on first use: what a worker that keeps the lists pays per book) and
  of list loading (bp_scene_load() + bp_scene_lang_build(): what a process
  pays once);
- CPU time (user + sys of the child), the least of SCENE_RUNS alternating
  runs (default 10).

The books: Crime and Punishment, Moby-Dick, the Akunin FB2 in windows-1251,
and a "War and Peace size" novel that the corpus lacks: a UTF-8 FB2
(<lang>en</lang>) of about 3.5 MB of text, generated in a temporary
directory from the corpus's English novels (their text in order, then from
the first again until the size is reached; never committed).  Prints a
Markdown table.  Books missing from the corpus are skipped.
"""
import os, re, resource, shutil, subprocess, sys, tempfile, time
from xml.sax.saxutils import escape

ROOT = os.path.realpath(os.path.dirname(os.path.abspath(__file__)) + '/../..')
CORP = os.environ.get('BP_CORPUS', ROOT + '/../shared/corpus')
RUNS = int(os.environ.get('SCENE_RUNS', '10'))
DUMP = ROOT + '/bookparse-dump'
NOVEL_BYTES = 3_500_000
SOURCES = ['epub/se-crime-and-punishment.epub', 'epub/idpf-moby-dick.epub',
           'epub/idpf-childrens-literature.epub', 'epub/epubjs-alice.epub']


def make_novel(path):
    """Write the generated ~3.5 MB English FB2 to path; its text size, or None."""
    paras = []
    for src in SOURCES:
        f = os.path.join(CORP, src)
        if not os.path.exists(f):
            continue
        text = subprocess.run([DUMP, '--text', f], check=True, capture_output=True).stdout
        paras.append([p.replace('\n', ' ') for p in
                      text.decode('utf-8').split('\n\n') if p.strip()])
    if not paras:
        return None
    body, size, n = [], 0, 0
    while size < NOVEL_BYTES:
        for p in paras[n % len(paras)]:
            if size >= NOVEL_BYTES:
                break
            if len(body) % 60 == 0:
                body.append(None)   # a new chapter every 60 paragraphs
            body.append(p)
            size += len(p.encode('utf-8')) + 2
        n += 1
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0">',
           '<description><title-info><book-title>A War and Peace size novel (generated)'
           '</book-title><lang>en</lang></title-info></description><body>']
    chapter = 0
    for p in body:
        if p is None:
            if chapter:
                out.append('</section>')
            chapter += 1
            out.append('<section><title><p>Chapter %d</p></title>' % chapter)
        else:
            out.append('<p>%s</p>' % escape(p))
    out.append('</section></body></FictionBook>')
    with open(path, 'w', encoding='utf-8') as fh:
        fh.write('\n'.join(out) + '\n')
    return size


def callgrind(args, tmp):
    """Instructions of the process, and inclusive ones per function of interest."""
    out = os.path.join(tmp, 'cg.out')
    subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=' + out, DUMP] + args,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ann = subprocess.run(['callgrind_annotate', '--inclusive=yes', '--threshold=100', out],
                         check=True, capture_output=True, text=True).stdout
    fns = {'total': 0}
    for line in ann.splitlines():
        m = re.match(r'\s*([\d,]+) (\([^)]*\))?\s+(.*)$', line)
        if not m:
            continue
        n, what = int(m.group(1).replace(',', '')), m.group(3)
        if what.startswith('PROGRAM TOTALS'):
            fns['total'] = n
        m2 = re.search(r':(bp_book_scenes|bp_scene_load|bp_scene_lang_build)( \[|$)', what)
        if m2 and not what.startswith('=>'):
            fns[m2.group(1)] = max(fns.get(m2.group(1), 0), n)
    return fns


def cpu(args):
    """User + sys seconds of one run."""
    p = subprocess.Popen([DUMP] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, st, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(st) != 0:
        raise RuntimeError('%s failed' % ' '.join(args))
    return ru.ru_utime + ru.ru_stime


def text_size(book):
    """Bytes of the book's chapter text."""
    return len(subprocess.run([DUMP, '--text', book], check=True, capture_output=True).stdout)


def main():
    if shutil.which('valgrind') is None:
        print('(valgrind not installed: no scene cost)')
        return
    tmp = tempfile.mkdtemp(prefix='bookparse-scenes.')
    try:
        books = [('Crime and Punishment (epub)', CORP + '/epub/se-crime-and-punishment.epub'),
                 ('Moby-Dick (epub)', CORP + '/epub/idpf-moby-dick.epub'),
                 ('Akunin (fb2, windows-1251)', CORP + '/fb2/fbreaderj-akunin-testfb2book-cp1251.fb2')]
        novel = os.path.join(tmp, 'war-and-peace-size.fb2')
        if make_novel(novel):
            books.append(('War and Peace size (generated fb2, en)', novel))
        rows = []
        for name, book in books:
            if not os.path.exists(book):
                continue
            print('scene cost: %s' % name, file=sys.stderr)
            base = callgrind(['--full', book], tmp)
            sc = callgrind(['--full', '--scenes', book], tmp)
            best = {False: float('inf'), True: float('inf')}
            for _ in range(RUNS):
                for scenes in (False, True):
                    args = ['--full'] + (['--scenes'] if scenes else []) + [book]
                    best[scenes] = min(best[scenes], cpu(args))
            rows.append((name, text_size(book), base, sc, best))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def m(n):
        return '%.1f M' % (n / 1e6)
    out = ['| book | text MB | instructions without → with scenes | added | extraction per book '
           '| lists: loading + first use of the language | CPU ms without → with (added) |',
           '|---|---|---|---|---|---|---|']
    for name, size, base, sc, best in rows:
        b = base['total']
        build = sc.get('bp_scene_lang_build', 0)
        extract = sc.get('bp_book_scenes', 0) - build
        lists = sc.get('bp_scene_load', 0) + build
        out.append('| %s | %.2f | %s → %s | **+%.1f%%** | %s (%.1f%%) | %s (%.1f%%) '
                   '| %.1f → %.1f (+%.0f%%) |' % (
                       name, size / 1e6, m(b), m(sc['total']), 100.0 * (sc['total'] - b) / b,
                       m(extract), 100.0 * extract / b, m(lists), 100.0 * lists / b,
                       best[False] * 1000, best[True] * 1000,
                       100.0 * (best[True] - best[False]) / best[False]))
    print('\n'.join(out))


if __name__ == '__main__':
    main()
