#!/usr/bin/python3
"""Parse-speed bench: bookparse-dump --text vs ebooklib+bs4, pandoc, unzip -p.
Interleaved rounds, medians, per-pair ratios, peak RSS via getrusage of the child."""
import os, sys, subprocess, statistics, time, resource, glob
ROOT = os.path.dirname(os.path.abspath(__file__)) + '/../..'
CORP = os.environ.get('BP_CORPUS', ROOT + '/../shared/corpus')
ROUNDS = int(os.environ.get('BENCH_ROUNDS', '5'))
books = [CORP + '/epub/' + b for b in ('se-crime-and-punishment.epub', 'idpf-moby-dick.epub',
         'idpf-jlreq-in-japanese.epub')] + [CORP + '/fb2/' + b for b in (
         'fbreaderj-akunin-testfb2book-cp1251.fb2', 'fbreaderj-karenina-nodesc-cp1251.fb2',
         'fb2cng-_Test.ru.fb2', 'fb2document-_Test_1.en.fb2')]
books = [b for b in books if os.path.exists(b)]
def tools(b):
    t = {'bookparse': [ROOT + '/bookparse-dump', '--text', b],
         'ebooklib': ['/usr/bin/python3', ROOT + '/test/bench/ebooklib_text.py', b],
         'pandoc': ['pandoc', '-f', 'epub' if b.endswith('.epub') else 'fb2', '-t', 'plain', b]}
    if b.endswith('.epub'):
        t['unzip'] = ['unzip', '-p', b]
    return t
def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, st, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, ru.ru_maxrss, st
rows = []
for b in books:
    ts = tools(b); res = {k: [] for k in ts}; rss = {}
    for r in range(ROUNDS):
        for k, c in ts.items():
            dt, m, st = run(c); res[k].append(dt); rss[k] = max(rss.get(k, 0), m)
    med = {k: statistics.median(v) for k, v in res.items()}
    # peers: peer time / bookparse time; the unzip floor: bookparse time / unzip time
    ratio = lambda k: statistics.median((c / a) if k == 'unzip' else (a / c)
                                        for a, c in zip(res[k], res['bookparse']))
    rows.append((os.path.basename(b), os.path.getsize(b), med, rss,
                 {k: ratio(k) for k in res if k != 'bookparse'}))
out = ['| book | size KB | bookparse ms (RSS MB) | ebooklib+bs4 ms (RSS MB), bookparse Nx faster | pandoc ms (RSS MB), Nx | unzip -p ms, bookparse takes Nx |',
       '|---|---|---|---|---|---|']
for n, sz, med, rss, rat in rows:
    cell = lambda k: ('%.0f (%.0f) %.1fx' % (med[k] * 1000, rss[k] / 1024, rat[k])) if k in med else '-'
    out.append('| %s | %d | %.0f (%.0f) | %s | %s | %s |' % (n, sz // 1024, med['bookparse'] * 1000,
               rss['bookparse'] / 1024, cell('ebooklib'), cell('pandoc'),
               ('%.0f, %.1fx' % (med['unzip'] * 1000, rat['unzip'])) if 'unzip' in med else '-'))
print('\n'.join(out))
