# Many clients at once (issue 15): pgbench runs two roles' clients at once,
# each submitting real corpus books held in a table (the clients send no
# files) and making the reads a web application makes meanwhile (status, a
# book's chapters, wait() with a short timeout), while 2 workers parse.
# Then:
#   - every submit made exactly one book with one job, and every book ended
#     as the same book ended when parsed alone (parsed with the same
#     chapter count, or failed with the same documented error code);
#     no job is left running, nothing was retried;
#   - no client error, no deadlock, no crash in the server log;
#   - bookparse.status counts right;
#   - neither role can see, cancel, reparse, wait for, update or delete the
#     other's books;
#   - neither can raise the parse memory above what the DBA set
#     (bookparse.max_work_mem) in parse(), parse_chapters(), run_queue() or
#     through a worker parsing what it submitted; all as non-superusers.
# Prints the submit latency (median, p99) and books per minute under load.
#
# Sizes (env): BP_LOAD_CLIENTS (20; 100 with BOOKPARSE_SLOW_TESTS=1),
# BP_LOAD_SECONDS (10; 60), BP_LOAD_RATE transactions/s over all clients
# (40; 100; 0 = as fast as they can), BP_LOAD_MAX_KB largest corpus file
# used (800; 5120).  BP_LOAD_REPORT=FILE appends the numbers there, a TSV
# line (test/bench/load.sh).
use strict;
use warnings;

use File::Basename qw(dirname);
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use lib dirname(__FILE__);
use BpBooks;
use lib dirname(__FILE__) . '/../load';
use BpLoad;

my $slow = BpLoad::slow();
my $clients = $ENV{BP_LOAD_CLIENTS} // ($slow ? 100 : 20);
my $seconds = $ENV{BP_LOAD_SECONDS} // ($slow ? 60 : 10);
my $rate = $ENV{BP_LOAD_RATE} // ($slow ? 100 : 40);
my $max_kb = $ENV{BP_LOAD_MAX_KB} // ($slow ? 5120 : 800);
$clients = 2 if $clients < 2;
note("load: $clients clients, $seconds s, rate $rate tx/s, books up to $max_kb kB");

# the corpus books and the malformed ones (documented failures)
my @books = BpBooks::real_books(max_size => $max_kb * 1024);
my $corpus = $ENV{BP_CORPUS} // dirname(__FILE__) . '/../../../shared/corpus';
foreach my $f (sort glob("$corpus/malformed/*"))
{
	push @books, [ $f, 'malformed/' . (split m{/}, $f)[-1] ]
	  if -f $f && -s $f && -s $f <= $max_kb * 1024;
}
plan skip_all => 'no books found' unless @books;
note('distinct books: ' . scalar(@books));

my $node = PostgreSQL::Test::Cluster->new('load');
$node->init;
my $max_conn = $clients + 30;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
bookparse.naptime = '100ms'
max_connections = $max_conn
max_worker_processes = 16
deadlock_timeout = '100ms'
log_min_messages = warning
});
$node->start;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION bookparse;
CREATE ROLE load_a LOGIN;
CREATE ROLE load_b LOGIN;
CREATE ROLE load_admin LOGIN;
GRANT bookparse_writer TO load_a, load_b;
GRANT bookparse_admin TO load_admin;
});

# the books in a table, and how each ends when parsed alone (run_queue)
my $n = BpLoad::load_books($node, @books);
$node->safe_psql('postgres',
	'GRANT SELECT ON public.load_books TO load_a, load_b');
is($node->safe_psql('postgres', 'SELECT count(*) FROM public.load_expect'),
	$n, "each of the $n books parsed alone once");
my ($n_parsed, $n_failed) = split /\|/, $node->safe_psql('postgres',
	"SELECT count(*) FILTER (WHERE status = 'parsed'), count(*) FILTER (WHERE status = 'failed') FROM public.load_expect"
);
note("alone: $n_parsed parsed, $n_failed failed");
cmp_ok($n_parsed, '>', 0, 'some books parse');

# 2 workers from now on
$node->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 2; SELECT pg_reload_conf()');
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'")
  or die 'no launcher';

# the pgbench scripts: a submit, and three reads of a web application
my $dir = PostgreSQL::Test::Utils::tempdir();
my %scripts = (
	'submit' =>
	  "\\set r random(1, $n)\nSELECT bookparse.submit(content, filename) FROM public.load_books WHERE n = :r;\n",
	'status' => "SELECT queued, running, parsed, failed, oldest_queued_age FROM bookparse.status;\n",
	'chapters' =>
	  "SELECT c.number, c.title, c.words FROM bookparse.chapter c WHERE c.book_id = (SELECT max(id) FROM bookparse.book WHERE status = 'parsed') ORDER BY c.number LIMIT 50;\n",
	'wait' => "SELECT bookparse.wait(max(id), '200ms') FROM bookparse.book;\n");
foreach my $s (keys %scripts)
{
	open(my $fh, '>', "$dir/$s.sql") or die;
	print $fh $scripts{$s};
	close($fh);
}
# script numbers follow the order of -f: 0 is the submit
my @fargs = ('-f', "$dir/submit.sql\@2", '-f', "$dir/status.sql\@3",
	'-f', "$dir/chapters.sql\@3", '-f', "$dir/wait.sql\@2");

my $offset = -s $node->logfile;
my $t_start = $node->safe_psql('postgres', 'SELECT clock_timestamp()');
my %runs;
foreach my $role ('load_a', 'load_b')
{
	my @cmd = (
		'pgbench', '-n', '-c', int($clients / 2), '-j', 2, '-T', $seconds,
		'-U', $role, '--log', "--log-prefix=$dir/$role", @fargs);
	push @cmd, '-R', $rate / 2 if $rate > 0;
	push @cmd, $node->connstr('postgres');
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(\@cmd, '>', \$out, '2>', \$err);
	$runs{$role} = [ $h, \$out, \$err ];
}
my %submits;
my @lat_submit;
my @lat_all;
foreach my $role ('load_a', 'load_b')
{
	my ($h, $out, $err) = @{ $runs{$role} };
	$h->finish;
	is($h->result(0), 0, "$role: pgbench exits 0");
	unlike($$err, qr/ERROR|aborted|FATAL/, "$role: no client error");
	note("$role pgbench:\n$$out");
	# per transaction: client tx time_us script epoch epoch_us [lag_us]
	$submits{$role} = 0;
	foreach my $log (glob("$dir/$role.*"))
	{
		open(my $fh, '<', $log) or die;
		while (<$fh>)
		{
			my @f = split;
			next unless @f >= 6;
			my $us = $f[2] - ($f[6] // 0);    # without the schedule lag
			push @lat_all, $us / 1000.0;
			if ($f[3] == 0)
			{
				$submits{$role}++;
				push @lat_submit, $us / 1000.0;
			}
		}
		close($fh);
	}
	cmp_ok($submits{$role}, '>', 0, "$role submitted $submits{$role} books");
}
my $t_end = $node->safe_psql('postgres', 'SELECT clock_timestamp()');

# books per minute while the clients ran
my $done_under_load = $node->safe_psql('postgres',
	"SELECT count(*) FROM bookparse.job WHERE finished_at BETWEEN '$t_start' AND '$t_end'");
my $bpm = $done_under_load / ($seconds / 60.0);

# drain
my $t_drain = time();
my $drained = 0;
while (time() - $t_drain < ($slow ? 1200 : 300))
{
	if ($node->safe_psql('postgres',
			"SELECT count(*) FROM bookparse.job WHERE state IN ('queued', 'running')") == 0)
	{
		$drained = 1;
		last;
	}
	sleep(1);
}
ok($drained, 'the queue drains after the load');
my $drain_s = time() - $t_drain;
# the backlog parsed after the clients stopped: the same books, no load
my ($after_n, $after_s) = split /\|/, $node->safe_psql('postgres',
	"SELECT count(*), coalesce(extract(epoch FROM max(finished_at) - min(started_at)), 0) FROM bookparse.job WHERE started_at > '$t_end'"
);
my $quiet_bpm = $after_s > 0 ? $after_n / ($after_s / 60.0) : 0;

# exactly once
foreach my $role ('load_a', 'load_b')
{
	is($node->safe_psql('postgres',
			"SELECT count(*) FROM bookparse.book WHERE submitted_by = '$role'"),
		$submits{$role}, "$role: one book per submit");
}
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM bookparse.book b WHERE (SELECT count(*) FROM bookparse.job j WHERE j.book_id = b.id) <> 1'
	),
	'0',
	'one job per book');
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(state || ' ' || attempts || ' ' || coalesce(error_code, '-'), ', ') FROM (SELECT DISTINCT j.state, j.attempts, j.error_code FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id JOIN public.load_expect e USING (filename) WHERE j.state NOT IN ('done', 'failed') OR j.attempts <> 1 OR j.error_code IS DISTINCT FROM e.error_code) s"
	),
	'',
	'every job done or failed as alone, in one attempt');
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(DISTINCT b.filename || ': ' || b.status || '/' || coalesce(b.chapters::text, '-') || ' alone ' || e.status || '/' || coalesce(e.chapters::text, '-'), '; ') FROM bookparse.book b JOIN public.load_expect e USING (filename) WHERE b.status IS DISTINCT FROM e.status OR b.chapters IS DISTINCT FROM e.chapters OR b.error_code IS DISTINCT FROM e.error_code"
	),
	'',
	'every book ended as it does alone (status, chapters, error code)');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM bookparse.book b WHERE b.status = 'parsed' AND (SELECT count(*) FROM bookparse.chapter c WHERE c.book_id = b.id) <> b.chapters"
	),
	'0',
	'every parsed book has all its chapters, none twice');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM bookparse.chapter c JOIN bookparse.book b ON b.id = c.book_id WHERE b.status <> 'parsed'"
	),
	'0',
	'no chapter of a book that is not parsed');
my ($parsed, $failed) = split /\|/, $node->safe_psql('postgres',
	"SELECT count(*) FILTER (WHERE status = 'parsed'), count(*) FILTER (WHERE status = 'failed') FROM bookparse.book"
);
is($node->safe_psql('postgres',
		'SELECT queued || \' \' || running || \' \' || parsed || \' \' || failed FROM bookparse.status'),
	"0 0 $parsed $failed", 'bookparse.status counts right');
my $log = slurp_file($node->logfile, $offset);
unlike($log, qr/deadlock detected/, 'no deadlock in the server log');
unlike($log, qr/terminated by signal|PANIC|server process .* exited/, 'no crash');
my @errors = grep { /ERROR:/ } split /\n/, $log;
is(scalar(@errors), 0, 'no ERROR in the server log') or diag(join("\n", @errors[0 .. ($#errors < 9 ? $#errors : 9)]));

# the numbers
sub pct
{
	my ($p, @v) = @_;
	@v = sort { $a <=> $b } @v;
	return 0 unless @v;
	my $i = int($p * $#v + 0.5);
	return $v[$i];
}
my $quiet = $node->safe_psql('postgres',
	"SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)::numeric, 0) || ' ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms)::numeric, 0) FROM bookparse.job"
);
my $report = sprintf(
	"load: %d clients (2 roles), %d s, rate %s tx/s, %d distinct books <= %d kB: "
	  . "%d submits (%.1f/s), submit latency median %.1f ms p99 %.1f ms, "
	  . "all statements median %.1f ms p99 %.1f ms, %d books finished under load = %.0f books/min, "
	  . "queue drained %.0f s after the clients stopped (backlog of %d books parsed without clients: %.0f books/min); job duration median/p99 ms %s",
	$clients, $seconds, ($rate > 0 ? $rate : 'unthrottled'), $n, $max_kb,
	$submits{load_a} + $submits{load_b}, ($submits{load_a} + $submits{load_b}) / $seconds,
	pct(0.5, @lat_submit), pct(0.99, @lat_submit),
	pct(0.5, @lat_all), pct(0.99, @lat_all), $done_under_load, $bpm, $drain_s, $after_n, $quiet_bpm, $quiet);
diag($report);
if ($ENV{BP_LOAD_REPORT})
{
	# one TSV line for test/bench/load.sh
	open(my $fh, '>>', $ENV{BP_LOAD_REPORT}) or die;
	print $fh join("\t",
		$clients, $seconds, ($rate > 0 ? $rate : 'unthrottled'), $n, $max_kb,
		$submits{load_a} + $submits{load_b},
		map({ sprintf('%.1f', $_) } pct(0.5, @lat_submit), pct(0.99, @lat_submit),
			pct(0.5, @lat_all), pct(0.99, @lat_all)),
		$done_under_load, sprintf('%.0f', $bpm), sprintf('%.0f', $drain_s),
		$after_n, ($after_n > 0 ? sprintf('%.0f', $quiet_bpm) : '-')) . "\n";
	close($fh);
}

# ---- privileges: neither tenant reaches the other's books
my %one;
foreach my $role ('load_a', 'load_b')
{
	$one{$role} = $node->safe_psql('postgres',
		"SELECT min(id) FROM bookparse.book WHERE submitted_by = '$role' AND status = 'parsed'");
}
# as ROLE, the result of SQL
sub as
{
	my ($role, $q) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', $q, extra_params => [ '-U', $role ]);
	return $ret == 0 ? $out : "ERROR: $err";
}
my $snapshot_sql =
  "SELECT md5(string_agg(md5(b::text), '|' ORDER BY b.id)) || (SELECT md5(string_agg(md5(j::text), '|' ORDER BY j.id)) FROM bookparse.job j) || (SELECT count(*) FROM bookparse.chapter) FROM bookparse.book b";
my $before = $node->safe_psql('postgres', $snapshot_sql);
foreach my $pair ([ 'load_a', 'load_b' ], [ 'load_b', 'load_a' ])
{
	my ($me, $other) = @$pair;
	my $id = $one{$other};
	is(as($me, "SELECT count(*) FROM bookparse.book WHERE submitted_by <> current_user"),
		'0', "$me sees none of the other's books");
	is( as(
			$me,
			"SELECT (SELECT count(*) FROM bookparse.book WHERE id = $id) + (SELECT count(*) FROM bookparse.chapter WHERE book_id = $id) + (SELECT count(*) FROM bookparse.asset WHERE book_id = $id) + (SELECT count(*) FROM bookparse.scene WHERE book_id = $id) + (SELECT count(*) FROM bookparse.job WHERE book_id = $id)"
		),
		'0',
		"$me: $other\'s book $id, its chapters, assets, scenes and jobs are invisible");
	is(as($me, "SELECT bookparse.cancel($id)"), 'f', "$me cannot cancel $other\'s book");
	like(as($me, "SELECT bookparse.reparse($id)"),
		qr/ERROR: .*does not exist/, "$me cannot reparse $other\'s book");
	is(as($me, "SELECT bookparse.wait($id, '1s')"), '', "$me cannot wait for $other\'s book");
	is(as($me, "WITH d AS (DELETE FROM bookparse.book WHERE id = $id RETURNING 1) SELECT count(*) FROM d"),
		'0', "$me cannot delete $other\'s book");
	is( as(
			$me,
			"WITH u AS (UPDATE bookparse.book SET status = 'failed' WHERE id = $id RETURNING 1) SELECT count(*) FROM u"
		),
		'0',
		"$me cannot update $other\'s book");
	is( as(
			$me,
			"WITH u AS (UPDATE bookparse.job SET state = 'canceled' WHERE book_id = $id RETURNING 1) SELECT count(*) FROM u"
		),
		'0',
		"$me cannot update $other\'s jobs");
	like(as($me, "SELECT bookparse.retry_failed()"),
		qr/ERROR: .*permission denied/, "$me may not retry every tenant's failures");
	like(as($me, "SELECT bookparse.run_queue()"),
		qr/ERROR: .*permission denied/, "$me may not run the queue");
	is(as($me, "SELECT bookparse.cancel($one{$me})"), 'f',
		"$me may cancel its own book (nothing to cancel: it is parsed)");
}
is($node->safe_psql('postgres', $snapshot_sql), $before, 'no book, job or chapter changed');

# ---- parse memory: the DBA's bookparse.max_work_mem holds for everyone
$node->safe_psql('postgres',
	"ALTER SYSTEM SET bookparse.max_work_mem = '4MB'; ALTER SYSTEM SET bookparse.max_workers = 0; SELECT pg_reload_conf()"
);
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
  or die 'workers did not stop';
my $big = "convert_to(repeat('All work and no play makes a long book. ', 150000), 'UTF8')";    # 6 MB
foreach my $role ('load_a', 'load_admin')
{
	my $pre = "SET bookparse.work_mem = '1GB'; ";
	like(as($role, "SET bookparse.max_work_mem = '1GB'"),
		qr/permission denied to set parameter "bookparse.max_work_mem"/,
		"$role: SET bookparse.max_work_mem is refused");
	like(as($role, "SELECT set_config('bookparse.max_work_mem', '1GB', false)"),
		qr/permission denied to set parameter "bookparse.max_work_mem"/,
		"$role: set_config() of it too");
	like(as($role, "ALTER ROLE $role SET bookparse.max_work_mem = '1GB'"),
		qr/permission denied/, "$role: ALTER ROLE ... SET of it too");
	like(as($role, $pre . "SELECT bookparse.parse($big, 'big.txt') IS NOT NULL"),
		qr/bookparse.max_work_mem \(4MB\)/,
		"$role: parse() with work_mem = 1GB is held to max_work_mem");
	like(as($role, $pre . "SELECT count(*) FROM bookparse.parse_chapters($big)"),
		qr/bookparse.max_work_mem \(4MB\)/,
		"$role: parse_chapters() too");
}
# submitted by a writer that raised its own work_mem: run by run_queue (an
# admin that raised its own) and by a worker
my $bq = as('load_a', "SET bookparse.work_mem = '1GB'; SELECT bookparse.submit($big, 'big-q.txt')");
is(as('load_admin', "SET bookparse.work_mem = '1GB'; SELECT bookparse.run_queue()"),
	'1', 'load_admin: run_queue() ran the big book');
is($node->safe_psql('postgres', "SELECT status || ' ' || error_code FROM bookparse.book WHERE id = $bq"),
	'failed limit_exceeded', 'run_queue(): held to max_work_mem');
my $bw = as('load_b', "SET bookparse.work_mem = '1GB'; SELECT bookparse.submit($big, 'big-w.txt')");
$node->safe_psql('postgres',
	'ALTER SYSTEM SET bookparse.max_workers = 2; SELECT pg_reload_conf()');
is(as('load_b', "SELECT bookparse.wait($bw, '60s')"), 'failed', 'a worker fails the big book');
like($node->safe_psql('postgres', "SELECT error_code || ': ' || error FROM bookparse.book WHERE id = $bw"),
	qr/^limit_exceeded: .*bookparse.max_work_mem \(4MB\)/,
	'the worker is held to max_work_mem, not to the submitter\'s work_mem');

$node->stop;
done_testing();
