# Workers the server cannot give, and workers taken away (issue 15):
#   - bookparse.max_workers = 4 where max_worker_processes leaves room for
#     one worker (the logical replication launcher and the bookparse
#     launcher take the other two slots): one clear WARNING naming
#     max_worker_processes, never more workers than slots, and the queue
#     is not stuck: every book of a batch ends exactly once;
#   - ALTER SYSTEM SET bookparse.max_workers = 0 and a reload while both
#     workers parse a batch: the workers finish their book and exit within
#     seconds, no job is left running, no book parsing, nothing logged as
#     an error; the rest stays queued, and with workers back every book
#     ends exactly once.
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
my $max_kb = $ENV{BP_LOAD_MAX_KB} // ($slow ? 5120 : 800);
my @books = BpLoad::books($max_kb, 1);
plan skip_all => 'no books found' unless @books;

my $node = PostgreSQL::Test::Cluster->new('shortage');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
bookparse.naptime = '100ms'
max_worker_processes = 3
max_parallel_workers = 0
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');
BpLoad::load_books($node, @books);

# --- more workers wanted than max_worker_processes allows
my $offset = -s $node->logfile;
$node->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 4; SELECT pg_reload_conf()');
BpLoad::submit_batch($node, $count, 'short');
my $most = 0;
my $t0 = time();
while (time() - $t0 < ($slow ? 900 : 300))
{
	my ($w, $left) = split /\|/, $node->safe_psql('postgres',
		"SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'bookparse worker'), (SELECT count(*) FROM bookparse.job WHERE state IN ('queued', 'running'))"
	);
	$most = $w if $w > $most;
	last if $left == 0;
	usleep(100_000);
}
is($most, 1, 'one worker ran: what max_worker_processes leaves');
ok(BpLoad::wait_drained($node, 60), 'the queue drained with the one worker');
BpLoad::check_exactly_once($node, 'short', $count, 1);
BpLoad::check_status($node, 'short');
my $log = slurp_file($node->logfile, $offset);
like(
	$log,
	qr/WARNING:  bookparse launcher: could not start a parse worker\n.*HINT:  Raise max_worker_processes/,
	'a WARNING with a HINT naming max_worker_processes');
my @warnings = ($log =~ /could not start a parse worker/g);
cmp_ok(scalar(@warnings), '<=', 3, 'logged once per shortage, not once per loop (' . scalar(@warnings) . ')');

# --- max_workers = 0 while two workers parse
$node->safe_psql('postgres',
	"ALTER SYSTEM SET max_worker_processes = 16; ALTER SYSTEM SET bookparse.max_workers = 2");
$node->restart;
$offset = -s $node->logfile;
BpLoad::submit_batch($node, $count, 'stop');
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM bookparse.workers WHERE job_id IS NOT NULL")
  or die 'two workers never ran at once';
my $done_before = $node->safe_psql('postgres',
	"SELECT count(*) FROM bookparse.job WHERE state IN ('done', 'failed')");
$node->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 0; SELECT pg_reload_conf()');
$t0 = time();
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
  or die 'the workers did not exit';
cmp_ok(time() - $t0, '<', 30, 'both workers exit after their book');
sleep(1);
my ($running, $parsing, $queued, $done) = split /\|/, $node->safe_psql(
	'postgres', q{
SELECT (SELECT count(*) FROM bookparse.job WHERE state = 'running'),
       (SELECT count(*) FROM bookparse.book WHERE status = 'parsing'),
       (SELECT count(*) FROM bookparse.job WHERE state = 'queued'),
       (SELECT count(*) FROM bookparse.job WHERE state IN ('done', 'failed'))});
is("$running $parsing", '0 0', 'no job left running, no book parsing');
cmp_ok($queued, '>', 0, "the rest waits queued ($queued)");
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM bookparse.job WHERE state IN ('done', 'failed') AND attempts <> 1"),
	'0',
	'the books the workers had finished ran once');
$log = slurp_file($node->logfile, $offset);
unlike($log, qr/(ERROR|FATAL|PANIC):|exited with exit code [1-9]|terminated by signal/,
	'nothing logged as an error, no worker died');
$node->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 2; SELECT pg_reload_conf()');
ok(BpLoad::wait_drained($node, $slow ? 900 : 300), 'workers back: the queue drains');
BpLoad::check_exactly_once($node, 'stop', $count, 1);
BpLoad::check_status($node, 'stop');

$node->stop;
done_testing();
