# Full-text search over real novels (docs/search.md): for each novel of the
# corpus, a sentence fragment is picked at test time from the middle of one
# of its chapters (six words in a row with no punctuation between them, three of them
# not stop words), and
# a phrase search for it in quotes finds that chapter, through search_book()
# and through search() over the whole library.  Skipped without the corpus
# (BP_CORPUS, default ../shared/corpus next to the checkout); no text of the
# corpus is kept in the project.
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(basename dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = abs_path(dirname(__FILE__) . '/../..');
my $corpus = $ENV{BP_CORPUS} // "$root/../shared/corpus";
plan skip_all => 'no corpus' unless $corpus ne '' && -f "$corpus/MANIFEST.tsv";

# English and Russian novels (the two Russian FB2 are windows-1251; the
# Karenina one has no description, so its language comes from its script)
my @novels = grep { -f "$corpus/$_" } (
	'epub/idpf-moby-dick.epub', 'epub/epubjs-alice.epub',
	'fb2/fbreaderj-karenina-nodesc-cp1251.fb2',
	'fb2/fbreaderj-akunin-testfb2book-cp1251.fb2');
plan skip_all => 'no novels in the corpus' unless @novels;

my $node = PostgreSQL::Test::Cluster->new('search');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
});
$node->start;
$node->safe_psql('postgres',
	"CREATE DATABASE s ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"
);
$node->safe_psql('s', 'CREATE EXTENSION bookparse');

my %id;
foreach my $n (@novels)
{
	my $path = abs_path("$corpus/$n");
	$path =~ s/'/''/g;
	$id{$n} = $node->safe_psql('s',
		"SELECT bookparse.submit(pg_read_binary_file('$path'), '$n')");
}
$node->safe_psql('s', 'SELECT bookparse.run_queue()');

foreach my $n (@novels)
{
	my $book = $id{$n};
	is($node->safe_psql('s', "SELECT status FROM bookparse.book WHERE id = $book"),
		'parsed', "$n: parsed");

	# the chapter in the middle of those with some text, the paragraph in
	# the middle of its first 100,000 characters that has six words in a row
	my $pick = $node->safe_psql('s', qq{
WITH ch AS (
	SELECT number, text FROM bookparse.chapter
	 WHERE book_id = $book AND length(text) > 2000
	 ORDER BY number),
mid AS (
	SELECT number, text FROM ch
	 OFFSET (SELECT count(*) / 2 FROM ch) LIMIT 1),
para AS (
	SELECT mid.number, p.n,
		   (regexp_match(p.para,
				'(?:^|\\s)([[:alpha:]]{2,}(?:\\s+[[:alpha:]]{2,}){5})(?:\\s|\$)'))[1] AS words
	  FROM mid, unnest(string_to_array(left(mid.text, 100000), E'\\n\\n'))
				WITH ORDINALITY AS p (para, n)),
-- at least three words that are not stop words (jumping up and down in
-- an is 'jump' alone)
good AS (
	SELECT para.number, para.n, para.words FROM para
	  JOIN bookparse.chapter c ON c.book_id = $book AND c.number = para.number
	 WHERE para.words IS NOT NULL
	   AND numnode(phraseto_tsquery(c.search_config, para.words)) >= 5)
SELECT number || '|' || regexp_replace(words, '\\s+', ' ', 'g')
  FROM good
 ORDER BY n OFFSET (SELECT count(*) / 2 FROM good) LIMIT 1});
	my ($chapter, $phrase) = split(/\|/, $pick, 2);
	ok(defined $phrase && $phrase ne '', "$n: a phrase picked from chapter "
		  . ($chapter // '?'));
	next unless defined $phrase && $phrase ne '';
	note("$n: chapter $chapter, " . scalar(split(/ /, $phrase)) . ' words');

	is($node->safe_psql('s', qq{
SELECT bool_or(chapter_number = $chapter)
  FROM bookparse.search_book($book, '"$phrase"')}),
		't', "$n: search_book() finds the phrase in its chapter");
	is($node->safe_psql('s', qq{
SELECT bool_or(book_id = $book AND chapter_number = $chapter)
  FROM bookparse.search('"$phrase"', NULL, 100)}),
		't', "$n: search() finds the phrase in its chapter");
	# the same words in reverse order are not the phrase
	my $reversed = join(' ', reverse(split(/ /, $phrase)));
	is($node->safe_psql('s', qq{
SELECT count(*) FILTER (WHERE chapter_number = $chapter)
  FROM bookparse.search_book($book, '"$reversed"')}),
		'0', "$n: the words in reverse order are not found as a phrase");
	# one word more that is in no book: not found
	is($node->safe_psql('s', qq{
SELECT count(*) FROM bookparse.search_book($book, '"$phrase zzqxvk"')}),
		'0', "$n: the phrase with a word that is in no book is not found");
}

# the Russian novels are stored in russian, the English in english
is($node->safe_psql('s', q{
SELECT string_agg(DISTINCT b.filename || '=' || c.search_config::text, ',' ORDER BY b.filename || '=' || c.search_config::text)
  FROM bookparse.book b JOIN bookparse.chapter c ON c.book_id = b.id}),
	join(',', map {
			my $cfg = /cp1251/ ? 'russian' : 'english';
			"$_=$cfg"
		} sort @novels),
	'each novel has the configuration of its language');

# bookparse.search_vector() against PostgreSQL's own expression over every
# chapter of every corpus book (docs/search.md, "How the vector is built"):
# the lexer must give what setweight(to_tsvector(...), 'A') ||
# setweight(to_tsvector(...), 'B') gives, up to the documented differences
# (URLs, e-mail addresses), so that websearch_to_tsquery() matches alike.
my @all = grep { -f $_ } glob("$corpus/epub/*.epub $corpus/fb2/*.fb2 $corpus/fb2/*.zip");
foreach my $f (@all)
{
	my $path = abs_path($f);
	$path =~ s/'/''/g;
	$node->safe_psql('s',
		"SELECT bookparse.submit(pg_read_binary_file('$path'), '" . basename($f) . "')");
}
$node->safe_psql('s', 'SELECT bookparse.run_queue()');
# per chapter: ours, PostgreSQL's, and the lexemes only one of them has
$node->safe_psql('s', q{
CREATE TABLE cmp AS
SELECT c.book_id, b.filename, c.search_vector = pg AS same, length(c.search_vector) AS lexemes,
	   (SELECT count(*) FROM (SELECT unnest(tsvector_to_array(c.search_vector))
							  EXCEPT SELECT unnest(tsvector_to_array(pg))) d) AS only_ours,
	   (SELECT count(*) FROM (SELECT unnest(tsvector_to_array(pg))
							  EXCEPT SELECT unnest(tsvector_to_array(c.search_vector))) d) AS only_pg
  FROM (SELECT book_id, search_vector,
			   setweight(to_tsvector(search_config, coalesce(title, '')), 'A') ||
			   setweight(to_tsvector(search_config, coalesce(text, '')), 'B') AS pg
		  FROM bookparse.chapter
		 WHERE octet_length(text) < 400000) c
  JOIN bookparse.book b ON b.id = c.book_id});
my ($n, $same, $lexemes, $only_ours, $only_pg) = split(/\|/, $node->safe_psql('s', q{
SELECT count(*) || '|' || count(*) FILTER (WHERE same) || '|' || sum(lexemes) || '|' ||
	   sum(only_ours) || '|' || sum(only_pg) FROM cmp}));
note("corpus: $n chapters, $same vectors identical to to_tsvector's; "
	  . "$lexemes lexemes, $only_ours only in ours, $only_pg only in PostgreSQL's");
cmp_ok($n, '>', 500, 'the corpus gave chapters to compare');
cmp_ok(($only_ours + $only_pg) / $lexemes, '<', 0.005,
	'fewer than 1 lexeme in 200 differs over the whole corpus (technical books: package versions, paths)');
# prose: the novels (in the corpus twice: submitted above and here)
my ($pn, $psame) = split(/\|/, $node->safe_psql('s', q{
SELECT count(*) || '|' || count(*) FILTER (WHERE same) FROM cmp
 WHERE filename ~ '(moby-dick|alice|crime-and-punishment|childrens-literature|karenina|akunin)'}));
note("novels: $pn chapters, $psame identical");
cmp_ok($pn, '>', 100, 'the novels gave chapters to compare');
cmp_ok($psame / $pn, '>=', 0.99,
	'at least 99% of the novels\' chapter vectors are identical to to_tsvector()\'s');

# a configuration the lexer does not reproduce (unaccent before the
# stemmer) goes through to_tsvector() itself: identical
$node->safe_psql('s', q{
CREATE EXTENSION unaccent;
CREATE TEXT SEARCH CONFIGURATION public.en_unaccent (COPY = english);
ALTER TEXT SEARCH CONFIGURATION public.en_unaccent
	ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;});
is($node->safe_psql('s', q{
SELECT count(*) FILTER (WHERE bookparse.search_vector('public.en_unaccent', title, text) <>
		setweight(to_tsvector('public.en_unaccent', coalesce(title, '')), 'A') ||
		setweight(to_tsvector('public.en_unaccent', coalesce(text, '')), 'B'))
  FROM bookparse.chapter WHERE octet_length(text) < 400000}), '0',
	'a configuration with unaccent: the vectors are to_tsvector()\'s');

# a database whose LC_CTYPE is C: PostgreSQL's parser takes every
# non-ASCII character for a letter and lowercases ASCII only; so does the
# lexer there
$node->safe_psql('postgres',
	"CREATE DATABASE c ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
$node->safe_psql('c', 'CREATE EXTENSION bookparse');
is($node->safe_psql('c', q{
SELECT bookparse.search_vector('russian', 'Глава', $$«Нет, — сказал Раскольников, — ёлка там».$$) =
	   setweight(to_tsvector('russian', 'Глава'), 'A') ||
	   setweight(to_tsvector('russian', $$«Нет, — сказал Раскольников, — ёлка там».$$), 'B')}),
	't', 'LC_CTYPE C: the vector is to_tsvector()\'s');

$node->stop;
done_testing();
