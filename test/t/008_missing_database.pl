# A bookparse.database that does not exist: the launcher cannot connect
# (FATAL) and the postmaster restarts it, but each new launcher waits longer
# before trying, so the log gets a few lines, not two every 5 s; once the
# database exists the launcher connects and waits quietly for the extension.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('nodb');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.database = 'books'
bookparse.naptime = '100ms'
});
my $offset = -f $node->logfile ? -s $node->logfile : 0;
$node->start;

$node->wait_for_log(qr/retrying in 10 s/, $offset);
sleep(5);    # 12 s or so after the start: 3 failures without the back-off
my $log = slurp_file($node->logfile, $offset);
my @fatal = ($log =~ /FATAL:  database "books" does not exist/g);
is(scalar(@fatal), 1, 'one failed connection in the first 12 s');

$node->safe_psql('postgres', 'CREATE DATABASE books');
$node->wait_for_log(qr/extension "bookparse" is not installed in database "books"/,
	$offset);
pass('the launcher connects once the database exists');
$node->safe_psql('books', 'CREATE EXTENSION bookparse');
my $book = $node->safe_psql('books',
	"SELECT bookparse.submit(convert_to(repeat('Books database text. ', 40), 'UTF8'), 'b.txt')");
is($node->safe_psql('books', "SELECT bookparse.wait($book, '60s')"),
	'parsed', 'and its workers parse books there');

$node->stop;
done_testing();
