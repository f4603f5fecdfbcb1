#!/usr/bin/python3
"""Old-stack baseline: extract every document's text with ebooklib+bs4 (EPUB) or lxml (FB2)."""
import sys
path = sys.argv[1]
if path.endswith('.epub'):
    import ebooklib
    from ebooklib import epub
    from bs4 import BeautifulSoup
    book = epub.read_epub(path)
    n = 0
    for item in book.get_items_of_type(ebooklib.ITEM_DOCUMENT):
        n += len(BeautifulSoup(item.get_content(), 'lxml').get_text())
else:
    from lxml import etree
    n = len(''.join(etree.parse(path).getroot().itertext()))
print(n)
