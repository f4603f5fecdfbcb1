# SIGHUP (reload) with a changed bookparse.max_workers changes how many
# workers run, without a restart: 1 -> 3 -> 1.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('sighup');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 1
bookparse.naptime = '100ms'
bookparse.debug_parse_delay = '500ms'
max_worker_processes = 16
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');

# enough slow books to keep every worker busy for a while
$node->safe_psql(
	'postgres', q{
SELECT bookparse.submit(convert_to(format('Book number %s, a short plain text.', i), 'UTF8'),
                        format('b%s.txt', i))
FROM generate_series(1, 40) i});

# Number of workers now, as bookparse.workers and pg_stat_activity see them.
sub workers
{
	return $node->safe_psql(
		'postgres', q{
SELECT (SELECT count(*) FROM bookparse.workers) || ' '
    || (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'bookparse worker')});
}

$node->poll_query_until('postgres', "SELECT count(*) = 1 FROM bookparse.workers")
  or die;
sleep(1);
is(workers(), '1 1', 'max_workers = 1: one worker');

$node->append_conf('postgresql.conf', "bookparse.max_workers = 3\n");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT count(*) = 3 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
  or die 'no third worker';
pass('after reload with max_workers = 3: three workers');
sleep(1);
is(workers(), '3 3', 'and no more than three');

$node->append_conf('postgresql.conf', "bookparse.max_workers = 1\n");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
  or die 'workers did not go back to one';
pass('after reload with max_workers = 1: back to one worker');
sleep(1);
is(workers(), '1 1', 'and it stays at one');

# every job still ran once: the surplus workers finished their book first
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM bookparse.book WHERE status IN ('queued', 'parsing')")
  or die;
is( $node->safe_psql(
		'postgres', "SELECT count(*) FROM bookparse.job WHERE state = 'done' AND attempts = 1"),
	'40',
	'all 40 jobs done in one attempt');

# idle workers exit (after 10 naptimes)
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
  or die;
pass('idle workers exit');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'"),
	'1',
	'the launcher stays');

$node->stop;
done_testing();
