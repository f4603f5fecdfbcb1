#!/bin/sh
# callgrind.sh: instructions of `bookparse-dump --text BOOK` under
# valgrind --tool=callgrind (repeatable on a noisy machine, unlike time).
# Prints a Markdown table; skips books that are not in the corpus.
set -e
cd "$(dirname "$0")/../.."
CORP=${BP_CORPUS:-../shared/corpus}
command -v valgrind >/dev/null || { echo "(valgrind not installed: no instruction counts)"; exit 0; }
OUT=$(mktemp -d /tmp/bookparse-cg.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
echo "| book | instructions (callgrind) |"
echo "|---|---|"
for b in epub/se-crime-and-punishment.epub epub/idpf-moby-dick.epub \
	epub/epubjs-alice.epub epub/idpf-kusamakura-japanese-vertical-writing.epub \
	epub/idpf-jlreq-in-japanese.epub fb2/coolreader-cr3-manual-ru-bom.fb2 \
	fb2/fb2cng-_Test.ru.fb2 fb2/fb2document-_Test_1.en.fb2 \
	fb2/fbreaderj-akunin-testfb2book-cp1251.fb2; do
	[ -f "$CORP/$b" ] || continue
	valgrind --tool=callgrind --callgrind-out-file="$OUT/cg" \
		./bookparse-dump --text "$CORP/$b" >/dev/null 2>"$OUT/err"
	n=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$OUT/err")
	printf '| %s | %s |\n' "$(basename "$b")" \
		"$(echo "$n" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')"
done
