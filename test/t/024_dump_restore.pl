# Dump and restore (issue 15): pg_dump -Fc of a database with parsed,
# failed, queued, reparse-queued and canceled books, restored with
# pg_restore into a new cluster where bookparse is installed (preloaded,
# workers off at first):
#   - pg_restore reports no error;
#   - every table of the schema is equal, row by row (per-table checksums
#     of the rows' text), and so are the identity sequences;
#   - with the workers on, the queued books get parsed there, exactly once,
#     as they parse alone;
#   - new books and jobs get ids above every restored one (the identity
#     sequences were restored), no duplicate key.
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib dirname(__FILE__) . '/../load';
use BpLoad;

my @books = BpLoad::books(800, 1);
plan skip_all => 'no books found' unless @books;

my $conf = q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
bookparse.naptime = '100ms'
max_worker_processes = 16
};
my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->append_conf('postgresql.conf', $conf);
$src->start;
$src->safe_psql('postgres', 'CREATE EXTENSION bookparse');
my $n = BpLoad::load_books($src, @books);

# parsed and failed books, then queued ones, a reparse and a cancel
BpLoad::submit_batch($src, $n, 'done');
$src->safe_psql('postgres', 'SELECT bookparse.run_queue()');
BpLoad::submit_batch($src, 10, 'queued');
my $reparsed = $src->safe_psql('postgres',
	"SELECT min(id) FROM bookparse.book WHERE status = 'parsed' AND filename LIKE 'done:%'");
$src->safe_psql('postgres', "SELECT bookparse.reparse($reparsed)");
my $canceled = $src->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('Never to be parsed. ', 40), 'UTF8'), 'canceled.txt')");
$src->safe_psql('postgres', "SELECT bookparse.cancel($canceled)");
my ($parsed, $failed, $queued) = split /\|/, $src->safe_psql('postgres',
	"SELECT count(*) FILTER (WHERE status = 'parsed'), count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'queued') FROM bookparse.book"
);
note("source: $parsed parsed, $failed failed, $queued queued");
cmp_ok($parsed, '>', 0, 'the source has parsed books');
cmp_ok($failed, '>', 1, 'failed ones (malformed and canceled)');
is($queued, 11, 'and queued ones (one a reparse)');
cmp_ok($src->safe_psql('postgres', 'SELECT count(*) FROM bookparse.scene'), '>', 0,
	'and scenes');

# per-table checksums, and the sequences
my @tables = ('book', 'chapter', 'asset', 'scene', 'job', 'queue_state');
sub sums
{
	my ($node) = @_;
	my $sql = join(
		" UNION ALL\n",
		(
			map {
				"SELECT '$_', count(*)::text || ' ' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '-') FROM bookparse.$_ t"
			} @tables
		),
		"SELECT 'book_id_seq', last_value::text || ' ' || is_called FROM bookparse.book_id_seq",
		"SELECT 'job_id_seq', last_value::text || ' ' || is_called FROM bookparse.job_id_seq");
	return $node->safe_psql('postgres', $sql);
}
my $before = sums($src);

my $dump = PostgreSQL::Test::Utils::tempdir() . '/books.dump';
my ($out, $err) = run_command([ 'pg_dump', '-Fc', '-f', $dump, '-d', $src->connstr('postgres') ]);
is($err, '', 'pg_dump: no error');

my $dst = PostgreSQL::Test::Cluster->new('restored');
$dst->init;
$dst->append_conf('postgresql.conf', $conf);
$dst->start;
($out, $err) = run_command([ 'pg_restore', '-d', $dst->connstr('postgres'), $dump ]);
is($err, '', 'pg_restore: no error');
my $after = sums($dst);
is($after, $before, 'every table and sequence equal after the restore');
foreach my $line (split /\n/, $after)
{
	note("restored: $line");
}
$src->stop;

# the workers parse the queued books there
$dst->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 2; SELECT pg_reload_conf()');
ok(BpLoad::wait_drained($dst, 300), 'the restored queue drains');
BpLoad::check_exactly_once($dst, 'queued', 10, 1);
is( $dst->safe_psql(
		'postgres',
		"SELECT count(*) FILTER (WHERE state = 'done') || ' ' || count(*) FROM bookparse.job WHERE book_id = $reparsed"
	),
	'2 2',
	'the reparse queued before the dump ran after the restore');
is($dst->safe_psql('postgres', "SELECT status || ' ' || error_code FROM bookparse.book WHERE id = $canceled"),
	'failed canceled', 'the canceled book stays canceled');
BpLoad::check_status($dst, 'restored');

# identities go on above the restored ones
my $max_book = $dst->safe_psql('postgres', 'SELECT max(id) FROM bookparse.book');
my $max_job = $dst->safe_psql('postgres', 'SELECT max(id) FROM bookparse.job');
my $new = $dst->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('A book after the restore. ', 40), 'UTF8'), 'new.txt')");
cmp_ok($new, '>', $max_book, "a new book gets id $new, above the restored ones");
cmp_ok($dst->safe_psql('postgres', "SELECT id FROM bookparse.job WHERE book_id = $new"),
	'>', $max_job, 'and its job an id above the restored jobs');
is($dst->safe_psql('postgres', "SELECT bookparse.wait($new, '60s')"), 'parsed', 'and is parsed');

$dst->stop;
done_testing();
