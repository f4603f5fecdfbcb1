#!/usr/bin/python3
"""Parse-speed bench: bookparse-dump --text vs the old stack, pandoc, unzip -p.
Interleaved rounds, medians, per-pair ratios, peak RSS via wait4() of the child.

The old stack is what the system bookparse replaces used: ebooklib + bs4 for
EPUB, lxml for FB2 (bs4 on FB2 is shown too).  A peer that fails on a book
(exit status other than 0) is shown as such, not timed."""
import os, sys, subprocess, statistics, time
ROOT = os.path.dirname(os.path.abspath(__file__)) + '/../..'
CORP = os.environ.get('BP_CORPUS', ROOT + '/../shared/corpus')
ROUNDS = int(os.environ.get('BENCH_ROUNDS', '5'))
PEER = ROOT + '/test/bench/ebooklib_text.py'
PY = '/usr/bin/python3'
# the novels (and the 8 MB Japanese W3C document, which is not one)
books = [CORP + '/epub/' + b for b in (
    'se-crime-and-punishment.epub', 'idpf-moby-dick.epub', 'epubjs-alice.epub',
    'idpf-childrens-literature.epub', 'idpf-kusamakura-japanese-vertical-writing.epub',
    'idpf-jlreq-in-japanese.epub')] + [CORP + '/fb2/' + b for b in (
    'fbreaderj-akunin-testfb2book-cp1251.fb2', 'fbreaderj-karenina-nodesc-cp1251.fb2',
    'fb2cng-_Test.ru.fb2', 'fb2document-_Test_1.en.fb2')]
books = [b for b in books if os.path.exists(b)]


def tools(b):
    """The commands to time for book b, by name."""
    epub = b.endswith('.epub')
    t = {'bookparse': [ROOT + '/bookparse-dump', '--text', b],
         'old': [PY, PEER, b]}
    if not epub:
        t['bs4'] = [PY, PEER, '--bs4', b]
    t['pandoc'] = ['pandoc', '-f', 'epub' if epub else 'fb2', '-t', 'plain', b]
    if epub:
        t['unzip'] = ['unzip', '-p', b]
    return t


def run(cmd):
    """Wall seconds, peak RSS (kB) and exit status of one run of cmd."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, st, ru = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, ru.ru_maxrss, os.waitstatus_to_exitcode(st)


rows = []
for b in books:
    ts = tools(b)
    res = {k: [] for k in ts}
    rss = {}
    failed = {}
    for r in range(ROUNDS):
        for k, c in ts.items():
            if k in failed:
                continue
            dt, m, st = run(c)
            if st != 0:
                failed[k] = st
                continue
            res[k].append(dt)
            rss[k] = max(rss.get(k, 0), m)
    med = {k: statistics.median(v) for k, v in res.items() if v and k not in failed}

    def ratio(k):
        """Peer time / bookparse time (unzip: bookparse / unzip), median of the pairs."""
        return statistics.median((c / a) if k == 'unzip' else (a / c)
                                 for a, c in zip(res[k], res['bookparse']))
    rows.append((os.path.basename(b), os.path.getsize(b), med, rss, failed,
                 {k: ratio(k) for k in med if k != 'bookparse'}))

# what the Python peers cost before they read a byte
start = {}
for k in ('lxml', 'bs4'):
    start[k] = statistics.median(run([PY, PEER, '--start', k])[0] for _ in range(ROUNDS))

out = ['| book | size KB | bookparse ms (RSS MB) | old stack ms (RSS MB), bookparse Nx faster '
       '| bs4 on FB2 ms (RSS MB), Nx | pandoc ms (RSS MB), Nx | unzip -p ms, bookparse takes Nx |',
       '|---|---|---|---|---|---|---|']
for n, sz, med, rss, failed, rat in rows:
    def cell(k):
        """One peer's cell."""
        if k in failed:
            return 'fails (exit %d)' % failed[k]
        if k not in med:
            return '-'
        return '%.0f (%.0f) %.1fx' % (med[k] * 1000, rss[k] / 1024, rat[k])
    old = cell('old') + (' (lxml)' if n.endswith('.fb2') and 'old' in med else '')
    out.append('| %s | %d | %.0f (%.0f) | %s | %s | %s | %s |' % (
        n, sz // 1024, med['bookparse'] * 1000, rss['bookparse'] / 1024, old, cell('bs4'),
        cell('pandoc'),
        ('%.0f, %.1fx' % (med['unzip'] * 1000, rat['unzip'])) if 'unzip' in med else '-'))
out.append('')
out.append('Start of the Python peers alone (interpreter and imports, no book; medians): '
           'python3 + lxml %.0f ms, python3 + ebooklib + bs4 + lxml %.0f ms.'
           % (start['lxml'] * 1000, start['bs4'] * 1000))
print('\n'.join(out))
