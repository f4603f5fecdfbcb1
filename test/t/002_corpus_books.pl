# Real books submitted through SQL are parsed by the background workers
# (bookparse.max_workers = 2) and end 'parsed' with chapters; submit() wakes
# a worker at once rather than at the next poll.  (debug_parse_delay keeps
# each job visible in bookparse.workers for at least 100 ms.)
#
# Books: the corpus (BP_CORPUS, default ../shared/corpus next to the
# checkout), else the samples (BP_SAMPLES, default build/samples, made by
# test/make_samples.py if absent).
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib dirname(__FILE__);
use BpBooks;

my @books = BpBooks::real_books(max_size => 5 * 1024 * 1024);    # quick
note('books: ' . scalar(@books));
plan skip_all => 'no books found' unless @books;

my $node = PostgreSQL::Test::Cluster->new('corpus');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 2
bookparse.naptime = '10s'
bookparse.job_timeout = '5min'
bookparse.debug_parse_delay = '100ms'
max_worker_processes = 16
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');

# wake-up: with a 10 s naptime, a book parsed within 5 s was not polled for
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'bookparse launcher'"
) or die 'launcher did not start';
sleep(1);
my $t0 = time();
my $id = $node->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('Wake up quickly, worker. ', 50), 'UTF8'), 'wake.txt')"
);
is($node->safe_psql('postgres', "SELECT bookparse.wait($id, '60s')"),
	'parsed', 'first book parsed');
cmp_ok(time() - $t0, '<=', 5, 'submit woke a worker without waiting for the 10 s naptime');

# all the books, in one transaction (the workers start when it commits)
my $sql = "BEGIN;\n";
foreach my $b (@books)
{
	my ($path, $name) = @$b;
	$path =~ s/'/''/g;
	$name =~ s/'/''/g;
	$sql .= "SELECT bookparse.submit(pg_read_binary_file('$path'), '$name');\n";
}
$sql .= "COMMIT;\n";
$node->safe_psql('postgres', $sql);

# watch the workers while they work
my $seen_busy = 0;
my $max_workers_seen = 0;
my $deadline = time() + 600;
while (time() < $deadline)
{
	my ($left, $busy, $workers) = split /\|/,
	  $node->safe_psql(
		'postgres', q{
SELECT (SELECT count(*) FROM bookparse.book WHERE status IN ('queued', 'parsing')),
       (SELECT count(*) FROM bookparse.workers WHERE job_id IS NOT NULL
          AND phase IN ('starting', 'reading', 'inflating', 'parsing', 'analysing', 'storing')
          AND progress BETWEEN 0 AND 100),
       (SELECT count(*) FROM bookparse.workers)});
	$seen_busy = 1 if $busy > 0;
	$max_workers_seen = $workers if $workers > $max_workers_seen;
	last if $left == 0;
	select(undef, undef, undef, 0.1);
}
ok($seen_busy, 'bookparse.workers showed a busy worker');
cmp_ok($max_workers_seen, '<=', 2, 'never more than bookparse.max_workers workers');

my $bad = $node->safe_psql(
	'postgres', q{
SELECT string_agg(b.filename || ': ' || b.status || coalesce(' ' || b.error_code, '')
                  || coalesce(' (' || b.error || ')', ''), E'\n' ORDER BY b.id)
FROM bookparse.book b
WHERE b.status <> 'parsed'
   OR NOT EXISTS (SELECT 1 FROM bookparse.chapter c WHERE c.book_id = b.id)});
is($bad, '', 'every book ended parsed with chapters');

is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM bookparse.job WHERE state <> 'done' OR attempts <> 1}),
	'0',
	'every job done in one attempt');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM bookparse.book b
WHERE b.chapters <> (SELECT count(*) FROM bookparse.chapter c WHERE c.book_id = b.id)}),
	'0',
	'stored chapter counts match the chapters stored');
ok( $node->safe_psql(
		'postgres', "SELECT count(DISTINCT worker_pid) >= 1 FROM bookparse.job"),
	'jobs record their worker');

# the workers stored each book's scenes: the same ones bookparse-dump
# --scenes finds (chapter, paragraph, kind, illustratable), and scenes()
# gives each paragraph's whole text
my $dump = "$ENV{TESTDIR}/bookparse-dump";
SKIP:
{
	skip 'no ./bookparse-dump', 2 unless -x $dump;
	my @differ;
	my $total = 0;
	foreach my $b (@books)
	{
		my ($path, $name) = @$b;
		(my $q = $name) =~ s/'/''/g;
		my $stored = $node->safe_psql(
			'postgres', qq{
SELECT string_agg(s.chapter || ' ' || s.paragraph || ' ' || s.kind || ' '
                  || CASE WHEN s.illustratable THEN 'yes' ELSE 'no' END,
                  E'\n' ORDER BY s.chapter, s.paragraph)
FROM bookparse.scene s JOIN bookparse.book b ON b.id = s.book_id
WHERE b.filename = '$q'});
		my @lines = split /\n/, `'$dump' --scenes '$path' 2>/dev/null`;
		shift @lines;    # the header
		my $expect = join("\n",
			map { my @f = split /\t/; "$f[0] $f[1] $f[2] $f[4]" } @lines);
		push @differ, $name if $stored ne $expect;
		$total += scalar(@lines);
	}
	is(join(', ', @differ), '', "the workers stored the scenes bookparse-dump finds ($total)");
	is( $node->safe_psql(
			'postgres', q{
SELECT count(*) FROM bookparse.book b, bookparse.scenes(b.id, NULL, 0) s
WHERE s.text IS NULL OR length(s.text) < length(rtrim(s.excerpt, '.… '))}),
		'0',
		'scenes() gives each paragraph whole');
}

$node->stop;
done_testing();
