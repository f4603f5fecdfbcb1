#!/usr/bin/python3
"""Check ./bookparse-dump against every book of the shared corpus.

    /usr/bin/python3 test/corpus_check.py [--verbose] [BOOK...]

Run from the repository root (or anywhere: paths are taken relative to this
file).  The corpus is $BP_CORPUS or ../shared/corpus; when it is absent the
check prints a message and exits 0.

For each book under epub/, derived/, fb2/ and malformed/:
  - books that must fail (malformed/ table of the corpus README): exit 1 and
    the expected error code on stderr;
  - every other book: exit 0, valid JSON, a title when the book has one, at
    least one chapter, and the letters (Unicode categories L* and N*) of the
    --text output within 1% of the letters of the book's body text computed
    here independently with lxml (EPUB: <body> of every spine document, each
    once, without script/style nor epub:switch cases; FB2: every <body>;
    HTML entities resolved, unknown entity references kept as text);
  - spot checks of chapter titles and depths for a few known books.
Prints one line per book and ends with "corpus: N passed, N failed".
"""

import html.entities
import json
import os
import posixpath
import re
import subprocess
import sys
import unicodedata
import urllib.parse
import zipfile

from lxml import etree
import lxml.html

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.environ.get("BP_CORPUS", os.path.join(ROOT, "..", "shared", "corpus"))
DUMP = os.environ.get("BP_DUMP", os.path.join(ROOT, "bookparse-dump"))
TIMEOUT = 120
TOLERANCE = 0.01

# Books that must fail: name -> acceptable error codes (None: may also parse).
MUST_FAIL = {
    "malformed/epubcheck-ocf-zip-unreadable-empty-fatal.epub": ({"empty"}, False),
    # its whole local headers hold only mimetype, the OPF and a cut image:
    # recovering them finds no text
    "malformed/epubcheck-ocf-zip-unreadable-no-end-header-fatal.epub": ({"corrupt_archive", "no_text"}, True),
    "malformed/epubcheck-ocf-zip-unreadable-image-with-epub-extension-fatal.epub": ({"not_a_book"}, False),
    "malformed/epubcheck-ocf-container-not-ocf-error.epub": ({"not_a_book"}, False),
}

XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                             huge_tree=True, load_dtd=False)
SKIP_TAGS = {"script", "style"}
# EPUB 3 content switch: reading systems show epub:default, not the cases
EPUB_CASE = "{http://www.idpf.org/2007/ops}case"


class CheckError(Exception):
    """A failed expectation about one book."""


def letters(text):
    """Number of code points of category L* or N* in NFC text."""
    text = unicodedata.normalize("NFC", text)
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def local(tag):
    """Local name of an lxml tag (no namespace), '' for comments etc."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def entity_text(el):
    """Text of an unresolved entity reference: HTML entities resolved,
    unknown ones kept as written (as readers and bookparse show them)."""
    name = el.text[1:-1] if el.text and el.text.startswith("&") else ""
    if name in html.entities.name2codepoint:
        return chr(html.entities.name2codepoint[name])
    return el.text or ""


XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
ENTITY_REF = re.compile(rb"&([A-Za-z][A-Za-z0-9._-]*);")


def fix_entities(data):
    """Entity references of a document without a DTD, as readers show them:
    HTML entities resolved, unknown ones kept as text."""
    def sub(m):
        name = m.group(1)
        if name in XML_ENTITIES:
            return m.group(0)
        cp = html.entities.name2codepoint.get(name.decode("ascii"))
        if cp is not None:
            return b"&#%d;" % cp
        return b"&amp;" + name + b";"
    if b"<!ENTITY" in data:
        return data
    return ENTITY_REF.sub(sub, data)


def skipped(el):
    """Is el an element whose content is not shown?"""
    return local(el.tag) in SKIP_TAGS or el.tag == EPUB_CASE


def body_text(root):
    """Text of every <body> below root, without script, style, epub:case."""
    parts = []
    bodies = [el for el in root.iter() if local(el.tag) == "body"]
    # a body inside another body (never in practice) would count twice
    seen = set()
    for body in bodies:
        if any(id(a) in seen for a in body.iterancestors()):
            continue
        seen.add(id(body))
        stack = [(body, False)]
        while stack:
            el, skip = stack.pop()
            skip = skip or skipped(el)
            if not skip and el.tag is etree.Entity:
                parts.append(entity_text(el))
            elif not skip and isinstance(el.tag, str) and el.text:
                parts.append(el.text)
            # tails belong to the parent's content
            for child in reversed(list(el)):
                stack.append((child, skip))
            if el is not body and el.tail and not _tail_skipped(el, body):
                parts.append(el.tail)
    return "\n".join(parts)


def _tail_skipped(el, body):
    """Is the tail of el inside a script/style ancestor (below body)?"""
    for anc in el.iterancestors():
        if skipped(anc):
            return True
        if anc is body:
            break
    return False


def parse_xml(data):
    """lxml tree of (X)HTML bytes: XML recover parser, HTML parser fallback."""
    root = None
    try:
        root = etree.fromstring(fix_entities(data), XML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None or not any(local(el.tag) == "body" for el in root.iter()):
        try:
            root = lxml.html.document_fromstring(data)
        except (etree.ParserError, ValueError):
            return None
    return root


def zip_read(zf, names, name):
    """Read an entry by exact name, then unquoted, then case-insensitively."""
    for cand in (name, urllib.parse.unquote(name)):
        if cand in names:
            return zf.read(cand)
    low = {n.lower(): n for n in names}
    for cand in (name, urllib.parse.unquote(name)):
        if cand.lower() in low:
            return zf.read(low[cand.lower()])
    return None


def epub_reference(path):
    """(letters of the spine's body text, has a title) of an EPUB."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        container = zip_read(zf, names, "META-INF/container.xml")
        opf_path = None
        if container is not None:
            croot = etree.fromstring(container, XML_PARSER)
            if croot is not None:
                for el in croot.iter():
                    if local(el.tag) == "rootfile" and el.get("full-path"):
                        opf_path = el.get("full-path")
                        break
        if opf_path is None:
            opfs = sorted(n for n in names if n.lower().endswith(".opf"))
            if not opfs:
                raise CheckError("reference: no OPF found")
            opf_path = opfs[0]
        opf = etree.fromstring(zip_read(zf, names, opf_path), XML_PARSER)
        base = posixpath.dirname(opf_path)
        manifest = {}
        documents = []          # XHTML items in manifest order (not nav)
        title = False
        for el in opf.iter():
            name = local(el.tag)
            if name == "item" and el.get("id") is not None and el.get("href"):
                href = el.get("href").split("#", 1)[0]
                manifest[el.get("id")] = posixpath.normpath(
                    posixpath.join(base, urllib.parse.unquote(href)))
            if (name == "item" and el.get("href")
                    and el.get("media-type") in ("application/xhtml+xml", "text/html")
                    and "nav" not in (el.get("properties") or "").split()):
                documents.append(posixpath.normpath(posixpath.join(
                    base, urllib.parse.unquote(el.get("href").split("#", 1)[0]))))
            elif name == "title" and local(el.getparent().tag) == "metadata":
                if "".join(el.itertext()).strip():
                    title = True
        spine = [manifest.get(el.get("idref")) for el in opf.iter()
                 if local(el.tag) == "itemref"]
        spine = [h for h in spine if h is not None and zip_read(zf, names, h) is not None]
        if not spine:
            # like readers (and bookparse), fall back to the manifest's documents
            spine = documents
        done = set()
        total = 0
        for href in spine:
            if href in done:
                continue
            done.add(href)
            data = zip_read(zf, names, href)
            if data is None:
                continue
            root = parse_xml(data)
            if root is not None:
                total += letters(body_text(root))
        return total, title


def fb2_reference(data):
    """(letters of every <body>, has a title) of FB2 bytes."""
    root = etree.fromstring(fix_entities(data), XML_PARSER)
    if root is None:
        raise CheckError("reference: FB2 unreadable by lxml")
    title = any(local(el.tag) == "book-title" and "".join(el.itertext()).strip()
                for el in root.iter())
    return letters(body_text(root)), title


def reference(rel, path):
    """(letters, has title) of a corpus book, or None when unreadable here."""
    if rel.endswith(".fb2.zip"):
        with zipfile.ZipFile(path) as zf:
            inner = [n for n in zf.namelist() if n.lower().endswith(".fb2")]
            if not inner:
                raise CheckError("reference: no .fb2 in the zip")
            return fb2_reference(zf.read(inner[0]))
    if rel.endswith(".fb2"):
        with open(path, "rb") as f:
            return fb2_reference(f.read())
    try:
        return epub_reference(path)
    except zipfile.BadZipFile:
        return None


def run_dump(args):
    """Run bookparse-dump; (exit code, stdout str, stderr str)."""
    try:
        proc = subprocess.run([DUMP] + args, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise CheckError("bookparse-dump took more than %ds" % TIMEOUT)
    if proc.returncode < 0:
        raise CheckError("bookparse-dump killed by signal %d" % -proc.returncode)
    return (proc.returncode, proc.stdout.decode("utf-8", "strict"),
            proc.stderr.decode("utf-8", "replace"))


def error_code(stderr, path):
    """The CODE of `bookparse-dump: FILE: CODE: explanation`."""
    prefix = "bookparse-dump: %s: " % path
    for line in stderr.splitlines():
        if line.startswith(prefix):
            return line[len(prefix):].split(":", 1)[0]
    return None


def spot_checks(rel, book):
    """Known chapter titles and structure of a few corpus books."""
    chapters = book["chapters"]
    titles = [c["title"] or "" for c in chapters]
    name = os.path.basename(rel)
    if name == "idpf-moby-dick.epub":
        if not any(t.startswith("Chapter 1.") and "Loomings" in t for t in titles):
            raise CheckError("no chapter titled 'Chapter 1. Loomings.'")
    elif name == "se-crime-and-punishment.epub":
        ok = False
        for i, c in enumerate(chapters[:-1]):
            if (c["title"] or "").startswith("Part") and chapters[i + 1]["depth"] > c["depth"]:
                ok = True
                break
        if not ok:
            raise CheckError("no 'Part ...' chapter followed by deeper chapters")
    elif name in ("fb2cng-_Test.ru.fb2", "fb2cng-_Test.ru.fb2.zip"):
        if not any(c["depth"] > 1 for c in chapters):
            raise CheckError("no nested section (depth > 1)")
        if not any(c["is_notes"] for c in chapters):
            raise CheckError("no notes chapter")


def check_book(rel, path):
    """Check one book; returns a short description, raises CheckError."""
    code, out, err = run_dump([path])
    if rel in MUST_FAIL:
        codes, may_parse = MUST_FAIL[rel]
        if code == 1:
            got = error_code(err, path)
            if got not in codes:
                raise CheckError("expected error %s, got %r (%s)"
                                 % ("/".join(sorted(codes)), got, err.strip()))
            return "fails as expected: %s" % got
        if code != 0 or not may_parse:
            raise CheckError("expected exit 1 (%s), got %d: %s"
                             % ("/".join(sorted(codes)), code, err.strip()))
    ref = reference(rel, path)
    # a book without any text (image-only comics, empty test books) may
    # fail with no_text, or parse into no or empty chapters
    textless = ref is not None and ref[0] == 0
    if code != 0 and rel not in MUST_FAIL:
        if code == 1 and textless and error_code(err, path) == "no_text":
            return "no text, as the reference agrees"
        raise CheckError("exit %d: %s" % (code, err.strip()))

    try:
        book = json.loads(out)
    except ValueError as e:
        raise CheckError("invalid JSON: %s" % e)
    if not book.get("chapters") and not textless:
        raise CheckError("no chapters")

    if ref is not None and ref[1] and not book["metadata"].get("title"):
        raise CheckError("the book has a title, the JSON none")

    tcode, text, terr = run_dump(["--text", path])
    if tcode != 0:
        raise CheckError("--text exit %d: %s" % (tcode, terr.strip()))
    got = letters(text)
    detail = "%s, %d chapters, %d letters" % (book["format"], len(book["chapters"]), got)
    if ref is not None:
        want = ref[0]
        diff = abs(got - want) / max(want, 1)
        if diff > TOLERANCE:
            raise CheckError("letters %d, reference %d (%.2f%% off)" % (got, want, diff * 100))
        detail += " (reference %d, %.2f%% off)" % (want, diff * 100)
    spot_checks(rel, book)
    return detail


def books(args):
    """(relative name, path) of the books to check."""
    if args:
        for a in args:
            yield os.path.relpath(a, CORPUS) if os.path.exists(a) else a, \
                a if os.path.exists(a) else os.path.join(CORPUS, a)
        return
    for sub in ("epub", "derived", "fb2", "malformed"):
        d = os.path.join(CORPUS, sub)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            yield sub + "/" + name, os.path.join(d, name)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if not os.path.isdir(CORPUS):
        print("corpus: %s is absent, skipped" % CORPUS)
        return 0
    if not os.access(DUMP, os.X_OK):
        print("corpus: %s not built (run make)" % DUMP, file=sys.stderr)
        return 1
    passed = failed = 0
    for rel, path in books(args):
        try:
            detail = check_book(rel, path)
        except CheckError as e:
            failed += 1
            print("FAIL %s: %s" % (rel, e), flush=True)
        except Exception as e:  # a bug of this script or an odd file
            failed += 1
            print("FAIL %s: %s: %s" % (rel, type(e).__name__, e), flush=True)
        else:
            passed += 1
            print("ok   %s: %s" % (rel, detail), flush=True)
    print("corpus: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
