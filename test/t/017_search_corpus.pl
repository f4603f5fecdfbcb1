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
use File::Basename qw(dirname);
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

$node->stop;
done_testing();
