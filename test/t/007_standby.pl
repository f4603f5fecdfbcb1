# The launcher never runs on a standby (it starts once recovery is over),
# and starts when the standby is promoted.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.naptime = '100ms'
});
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION bookparse');
$primary->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'"
) or die;
pass('launcher runs on the primary');

$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

# a book queued on the primary, with its workers off, replicates queued
$primary->append_conf('postgresql.conf', "bookparse.max_workers = 0\n");
$primary->reload;
sleep(1);
my $book = $primary->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('Replicated plain text. ', 40), 'UTF8'), 'r.txt')");
$primary->wait_for_catchup($standby);

sleep(2);
is( $standby->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'bookparse%'"),
	'0',
	'no launcher nor worker on the standby');
is($standby->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $book"),
	'queued', 'the book is queued on the standby');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM bookparse.workers'),
	'0', 'bookparse.workers is empty on the standby');

$primary->stop;
$standby->promote;
$standby->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'"
) or die 'no launcher after promotion';
pass('launcher starts after promotion');
is($standby->safe_psql('postgres', "SELECT bookparse.wait($book, '60s')"),
	'parsed', 'and the promoted server parses the queued book');

$standby->stop;
done_testing();
