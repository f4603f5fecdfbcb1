# pg_cron drains the queue where no worker runs (bookparse.max_workers = 0):
# the recipe of docs/operations.md, run by the real pg_cron preloaded next
# to bookparse.  A sample EPUB and a fake PDF are submitted; the next
# minute's cron run parses the one and fails the other; then
# retry_failed() queues the failure again and purge_jobs() deletes the
# history.  pg_cron 1.4 schedules by the minute: the test waits up to ~80 s.
#
# Skipped when pg_cron is not installed (Debian: postgresql-15-cron).
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $root = abs_path(dirname(__FILE__) . '/../..');
my $sharedir = `pg_config --sharedir`;
chomp $sharedir;
plan skip_all => 'pg_cron is not installed'
  unless -f "$sharedir/extension/pg_cron.control";

# the sample books (made if absent)
my $samples = $ENV{BP_SAMPLES} // "$root/build/samples";
if (!-f "$samples/sample.epub" || !-f "$samples/bad/fake.pdf")
{
	$samples = PostgreSQL::Test::Utils::tempdir() . '/samples';
	system('/usr/bin/python3', "$root/test/make_samples.py", $samples) == 0
	  or BAIL_OUT('cannot make the sample books');
}
$samples = abs_path($samples);

my $node = PostgreSQL::Test::Cluster->new('cron');
$node->init;
# background workers rather than libpq: the test cluster has no TCP socket
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse,pg_cron'
bookparse.max_workers = 0
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse; CREATE EXTENSION pg_cron;');

my $cron_version = $node->safe_psql('postgres',
	"SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'");
note("pg_cron $cron_version");

# the recipe from docs/operations.md
my $jobid = $node->safe_psql('postgres',
	q{SELECT cron.schedule('bookparse-drain', '* * * * *', $$SELECT bookparse.run_queue(max_time => '50 seconds')$$)}
);
like($jobid, qr/^\d+$/, 'run_queue scheduled with pg_cron');

my $good = $node->safe_psql('postgres',
	"SELECT bookparse.submit(pg_read_binary_file('$samples/sample.epub'), 'sample.epub')");
my $bad = $node->safe_psql('postgres',
	"SELECT bookparse.submit(pg_read_binary_file('$samples/bad/fake.pdf'), 'fake.pdf')");
my $t0 = time();

# the next whole minute runs it (at most ~60 s away, plus the parse)
my $deadline = $t0 + 110;
my $done = 0;
while (time() < $deadline)
{
	$done = $node->safe_psql('postgres',
		"SELECT count(*) = 2 FROM bookparse.book WHERE status IN ('parsed', 'failed')"
	) eq 't';
	last if $done;
	sleep(1);
}
my $waited = time() - $t0;
ok($done, sprintf('both books handled by the cron run within %.0f s', $waited));
note(sprintf('cron run finished the books %.1f s after submit', $waited));

is($node->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $good"),
	'parsed', 'the EPUB is parsed');
ok( $node->safe_psql('postgres',
		"SELECT count(*) > 0 FROM bookparse.chapter WHERE book_id = $good") eq 't',
	'with its chapters');
is( $node->safe_psql(
		'postgres', "SELECT status || ' ' || error_code FROM bookparse.book WHERE id = $bad"),
	'failed not_a_book',
	'the fake PDF failed');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'bookparse worker'"),
	'0',
	'no bookparse worker ran');

# pg_cron recorded a successful run of the job
$node->poll_query_until('postgres',
	"SELECT count(*) > 0 FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded'"
) or die 'no succeeded run in cron.job_run_details';
like( $node->safe_psql(
		'postgres',
		"SELECT return_message FROM cron.job_run_details WHERE jobid = $jobid AND status = 'succeeded' ORDER BY runid LIMIT 1"
	),
	qr/^SELECT 1$/,
	'cron.job_run_details: the run succeeded');

# the job ran in pg_cron's process, not in a bookparse worker
my $pid = $node->safe_psql('postgres', "SELECT worker_pid FROM bookparse.job WHERE book_id = $good");
like($pid, qr/^\d+$/, "the job records the pid of pg_cron's job process ($pid)");

# retry_failed queues the failed book again; purge_jobs clears history
is($node->safe_psql('postgres', "SELECT bookparse.retry_failed(error_code => 'not_a_book')"),
	'1', 'retry_failed() queues the failed book again');
is($node->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $bad"),
	'queued', 'it is queued');
is($node->safe_psql('postgres', "SELECT bookparse.run_queue()"), '1',
	'and runs again');
is($node->safe_psql('postgres', "SELECT count(*) FROM bookparse.job WHERE book_id = $bad"),
	'2', 'its history has two jobs');
is($node->safe_psql('postgres', "SELECT bookparse.purge_jobs('0')"),
	'3', 'purge_jobs(0) deletes the three finished jobs');
is($node->safe_psql('postgres', "SELECT count(*) FROM bookparse.book"),
	'2', 'the books stay');

# pg_cron can schedule the purge and the retry too (the recipes)
like( $node->safe_psql(
		'postgres',
		q{SELECT cron.schedule('bookparse-purge', '17 * * * *', $$SELECT bookparse.purge_jobs('7 days')$$)}
	),
	qr/^\d+$/,
	'purge recipe scheduled');
$node->safe_psql('postgres', "SELECT cron.unschedule('bookparse-purge')");
$node->safe_psql('postgres', "SELECT cron.unschedule('bookparse-drain')");

$node->stop;
done_testing();
