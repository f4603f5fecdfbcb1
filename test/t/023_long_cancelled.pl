# Long and cancelled work next to a busy queue (issue 15).  A large
# generated book (30 MB of plain text, 300 chapters: a parse of a second or
# more, no debug delay) is
#   - cut off by bookparse.job_timeout: the job and the book fail with
#     error_code 'timeout' and a message naming the setting;
#   - stopped by cancel(), by pg_cancel_backend() and by
#     pg_terminate_backend() on its worker while a batch of real books
#     parses on the other worker: canceled / canceled / queued again and
#     parsed once (no attempt counted);
# and DROP EXTENSION while both workers run: they exit, nothing is logged as
# an error, CREATE EXTENSION starts over.  Every time the real books end
# exactly once as they end alone, and no job is left running, no book
# parsing (no orphan).
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);
use lib dirname(__FILE__) . '/../load';
use BpLoad;

my $slow = BpLoad::slow();
my $count = $ENV{BP_CRASH_BOOKS} // ($slow ? 100 : 30);
my $max_kb = $ENV{BP_LOAD_MAX_KB} // ($slow ? 5120 : 800);
my @books = BpLoad::books($max_kb, 1);
plan skip_all => 'no books found' unless @books;

my $node = PostgreSQL::Test::Cluster->new('long');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
bookparse.naptime = '100ms'
bookparse.work_mem = '256MB'
max_worker_processes = 16
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');
BpLoad::load_books($node, @books);
$node->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 2; SELECT pg_reload_conf()');

# a 30 MB plain-text book of 300 chapters
sub big
{
	my ($tag) = @_;
	return
	  "convert_to((SELECT string_agg(format(E'CHAPTER %s\\n\\n%s\\n\\n', i, repeat('The long road of the $tag book ran on past the mill. ', 2000)), '') FROM generate_series(1, 300) i), 'UTF8')";
}

# submit a big book and wait until a worker parses it: [book, worker pid]
sub big_running
{
	my ($tag) = @_;
	my $id = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . big($tag) . ", '$tag.txt')");
	my $t0 = time();
	while (time() - $t0 < 60)
	{
		my $pid = $node->safe_psql('postgres',
			"SELECT pid FROM bookparse.workers WHERE book_id = $id AND phase IN ('inflating', 'parsing', 'analysing')"
		);
		return ($id, $pid) if $pid;
		usleep(10_000);
	}
	die "$tag: no worker parsed book $id";
}

# no orphan: no job running, no book parsing, no worker on a job
sub no_orphan
{
	my ($what) = @_;
	ok(BpLoad::wait_drained($node, $slow ? 900 : 300), "$what: the queue drains");
	is( $node->safe_psql(
			'postgres',
			"SELECT (SELECT count(*) FROM bookparse.job WHERE state = 'running') + (SELECT count(*) FROM bookparse.book WHERE status = 'parsing') + (SELECT count(*) FROM bookparse.workers WHERE job_id IS NOT NULL)"
		),
		'0',
		"$what: no job running, no book parsing, no worker holding a job");
	return;
}

# --- job_timeout, with a real parse that is too long
$node->safe_psql('postgres',
	"ALTER SYSTEM SET bookparse.job_timeout = '300ms'; SELECT pg_reload_conf()");
sleep(1);
my $t0 = time();
my $slowbook = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . big('timeout') . ", 'timeout.txt')");
is($node->safe_psql('postgres', "SELECT bookparse.wait($slowbook, '60s')"),
	'failed', 'job_timeout: the book fails');
cmp_ok(time() - $t0, '<', 10, 'job_timeout: promptly');
is( $node->safe_psql(
		'postgres',
		"SELECT j.state || ' ' || j.error_code || ' ' || j.attempts || ' ' || b.error_code FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id WHERE b.id = $slowbook"
	),
	'failed timeout 1 timeout',
	'job_timeout: recorded on the job and the book, not retried');
like($node->safe_psql('postgres', "SELECT error FROM bookparse.job WHERE book_id = $slowbook"),
	qr/job_timeout/, 'job_timeout: the message names the setting');
$node->safe_psql('postgres',
	"ALTER SYSTEM RESET bookparse.job_timeout; SELECT pg_reload_conf()");
sleep(1);
no_orphan('job_timeout');

# --- cancel(), pg_cancel_backend(), pg_terminate_backend() while the
# other worker parses real books
my $offset = -s $node->logfile;
BpLoad::submit_batch($node, $count, 'busy');
my ($b1, $p1) = big_running('cancelled');
$t0 = time();
is($node->safe_psql('postgres', "SELECT bookparse.cancel($b1)"), 't', 'cancel() of the running big book');
is($node->safe_psql('postgres', "SELECT bookparse.wait($b1, '60s')"), 'failed', 'cancel(): the book fails');
cmp_ok(time() - $t0, '<', 5, 'cancel(): within seconds');
is( $node->safe_psql(
		'postgres',
		"SELECT j.state || ' ' || j.error_code || ' ' || b.error_code || ' ' || (SELECT count(*) FROM bookparse.chapter WHERE book_id = $b1) FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id WHERE b.id = $b1"
	),
	'canceled canceled canceled 0',
	'cancel(): recorded on the job and the book, nothing stored');

my ($b2, $p2) = big_running('querycancel');
$node->safe_psql('postgres', "SELECT pg_cancel_backend($p2)");
is($node->safe_psql('postgres', "SELECT bookparse.wait($b2, '60s')"),
	'failed', 'pg_cancel_backend(): the book fails');
is( $node->safe_psql(
		'postgres', "SELECT state || ' ' || error_code || ' ' || attempts FROM bookparse.job WHERE book_id = $b2"),
	'canceled canceled 1',
	'pg_cancel_backend(): the job is canceled');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE pid = $p2"),
	'1', 'pg_cancel_backend(): the worker lives on');

my ($b3, $p3) = big_running('terminated');
$node->safe_psql('postgres', "SELECT pg_terminate_backend($p3)");
$node->poll_query_until('postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $p3")
  or die 'the worker did not exit';
is($node->safe_psql('postgres', "SELECT bookparse.wait($b3, '120s')"),
	'parsed', 'pg_terminate_backend(): the book is parsed later');
is( $node->safe_psql(
		'postgres',
		"SELECT j.state || ' ' || j.attempts || ' ' || (SELECT count(*) FROM bookparse.job WHERE book_id = $b3) || ' ' || (SELECT count(*) FROM bookparse.chapter WHERE book_id = $b3) FROM bookparse.job j WHERE j.book_id = $b3"
	),
	'done 1 1 300',
	'pg_terminate_backend(): one job, done, the attempt not counted, 300 chapters once');
no_orphan('cancels');
BpLoad::check_exactly_once($node, 'busy', $count, 1);
BpLoad::check_status($node, 'cancels');
my $log = slurp_file($node->logfile, $offset);
unlike($log, qr/terminated by signal|PANIC|exited with exit code [2-9]/, 'no crash');

# --- DROP EXTENSION while both workers run
$offset = -s $node->logfile;
$node->safe_psql('postgres',
	'SELECT bookparse.submit(' . big('dropped1') . ", 'dropped1.txt'), bookparse.submit(" . big('dropped2') . ", 'dropped2.txt')");
BpLoad::submit_batch($node, $count, 'dropped');
$node->poll_query_until('postgres', 'SELECT count(*) = 2 FROM bookparse.workers WHERE job_id IS NOT NULL')
  or die 'two workers never ran at once';
$t0 = time();
$node->safe_psql('postgres', 'DROP EXTENSION bookparse');
cmp_ok(time() - $t0, '<', 30, 'DROP EXTENSION returns within seconds');
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
  or die 'workers did not exit';
pass('the workers exit');
sleep(1);
$log = slurp_file($node->logfile, $offset);
unlike($log, qr/(ERROR|FATAL|PANIC):|exited with exit code [1-9]|terminated by signal/,
	'DROP EXTENSION: nothing logged as an error, no worker died');
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');
BpLoad::submit_batch($node, $count, 'again');
no_orphan('after CREATE EXTENSION');
BpLoad::check_exactly_once($node, 'again', $count, 1);

$node->stop;
done_testing();
