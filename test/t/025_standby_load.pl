# A streaming hot standby (pg_basebackup) of a primary whose two workers
# parse a batch of real books (issue 15; test/t/007_standby.pl covers the
# launcher's start and stop):
#   - on the standby the books, chapters, assets, scenes and jobs read the
#     same as on the primary (per-table checksums), bookparse.status too;
#   - no bookparse process runs there and nothing tried to write (no ERROR
#     in the standby's log); submit() there fails as a read-only
#     transaction;
#   - the primary stopped with -m immediate while its workers parse a
#     second batch, the standby promoted: the launcher starts there, puts
#     the jobs left running back, and every book ends exactly once.
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use lib dirname(__FILE__) . '/../load';
use BpLoad;

my $slow = BpLoad::slow();
my $count = $ENV{BP_CRASH_BOOKS} // ($slow ? 100 : 30);
my @books = BpLoad::books($ENV{BP_LOAD_MAX_KB} // ($slow ? 5120 : 800), 1);
plan skip_all => 'no books found' unless @books;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
bookparse.naptime = '100ms'
max_worker_processes = 16
});
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION bookparse');
BpLoad::load_books($primary, @books);

$primary->backup('b');    # pg_basebackup
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
# settings are not replicated (ALTER SYSTEM writes a file): the standby is
# configured as the primary will be, as docs/operations.md says
$standby->append_conf('postgresql.conf', "bookparse.max_workers = 2\n");
$standby->start;
my $s_offset = -s $standby->logfile;

# a batch parsed on the primary while the standby replays
$primary->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 2; SELECT pg_reload_conf()');
BpLoad::submit_batch($primary, $count, 'first');
ok(BpLoad::wait_drained($primary, $slow ? 900 : 300), 'the primary parses the batch');
$primary->wait_for_catchup($standby);

my $sums = join(
	" UNION ALL\n",
	(
		map {
			"SELECT '$_', count(*)::text || ' ' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '-') FROM bookparse.$_ t"
		} ('book', 'chapter', 'asset', 'scene', 'job')
	),
	"SELECT 'status', (SELECT s::text FROM bookparse.status s)");
is($standby->safe_psql('postgres', $sums),
	$primary->safe_psql('postgres', $sums),
	'the standby reads the same books, chapters, assets, scenes, jobs and status');
BpLoad::check_exactly_once($standby, 'first', $count, 1);
is( $standby->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'bookparse%'"),
	'0',
	'no bookparse process on the standby');
my ($ret, $out, $err) = $standby->psql('postgres',
	"SELECT bookparse.submit(convert_to('x', 'UTF8'), 'standby.txt')");
like($err, qr/read-only transaction/, 'submit() on the standby fails as a read-only transaction');
my $slog = slurp_file($standby->logfile, $s_offset);
my @errors = grep { /ERROR|FATAL/ && !/standby\.txt|read-only transaction/ } split /\n/, $slog;
is(join("\n", @errors), '', 'nothing tried to write on the standby');

# failover while the primary's workers parse
BpLoad::submit_batch($primary, $count, 'second');
$primary->wait_for_catchup($standby);
$primary->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM bookparse.job WHERE state = 'running'")
  or die 'no job ran on the primary';
my $left = $primary->safe_psql('postgres',
	"SELECT count(*) FROM bookparse.job WHERE state IN ('queued', 'running')");
note("second: $left jobs queued or running at the failover");
$primary->stop('immediate');
my $p_offset = -s $standby->logfile;
$standby->promote;
$standby->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'")
  or die 'no launcher after promotion';
pass('the launcher starts after promotion');
ok(BpLoad::wait_drained($standby, $slow ? 900 : 300), 'the promoted server drains the queue');
BpLoad::check_exactly_once($standby, 'second', $count, 2);
BpLoad::check_exactly_once($standby, 'first', $count, 1);
BpLoad::check_status($standby, 'promoted');
unlike(slurp_file($standby->logfile, $p_offset), qr/deadlock detected|terminated by signal/,
	'no deadlock, no crash on the promoted server');

$standby->stop;
done_testing();
