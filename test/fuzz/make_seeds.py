#!/usr/bin/python3
"""make_seeds.py: write the seed corpora of the fuzz targets.

    /usr/bin/python3 test/fuzz/make_seeds.py OUTDIR [CORPUS [SAMPLES]]

OUTDIR/<target>/ gets small inputs for each target in test/fuzz/: books
from the shared corpus (../shared/corpus, when present) and the generated
samples (build/samples), the parts of their EPUBs (package, NCX, nav, a
chapter) for fuzz_epub, their XHTML documents for fuzz_xhtml, FB2 files
for fuzz_fb2, texts in several encodings for fuzz_txt, and small zips
built here for fuzz_zip.  Committed regression inputs
(test/fuzz/regressions/<target>/) are copied too.  Nothing is downloaded.
"""
import hashlib
import io
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SEP = b"\n#--#\n"
MAX_BOOK = 1024 * 1024
MAX_PART = 64 * 1024


def put(outdir, target, data):
    """Write one seed named by its hash."""
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def books(corpus, samples):
    """Every book file under the corpus and samples directories."""
    for top in (corpus, samples):
        if not top or not os.path.isdir(top):
            continue
        for root, _dirs, files in os.walk(top):
            for fn in sorted(files):
                if fn.endswith((".tsv", ".md")):
                    continue
                yield os.path.join(root, fn)


def epub_parts(z):
    """The OPF, NCX, nav, first chapter and container of an EPUB zip."""
    names = z.namelist()
    def get(pred):
        for n in names:
            if pred(n.lower()):
                try:
                    return z.read(n)[:MAX_PART]
                except Exception:
                    return b""
        return b""
    opf = get(lambda n: n.endswith(".opf"))
    ncx = get(lambda n: n.endswith(".ncx"))
    nav = get(lambda n: "nav" in n and n.endswith((".xhtml", ".html")))
    chap = get(lambda n: n.endswith((".xhtml", ".html", ".htm"))
               and "nav" not in n and "cover" not in n)
    return [opf, ncx, nav, chap]


def zips(outdir):
    """Small zip archives of every kind the reader handles."""
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", method) as z:
            z.writestr("mimetype", "application/epub+zip")
            z.writestr("a/b.txt", "hello " * 50)
            z.writestr("\u0434\u0430.txt", "x")
        put(outdir, "fuzz_zip", b.getvalue())
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("big", "w", force_zip64=True) as f:
            f.write(b"z" * 5000)
    put(outdir, "fuzz_zip", b.getvalue())
    # a data descriptor: written through a non-seekable stream
    class NoSeek(io.RawIOBase):
        def __init__(self):
            self.buf = bytearray()
        def writable(self):
            return True
        def write(self, d):
            self.buf += d
            return len(d)
    ns = NoSeek()
    with zipfile.ZipFile(ns, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("d.txt", "descriptor " * 20)
    put(outdir, "fuzz_zip", bytes(ns.buf))


def main():
    outdir = sys.argv[1]
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "../../../shared/corpus")
    samples = sys.argv[3] if len(sys.argv) > 3 else os.path.join(HERE, "../../build/samples")
    n = 0
    for path in books(corpus, samples):
        with open(path, "rb") as f:
            data = f.read()
        if len(data) <= MAX_BOOK:
            put(outdir, "fuzz_book", data)
        if data[:2] == b"PK":
            if len(data) <= MAX_BOOK:
                put(outdir, "fuzz_zip", data)
            try:
                z = zipfile.ZipFile(io.BytesIO(data))
                parts = epub_parts(z)
                if any(parts):
                    put(outdir, "fuzz_epub", SEP.join(parts))
                k = 0
                for name in z.namelist():
                    low = name.lower()
                    if low.endswith((".xhtml", ".html", ".htm")) and k < 6:
                        put(outdir, "fuzz_xhtml", z.read(name)[:MAX_PART])
                        k += 1
                    if low.endswith(".fb2"):
                        put(outdir, "fuzz_fb2", z.read(name)[:MAX_BOOK])
            except Exception:
                pass
        elif path.endswith(".fb2"):
            put(outdir, "fuzz_fb2", data[:MAX_BOOK])
            put(outdir, "fuzz_txt", bytes([4]) + data[:MAX_PART])
        elif path.endswith(".txt"):
            for enc_byte, enc in ((0, "utf-8"), (1, "utf-16-le"), (4, "cp1251"),
                                  (6, "koi8-r"), (8, "shift_jis")):
                text = data.decode("utf-8", "replace")
                put(outdir, "fuzz_txt", bytes([enc_byte]) + text.encode(enc, "replace")[:MAX_PART])
        n += 1
    zips(outdir)
    texts = [
        "Chapter 1\n\nIt was a dark night.\n\nChapter 2\n\nThe end.\n",
        "\u0413\u043b\u0430\u0432\u0430 1\n\n\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440.\n",
        "\u7b2c\u4e00\u7ae0\n\n\u543e\u8f29\u306f\u732b\u3067\u3042\u308b\u3002\n",
    ]
    for i, t in enumerate(texts):
        for enc_byte, enc in ((0, "utf-8"), (2, "utf-16-be"), (4, "cp1251"), (9, "gb18030")):
            put(outdir, "fuzz_txt", bytes([enc_byte]) + t.encode(enc, "replace"))
        put(outdir, "fuzz_txt", bytes([i]) + b"\xef\xbb\xbf" + t.encode("utf-8"))
    # regressions kept in git
    reg = os.path.join(HERE, "regressions")
    if os.path.isdir(reg):
        for target in sorted(os.listdir(reg)):
            for fn in sorted(os.listdir(os.path.join(reg, target))):
                with open(os.path.join(reg, target, fn), "rb") as f:
                    put(outdir, target, f.read())
    for t in sorted(os.listdir(outdir)):
        print("%-12s %d seeds" % (t, len(os.listdir(os.path.join(outdir, t)))))


if __name__ == "__main__":
    main()
