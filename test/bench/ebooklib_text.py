#!/usr/bin/python3
"""Old-stack baselines: the text of every document of a book, printed as its length.

  ebooklib_text.py BOOK.epub        ebooklib + BeautifulSoup(lxml) per document (the old system's EPUB path)
  ebooklib_text.py BOOK.fb2         lxml: parse and itertext (the old system's FB2 path)
  ebooklib_text.py --bs4 BOOK.fb2   BeautifulSoup(..., 'xml').get_text() (the bs4 part of the stack on FB2)
  ebooklib_text.py --start lxml|bs4 nothing but the interpreter and the imports
"""
import sys
args = sys.argv[1:]
if args[0] == '--start':
    if args[1] == 'lxml':
        from lxml import etree
    else:
        import ebooklib
        from ebooklib import epub
        from bs4 import BeautifulSoup
    print(0)
elif args[0] == '--bs4':
    from bs4 import BeautifulSoup
    with open(args[1], 'rb') as f:
        print(len(BeautifulSoup(f.read(), 'xml').get_text()))
elif args[0].endswith('.epub'):
    import ebooklib
    from ebooklib import epub
    from bs4 import BeautifulSoup
    book = epub.read_epub(args[0])
    n = 0
    for item in book.get_items_of_type(ebooklib.ITEM_DOCUMENT):
        n += len(BeautifulSoup(item.get_content(), 'lxml').get_text())
    print(n)
else:
    from lxml import etree
    print(len(''.join(etree.parse(args[0]).getroot().itertext())))
