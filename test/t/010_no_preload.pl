# Without shared_preload_libraries: CREATE EXTENSION still works (no FATAL
# from the server-start setting), parse() works, and the queue is drained by
# run_queue() since no workers exist.
#
# Needs: PERL5LIB=<pgxs>/src/test/perl, PG_REGRESS=<pgxs>/src/test/regress/pg_regress,
# PostgreSQL 15 binaries on PATH, bookparse installed (make install).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('no_preload');
$node->init;
$node->start;

my ($ret, $out, $err) = $node->psql('postgres', 'CREATE EXTENSION bookparse');
is($ret, 0, 'CREATE EXTENSION without shared_preload_libraries');
unlike($err, qr/FATAL/, 'no FATAL from a server-start setting');

is( $node->safe_psql(
		'postgres',
		q{SELECT bookparse.parse(convert_to(E'A Title\n\nChapter 1\n\nSome text here.\n', 'UTF8'))
		    ->'metadata'->>'title'}),
	'A Title',
	'parse() works in a session without the workers');

is($node->safe_psql('postgres', "LOAD 'bookparse'; SHOW bookparse.max_workers"), '2',
	'the other settings are defined');

$node->safe_psql('postgres',
	q{SELECT bookparse.submit(convert_to(E'Just one line of text.\n', 'UTF8'), 'one.txt')});
is($node->safe_psql('postgres', 'SELECT bookparse.run_queue()'), '1',
	'run_queue() parses the queued book');
is($node->safe_psql('postgres', 'SELECT status FROM bookparse.book'), 'parsed',
	'the book is parsed');

$node->stop;
done_testing();
