# bookparse.parse() and interrupts.  Harmless interrupts that arrive while a
# session parses (pg_log_backend_memory_contexts(), the ProcSignalBarrier of
# DROP DATABASE) wait for the parse to end and are served then; they never
# stop or restart the parse, so it never fails with 57014.  What
# ProcessInterrupts() would act on still stops a parse within a second:
# pg_cancel_backend(), statement_timeout, pg_terminate_backend().
# And, as this server does not preload the library: a user's SET of the
# superuser ceiling bookparse.max_work_mem made before the library is loaded
# (a placeholder) is refused when it loads; the ceiling holds.
use strict;
use warnings;

use IPC::Run;
use Time::HiRes qw(time usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('interrupts');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
# %n: log times as epoch seconds, to time stops by the server's clock
$node->append_conf('postgresql.conf', "log_line_prefix = '%n [%p] '\n");
$node->start;

# A second, the bound the issue asks for; an assert-enabled server (slow
# on purpose: it checks and clobbers memory) gets three (test/slow/).
my $bound =
  $node->safe_psql('postgres', 'SHOW debug_assertions') eq 'on' ? 3 : 1;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');

# Plain-text books of Japanese sentences: ICU's dictionary word breaking
# makes them slow to parse (about 0.1 s per MB): 'small' (5 MB) takes about
# half a second, 'big' (40 MB) several seconds.
my $sentence = '\u543E\u8F29\u306F\u732B\u3067\u3042\u308B\u3002'
  . '\u540D\u524D\u306F\u307E\u3060\u7121\u3044\u3002'
  . '\u3069\u3053\u3067\u751F\u308C\u305F\u304B\u3068\u3093\u3068'
  . '\u898B\u5F53\u304C\u3064\u304B\u306C\u3002\n\n';
$node->safe_psql(
	'postgres', qq{
CREATE TABLE slow_books (name text PRIMARY KEY, content bytea);
ALTER TABLE slow_books ALTER content SET STORAGE EXTERNAL;
INSERT INTO slow_books
SELECT name, convert_to(repeat(E'$sentence', reps), 'UTF8')
FROM (VALUES ('small', 50000), ('big', 400000)) AS t(name, reps);
});

# Run SQL in the background as application_name $app, with server options
# $options if given; returns a handle.
sub start_psql
{
	my ($app, $sql, $options) = @_;
	my $h = { out => '', err => '' };
	local $ENV{PGAPPNAME} = $app;
	local $ENV{PGOPTIONS} = $options if defined $options;
	$h->{run} = IPC::Run::start(
		[
			$node->installed_command('psql'), '-X', '-A', '-t',
			'-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
			'-c', $sql
		],
		'>', \$h->{out}, '2>', \$h->{err});
	return $h;
}

# Wait for a background psql to end; returns its exit status.
sub finish_psql
{
	my ($h) = @_;
	$h->{run}->finish;
	return $h->{run}->result(0);
}

# The pid of the backend of $app once it runs its statement.
sub active_pid
{
	my ($app) = @_;
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = '$app' AND state = 'active'"
	) or die "$app never became active";
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE application_name = '$app'");
}

# Signal $pid with $func (pg_cancel_backend, ...) once it has run for half a
# second; returns the server's time of the signal (epoch seconds).
sub signal_backend
{
	my ($func, $pid) = @_;
	$node->poll_query_until('postgres',
		"SELECT clock_timestamp() - query_start > interval '0.5 s' FROM pg_stat_activity WHERE pid = $pid"
	) or die "backend $pid is gone";
	my ($ok, $at) = split /\|/,
	  $node->safe_psql('postgres',
		"SELECT $func($pid), extract(epoch FROM clock_timestamp())");
	die "$func($pid) failed" unless $ok eq 't';
	return $at;
}

# The server's time (epoch seconds) of the first log line of $pid matching
# $re after byte $offset of the log.
sub log_time
{
	my ($pid, $re, $offset) = @_;
	my $log = slurp_file($node->logfile, $offset);
	return $1 if $log =~ /^(\d+\.\d+) \[$pid\] (?:$re)/m;
	return undef;
}

# --- harmless interrupts: parses in a loop for 6 s while another session
# asks that backend to log its memory contexts every 10 ms, and a third
# creates and drops a database (a ProcSignalBarrier every backend absorbs)
my $log_offset = -s $node->logfile;
my $loop = start_psql(
	'bp_parse_loop', q{
SET bookparse.work_mem = '256MB';
DO $$
DECLARE
	t0 timestamptz := clock_timestamp();
	n int := 0;
BEGIN
	WHILE clock_timestamp() < t0 + interval '6 s' LOOP
		PERFORM bookparse.parse(content, 'small.txt') FROM slow_books WHERE name = 'small';
		n := n + 1;
	END LOOP;
	RAISE NOTICE 'parses: %', n;
END $$;
});
my $pid = active_pid('bp_parse_loop');
my $signals = start_psql(
	'bp_signals', qq{
DO \$\$
DECLARE
	t0 timestamptz := clock_timestamp();
	n int := 0;
BEGIN
	WHILE clock_timestamp() < t0 + interval '4 s' LOOP
		IF pg_log_backend_memory_contexts($pid) THEN
			n := n + 1;
		END IF;
		PERFORM pg_sleep(0.01);
	END LOOP;
	RAISE NOTICE 'signals: %', n;
END \$\$;
});
my $slowest_drop = 0;
foreach my $i (1 .. 3)
{
	$node->safe_psql('postgres', 'CREATE DATABASE bp_barrier');
	my $t0 = time();
	$node->safe_psql('postgres', 'DROP DATABASE bp_barrier');
	$slowest_drop = time() - $t0 if time() - $t0 > $slowest_drop;
}
is(finish_psql($signals), 0, 'the memory-context requests were sent')
  or diag($signals->{err});
my ($nsignals) = $signals->{err} =~ /signals: (\d+)/;
cmp_ok($nsignals // 0, '>=', 50,
	'many requests, one every 10 ms (' . ($nsignals // 0) . ')');
is(finish_psql($loop), 0, 'no parse of the loop failed') or diag($loop->{err});
unlike($loop->{err}, qr/cancel/i, 'no parse was canceled');
my ($nparses) = $loop->{err} =~ /parses: (\d+)/;
cmp_ok($nparses // 0, '>=', 3, "the loop parsed several books ("
	  . ($nparses // 0) . ")");
cmp_ok($slowest_drop, '<', 5,
	sprintf('DROP DATABASE waited for the parse to absorb its barrier (%.1f s)',
		$slowest_drop));
my $log = slurp_file($node->logfile, $log_offset);
like($log, qr/logging memory contexts of PID $pid/,
	'the memory-context requests were served once the parse let them');

# --- what ProcessInterrupts() acts on still stops a long parse at once,
# measured from the signal to the error in the server's log
my $long_parse =
  "SET bookparse.work_mem = '1GB'; SELECT bookparse.parse(content, 'big.txt') IS NOT NULL FROM slow_books WHERE name = 'big'";
foreach my $case (
	[ 'pg_cancel_backend', 'ERROR:  canceling statement due to user request' ],
	[
		'pg_terminate_backend',
		'FATAL:  terminating connection due to administrator command'
	])
{
	my ($func, $message) = @$case;
	my $offset = -s $node->logfile;
	my $long = start_psql("bp_$func", $long_parse);
	my $pid = active_pid("bp_$func");
	my $sent = signal_backend($func, $pid);
	isnt(finish_psql($long), 0, "$func() stops the parse");
	like($long->{err}, qr/\Q$message\E/, "with the usual message");
	my $at = log_time($pid, quotemeta($message), $offset);
	ok(defined $at, 'that the server logged');
	my $took = ($at // 1e10) - $sent;
	cmp_ok($took, '<', $bound, sprintf('within %s s (%.3f s)', $bound, $took));
}

# statement_timeout: the parse ends within a second of the timeout
{
	my $offset = -s $node->logfile;
	my $long = start_psql('bp_timeout', $long_parse,
		'-c statement_timeout=500ms -c log_statement=all');
	isnt(finish_psql($long), 0, 'statement_timeout stops the parse');
	my $message = 'ERROR:  canceling statement due to statement timeout';
	like($long->{err}, qr/\Q$message\E/, 'with the statement timeout message');
	# the statement's start: log_statement logs it as it begins
	my ($started, $pid) = slurp_file($node->logfile, $offset) =~
	  /^(\d+\.\d+) \[(\d+)\] LOG:  statement: SET bookparse.work_mem = '1GB'; SELECT bookparse.parse/m;
	my $at = log_time($pid // 0, quotemeta($message), $offset);
	my $took = ($at // 1e10) - ($started // 0) - 0.5;
	cmp_ok($took, '<', $bound,
		sprintf('within %s s of the timeout (%.3f s after it)', $bound, $took));
}

# --- bookparse.max_work_mem set by a user before the library is loaded
$node->safe_psql('postgres', qq{
CREATE ROLE regress_bp_writer LOGIN;
GRANT bookparse_writer TO regress_bp_writer;
LOAD 'bookparse';
ALTER SYSTEM SET bookparse.max_work_mem = '2MB';
SELECT pg_reload_conf();
});
my ($ret, $out, $err) = $node->psql(
	'postgres', q{
SET bookparse.max_work_mem = '8GB';
SET bookparse.work_mem = '8GB';
SELECT bookparse.detect_format('x'::bytea);
SHOW bookparse.max_work_mem;
SELECT bookparse.parse(convert_to(repeat('many words here. ', 180000), 'UTF8'), 'big.txt') IS NOT NULL;
},
	extra_params => [ '-U', 'regress_bp_writer' ]);
like($err,
	qr/WARNING:  permission denied to set parameter "bookparse.max_work_mem"/,
	'a writer\'s placeholder for max_work_mem is refused when the library loads');
like($out, qr/^txt\n2MB$/m, 'the ceiling of the server stays');
like($err,
	qr/book needs more than bookparse.max_work_mem \(2MB\) while reading the book/,
	'and bounds the parse');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET bookparse.max_work_mem');

# the server never restarted
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server still runs');
unlike(slurp_file($node->logfile), qr/terminated by signal/,
	'no backend crashed');

$node->stop;
done_testing();
