#!/usr/bin/python3
"""Write the small sample books of the bookparse tests.

    /usr/bin/python3 test/make_samples.py [DIR]      (default build/samples)

Writes sample.epub (EPUB 3, nav + NCX, cover image, fragment TOC entry),
sample-epub2.epub (EPUB 2, NCX only, <meta name="cover">), sample.fb2
(windows-1251, Russian and English, nested sections, epigraph, poem, notes,
cover binary, sequence), sample.fb2.zip and sample.txt; and in bad/ some
things that are not books, for the error tests: a PDF header, a DOCX, a zip
without a book, random bytes, a truncated EPUB.

Every text here was written for these tests.  The bytes are deterministic
(fixed zip timestamps and attributes, stored PNG data) so that regression
outputs stay stable.  Standard library only.
"""

import base64
import os
import struct
import sys
import zipfile
import zlib

ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def png(width, height):
    """A small RGB PNG (a gradient), deflate level 0 so bytes never vary."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            row += bytes([(x * 255) // max(width - 1, 1),
                          (y * 255) // max(height - 1, 1), 160])
        rows.append(bytes(row))
    raw = b"".join(rows)
    comp = zlib.compressobj(0)
    idat = comp.compress(raw) + comp.flush()

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def isbn13(first12):
    """first12 digits plus the ISBN-13 check digit."""
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def write_zip(path, entries):
    """entries: (name, bytes, compress?) in order; fixed dates and modes."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data, deflate in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=9 if deflate else None)


CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

CSS = """body { font-family: serif; margin: 1em; }
h1 { text-align: center; }
.aside { font-style: italic; }
"""


def xhtml(title, body):
    """An XHTML content document."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head>
  <meta charset="UTF-8"/>
  <title>{title}</title>
  <link rel="stylesheet" type="text/css" href="../styles/book.css"/>
  <style>p {{ text-indent: 1em; }}</style>
</head>
<body>
{body}
</body>
</html>
"""


EPUB3_CHAPTERS = [
    ("chapter1.xhtml", "The Keeper Arrives", """<section epub:type="chapter">
<h1>The Keeper Arrives</h1>
<p>The ferry left Ilse Varga on the stone jetty at dusk, with two crates of books, a sack of
lamp wicks and a letter of appointment that the wind tried twice to take from her.</p>
<p>The lighthouse stood at the far end of the island like a chalk mark on a slate. Its lamp
had been dark for eleven days, and the fishermen had begun to steer by guesswork.</p>
<figure><img src="../images/cover.png" alt="A gradient of blue and green"/>
<figcaption>The island at first light.</figcaption></figure>
<p>She climbed the one hundred and twelve steps before unpacking anything. The brass was green,
the glass was grey, and somebody had written <em>patience</em> in pencil on the door frame.</p>
</section>"""),
    ("chapter2.xhtml", "Winter Storms", """<section epub:type="chapter">
<h1>Winter Storms</h1>
<p>By December Ilse knew the moods of the sea by their sound. A long hiss meant rain from the
west; a hollow knocking under the rocks meant the swell would rise before morning.</p>
<p>She kept a log in a green ledger: wind, cloud, oil burned, ships seen. Most pages held
nothing but weather, and she found she liked them best that way.</p>
<section id="storm">
<h2 id="storm-title">The Great Storm</h2>
<p>On the night of the twentieth the barometer fell faster than she had ever seen it fall.
She trimmed the wick, wound the clockwork and did not sit down again until dawn.</p>
<p>At four in the morning a trawler came round the point with one mast gone. It passed so close
that she could read its name, <strong>Marguerite</strong>, on the bow.</p>
</section>
</section>"""),
    ("chapter3.xhtml", "Letters Home", """<section epub:type="chapter">
<h1>Letters Home</h1>
<p>In spring the supply boat brought a bundle of letters tied with string. Her brother wrote
about the harvest; her old teacher wrote about a comet nobody else had noticed.</p>
<blockquote><p>Keep the light, keep the log, and keep your boots by the stove.</p></blockquote>
<p>She answered each one on the back of a tide table, because paper was scarce, and listed
what she had learned:<sup><a href="#fn1" epub:type="noteref">1</a></sup></p>
<ul>
<li>that gulls are punctual;</li>
<li>that fog has a smell;</li>
<li>that a lamp is only as good as the hands that clean it.</li>
</ul>
<script>document.title = "never run";</script>
<aside epub:type="footnote" id="fn1"><p>The tide tables came from the harbour office in town.</p></aside>
</section>"""),
]


def make_epub3(path):
    cover = png(16, 16)
    isbn = isbn13("978000000001")
    nav_body = """<nav epub:type="toc" id="toc">
<h1>Contents</h1>
<ol>
<li><a href="chapter1.xhtml">The Keeper Arrives</a></li>
<li><a href="chapter2.xhtml">Winter Storms</a>
<ol><li><a href="chapter2.xhtml#storm">The Great Storm</a></li></ol>
</li>
<li><a href="chapter3.xhtml">Letters Home</a></li>
</ol>
</nav>
<nav epub:type="landmarks" id="landmarks" hidden="">
<ol><li><a epub:type="bodymatter" href="chapter1.xhtml">Start</a></li></ol>
</nav>"""
    nav = xhtml("Contents", nav_body)
    opf = f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="bookid" xml:lang="en">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="bookid">urn:isbn:{isbn}</dc:identifier>
    <dc:identifier id="uuid">urn:uuid:5a1e0c9e-2f4b-4c39-9a57-0b9d2a3c7e11</dc:identifier>
    <dc:title id="title">The Lighthouse Ledger</dc:title>
    <dc:creator id="author1">Ilona Marsh</dc:creator>
    <meta refines="#author1" property="role" scheme="marc:relators">aut</meta>
    <meta refines="#author1" property="file-as">Marsh, Ilona</meta>
    <dc:creator id="author2">Peter Quill-Adams</dc:creator>
    <meta refines="#author2" property="role" scheme="marc:relators">aut</meta>
    <meta refines="#author2" property="file-as">Quill-Adams, Peter</meta>
    <dc:language>en</dc:language>
    <dc:publisher>Bookparse Test Press</dc:publisher>
    <dc:date>2024-03-15</dc:date>
    <dc:description>A lighthouse keeper spends a winter on a small island, keeps a log and answers her letters.</dc:description>
    <dc:subject>Fiction</dc:subject>
    <dc:subject>Sea stories</dc:subject>
    <meta property="belongs-to-collection" id="series">Island Years</meta>
    <meta refines="#series" property="collection-type">series</meta>
    <meta refines="#series" property="group-position">2</meta>
    <meta property="dcterms:modified">2024-03-15T00:00:00Z</meta>
    <meta name="cover" content="cover-image"/>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
    <item id="css" href="styles/book.css" media-type="text/css"/>
    <item id="cover-image" href="images/cover.png" media-type="image/png" properties="cover-image"/>
    <item id="ch1" href="text/chapter1.xhtml" media-type="application/xhtml+xml"/>
    <item id="ch2" href="text/chapter2.xhtml" media-type="application/xhtml+xml"/>
    <item id="ch3" href="text/chapter3.xhtml" media-type="application/xhtml+xml" properties="scripted"/>
  </manifest>
  <spine toc="ncx">
    <itemref idref="ch1"/>
    <itemref idref="ch2"/>
    <itemref idref="ch3"/>
  </spine>
</package>
"""
    ncx = f"""<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="en">
  <head>
    <meta name="dtb:uid" content="urn:isbn:{isbn}"/>
    <meta name="dtb:depth" content="2"/>
  </head>
  <docTitle><text>The Lighthouse Ledger</text></docTitle>
  <navMap>
    <navPoint id="np1" playOrder="1"><navLabel><text>The Keeper Arrives</text></navLabel><content src="text/chapter1.xhtml"/></navPoint>
    <navPoint id="np2" playOrder="2"><navLabel><text>Winter Storms</text></navLabel><content src="text/chapter2.xhtml"/>
      <navPoint id="np3" playOrder="3"><navLabel><text>The Great Storm</text></navLabel><content src="text/chapter2.xhtml#storm"/></navPoint>
    </navPoint>
    <navPoint id="np4" playOrder="4"><navLabel><text>Letters Home</text></navLabel><content src="text/chapter3.xhtml"/></navPoint>
  </navMap>
</ncx>
"""
    # nav.xhtml sits in OEBPS/, the chapters in OEBPS/text/
    nav = nav.replace('href="chapter', 'href="text/chapter').replace(
        "../styles/book.css", "styles/book.css")
    entries = [("mimetype", b"application/epub+zip", False),
               ("META-INF/container.xml", CONTAINER.encode(), True),
               ("OEBPS/content.opf", opf.encode(), True),
               ("OEBPS/nav.xhtml", nav.encode(), True),
               ("OEBPS/toc.ncx", ncx.encode(), True),
               ("OEBPS/styles/book.css", CSS.encode(), True),
               ("OEBPS/images/cover.png", cover, False)]
    for name, title, body in EPUB3_CHAPTERS:
        entries.append(("OEBPS/text/" + name, xhtml(title, body).encode(), True))
    write_zip(path, entries)


def xhtml11(title, body):
    """An XHTML 1.1 content document of EPUB 2."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head><title>{title}</title></head>
<body>
{body}
</body>
</html>
"""


def make_epub2(path):
    cover = png(12, 18)
    chapters = [
        ("part1.html", "The Orchard", """<h2>The Orchard</h2>
<p>Behind the school there was an orchard that nobody owned. The apples were small and sour,
and every autumn the children argued about whether they were worth the climb.</p>
<p>Old Mr. Dunmore said the trees had been planted by a sailor who never came back for the
harvest. Nobody believed him, and nobody could prove him wrong.</p>"""),
        ("part2.html", "The Fence", """<h2>The Fence</h2>
<p>In the year of the dry summer the council put up a fence. It was painted white and had a
gate with a padlock, and for a week the orchard seemed to belong to someone at last.</p>
<p>Then the padlock rusted open, the paint peeled, and the children went back to arguing
about apples.</p>"""),
    ]
    opf = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:title>An Orchard Nobody Owned</dc:title>
    <dc:creator opf:role="aut" opf:file-as="Okafor, June">June Okafor</dc:creator>
    <dc:language>en-GB</dc:language>
    <dc:identifier id="uid" opf:scheme="UUID">7c0f4f3e-8d1a-4d7e-b1c2-9e5f6a7b8c9d</dc:identifier>
    <dc:publisher>Bookparse Test Press</dc:publisher>
    <dc:date>2019</dc:date>
    <dc:subject>Short stories</dc:subject>
    <meta name="cover" content="cover"/>
    <meta name="calibre:series" content="Village Tales"/>
    <meta name="calibre:series_index" content="1"/>
  </metadata>
  <manifest>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
    <item id="cover" href="cover.png" media-type="image/png"/>
    <item id="p1" href="part1.html" media-type="application/xhtml+xml"/>
    <item id="p2" href="part2.html" media-type="application/xhtml+xml"/>
  </manifest>
  <spine toc="ncx">
    <itemref idref="p1"/>
    <itemref idref="p2"/>
  </spine>
</package>
"""
    ncx = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" "http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">
  <head><meta name="dtb:uid" content="7c0f4f3e-8d1a-4d7e-b1c2-9e5f6a7b8c9d"/></head>
  <docTitle><text>An Orchard Nobody Owned</text></docTitle>
  <navMap>
    <navPoint id="n1" playOrder="1"><navLabel><text>The Orchard</text></navLabel><content src="part1.html"/></navPoint>
    <navPoint id="n2" playOrder="2"><navLabel><text>The Fence</text></navLabel><content src="part2.html"/></navPoint>
  </navMap>
</ncx>
"""
    container = CONTAINER.replace("OEBPS/content.opf", "OPS/book.opf")
    entries = [("mimetype", b"application/epub+zip", False),
               ("META-INF/container.xml", container.encode(), True),
               ("OPS/book.opf", opf.encode(), True),
               ("OPS/toc.ncx", ncx.encode(), True),
               ("OPS/cover.png", cover, False)]
    for name, title, body in chapters:
        entries.append(("OPS/" + name, xhtml11(title, body).encode(), True))
    write_zip(path, entries)


def make_fb2():
    """The FB2 document as windows-1251 bytes."""
    cover64 = base64.encodebytes(png(10, 14)).decode("ascii")
    isbn = isbn13("978500000002")
    doc = f"""<?xml version="1.0" encoding="windows-1251"?>
<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" xmlns:l="http://www.w3.org/1999/xlink">
<description>
  <title-info>
    <genre>prose_contemporary</genre>
    <genre>sf_humor</genre>
    <author><first-name>Анна</first-name><middle-name>Сергеевна</middle-name><last-name>Белова</last-name></author>
    <book-title>Сад у моря</book-title>
    <annotation><p>Небольшая повесть о саде, море и письмах, которые приходят с опозданием.</p></annotation>
    <date value="2023-05-01">2023</date>
    <coverpage><image l:href="#cover.png"/></coverpage>
    <lang>ru</lang>
    <sequence name="Морские истории" number="3"/>
  </title-info>
  <document-info>
    <author><nickname>bookparse</nickname></author>
    <program-used>make_samples.py</program-used>
    <date value="2024-01-01">2024</date>
    <id>bookparse-sample-fb2-0001</id>
    <version>1.0</version>
  </document-info>
  <publish-info>
    <book-name>Сад у моря</book-name>
    <publisher>Тестовое издательство</publisher>
    <city>Москва</city>
    <year>2023</year>
    <isbn>{isbn[:3]}-{isbn[3]}-{isbn[4:8]}-{isbn[8:12]}-{isbn[12]}</isbn>
  </publish-info>
</description>
<body>
  <title><p>Анна Белова</p><p>Сад у моря</p></title>
  <epigraph>
    <p>Кто сажает дерево у моря, тот верит в завтрашний день.</p>
    <text-author>Старая поговорка рыбаков</text-author>
  </epigraph>
  <section id="part1">
    <title><p>Часть первая</p></title>
    <section id="ch1">
      <title><p>Глава 1. Утро</p></title>
      <p>Каждое утро Вера открывала калитку и шла к морю. Волны были тихими, а песок ещё хранил ночной холод.</p>
      <p>В саду росли три яблони и одна груша, которую посадил её дед. Груша плодоносила раз в два года, но всегда щедро.</p>
      <empty-line/>
      <p>Соседи говорили, что у моря ничего не вырастет. Вера не спорила, а просто поливала деревья<a l:href="#n1" type="note">[1]</a>.</p>
    </section>
    <section id="ch2">
      <title><p>Глава 2. Письмо</p></title>
      <p>В среду почтальон принёс письмо из города. Конверт был мятым, а марка — с изображением маяка.</p>
      <poem>
        <title><p>Песенка сада</p></title>
        <stanza>
          <v>Ветер с моря, соль на ветках,</v>
          <v>Яблоки в плетёных сетках,</v>
          <v>Груша дремлет у стены —</v>
          <v>Ей всё лето снятся сны.</v>
        </stanza>
        <text-author>Вера</text-author>
      </poem>
      <p>Она прочитала письмо дважды и убрала его в ящик стола, к остальным.</p>
    </section>
  </section>
  <section id="part2">
    <title><p>Часть вторая</p><p>Part Two</p></title>
    <section id="ch3">
      <title><p>Глава 3. English Lessons</p></title>
      <p>In the evenings Vera taught the neighbour's boy English. They read the labels on seed packets, because there were no other books in that language in the house.</p>
      <p><emphasis>Plant in spring, water daily, keep away from frost,</emphasis> he read slowly, and laughed at the word <strong>frost</strong>, which he had never seen by the sea.</p>
      <p>Мальчик записывал новые слова в тетрадь: apple — яблоко, pear — груша, garden — сад.</p>
    </section>
  </section>
</body>
<body name="notes">
  <title><p>Примечания</p></title>
  <section id="n1">
    <title><p>1</p></title>
    <p>Поливать деревья у моря лучше всего дождевой водой.</p>
  </section>
</body>
<binary id="cover.png" content-type="image/png">{cover64}</binary>
</FictionBook>
"""
    return doc.encode("windows-1251")


TXT = """A Small Book of Tides

Chapter 1. Low Water

When the tide goes out, the bay becomes a field of mirrors. Children walk out to the
sandbars with buckets, and the old men follow them, pretending not to be interested.

Crabs hide under every flat stone. The trick, everyone agrees, is to lift the stone
towards yourself, so that the crab runs away from your fingers and not into them.

Chapter 2. High Water

At high water the same bay is a different country. The mirrors are gone, the sandbars
are gone, and the boats that lay on their sides all afternoon stand up straight again.

The harbour master rings a bell twice when the water reaches the third step. Nobody
remembers why twice, but nobody would dream of changing it.

Chapter 3. Slack Tide

Between the two there is a pause, a few minutes when the water neither comes nor goes.
Fishermen call it slack tide. Children call it the moment the sea holds its breath.
"""


def make_bad(outdir, epub_path):
    """Inputs that are not (whole) books."""
    import random
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "fake.pdf"), "wb") as f:
        f.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    write_zip(os.path.join(outdir, "fake.docx"), [
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>', True),
        ("word/document.xml", b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>', True)])
    write_zip(os.path.join(outdir, "notabook.zip"), [
        ("readme.md", b"# Not a book\n\nJust a zip archive with two files.\n", True),
        ("data.csv", b"a,b\n1,2\n", True)])
    with open(os.path.join(outdir, "random.bin"), "wb") as f:
        rng = random.Random(20240101)
        f.write(bytes(rng.getrandbits(8) for _ in range(4096)))
    with open(epub_path, "rb") as f:
        epub = f.read()
    with open(os.path.join(outdir, "truncated.epub"), "wb") as f:
        f.write(epub[:len(epub) // 2])


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "build/samples"
    os.makedirs(outdir, exist_ok=True)
    make_epub3(os.path.join(outdir, "sample.epub"))
    make_epub2(os.path.join(outdir, "sample-epub2.epub"))
    fb2 = make_fb2()
    with open(os.path.join(outdir, "sample.fb2"), "wb") as f:
        f.write(fb2)
    write_zip(os.path.join(outdir, "sample.fb2.zip"), [("sample.fb2", fb2, True)])
    with open(os.path.join(outdir, "sample.txt"), "wb") as f:
        f.write(TXT.encode("utf-8"))
    make_bad(os.path.join(outdir, "bad"), os.path.join(outdir, "sample.epub"))
    for d in (outdir, os.path.join(outdir, "bad")):
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(path):
                print("%8d  %s" % (os.path.getsize(path), path))


if __name__ == "__main__":
    main()
