#!/usr/bin/python3
"""memory_bench.py: what a book costs in memory, per corpus book.

    memory_bench.py [--db] [--work-mem=64MB] [BOOK...]

For each book (default: every EPUB and FB2 of ../shared/corpus, else the
sample books in build/samples) prints:

  parse peak   peak parse memory counted by the core (its own blocks, zlib,
               libxml2, ICU and the book itself), from
               `bookparse-dump --full --stats --text BOOK`: what
               bookparse.work_mem must cover
  dump RSS     peak resident memory of that whole bookparse-dump process
               (ru_maxrss: includes the program, ICU data pages, libc)
  job peak     with --db: bookparse.job.peak_memory_bytes of the job that
               parsed the book in a worker (parse or store, the larger)
  worker anon  with --db: the worker's peak RssAnon (private memory, read
               from /proc about every 2 ms; short spikes can be missed), for a fresh worker per book

--db needs a running cluster (PGHOST/PGPORT, superuser, bookparse created,
bookparse.max_workers = 1, a short bookparse.naptime so that the worker
exits between books); test/bench/memory.sh sets one up.  Run as root or as
the cluster's owner, to read /proc of its processes.
"""
import glob
import os
import re
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DUMP = os.path.join(ROOT, 'bookparse-dump')


def corpus_books():
    """Books to measure: the corpus EPUB/FB2 files, else the samples."""
    corpus = os.path.join(ROOT, '..', 'shared', 'corpus')
    books = []
    for d in ('epub', 'fb2'):
        books += sorted(glob.glob(os.path.join(corpus, d, '*')))
    if not books:
        books = sorted(glob.glob(os.path.join(ROOT, 'build', 'samples', 'sample*')))
    return [os.path.abspath(b) for b in books if os.path.isfile(b)]


def dump_stats(book, work_mem):
    """(parse peak bytes or None, max RSS kB, error) of one dump run."""
    p = subprocess.Popen([DUMP, '--full', '--stats', '--text',
                          '--max-memory=' + work_mem, book],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode('utf-8', 'replace')
    _, status, ru = os.wait4(p.pid, 0)
    m = re.search(r'peak_memory_bytes=(\d+)', err)
    bad = None if os.waitstatus_to_exitcode(status) == 0 else err.strip().split(': ')[-1]
    return (int(m.group(1)) if m else None), ru.ru_maxrss, bad


def psql(sql):
    """Run SQL with psql; the unaligned, tuples-only output."""
    return subprocess.run(['psql', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1',
                           '-d', os.environ.get('PGDATABASE', 'postgres'), '-c', sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def postmaster_pid():
    """The cluster's postmaster pid (pg_postmaster_pid is not SQL; use the file)."""
    d = psql("SHOW data_directory")
    with open(os.path.join(d, 'postmaster.pid')) as f:
        return int(f.readline())


def worker_pids(pm):
    """Pids of the bookparse workers of the postmaster pm."""
    pids = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/status' % pid) as f:
                st = f.read()
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmd = f.read()
        except OSError:
            continue
        m = re.search(r'^PPid:\s+(\d+)', st, re.M)
        if m and int(m.group(1)) == pm and b'bookparse worker' in cmd:
            pids.append(pid)
    return pids


def rss_anon_kb(pid):
    """RssAnon of pid in kB, or 0 when it is gone."""
    try:
        with open('/proc/%s/status' % pid) as f:
            m = re.search(r'^RssAnon:\s+(\d+)', f.read(), re.M)
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


def db_stats(book, pm):
    """(job peak bytes, worker peak RssAnon kB, status) of one book in a worker."""
    deadline = time.time() + 30
    while worker_pids(pm) and time.time() < deadline:
        time.sleep(0.05)            # a fresh worker for each book
    path = book.replace("'", "''")
    bid = psql("SELECT bookparse.submit(pg_read_binary_file('%s'), '%s')"
               % (path, os.path.basename(path)))
    peak = 0
    st = None
    deadline = time.time() + 120
    next_check = 0.0
    while time.time() < deadline:
        for pid in worker_pids(pm):
            peak = max(peak, rss_anon_kb(pid))
        if time.time() >= next_check:
            st = psql("SELECT status FROM bookparse.book WHERE id = %s" % bid)
            if st in ('parsed', 'failed'):
                break
            next_check = time.time() + 0.025
        time.sleep(0.001)
    jp = psql("SELECT coalesce(max(peak_memory_bytes), 0) FROM bookparse.job WHERE book_id = %s" % bid)
    return int(jp), peak, st


def mb(n):
    """Bytes as MB with one decimal."""
    return '%.1f' % (n / 1048576.0)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    use_db = '--db' in sys.argv
    work_mem = '64MB'
    for a in sys.argv[1:]:
        if a.startswith('--work-mem='):
            work_mem = a.split('=', 1)[1]
    books = [os.path.abspath(b) for b in args] or corpus_books()
    pm = postmaster_pid() if use_db else None

    head = '| Book | Size MB | Parse peak MB | Dump RSS MB |'
    sep = '|---|---:|---:|---:|'
    if use_db:
        head += ' Job peak MB | Worker RssAnon MB |'
        sep += '---:|---:|'
    print(head)
    print(sep)
    worst = (0, None)
    for b in books:
        peak, rss, bad = dump_stats(b, work_mem)
        name = os.path.relpath(b, os.path.join(ROOT, '..', 'shared', 'corpus')) \
            if '/shared/corpus/' in b else os.path.basename(b)
        row = '| %s | %s | %s | %s |' % (name, mb(os.path.getsize(b)),
                                         mb(peak) if peak else 'failed: ' + (bad or '?'),
                                         mb(rss * 1024))
        if peak and peak > worst[0]:
            worst = (peak, name)
        if use_db:
            jp, anon, st = db_stats(b, pm)
            row += ' %s | %s |' % (mb(jp) if st == 'parsed' else st, mb(anon * 1024))
        print(row, flush=True)
    if worst[1]:
        print()
        print('Largest parse peak: %s MB (%s); bookparse-dump --max-memory=%s.'
              % (mb(worst[0]), worst[1], work_mem))


if __name__ == '__main__':
    main()
