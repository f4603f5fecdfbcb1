#!/usr/bin/python3
"""make_hostile.py: write the hostile-input catalogue of bookparse.

    /usr/bin/python3 test/hostile/make_hostile.py [DIR]   (default build/hostile)

Writes one file per case into DIR and DIR/manifest.tsv with the outcome
each case must have (test/hostile/check.py asserts it):

    name  file  expect  note

expect is "ok" (a clean parse, maybe with warnings), "ok:WARNING" (a
clean parse that records that warning code), "error:CODE" (bookparse-dump
exits 1 with that bp_code name), or several of those joined by "|" when
more than one outcome is acceptable.  Every case must also end within
seconds, in bounded memory, with no read of DIR/secret/ (the file the XML
external entities point at) or /etc/passwd, no socket, and text that is
valid UTF-8 without NUL.  Nothing big is committed: bombs are built here.
Standard library only; deterministic bytes.
"""
import os
import random
import struct
import sys
import zlib

OUT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/hostile")
SECRET_DIR = os.path.join(OUT, "secret")
SECRET = os.path.join(SECRET_DIR, "hostile-secret.txt")
EVIL_DTD = os.path.join(SECRET_DIR, "evil.dtd")
MARKER = "HOSTILE-SECRET-7d1f"
NET = "http://127.0.0.1:9"		# discard port: nothing listens, nothing may try

CASES = []


# ---------------------------------------------------------------- zip writing

class Zip:
    """A raw zip writer that can lie: every header field may be overridden."""

    def __init__(self):
        self.buf = bytearray()
        self.cd = []

    def add(self, name, data, method=8, comp=None, flags=0, crc=None,
            lsize=None, lusize=None, csize=None, cusize=None, offset=None,
            local=True):
        """Add an entry; comp is ready-made compressed data."""
        if isinstance(name, str):
            name = name.encode("utf-8")
            flags |= 0x800
        if comp is None:
            if method == 8:
                c = zlib.compressobj(9, zlib.DEFLATED, -15)
                comp = c.compress(data) + c.flush()
            else:
                comp = data
        if crc is None:
            crc = zlib.crc32(data) & 0xFFFFFFFF
        off = len(self.buf)
        if local:
            self.buf += struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, flags, method,
                                    0, 0x21, crc,
                                    len(comp) if lsize is None else lsize,
                                    len(data) if lusize is None else lusize,
                                    len(name), 0) + name + comp
        self.cd.append(dict(name=name, flags=flags, method=method, crc=crc,
                            csize=len(comp) if csize is None else csize,
                            usize=len(data) if cusize is None else cusize,
                            offset=off if offset is None else offset))
        return off

    def finish(self, cd_count=None, cd_offset=None, truncate_cd=None):
        """Write the central directory and end record; returns the bytes."""
        start = len(self.buf)
        cd = bytearray()
        for e in self.cd:
            cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031E, 20,
                              e["flags"], e["method"], 0, 0x21, e["crc"],
                              e["csize"] & 0xFFFFFFFF, e["usize"] & 0xFFFFFFFF,
                              len(e["name"]), 0, 0, 0, 0, 0o644 << 16,
                              e["offset"]) + e["name"]
        n = len(self.cd) if cd_count is None else cd_count
        eocd = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, n & 0xFFFF, n & 0xFFFF,
                           len(cd), start if cd_offset is None else cd_offset, 0)
        if truncate_cd is not None:
            cd = cd[:truncate_cd]
        return bytes(self.buf + cd + eocd)


CONTAINER = ('<?xml version="1.0"?>\n<container version="1.0" '
             'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
             '<rootfile full-path="OEBPS/content.opf" '
             'media-type="application/oebps-package+xml"/></rootfiles></container>\n')


def xhtml(body, doctype="", head="<title>T</title>"):
    """An XHTML document around body."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + doctype +
            '<html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops">'
            '<head>' + head + '</head><body>' + body + '</body></html>\n')


CHAPTER = xhtml("<h1>Chapter One</h1><p>It was a quiet evening in the harbour "
                "town, and the boats came home one by one.</p>")


def opf(items=None, spine=None, meta="", doctype="", version="3.0",
        spine_attr=""):
    """An OPF package: items are (id, href, media-type, properties)."""
    if items is None:
        items = [("c1", "c1.xhtml", "application/xhtml+xml", "")]
    if spine is None:
        spine = [i[0] for i in items if i[2] == "application/xhtml+xml"
                 and "nav" not in i[3]]
    man = "".join('<item id="%s" href="%s" media-type="%s"%s/>' %
                  (i, h, m, ' properties="%s"' % p if p else "")
                  for i, h, m, p in items)
    sp = "".join('<itemref idref="%s"/>' % s for s in spine)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + doctype +
            '<package xmlns="http://www.idpf.org/2007/opf" version="%s" '
            'unique-identifier="id"><metadata '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<dc:identifier id="id">urn:uuid:1</dc:identifier>'
            '<dc:title>Hostile</dc:title><dc:language>en</dc:language>%s'
            '</metadata><manifest>%s</manifest><spine%s>%s</spine></package>\n'
            % (version, meta, man, spine_attr, sp))


def epub(files, container=CONTAINER, package=None, method=8, extra=None):
    """An EPUB: files maps names under OEBPS/ to text or bytes."""
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", container.encode() if isinstance(container, str) else container)
    z.add("OEBPS/content.opf", (package or opf()).encode() if isinstance(package or "", str) else package)
    for name, data in files.items():
        z.add("OEBPS/" + name, data.encode("utf-8") if isinstance(data, str) else data,
              method=method)
    if extra:
        extra(z)
    return z.finish()


def case(name, ext, data, expect, note):
    """Record a case and write its file."""
    fn = name + "." + ext
    with open(os.path.join(OUT, fn), "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    CASES.append((name, fn, expect, note))


def fb2(body, doctype="", enc="UTF-8", head=None):
    """A FictionBook 2 document."""
    return ('<?xml version="1.0" encoding="%s"?>\n%s'
            '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" '
            'xmlns:l="http://www.w3.org/1999/xlink"><description><title-info>'
            '<genre>prose</genre><author><first-name>A</first-name>'
            '<last-name>B</last-name></author><book-title>%s</book-title>'
            '<lang>en</lang></title-info></description><body><section>%s'
            '</section></body></FictionBook>\n'
            % (enc, doctype, head or "Hostile FB2", body))


NCX_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n%s<ncx xmlns='
            '"http://www.daisy.org/z3986/2005/ncx/" version="2005-1"><head/>'
            '<docTitle><text>T</text></docTitle><navMap>%s</navMap></ncx>\n')


def epub2_ncx(ncx, chapters=None):
    """An EPUB 2 with this NCX."""
    items = [("c1", "c1.xhtml", "application/xhtml+xml", ""),
             ("ncx", "toc.ncx", "application/x-dtbncx+xml", "")]
    files = {"c1.xhtml": CHAPTER, "toc.ncx": ncx}
    return epub(files, package=opf(items, ["c1"], version="2.0", spine_attr=' toc="ncx"'))


def epub3_nav(nav):
    """An EPUB 3 with this nav document."""
    items = [("c1", "c1.xhtml", "application/xhtml+xml", ""),
             ("nav", "nav.xhtml", "application/xhtml+xml", "nav")]
    return epub({"c1.xhtml": CHAPTER, "nav.xhtml": nav}, package=opf(items, ["c1"]))


def deflate_zeros(mb):
    """A raw deflate stream of mb megabytes of zeros, built block by block."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b"\0" * (1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    c2 = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c2.compress(b"\0" * (1 << 20)) + c2.flush(zlib.Z_FULL_FLUSH)
    again = c2.compress(b"\0" * (1 << 20)) + c2.flush(zlib.Z_FULL_FLUSH)
    tail = c2.flush(zlib.Z_FINISH)
    crc = 0
    mbz = b"\0" * (1 << 20)
    for _ in range(mb):
        crc = zlib.crc32(mbz, crc)
    del block
    return first + again * (mb - 1) + tail, crc & 0xFFFFFFFF


# ---------------------------------------------------------------- the cases

def xml_cases():
    """External entities, DTDs, XInclude, network, entity expansion."""
    f = "file://" + SECRET
    gen = '<!DOCTYPE html [<!ENTITY x SYSTEM "%s">]>\n' % f
    par = '<!DOCTYPE html [<!ENTITY %% p SYSTEM "%s"> %%p;]>\n' % f
    dtd = '<!DOCTYPE html SYSTEM "%s">\n' % ("file://" + EVIL_DTD)
    netd = '<!DOCTYPE html SYSTEM "%s/evil.dtd">\n' % NET
    nete = '<!DOCTYPE html [<!ENTITY n SYSTEM "%s/x.txt">]>\n' % NET
    body = "<h1>Leak</h1><p>before &x; after</p><p>Some real text of the chapter.</p>"
    case("xxe_xhtml_general", "epub", epub({"c1.xhtml": xhtml(body, gen)}), "ok",
         "XHTML: general external entity to a local file")
    case("xxe_xhtml_parameter", "epub", epub({"c1.xhtml": xhtml(
        "<h1>Leak</h1><p>Text of the chapter.</p>", par)}), "ok",
        "XHTML: parameter entity to a local file")
    case("xxe_xhtml_external_dtd", "epub", epub({"c1.xhtml": xhtml(
        "<h1>Leak</h1><p>before &leak; after, real text.</p>", dtd)}), "ok",
        "XHTML: external DTD (a local file that declares an entity to the secret)")
    case("xxe_xhtml_xinclude", "epub", epub({"c1.xhtml": xhtml(
        '<h1>X</h1><p>Text.</p><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        'href="%s" parse="text"/><p>More text.</p>' % f)}), "ok",
        "XHTML: XInclude of a local file")
    case("xxe_xhtml_network_dtd", "epub", epub({"c1.xhtml": xhtml(
        "<h1>N</h1><p>Text of the chapter.</p>", netd)}), "ok",
        "XHTML: DTD on the network (nothing may be fetched)")
    case("xxe_xhtml_network_entity", "epub", epub({"c1.xhtml": xhtml(
        "<h1>N</h1><p>a &n; b, text of the chapter.</p>", nete)}), "ok",
        "XHTML: external entity on the network")
    odt = '<!DOCTYPE package [<!ENTITY x SYSTEM "%s">]>\n' % f
    opar = '<!DOCTYPE package [<!ENTITY %% p SYSTEM "%s"> %%p;]>\n' % f
    case("xxe_opf_general", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(
        meta="<dc:description>&x;</dc:description>", doctype=odt)), "ok",
        "OPF: general external entity in the metadata")
    case("xxe_opf_parameter", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(doctype=opar)),
         "ok", "OPF: parameter entity to a local file")
    case("xxe_opf_network", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(
        doctype='<!DOCTYPE package SYSTEM "%s/opf.dtd">\n' % NET)), "ok",
        "OPF: DTD on the network")
    cont = CONTAINER.replace('<container', '<!DOCTYPE container [<!ENTITY x SYSTEM "%s">'
                             '<!ENTITY %% p SYSTEM "%s"> %%p;]>\n<container' % (f, f), 1)
    cont = cont.replace("<rootfiles>", "<rootfiles>&x;", 1)
    case("xxe_container", "epub", epub({"c1.xhtml": CHAPTER}, container=cont), "ok",
         "container.xml: general and parameter external entities")
    ncx = NCX_HEAD % ('<!DOCTYPE ncx [<!ENTITY x SYSTEM "%s">]>\n' % f,
                      '<navPoint id="n1" playOrder="1"><navLabel><text>&x;</text>'
                      '</navLabel><content src="c1.xhtml"/></navPoint>')
    case("xxe_ncx", "epub", epub2_ncx(ncx), "ok", "NCX: external entity in a label")
    nav = xhtml('<nav epub:type="toc"><ol><li><a href="c1.xhtml">&x;</a></li></ol></nav>', gen)
    case("xxe_nav", "epub", epub3_nav(nav), "ok", "nav: external entity in a label")
    fdt = '<!DOCTYPE FictionBook [<!ENTITY x SYSTEM "%s">]>\n' % f
    fpar = '<!DOCTYPE FictionBook [<!ENTITY %% p SYSTEM "%s"> %%p;]>\n' % f
    case("xxe_fb2_general", "fb2", fb2("<p>before &x; after, the text.</p>", fdt), "ok",
         "FB2: general external entity")
    case("xxe_fb2_parameter", "fb2", fb2("<p>The text of the book.</p>", fpar), "ok",
         "FB2: parameter entity")
    case("xxe_fb2_xinclude", "fb2", fb2('<p>Text.</p><xi:include xmlns:xi='
                                        '"http://www.w3.org/2001/XInclude" href="%s" '
                                        'parse="text"/>' % f), "ok", "FB2: XInclude")
    case("xxe_fb2_network_dtd", "fb2", fb2("<p>The text.</p>",
                                          '<!DOCTYPE FictionBook SYSTEM "%s/fb.dtd">\n' % NET),
         "ok", "FB2: DTD on the network")
    case("xxe_fb2_external_dtd", "fb2", fb2("<p>a &leak; b, the text.</p>",
                                           '<!DOCTYPE FictionBook SYSTEM "file://%s">\n' % EVIL_DTD),
         "ok", "FB2: external DTD that declares an entity to the secret")

    lol = ('<!DOCTYPE html [<!ENTITY l0 "lol">' +
           "".join('<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10) for i in range(1, 10)) +
           ']>\n')
    case("billion_laughs_xhtml", "epub", epub({"c1.xhtml": xhtml("<h1>L</h1><p>&l9;</p>"
                                                                  "<p>Some text.</p>", lol)}),
         "ok|error:limit_exceeded|error:bad_xml", "XHTML: billion laughs")
    case("billion_laughs_fb2", "fb2", fb2("<p>&l9;</p><p>Some text.</p>",
                                         lol.replace("html", "FictionBook")),
         "ok|error:limit_exceeded|error:bad_xml", "FB2: billion laughs")
    case("billion_laughs_opf", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(
        meta="<dc:description>&l9;</dc:description>", doctype=lol.replace("html", "package"))),
        "ok|error:limit_exceeded|error:bad_xml", "OPF: billion laughs in the metadata")
    big = "A" * 50000
    quad = '<!DOCTYPE html [<!ENTITY a "%s">]>\n' % big
    case("quadratic_blowup_xhtml", "epub", epub({"c1.xhtml": xhtml(
        "<h1>Q</h1><p>" + "&a;" * 50000 + "</p>", quad)}),
        "ok|error:limit_exceeded|error:bad_xml", "XHTML: 50kB entity used 50,000 times (2.5GB)")
    case("quadratic_blowup_fb2", "fb2", fb2("<p>" + "&a;" * 50000 + "</p>",
                                           quad.replace("html", "FictionBook")),
         "ok|error:limit_exceeded|error:bad_xml", "FB2: quadratic blowup")


def superlinear_cases():
    """Shapes on which libxml2's work grows faster than the input (issue 17/10)."""
    attrs = " ".join('a%d="x"' % i for i in range(200000))
    case("attribute_bomb_xhtml", "epub", epub({"c1.xhtml": xhtml(
        "<h1>A</h1><p %s>Text of the chapter.</p>" % attrs)}),
        "ok:xml_attributes_dropped", "200,000 attributes on one element (124 s before the cap)")
    case("attribute_bomb_html", "epub", epub({"c1.xhtml": xhtml(
        "<h1>A</h1><p %s>Text of the chapter.</p>" % " ".join("a%d" % i for i in range(200000)))}),
        "ok:xml_attributes_dropped", "200,000 attributes without values: the HTML parser reads it too")
    case("attribute_bomb_fb2", "fb2", fb2("<p %s>The text.</p>" % attrs),
         "ok:xml_attributes_dropped", "FB2: 200,000 attributes on one element")
    case("attribute_bomb_opf", "epub", epub({"c1.xhtml": CHAPTER}, package=opf().replace(
        "<dc:title>", "<dc:title %s>" % attrs, 1)),
        "ok:xml_attributes_dropped", "OPF: 200,000 attributes on the title")
    case("namespace_bomb", "epub", epub({"c1.xhtml": xhtml(
        "<h1>N</h1><p %s>Text of the chapter.</p>" %
        " ".join('xmlns:p%d="urn:x:%d"' % (i, i) for i in range(100000)))}),
        "ok:xml_namespaces_dropped", "100,000 namespace declarations on one element")
    nested = "".join("<div %s>" % " ".join('xmlns:q%d_%d="urn:%d"' % (l, i, i) for i in range(200))
                     for l in range(250))
    case("namespace_nested_bomb", "epub", epub({"c1.xhtml": xhtml(
        nested + "<p>Text of the chapter.</p>" + "<z:a/><b/>" * 50000 + "</div>" * 250)}),
        "ok:xml_namespaces_dropped", "50,000 namespaces in scope over 250 levels, then 100,000 elements")
    case("attlist_bomb", "epub", epub({"c1.xhtml": xhtml(
        "<h1>D</h1>" + "<p>Text.</p>" * 20000,
        '<!DOCTYPE html [<!ATTLIST p %s>]>\n' % " ".join('a%d CDATA "x"' % i for i in range(20000)))}),
        "ok:xml_attlist_dropped", "20,000 attribute defaults for p, then 20,000 p elements")


def structure_cases():
    """Deep nesting, huge nodes and attributes, bad characters, NUL."""
    n = 100000
    case("deep_nesting_xhtml", "epub", epub({"c1.xhtml": xhtml(
        "<h1>Deep</h1>" + "<div>" * n + "<p>deep text</p>" + "</div>" * n)}),
        "ok|error:bad_xml", "XHTML: 100,000 nested div")
    case("deep_nesting_inline_xhtml", "epub", epub({"c1.xhtml": xhtml(
        "<h1>Deep</h1><p>" + "<em><a href='#x'>" * (n // 2) + "deep" +
        "</a></em>" * (n // 2) + "</p>")}), "ok|error:bad_xml",
        "XHTML: 100,000 nested inline elements")
    case("deep_nesting_unclosed_html", "epub", epub({"c1.xhtml": "<html><body><h1>D</h1>" +
                                                    "<div><table><tr><td>" * 30000 + "x"}),
         "ok|error:bad_xml", "XHTML not well-formed: HTML-parser fallback with deep unclosed tables")
    case("deep_nesting_fb2", "fb2", fb2("<section>" * n + "<p>deep</p>" + "</section>" * n),
         "ok|error:bad_xml", "FB2: 100,000 nested sections")
    case("deep_nesting_ncx", "epub", epub2_ncx(NCX_HEAD % ("",
        '<navPoint><navLabel><text>x</text></navLabel><content src="c1.xhtml"/>' * 50000 +
        "</navPoint>" * 50000)), "ok|error:bad_xml", "NCX: 50,000 nested navPoints")
    case("deep_nesting_nav", "epub", epub3_nav(xhtml('<nav epub:type="toc">' +
        '<ol><li><a href="c1.xhtml">x</a>' * 50000 + "</li></ol>" * 50000 + "</nav>")),
        "ok|error:bad_xml", "nav: 50,000 nested lists")
    case("deep_nesting_opf", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(
        meta="<x>" * n + "</x>" * n)), "ok|error:bad_xml", "OPF: 100,000 nested elements")
    text20 = ("word " * (4 * 1024 * 1024))
    case("huge_text_node_xhtml", "epub", epub({"c1.xhtml": xhtml("<h1>H</h1><p>" + text20 + "</p>")}),
         "ok|error:limit_exceeded", "XHTML: one 20MB text node (deflated)")
    case("huge_text_node_fb2", "fb2", fb2("<p>" + text20 + "</p>"),
         "ok|error:limit_exceeded", "FB2: one 20MB text node")
    case("huge_line_txt", "txt", "x" * (20 * 1024 * 1024), "ok|error:limit_exceeded",
         "plain text: one 20MB line")
    attr = "a" * (10 * 1024 * 1024)
    case("huge_attribute_xhtml", "epub", epub({"c1.xhtml": xhtml(
        '<h1 id="%s" class="%s">H</h1><p title="%s">text</p><a href="%s">l</a>' % (attr, attr, attr, attr))}),
        "ok|error:limit_exceeded|error:bad_xml", "XHTML: 10MB attributes")
    case("huge_attribute_opf", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(
        [("c1", "c1.xhtml", "application/xhtml+xml", ""),
         ("x", attr, "image/png", "")])), "ok|error:limit_exceeded",
        "OPF: a 10MB href")
    bad = b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xc0\xaf\xed\xa0\x80"
    case("invalid_utf8_xhtml", "epub", epub({"c1.xhtml": xhtml(
        "<h1>U</h1><p>good text then bad: BAD end</p>").encode().replace(b"BAD", bad)}),
        "ok", "XHTML: invalid UTF-8 (overlong, CESU surrogate, stray bytes)")
    case("invalid_utf8_fb2", "fb2", fb2("<p>good text then bad: BAD end</p>").encode()
         .replace(b"BAD", bad), "ok", "FB2: invalid UTF-8 in a UTF-8 file")
    case("invalid_utf8_txt", "txt", b"Title\n\nSome text " + bad * 20 + b" more text.\n",
         "ok|error:bad_encoding", "plain text: invalid UTF-8")
    refs = "&#xD800; &#xDFFF; &#x110000; &#0; &#x1; &#xFFFE; &#99999999999;"
    case("charrefs_xhtml", "epub", epub({"c1.xhtml": xhtml("<h1>R</h1><p>text " + refs + " end</p>")}),
         "ok", "XHTML: lone surrogates, out-of-range and NUL character references")
    case("charrefs_fb2", "fb2", fb2("<p>text " + refs + " end</p>"), "ok",
         "FB2: bad character references")
    case("nul_bytes_xhtml", "epub", epub({"c1.xhtml": xhtml("<h1>N</h1><p>a\0b\0c text</p>")
                                         .encode()}), "ok|error:bad_xml", "XHTML: NUL bytes")
    case("nul_bytes_fb2", "fb2", fb2("<p>a\0b\0c the text</p>"), "ok|error:bad_xml",
         "FB2: NUL bytes")
    case("nul_bytes_txt", "txt", b"Title\n\nSome\0text\0with NUL bytes.\n",
         "ok|error:not_a_book|error:bad_encoding", "plain text: NUL bytes")
    case("utf16_lone_surrogate_txt", "txt", b"\xff\xfe" + "Text ".encode("utf-16-le") +
         b"\x00\xd8A\x00" + "more text".encode("utf-16-le"), "ok|error:bad_encoding",
         "plain text: UTF-16 with a lone surrogate")
    ru = "<p>\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440. \u042d\u0442\u043e \u0442\u0435\u043a\u0441\u0442.</p>"
    case("fb2_lying_utf8_decl", "fb2", fb2(ru * 20).encode("cp1251"), "ok",
         "FB2: declares UTF-8, bytes are windows-1251")
    case("fb2_lying_cp1251_decl", "fb2", fb2(ru * 20, enc="windows-1251").encode("utf-8"),
         "ok", "FB2: declares windows-1251, bytes are UTF-8")
    case("fb2_unknown_encoding", "fb2", fb2(ru * 20, enc="x-no-such-charset").encode("utf-8"),
         "ok|error:bad_encoding", "FB2: an encoding that does not exist")
    case("fb2_utf7_lone_surrogates", "fb2",
         fb2("<p>Text +" + "2ADYANgA" * 700 + "- more text.</p>", enc="UTF-7").encode("ascii"),
         "ok", "FB2 in UTF-7 carrying 2,100 unpaired high surrogates (once a stack overflow)")
    case("fb2_utf16_decl_ascii", "fb2", fb2("<p>plain ascii text</p>", enc="UTF-16"),
         "ok|error:bad_encoding|error:bad_xml", "FB2: declares UTF-16, bytes are ASCII")


def zip_cases():
    """Bombs, lying headers, damaged archives, methods, names."""
    comp, crc = deflate_zeros(2048)

    def bomb(z):
        z.add("OEBPS/c2.xhtml", b"", comp=comp, crc=crc, cusize=0x7FFFFFFF, lusize=0x7FFFFFFF)
    items = [("c1", "c1.xhtml", "application/xhtml+xml", ""),
             ("c2", "c2.xhtml", "application/xhtml+xml", "")]
    case("zipbomb_one_entry", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(items), extra=bomb),
         "error:limit_exceeded", "zip bomb: one entry inflates to 2GB")

    def bomb_small_claim(z):
        z.add("OEBPS/c2.xhtml", b"", comp=comp, crc=crc, cusize=1000, lusize=1000)
    case("zipbomb_lying_small_size", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(items),
                                                  extra=bomb_small_claim),
         "ok|error:limit_exceeded|error:corrupt_archive",
         "zip bomb: an entry claims 1000 bytes but inflates to 2GB")
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf().encode())
    z.add("OEBPS/c1.xhtml", CHAPTER.encode())
    for i in range(100000):
        z.add("f%06d" % i, b"", method=0)
    case("zipbomb_many_entries", "epub", z.finish(), "ok|error:limit_exceeded",
         "100,000 entries")
    inner, icrc = deflate_zeros(200)
    z = Zip()
    z.add("x.zip", b"", comp=inner, crc=icrc, cusize=200 << 20, lusize=200 << 20)
    nested = z.finish()
    for level in range(3):
        z = Zip()
        z.add("nested%d.zip" % level, nested)
        nested = z.finish()
    case("zipbomb_nested", "epub", epub({"c1.xhtml": CHAPTER, "n.zip": nested}, package=opf(
        [("c1", "c1.xhtml", "application/xhtml+xml", ""),
         ("n", "n.zip", "application/zip", "")])), "ok",
         "nested zips (never opened)")
    comp100, crc100 = deflate_zeros(100)
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    items = [("c%d" % i, "c%d.xhtml" % i, "application/xhtml+xml", "") for i in range(300)]
    z.add("OEBPS/content.opf", opf(items).encode())
    off = z.add("OEBPS/c0.xhtml", b"", comp=comp100, crc=crc100, cusize=100 << 20, lusize=100 << 20)
    for i in range(1, 300):
        z.cd.append(dict(z.cd[-1], name=("OEBPS/c%d.xhtml" % i).encode(), offset=off))
    case("zipbomb_overlapping", "epub", z.finish(), "error:corrupt_archive",
         "300 central entries name one local header of a 100MB deflate stream (30GB)")
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf(items).encode())
    first = z.add("OEBPS/c0.xhtml", b"", comp=comp100, crc=crc100, cusize=100 << 20, lusize=100 << 20)
    for i in range(1, 300):
        # a local header for each entry, its data the shared stream that follows
        z.add("OEBPS/c%d.xhtml" % i, b"", comp=b"", crc=crc100, cusize=100 << 20,
              lusize=100 << 20, csize=len(comp100))
    z.cd[3]["csize"] = len(z.buf) - first
    case("zipbomb_overlapping_headers", "epub", z.finish(), "error:corrupt_archive",
         "300 entries whose local headers sit inside one entry's data (overlap)")
    chap = CHAPTER.encode()
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf().encode())
    z.add("OEBPS/c1.xhtml", chap, lsize=5, lusize=99999999, cusize=10)
    case("lying_sizes_local_central", "epub", z.finish(), "ok|error:corrupt_archive|error:no_text",
         "local and central headers disagree on sizes")
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf().encode())
    z.add("OEBPS/c1.xhtml", chap, csize=0x7FFFFFF0)
    case("lying_compressed_size", "epub", z.finish(), "ok|error:corrupt_archive|error:no_text",
         "central compressed size runs past the end of the file")
    good = epub({"c1.xhtml": CHAPTER})
    cdpos = good.rfind(b"PK\x01\x02")
    case("truncated_central_directory", "epub", good[:cdpos + 20],
         "ok|error:corrupt_archive", "central directory cut in the middle, no end record")
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf().encode())
    z.add("OEBPS/c1.xhtml", chap)
    case("eocd_count_lies", "epub", z.finish(cd_count=65535), "ok|error:corrupt_archive",
         "end record claims 65,535 entries")
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf().encode())
    z.add("OEBPS/c1.xhtml", chap)
    case("eocd_offset_lies", "epub", z.finish(cd_offset=0xFFFFFF00),
         "ok|error:corrupt_archive|error:bad_xml",
         "end record points the central directory past the end")
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf().encode())
    z.add("OEBPS/c1.xhtml", chap, crc=0x12345678)
    case("crc_mismatch", "epub", z.finish(), "ok:zip_crc_mismatch", "wrong CRC-32 on the chapter")
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    full = c.compress(chap * 50) + c.flush()
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf().encode())
    z.add("OEBPS/c1.xhtml", chap * 50, comp=full[:len(full) // 2])
    case("truncated_deflate", "epub", z.finish(), "error:no_text|error:corrupt_archive|ok",
         "the chapter's deflate stream ends half way")
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    z.add("OEBPS/content.opf", opf().encode())
    z.add("OEBPS/c1.xhtml", chap, method=8, flags=1)
    case("encrypted_entry", "epub", z.finish(), "error:encrypted",
         "the only chapter is encrypted (flag bit 0)")
    for method, mname in ((12, "bzip2"), (14, "lzma"), (9, "deflate64"), (99, "aes")):
        z = Zip()
        z.add("mimetype", b"application/epub+zip", method=0)
        z.add("META-INF/container.xml", CONTAINER.encode())
        z.add("OEBPS/content.opf", opf().encode())
        z.add("OEBPS/c1.xhtml", chap, method=method, comp=b"BZh91AY&SY" + chap[:50])
        case("method_%s" % mname, "epub", z.finish(),
             "error:encrypted" if method == 99 else "error:unsupported_compression",
             "the only chapter uses method %d (%s)" % (method, mname))
    book = fb2("<p>The text of a zipped FictionBook.</p>" * 20).encode()
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    full = c.compress(book) + c.flush()
    z = Zip()
    z.add("book.fb2", book, comp=full[:len(full) // 2])
    case("fb2zip_truncated_entry", "fb2.zip", z.finish(), "error:corrupt_archive",
         "fb2.zip whose book's deflate stream ends half way (fuzz_book found a "
         "use-after-free in this error path)")
    z = Zip()
    z.add("book.fb2", book, flags=1)
    case("fb2zip_encrypted_entry", "fb2.zip", z.finish(), "error:encrypted",
         "fb2.zip whose book is encrypted")
    protected_cases()
    items = [("c1", "c1.xhtml", "application/xhtml+xml", ""),
             ("p1", "../../../../etc/passwd", "application/xhtml+xml", ""),
             ("p2", "/etc/passwd", "application/xhtml+xml", ""),
             ("p3", "file:///etc/passwd", "application/xhtml+xml", ""),
             ("p4", "file://" + SECRET, "application/xhtml+xml", ""),
             ("p5", NET + "/c.xhtml", "application/xhtml+xml", ""),
             ("p6", "%2e%2e/%2e%2e/etc/passwd", "application/xhtml+xml", "")]

    def names(z):
        z.add("../../etc/passwd", b"root:x:0:0:fake inside the zip")
        z.add("/etc/passwd", b"root:x:0:0:fake absolute inside the zip")
        z.add("C:\\evil\\x.xhtml", CHAPTER.encode())
    case("zip_traversal_names", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(items),
                                             extra=names), "ok",
         "entries named ../ and /, hrefs to /etc/passwd, file://, http://")
    case("opf_hrefs_outside", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(items)), "ok",
         "manifest hrefs to /etc/passwd, file:// and the network")
    # percent escapes that decode to bytes that are not UTF-8 (%de, %ff, %e9)
    nav = xhtml('<nav epub:type="toc"><ol><li><a href="c1%de.xhtml">One</a></li>'
                '<li><a href="c1.xhtml#s%ff">Two</a></li></ol></nav>')
    chap = xhtml('<h1>Chapter One</h1><p>See <a href="intro%de%adx.xhtml#a%e9">the intro</a>.</p>'
                 '<p><img src="img%e9.png" alt="x"/></p>')
    items = [("c1", "c1.xhtml", "application/xhtml+xml", ""),
             ("nav", "nav.xhtml", "application/xhtml+xml", "nav"),
             ("i1", "img%e9.png", "image/png", "")]
    case("href_pct_not_utf8", "epub",
         epub({"c1.xhtml": chap, "nav.xhtml": nav}, package=opf(items, ["c1"])), "ok",
         "manifest, nav and link hrefs whose %-escapes decode to bytes that are not UTF-8")
    items = [("c1", "c1.xhtml", "application/xhtml+xml", ""),
             ("opf", "content.opf", "application/xhtml+xml", "")]
    case("spine_self_reference", "epub", epub({"c1.xhtml": CHAPTER}, package=opf(
        items, ["c1", "opf", "c1", "opf"] * 500)), "ok",
        "spine lists the package itself and one chapter 1,000 times each")
    ncx = NCX_HEAD % ("", "".join(
        '<navPoint id="n%d"><navLabel><text>L%d</text></navLabel><content src="%s"/></navPoint>'
        % (i, i, ["toc.ncx", "content.opf", "c1.xhtml#x", "c1.xhtml"][i % 4]) for i in range(100000)))
    case("ncx_loops_100k", "epub", epub2_ncx(ncx), "ok|error:limit_exceeded",
         "NCX with 100,000 entries pointing at itself, the OPF and a chapter")
    nav = xhtml('<nav epub:type="toc"><ol>' + '<li><a href="nav.xhtml">self</a></li>'
                '<li><a href="content.opf">opf</a></li><li><a href="c1.xhtml#a">c</a></li>' * 20000 +
                '</ol></nav><p>nav text</p>')
    items = [("c1", "c1.xhtml", "application/xhtml+xml", ""),
             ("nav", "nav.xhtml", "application/xhtml+xml", "nav")]
    case("nav_in_spine_self", "epub", epub({"c1.xhtml": CHAPTER, "nav.xhtml": nav},
                                           package=opf(items, ["nav", "c1", "nav"])),
         "ok|error:limit_exceeded", "nav document in the spine twice, linking to itself 20,000 times")
    items = [("c%d" % i, "c%d.xhtml" % (i % 2), "application/xhtml+xml", "") for i in range(100000)]
    case("manifest_100k", "epub", epub({"c0.xhtml": CHAPTER, "c1.xhtml": CHAPTER},
                                       package=opf(items, ["c0", "c1"])),
         "ok|error:limit_exceeded", "100,000-item manifest")
    case("spine_100k", "epub", epub({"c0.xhtml": CHAPTER, "c1.xhtml": CHAPTER},
                                    package=opf(items[:2], ["c0", "c1"] * 50000)),
         "ok|error:limit_exceeded", "a spine of 100,000 itemrefs")
    cont = CONTAINER.replace("OEBPS/content.opf", "META-INF/container.xml")
    case("container_points_to_itself", "epub", epub({"c1.xhtml": CHAPTER}, container=cont),
         "ok|error:bad_xml|error:no_text|error:corrupt_archive",
         "container.xml names itself as the package")
    cont = CONTAINER.replace("OEBPS/content.opf", "/etc/passwd")
    case("container_rootfile_outside", "epub", epub({"c1.xhtml": CHAPTER}, container=cont),
         "ok|error:bad_xml|error:no_text|error:corrupt_archive",
         "container.xml names /etc/passwd as the package")


ENCRYPTION_XML = ('<?xml version="1.0"?><encryption xmlns="urn:oasis:names:tc:opendocument:'
                  'xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">%s</encryption>')
ENC_DATA = ('<enc:EncryptedData><enc:EncryptionMethod Algorithm="%s"/><enc:CipherData>'
            '<enc:CipherReference URI="%s"/></enc:CipherData></enc:EncryptedData>')
AES128 = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"


def protected_epub(chapters, encryption=None):
    """An EPUB with chapters c1, c2, ...: (method, flags, data or None)."""
    items = [("c%d" % (i + 1), "c%d.xhtml" % (i + 1), "application/xhtml+xml", "")
             for i in range(len(chapters))]
    z = Zip()
    z.add("mimetype", b"application/epub+zip", method=0)
    z.add("META-INF/container.xml", CONTAINER.encode())
    if encryption is not None:
        z.add("META-INF/encryption.xml", encryption.encode())
    z.add("OEBPS/content.opf", opf(items).encode())
    for i, (method, flags, data) in enumerate(chapters):
        plain = CHAPTER.encode()
        z.add("OEBPS/c%d.xhtml" % (i + 1), data if data is not None else plain,
              method=method, flags=flags,
              comp=(data if data is not None else plain) if method not in (0, 8) else None)
    return z.finish()


def protected_cases():
    """Books whose content documents are encrypted or use a method we lack (issue 17/8)."""
    cipher = bytes(random.Random(17).getrandbits(8) for _ in range(4096))
    case("zipcrypto_only", "epub", protected_epub([(8, 1, None), (8, 1, None)]),
         "error:encrypted", "every chapter encrypted with a zip password (ZipCrypto)")
    case("drm_encryption_xml", "epub", protected_epub(
        [(0, 0, cipher), (0, 0, cipher)],
        ENCRYPTION_XML % (ENC_DATA % (AES128, "OEBPS/c1.xhtml") +
                          ENC_DATA % (AES128, "OEBPS/c2.xhtml"))),
        "error:encrypted", "DRM: encryption.xml lists both chapters (AES), whose bytes are cipher text")
    case("deflate64_only", "epub", protected_epub([(9, 0, None)]),
         "error:unsupported_compression", "the only chapter uses Deflate64 (method 9)")
    case("unknown_method_only", "epub", protected_epub([(77, 0, None)]),
         "error:unsupported_compression", "the only chapter uses method 77 (unknown)")
    case("partly_encrypted", "epub", protected_epub([(8, 1, None), (8, 0, None)]),
         "ok:zip_entry_encrypted", "one chapter encrypted, one readable: parsed with a warning")
    case("partly_drm", "epub", protected_epub(
        [(0, 0, cipher), (8, 0, None)], ENCRYPTION_XML % (ENC_DATA % (AES128, "OEBPS/c1.xhtml"))),
        "ok:drm_encrypted", "one chapter DRM-encrypted, one readable: parsed, no cipher text read")
    case("font_obfuscation_only", "epub", protected_epub(
        [(8, 0, None)], ENCRYPTION_XML % (ENC_DATA % ("http://www.idpf.org/2008/embedding",
                                                      "OEBPS/font.otf"))),
         "ok", "encryption.xml lists only an obfuscated font: not DRM")


def claimed_name_cases():
    """Names that claim a container the bytes are not (issue 17/9)."""
    case("one_byte_epub", "epub", b"x", "error:not_a_book", "1 byte named .epub")
    case("error_page_fb2", "fb2", b"502 Bad Gateway: the upstream server did not answer\n",
         "error:not_a_book", "a saved error message named .fb2")
    case("error_page_fb2zip", "fb2.zip", b"Quota exceeded. Try again tomorrow.\n",
         "error:not_a_book", "a saved error message named .fb2.zip")
    case("fb2_named_epub", "epub", fb2("<p>A FictionBook under an EPUB name.</p>"),
         "ok:format_name_mismatch", "an FB2 named .epub: parsed as FB2 with a warning")


def misc_cases():
    """Empty, tiny and random files."""
    rnd = random.Random(6)
    case("empty", "bin", b"", "error:empty", "zero bytes")
    case("one_byte", "bin", b"x", "ok|error:no_text|error:not_a_book", "one byte")
    case("one_byte_pk", "epub", b"P", "error:not_a_book", "one byte of a zip signature")
    claimed_name_cases()
    case("random_1mb", "bin", bytes(rnd.getrandbits(8) for _ in range(1 << 20)),
         "error:not_a_book|error:bad_encoding|error:no_text", "1MB of random bytes")
    case("random_after_pk", "epub", b"PK\x03\x04" + bytes(rnd.getrandbits(8) for _ in range(65536)),
         "error:corrupt_archive|error:not_a_book", "zip signature then random bytes")
    case("random_after_xml", "fb2", b'<?xml version="1.0"?><FictionBook>' +
         bytes(rnd.getrandbits(8) for _ in range(65536)),
         "ok|error:bad_xml|error:no_text|error:bad_encoding|error:not_a_book", "FB2 start then random bytes")
    case("zeros_1mb", "bin", b"\0" * (1 << 20), "error:not_a_book|error:no_text|error:bad_encoding",
         "1MB of NUL bytes")


def main():
    os.makedirs(SECRET_DIR, exist_ok=True)
    with open(SECRET, "w") as f:
        f.write(MARKER + " root:x:0:0\n")
    with open(EVIL_DTD, "w") as f:
        f.write('<!ENTITY leak SYSTEM "file://%s">\n' % SECRET)
    xml_cases()
    structure_cases()
    superlinear_cases()
    zip_cases()
    misc_cases()
    reg = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "regressions")
    if os.path.isdir(reg):
        for target in sorted(os.listdir(reg)):
            if target not in ("fuzz_book",):
                continue
            for fn in sorted(os.listdir(os.path.join(reg, target))):
                with open(os.path.join(reg, target, fn), "rb") as f:
                    case("fuzz_" + fn.split(".")[0], "bin", f.read(),
                         "ok|error:*", "fuzz regression " + target + "/" + fn)
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        f.write("# name\tfile\texpect\tnote\n")
        f.write("#secret\t%s\t%s\n" % (SECRET_DIR, MARKER))
        for c in CASES:
            f.write("\t".join(c) + "\n")
    print("make_hostile: %d cases in %s" % (len(CASES), OUT))


if __name__ == "__main__":
    main()
