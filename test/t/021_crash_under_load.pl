# The server crashes while a batch of real books is being parsed (issue 15):
#   - the postmaster stopped with pg_ctl -m immediate, then started;
#   - a worker killed with SIGKILL (PostgreSQL restarts every process);
#   - a client backend killed with SIGKILL (the same crash restart).
# Each time, with jobs running and others queued at the moment of the
# crash, every book of the batch ends exactly once as it ends when parsed
# alone (parsed with all its chapters, or failed with the same documented
# error), none stays queued or parsing, each has one job, and
# bookparse.status is right.  A fresh batch per crash, so that no book is
# caught by more than one crash (bookparse.max_attempts would fail a book
# that crashes its worker three times: worker_lost, by design).
#
# Sizes (env): BP_CRASH_BOOKS books per batch (30; 100 with
# BOOKPARSE_SLOW_TESTS=1), BP_LOAD_MAX_KB largest corpus file (800; 5120).
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

my $node = PostgreSQL::Test::Cluster->new('crashload');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
bookparse.naptime = '100ms'
max_worker_processes = 16
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');
my $n = BpLoad::load_books($node, @books);
note("$n distinct books, batches of $count");
$node->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 2; SELECT pg_reload_conf()');

# Submit a batch and wait until some of it is parsed, jobs run and others
# wait; returns the running workers' pids.
sub catch_running
{
	my ($tag) = @_;
	BpLoad::submit_batch($node, $count, $tag);
	my $t0 = time();
	while (time() - $t0 < 120)
	{
		my ($done, $running, $queued, $pids) = split /\|/, $node->safe_psql(
			'postgres', qq{
SELECT count(*) FILTER (WHERE j.state IN ('done', 'failed')),
       count(*) FILTER (WHERE j.state = 'running'),
       count(*) FILTER (WHERE j.state = 'queued'),
       (SELECT string_agg(w.pid::text, ' ') FROM bookparse.workers w WHERE w.job_id IS NOT NULL)
  FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id WHERE b.filename LIKE '$tag:%'});
		if ($done >= 2 && $running >= 1 && $queued >= 1 && $pids)
		{
			note("$tag: $done finished, $running running, $queued queued at the crash");
			return split / /, $pids;
		}
		usleep(20_000);
	}
	die "$tag: never caught jobs running with others queued";
}

# After a crash: the batch ends exactly once.
sub after_crash
{
	my ($tag, $offset) = @_;
	$node->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
	  or die "$tag: the server did not come back";
	ok(BpLoad::wait_drained($node, $slow ? 900 : 300), "$tag: the queue drains after the restart");
	BpLoad::check_exactly_once($node, $tag, $count, 2);
	BpLoad::check_status($node, $tag);
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id WHERE b.filename LIKE '$tag:%' AND j.attempts = 2"
		) > 0 ? 'some' : 'none',
		'some',
		"$tag: the jobs that ran at the crash ran again, counted");
	my $log = slurp_file($node->logfile, $offset);
	like($log, qr/put \d+ job\(s\) left running by a vanished worker back in the queue/,
		"$tag: the launcher logs the jobs it put back");
	unlike($log, qr/deadlock detected/, "$tag: no deadlock");
	return;
}

# --- pg_ctl -m immediate
my $offset = -s $node->logfile;
catch_running('immediate');
$node->stop('immediate');
$node->start;
after_crash('immediate', $offset);

# --- SIGKILL of a worker
$offset = -s $node->logfile;
my @pids = catch_running('killworker');
kill 'KILL', $pids[0];
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
after_crash('killworker', $offset);

# --- SIGKILL of a client backend (the server restarts every process)
$offset = -s $node->logfile;
my $client = $node->background_psql('postgres');
my $cpid = $client->query_safe('SELECT pg_backend_pid()');
$cpid =~ s/\s+//g;
catch_running('killbackend');
kill 'KILL', $cpid;
$node->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
eval { $client->quit };
after_crash('killbackend', $offset);

$node->stop;
done_testing();
