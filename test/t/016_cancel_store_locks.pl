# The queue's locks and signals (issue 17):
#   - cancel() while a worker stores a book rolls the store back and marks
#     the job canceled; a book parsed before keeps its earlier results;
#   - pg_cancel_backend() on a worker that stores cancels the job and the
#     worker lives on (no worker_lost, no attempt counted);
#   - pg_terminate_backend() ends a worker within a few seconds even while a
#     client holds the book's row lock;
#   - a job whose worker_pid now names another process (a reused PID) is
#     recovered;
#   - a book deleted while it is parsed: the DELETE does not wait for the
#     parse, no deadlock, the worker moves on;
#   - DROP EXTENSION while a worker runs: no error in the log, the worker
#     exits cleanly, and CREATE EXTENSION starts over.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('locks');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 1
bookparse.naptime = '100ms'
deadlock_timeout = '100ms'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');

# a plain-text book of $n chapters
sub book
{
	my ($n, $tag) = @_;
	return "convert_to((SELECT string_agg(format(E'CHAPTER %s\\n\\nThe $tag chapter %s tells of this and that, slowly.\\n\\n', i, i), '') FROM generate_series(1, $n) i), 'UTF8')";
}

# the one worker's pid (waits until there is one)
sub worker_pid
{
	$node->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
	  or die 'no worker';
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'bookparse worker' LIMIT 1");
}

# Storing is slowed down by a trigger on chapters, so that a test can act
# while a worker stores.
$node->safe_psql(
	'postgres', q{
CREATE TABLE slow_store (on_ boolean);
INSERT INTO slow_store VALUES (false);
CREATE FUNCTION slow_chapter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (SELECT on_ FROM slow_store) THEN
		PERFORM pg_sleep(0.2);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER slow_chapter BEFORE INSERT ON bookparse.chapter
	FOR EACH ROW EXECUTE FUNCTION slow_chapter();
});

# --- cancel() while storing: a new book fails 'canceled', nothing stored
$node->safe_psql('postgres', 'UPDATE slow_store SET on_ = true');
my $b1 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(30, 'first') . ", 'b1.txt')");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bookparse.workers WHERE book_id = $b1 AND phase = 'storing'")
  or die 'worker never stored';
is($node->safe_psql('postgres', "SELECT bookparse.cancel($b1)"),
	't', 'cancel() reaches a worker that stores');
is($node->safe_psql('postgres', "SELECT bookparse.wait($b1, '60s')"),
	'failed', 'the book was not stored');
is( $node->safe_psql(
		'postgres',
		"SELECT j.state || ' ' || j.error_code || ' ' || b.error_code || ' ' || (SELECT count(*) FROM bookparse.chapter c WHERE c.book_id = $b1) FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id WHERE b.id = $b1"
	),
	'canceled canceled canceled 0',
	'job and book canceled, no chapter kept');

# --- cancel() while a reparse stores: the earlier results stay
$node->safe_psql('postgres', 'UPDATE slow_store SET on_ = false');
$node->safe_psql('postgres', "SELECT bookparse.reparse($b1)");
is($node->safe_psql('postgres', "SELECT bookparse.wait($b1, '60s')"),
	'parsed', 'the book parses');
my $before = $node->safe_psql('postgres',
	"SELECT count(*) || ' ' || parsed_at FROM bookparse.chapter c JOIN bookparse.book b ON b.id = c.book_id WHERE b.id = $b1 GROUP BY parsed_at");
$node->safe_psql('postgres', 'UPDATE slow_store SET on_ = true');
$node->safe_psql('postgres', "SELECT bookparse.reparse($b1)");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bookparse.workers WHERE book_id = $b1 AND phase = 'storing'")
  or die 'worker never stored';
is($node->safe_psql('postgres', "SELECT bookparse.cancel($b1)"),
	't', 'cancel() of the reparse');
is($node->safe_psql('postgres', "SELECT bookparse.wait($b1, '60s')"),
	'parsed', 'the book is still parsed');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) || ' ' || parsed_at FROM bookparse.chapter c JOIN bookparse.book b ON b.id = c.book_id WHERE b.id = $b1 GROUP BY parsed_at"
	),
	$before,
	'with its earlier chapters and parse time');

# --- pg_cancel_backend() on a worker that stores
my $pid = worker_pid();
my $b2 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(30, 'second') . ", 'b2.txt')");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bookparse.workers WHERE book_id = $b2 AND phase = 'storing'")
  or die 'worker never stored';
$pid = worker_pid();
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
is($node->safe_psql('postgres', "SELECT bookparse.wait($b2, '60s')"),
	'failed', 'pg_cancel_backend() while storing: the book is not stored');
is( $node->safe_psql(
		'postgres', "SELECT state || ' ' || error_code || ' ' || attempts FROM bookparse.job WHERE book_id = $b2"),
	'canceled canceled 1',
	'the job is canceled, not worker_lost');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid"),
	'1', 'and the worker lives on');
$node->safe_psql('postgres', 'UPDATE slow_store SET on_ = false');

# --- pg_terminate_backend() while a client holds the book's row lock
$node->append_conf('postgresql.conf', "bookparse.debug_parse_delay = '3s'\n");
$node->reload;
my $b3 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(3, 'third') . ", 'b3.txt')");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bookparse.workers WHERE book_id = $b3")
  or die 'worker never started the book';
$pid = worker_pid();
my $holder = $node->background_psql('postgres');
$holder->query_until(qr/locked/,
	"BEGIN;\nSELECT 1 FROM bookparse.book WHERE id = $b3 FOR UPDATE;\n\\echo locked\n");
my $t0 = time();
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
$node->poll_query_until('postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid")
  or die 'worker did not exit';
cmp_ok(time() - $t0, '<', 10, 'the worker exits promptly although the book is locked');
$holder->query_until(qr/released/, "COMMIT;\n\\echo released\n");
$holder->quit;
$node->append_conf('postgresql.conf', "bookparse.debug_parse_delay = 0\n");
$node->reload;
is($node->safe_psql('postgres', "SELECT bookparse.wait($b3, '90s')"),
	'parsed', 'the job is recovered and the book parsed');

# --- a job whose worker_pid was reused by another process
$node->safe_psql('postgres', 'SELECT bookparse.pause()');
my $b4 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(2, 'fourth') . ", 'b4.txt')");
my $other = $node->background_psql('postgres');
my $other_pid = $other->query_safe('SELECT pg_backend_pid()');
$other_pid =~ s/\s+//g;
$node->safe_psql('postgres',
	"UPDATE bookparse.job SET state = 'running', worker_pid = $other_pid, started_at = now() - interval '1 hour', attempts = 1 WHERE book_id = $b4"
);
$node->safe_psql('postgres', "UPDATE bookparse.book SET status = 'parsing' WHERE id = $b4");
$node->poll_query_until('postgres',
	"SELECT state = 'queued' AND error_code = 'worker_lost' FROM bookparse.job WHERE book_id = $b4")
  or die 'the job was not recovered';
pass('a job whose pid now names a younger process is recovered');
$other->quit;
$node->safe_psql('postgres', 'SELECT bookparse.resume()');
is($node->safe_psql('postgres', "SELECT bookparse.wait($b4, '60s')"),
	'parsed', 'and parsed');

# --- DELETE of a book while it is parsed
$node->append_conf('postgresql.conf', "bookparse.debug_parse_delay = '3s'\n");
$node->reload;
my $offset = -s $node->logfile;
$pid = worker_pid();
my $b5 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(3, 'fifth') . ", 'b5.txt')");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bookparse.workers WHERE book_id = $b5")
  or die 'worker never started the book';
$t0 = time();
$node->safe_psql('postgres', "DELETE FROM bookparse.book WHERE id = $b5");
cmp_ok(time() - $t0, '<', 2, 'DELETE does not wait for the parse');
# the same, with the DELETE's transaction open until the worker stores
my $b6 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(3, 'sixth') . ", 'b6.txt')");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bookparse.workers WHERE book_id = $b6")
  or die 'worker never started the book';
my $deleter = $node->background_psql('postgres');
$deleter->query_until(qr/deleted/,
	"BEGIN;\nDELETE FROM bookparse.book WHERE id = $b6;\n\\echo deleted\n");
sleep(4);
$deleter->query_until(qr/committed/, "COMMIT;\n\\echo committed\n");
$deleter->quit;
$node->append_conf('postgresql.conf', "bookparse.debug_parse_delay = 0\n");
$node->reload;
my $b7 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(2, 'seventh') . ", 'b7.txt')");
is($node->safe_psql('postgres', "SELECT bookparse.wait($b7, '60s')"),
	'parsed', 'the next book parses');
is($node->safe_psql('postgres', "SELECT count(*) FROM bookparse.job WHERE book_id IN ($b5, $b6)"),
	'0', 'the deleted books left no job');
my $log = slurp_file($node->logfile, $offset);
unlike($log, qr/deadlock detected/, 'no deadlock');
unlike($log, qr/exited with exit code 1/, 'no worker died');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid"),
	'1', 'the same worker still runs');

# --- DROP EXTENSION while a worker runs
$node->append_conf('postgresql.conf', "bookparse.debug_parse_delay = '2s'\n");
$node->reload;
$offset = -s $node->logfile;
my $b8 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(2, 'eighth') . ", 'b8.txt')");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bookparse.workers WHERE book_id = $b8")
  or die 'worker never started the book';
$node->safe_psql('postgres', 'DROP TABLE slow_store CASCADE; DROP EXTENSION bookparse CASCADE');
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
  or die 'the worker did not exit';
sleep(1);
$log = slurp_file($node->logfile, $offset);
unlike($log, qr/(ERROR|WARNING|FATAL):/, 'DROP EXTENSION: nothing logged as an error');
unlike($log, qr/exited with exit code 1/, 'the worker exits cleanly');
$node->append_conf('postgresql.conf', "bookparse.debug_parse_delay = 0\n");
$node->reload;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');
my $b9 = $node->safe_psql('postgres', 'SELECT bookparse.submit(' . book(2, 'ninth') . ", 'b9.txt')");
is($node->safe_psql('postgres', "SELECT bookparse.wait($b9, '60s')"),
	'parsed', 'after CREATE EXTENSION again, books parse');

$node->stop;
done_testing();
