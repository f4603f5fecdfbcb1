#!/usr/bin/python3
"""make_big_books.py: generate the huge hostile books of the memory tests.

    make_big_books.py DIR [--scale=N]

Writes into DIR (nothing here is committed; everything is streamed, so the
generator itself needs little memory):

  zipbomb.epub      a valid EPUB whose one chapter inflates to 2,000,000,000
                    bytes (about 2 MB compressed)
  bigbinary.fb2     an FB2 with one 100 MB base64 binary (133 MB file)
  paragraph.epub    an EPUB whose chapter is one 50 MB paragraph
  paragraph.txt     a plain-text book that is one 50 MB paragraph
  elements.epub     an EPUB whose chapter is 3 million empty elements (12 MB
                    of XML, 12 kB compressed, hundreds of MB as a libxml2 tree)

--scale=N divides every size by N (for quick local runs).  Each of them
must fail with limit_exceeded under bookparse.work_mem = 32MB, never take
the memory its size claims.
"""
import base64
import os
import sys
import zipfile

CONTAINER = ('<?xml version="1.0"?>\n'
             '<container version="1.0" '
             'xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="OEBPS/content.opf" '
             'media-type="application/oebps-package+xml"/></rootfiles>'
             '</container>\n')

OPF = ('<?xml version="1.0"?>\n'
       '<package xmlns="http://www.idpf.org/2007/opf" version="2.0" '
       'unique-identifier="id"><metadata '
       'xmlns:dc="http://purl.org/dc/elements/1.1/">'
       '<dc:title>{title}</dc:title><dc:identifier id="id">{title}'
       '</dc:identifier><dc:language>en</dc:language></metadata>'
       '<manifest><item id="c1" href="ch01.xhtml" '
       'media-type="application/xhtml+xml"/></manifest>'
       '<spine><itemref idref="c1"/></spine></package>\n')

HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title>'
        '</head><body><h1>Chapter</h1><p>')
TAIL = '</p></body></html>\n'

# a few words that repeat, so that text compresses but is not one byte
WORDS = ('the quiet river ran past mills and meadows while evening light '
         'settled over roofs and the old bridge ')


def chunks(total, unit):
    """Yield unit repeated up to total bytes (the last one cut)."""
    block = (unit * (65536 // len(unit) + 1))[:65536].encode()
    left = total
    while left > 0:
        n = min(left, len(block))
        yield block[:n]
        left -= n


def epub(path, title, body_bytes, unit):
    """An EPUB whose only chapter is one paragraph of body_bytes bytes."""
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr(zipfile.ZipInfo('mimetype'), 'application/epub+zip')
        z.writestr('META-INF/container.xml', CONTAINER,
                   compress_type=zipfile.ZIP_DEFLATED)
        z.writestr('OEBPS/content.opf', OPF.format(title=title),
                   compress_type=zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo('OEBPS/ch01.xhtml')
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = 1     # fast; the ratio hardly changes
        with z.open(info, 'w', force_zip64=False) as f:
            f.write(HEAD.encode())
            for c in chunks(body_bytes, unit):
                f.write(c)
            f.write(TAIL.encode())


def fb2_binary(path, binary_bytes):
    """An FB2 with a short text and one binary of binary_bytes bytes."""
    with open(path, 'wb') as f:
        f.write(('<?xml version="1.0" encoding="utf-8"?>\n'
                 '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" '
                 'xmlns:l="http://www.w3.org/1999/xlink"><description>'
                 '<title-info><book-title>Big binary</book-title>'
                 '<lang>en</lang></title-info></description><body><section>'
                 '<title><p>One</p></title><p>' + WORDS + '</p>'
                 '<image l:href="#big.png"/></section></body>'
                 '<binary id="big.png" content-type="image/png">').encode())
        raw = b'\x89PNG\r\n\x1a\n' + bytes(57000 - 8)   # 57000: divisible by 3
        left = binary_bytes
        while left > 0:
            n = min(left, len(raw))
            f.write(base64.b64encode(raw[:n]))
            f.write(b'\n')
            left -= n
            raw = bytes(57000)
        f.write(b'</binary></FictionBook>\n')


def txt(path, body_bytes):
    """A plain-text book that is one paragraph of body_bytes bytes."""
    with open(path, 'wb') as f:
        f.write(b'One Long Paragraph\n\n')
        for c in chunks(body_bytes, WORDS):
            f.write(c)
        f.write(b'\n')


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    scale = 1
    for a in sys.argv[1:]:
        if a.startswith('--scale='):
            scale = max(1, int(a[8:]))
    if len(args) != 1:
        sys.exit(__doc__)
    out = args[0]
    os.makedirs(out, exist_ok=True)
    epub(os.path.join(out, 'zipbomb.epub'), 'Zip bomb',
         2000000000 // scale, ' ')
    fb2_binary(os.path.join(out, 'bigbinary.fb2'), 100000000 // scale)
    epub(os.path.join(out, 'paragraph.epub'), 'One paragraph',
         50000000 // scale, WORDS)
    txt(os.path.join(out, 'paragraph.txt'), 50000000 // scale)
    epub(os.path.join(out, 'elements.epub'), 'Elements',
         12000000 // scale, '<b/>')
    for name in sorted(os.listdir(out)):
        print('%-16s %12d bytes' % (name, os.path.getsize(os.path.join(out, name))))


if __name__ == '__main__':
    main()
