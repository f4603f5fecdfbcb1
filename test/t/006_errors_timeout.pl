# A non-book fails with its error and the queue moves on; a job running
# longer than bookparse.job_timeout fails with error_code 'timeout';
# cancel() stops a running job; submit() refuses books over
# bookparse.max_book_size with SQLSTATE 54000.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('errors');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 1
bookparse.naptime = '100ms'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');

my $good = "convert_to(repeat('A good plain book. ', 60), 'UTF8')";

# --- a PDF, then a book: one worker, in order
my ($pdf, $next) = split /\n/, $node->safe_psql(
	'postgres', qq{
BEGIN;
SELECT bookparse.submit(convert_to(E'%PDF-1.4\\n1 0 obj << /Type /Catalog >> endobj\\n', 'UTF8'), 'paper.pdf');
SELECT bookparse.submit($good, 'next.txt');
COMMIT;});
is($node->safe_psql('postgres', "SELECT bookparse.wait($pdf, '60s')"),
	'failed', 'the PDF fails');
is( $node->safe_psql(
		'postgres', "SELECT error_code FROM bookparse.book WHERE id = $pdf"),
	'not_a_book',
	'with error_code not_a_book');
like($node->safe_psql('postgres', "SELECT error FROM bookparse.book WHERE id = $pdf"),
	qr/PDF/, 'and a message that says what it is');
is( $node->safe_psql(
		'postgres', "SELECT state || ' ' || attempts FROM bookparse.job WHERE book_id = $pdf"),
	'failed 1',
	'not retried');
is($node->safe_psql('postgres', "SELECT bookparse.wait($next, '60s')"),
	'parsed', 'the next book is parsed');

# --- job_timeout
$node->append_conf('postgresql.conf',
	"bookparse.job_timeout = '1s'\nbookparse.debug_parse_delay = '20s'\n");
$node->reload;
sleep(1);
my $t0 = time();
my $slow = $node->safe_psql('postgres', "SELECT bookparse.submit($good, 'slow.txt')");
is($node->safe_psql('postgres', "SELECT bookparse.wait($slow, '60s')"),
	'failed', 'a job running past job_timeout fails');
cmp_ok(time() - $t0, '<', 15, 'well before the 20 s delay is over');
is( $node->safe_psql(
		'postgres', "SELECT error_code FROM bookparse.job WHERE book_id = $slow"),
	'timeout',
	"job error_code is 'timeout'");
is( $node->safe_psql(
		'postgres', "SELECT error_code FROM bookparse.book WHERE id = $slow"),
	'timeout',
	"book error_code is 'timeout'");

# --- cancel() of a running job
$node->append_conf('postgresql.conf', "bookparse.job_timeout = 0\n");
$node->reload;
sleep(1);
my $long = $node->safe_psql('postgres', "SELECT bookparse.submit($good, 'long.txt')");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM bookparse.workers w JOIN bookparse.job j ON j.id = w.job_id WHERE j.book_id = $long"
) or die;
$t0 = time();
is($node->safe_psql('postgres', "SELECT bookparse.cancel($long)"),
	't', 'cancel() finds the running job');
$node->poll_query_until('postgres',
	"SELECT state = 'canceled' FROM bookparse.job WHERE book_id = $long")
  or die;
cmp_ok(time() - $t0, '<', 10, 'the worker stopped it promptly');

# --- the queue still moves
$node->append_conf('postgresql.conf', "bookparse.debug_parse_delay = 0\n");
$node->reload;
sleep(1);
my $last = $node->safe_psql('postgres', "SELECT bookparse.submit($good, 'last.txt')");
is($node->safe_psql('postgres', "SELECT bookparse.wait($last, '60s')"),
	'parsed', 'a book after the failures is parsed');

# --- max_book_size
my ($ret, $out, $err) = $node->psql('postgres',
	"SET bookparse.max_book_size = '1kB'; SELECT bookparse.submit(convert_to(repeat('x', 2048), 'UTF8'), 'big.txt')",
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/54000/, 'submit() refuses a book over max_book_size with 54000');

$node->stop;
done_testing();
