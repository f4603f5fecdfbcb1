# Two workers never take the same job: many small books, four workers plus
# two sessions running run_queue() at the same time; every job runs exactly
# once (attempts = 1) and no book gets its chapters twice.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $nbooks = 120;

my $node = PostgreSQL::Test::Cluster->new('claims');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 4
bookparse.naptime = '50ms'
bookparse.debug_parse_delay = '20ms'
max_worker_processes = 16
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');

# small plain-text books with three chapters each
$node->safe_psql(
	'postgres', qq{
SELECT bookparse.submit(
  convert_to(format(E'CHAPTER I\\n\\nBook %s opens here. It has a first chapter.\\n\\n'
                    'CHAPTER II\\n\\nThe second chapter of book %s.\\n\\n'
                    'CHAPTER III\\n\\nThe end of book %s.\\n', i, i, i), 'UTF8'),
  format('book-%s.txt', i))
FROM generate_series(1, $nbooks) i});

# two sessions drain the queue alongside the workers
my @sessions;
foreach my $i (1 .. 2)
{
	my $s = $node->background_psql('postgres');
	$s->query_until(qr/started/, "\\echo started\nSELECT bookparse.run_queue(NULL, '60s');\n");
	push @sessions, $s;
}

$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM bookparse.book WHERE status IN ('queued', 'parsing')")
  or die 'queue not drained';
$_->quit foreach @sessions;

is($node->safe_psql('postgres', 'SELECT count(*) FROM bookparse.job'),
	$nbooks, 'one job per book');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM bookparse.job WHERE state = 'done' AND attempts = 1"),
	$nbooks,
	'every job done in exactly one attempt');
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM bookparse.book WHERE status = 'parsed'"),
	$nbooks,
	'every book parsed');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM (SELECT book_id, number FROM bookparse.chapter
                      GROUP BY 1, 2 HAVING count(*) > 1) d}),
	'0',
	'no chapter stored twice');
my $expected = $node->safe_psql('postgres',
	"SELECT count(*) FROM bookparse.parse_chapters(convert_to(E'CHAPTER I\\n\\nBook 1 opens here. It has a first chapter.\\n\\nCHAPTER II\\n\\nThe second chapter of book 1.\\n\\nCHAPTER III\\n\\nThe end of book 1.\\n', 'UTF8'))"
);
is( $node->safe_psql(
		'postgres', qq{
SELECT count(*) FROM (SELECT book_id FROM bookparse.chapter GROUP BY 1
                      HAVING count(*) <> $expected) d}),
	'0',
	"every book has the $expected chapters of a direct parse");
my $workers = $node->safe_psql('postgres',
	'SELECT count(DISTINCT worker_pid) FROM bookparse.job');
cmp_ok($workers, '>=', 2, "jobs were spread over $workers processes");

$node->stop;
done_testing();
