# The bookparse launcher: starts with the server when preloaded, waits
# quietly (one log line) while the extension is missing, starts working once
# it is created; with bookparse.max_workers = 0 no worker runs and the queue
# is drained only by run_queue().
#
# Needs: PERL5LIB=<pgxs>/src/test/perl, PG_REGRESS=<pgxs>/src/test/regress/pg_regress,
# PostgreSQL 15 binaries on PATH, bookparse installed (make install).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('launcher');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.naptime = '100ms'
bookparse.max_workers = 2
});
# the log may hold earlier runs of this test: look only at this one
my $start_offset = -f $node->logfile ? -s $node->logfile : 0;
$node->start;

# the launcher runs, in the default database
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'"
) or die "launcher did not start";
pass('launcher is in pg_stat_activity');
is( $node->safe_psql(
		'postgres',
		"SELECT datname FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'"),
	'postgres',
	'launcher connected to bookparse.database');

# without the extension: one log line, not one per naptime
$node->wait_for_log(qr/extension "bookparse" is not installed in database "postgres"/,
	$start_offset);
sleep(2);    # 20 naptimes
my $log = slurp_file($node->logfile, $start_offset);
my @absent = ($log =~ /extension "bookparse" is not installed/g);
is(scalar(@absent), 1, 'missing extension is logged once in 20 naptimes');
unlike($log, qr/bookparse.*(ERROR|FATAL)/, 'no error from the launcher while waiting');

# SIGHUP: the launcher stays (and does not log again)
$node->reload;
sleep(1);
$log = slurp_file($node->logfile, $start_offset);
@absent = ($log =~ /extension "bookparse" is not installed/g);
is(scalar(@absent), 1, 'still logged once after a reload');

# the extension appears: the launcher notices and parses submitted books
my $offset = -s $node->logfile;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');
$node->wait_for_log(qr/extension "bookparse" found in database "postgres"/, $offset);
pass('launcher noticed CREATE EXTENSION');

my $book = $node->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('A plain line of text for the launcher test. ', 40), 'UTF8'), 'plain.txt')"
);
is($node->safe_psql('postgres', "SELECT bookparse.wait($book, '60s')"),
	'parsed', 'a submitted book is parsed by a worker');
ok( $node->safe_psql('postgres',
		"SELECT count(*) > 0 FROM bookparse.chapter WHERE book_id = $book"),
	'with chapters');
my $pid = $node->safe_psql('postgres',
	"SELECT worker_pid FROM bookparse.job WHERE book_id = $book");
isnt($pid, '', 'job records the worker pid');

# max_workers = 0: nobody parses; run_queue() does
$node->append_conf('postgresql.conf', "bookparse.max_workers = 0\n");
$node->reload;
sleep(1);
$book = $node->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('Another plain line. ', 40), 'UTF8'), 'plain2.txt')"
);
sleep(2);
is($node->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $book"),
	'queued', 'with max_workers = 0 the book stays queued');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'bookparse worker'"),
	'0',
	'and no worker runs');
is($node->safe_psql('postgres', 'SELECT bookparse.run_queue()'),
	'1', 'run_queue() drains it');
is($node->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $book"),
	'parsed', 'parsed by run_queue()');

$node->stop;
done_testing();
