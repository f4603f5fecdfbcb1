# A worker killed mid-parse (SIGKILL: the server crash-restarts) leaves its
# job 'running'; the launcher puts it back in the queue when it starts and
# the book is then parsed once, with no duplicate or partial results.
# A worker stopped with SIGTERM (pg_terminate_backend, fast shutdown)
# requeues its job itself (no attempt counted) and exits at once.
#
# bookparse.debug_parse_delay (test only) makes each parse slow enough to
# catch it running.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 1
bookparse.naptime = '100ms'
bookparse.debug_parse_delay = '4s'
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');

my $text = join('',
	map { "CHAPTER $_\n\n" . ("Line $_ of a book that will be interrupted. " x 30) . "\n\n" }
	  ('I', 'II', 'III', 'IV'));
$text =~ s/'/''/g;
my $expected = $node->safe_psql('postgres',
	"SELECT count(*) FROM bookparse.parse_chapters(convert_to('$text', 'UTF8'))");
cmp_ok($expected, '>', 0, "a direct parse gives $expected chapters");

# Submit the book and wait until a worker is on it; returns [book, pid].
sub start_running
{
	my ($name) = @_;
	my $book = $node->safe_psql('postgres',
		"SELECT bookparse.submit(convert_to('$text', 'UTF8'), '$name')");
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM bookparse.workers w JOIN bookparse.job j ON j.id = w.job_id WHERE j.book_id = $book"
	) or die "no worker took book $book";
	my $pid = $node->safe_psql('postgres',
		"SELECT w.pid FROM bookparse.workers w JOIN bookparse.job j ON j.id = w.job_id WHERE j.book_id = $book"
	);
	return ($book, $pid);
}

# Checks that a book ended parsed exactly once.
sub check_parsed_once
{
	my ($book, $attempts, $what) = @_;
	is($node->safe_psql('postgres', "SELECT bookparse.wait($book, '60s')"),
		'parsed', "$what: book parsed in the end");
	is( $node->safe_psql(
			'postgres',
			"SELECT state || ' ' || attempts FROM bookparse.job WHERE book_id = $book"),
		"done $attempts",
		"$what: one job, done, attempts = $attempts");
	is( $node->safe_psql(
			'postgres', "SELECT count(*) FROM bookparse.chapter WHERE book_id = $book"),
		$expected,
		"$what: all $expected chapters stored, none twice");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(DISTINCT number) FROM bookparse.chapter WHERE book_id = $book"),
		$expected,
		"$what: chapter numbers distinct");
}

# --- SIGKILL: crash restart, the launcher recovers the job at its start
my ($book, $pid) = start_running('killed.txt');
is( $node->safe_psql(
		'postgres', "SELECT phase FROM bookparse.workers WHERE pid = $pid"),
	'reading',
	'worker shows its phase');
is( $node->safe_psql(
		'postgres', "SELECT state FROM bookparse.job WHERE book_id = $book"),
	'running',
	'job is running');
my $offset = -s $node->logfile;
kill 'KILL', $pid;
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
$node->wait_for_log(qr/put 1 job\(s\) left running by a vanished worker back in the queue/,
	$offset);
pass('launcher requeued the job of the killed worker after the restart');
check_parsed_once($book, 2, 'SIGKILL');

# --- SIGTERM: the worker requeues its job and exits; no attempt counted
($book, $pid) = start_running('terminated.txt');
$offset = -s $node->logfile;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
$node->wait_for_log(qr/terminating background worker "bookparse worker" due to administrator command/,
	$offset);
pass('SIGTERM ends the worker');
ok(!kill(0, $pid) || do { sleep(1); !kill(0, $pid) }, 'worker process is gone');
check_parsed_once($book, 1, 'SIGTERM');
unlike(slurp_file($node->logfile, $offset), qr/server process .* terminated by signal/,
	'no crash after SIGTERM');

# --- fast shutdown while a job runs: prompt, and the job is parsed after
($book, $pid) = start_running('shutdown.txt');
my $t0 = time();
$node->stop('fast');
cmp_ok(time() - $t0, '<', 4, 'fast shutdown does not wait for the parse');
$node->start;
check_parsed_once($book, 1, 'shutdown');

$node->stop;
done_testing();
