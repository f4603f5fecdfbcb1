# The postgres_exporter queries of docs/monitoring/queries.yaml, run as a
# role that has nothing but pg_monitor, against a queue with books in every
# state: queued (one for two minutes), running (a worker in the middle of
# a slow book), parsed, failed with three error codes, canceled.  Every
# metric the file declares must come out of its query, and each value must
# be the one this queue calls for (docs/monitoring.md lists them).
use strict;
use warnings;

use File::Basename qw(dirname);
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib dirname(__FILE__);
use BpBooks;

my $root = dirname(__FILE__) . '/../..';

# ---- the queries file: a small reader for its layout ----
# Returns [ { name, query, metrics => [ [column, usage], ... ] }, ... ].
sub read_queries
{
	my ($path) = @_;
	open(my $fh, '<', $path) or die "$path: $!";
	my (@queries, $q, $in_query, $column);
	while (my $line = <$fh>)
	{
		chomp $line;
		next if $line =~ /^\s*#/;
		if ($in_query)
		{
			if ($line =~ /^ {4}(.*)$/ || $line eq '')
			{
				$q->{query} .= ($1 // '') . "\n";
				next;
			}
			$in_query = 0;
		}
		if ($line =~ /^(\w+):\s*$/)
		{
			$q = { name => $1, query => '', metrics => [] };
			push @queries, $q;
		}
		elsif ($line =~ /^  query: \|\s*$/) { $in_query = 1; }
		elsif ($line =~ /^    - (\w+):\s*$/) { $column = $1; }
		elsif ($line =~ /^        usage: "(\w+)"\s*$/)
		{
			push @{ $q->{metrics} }, [ $column, $1 ];
		}
		elsif ($line =~ /^        description: ".+"\s*$/ || $line =~ /^  (master|metrics):/
			|| $line eq '')
		{
			next;
		}
		else { die "$path: a line this reader does not know: '$line'"; }
	}
	close $fh;
	return @queries;
}

my @queries = read_queries("$root/docs/monitoring/queries.yaml");
cmp_ok(scalar(@queries), '>=', 8, 'queries.yaml: ' . join(', ', map { $_->{name} } @queries));

# ---- a queue with books in every state ----
my $node = PostgreSQL::Test::Cluster->new('monitoring');
$node->init(extra => [ '--encoding=UTF8', '--locale=C.UTF-8' ]);
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
bookparse.naptime = '100ms'
bookparse.work_mem = '256MB'
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE books');
$node->append_conf('postgresql.conf', "bookparse.database = 'books'");
$node->restart;
$node->safe_psql('books', q{
CREATE EXTENSION bookparse;
CREATE ROLE mon LOGIN IN ROLE pg_monitor;
});

my $samples = BpBooks::samples_dir();
my %submit = (
	'sample.epub' => "$samples/sample.epub",
	'sample.fb2' => "$samples/sample.fb2",
	'fake.pdf' => "$samples/bad/fake.pdf",
	'fake.docx' => "$samples/bad/fake.docx",
	'truncated.epub' => "$samples/bad/truncated.epub");
foreach my $name (sort keys %submit)
{
	$node->safe_psql('books',
		"SELECT bookparse.submit(pg_read_binary_file('$submit{$name}'), '$name')");
}
is($node->safe_psql('books', 'SELECT bookparse.run_queue()'), '5', 'five books run');
# canceled before it ran
$node->safe_psql('books', q{
SELECT bookparse.cancel(bookparse.submit(convert_to('Never parsed.', 'UTF8'), 'canceled.txt'));
});
# two queued, the older for two minutes
$node->safe_psql('books', q{
SELECT bookparse.submit(convert_to('Waiting one.', 'UTF8'), 'queued1.txt');
SELECT bookparse.submit(convert_to('Waiting two.', 'UTF8'), 'queued2.txt');
UPDATE bookparse.job SET enqueued_at = now() - interval '120 seconds'
 WHERE book_id = (SELECT id FROM bookparse.book WHERE filename = 'queued1.txt');
});
is($node->safe_psql('books', q{
SELECT string_agg(b.status || '/' || j.state || '/' || coalesce(b.error_code, '-'), ',' ORDER BY b.filename)
  FROM bookparse.book b JOIN bookparse.job j ON j.book_id = b.id}),
	'failed/canceled/canceled,failed/failed/not_a_book,failed/failed/not_a_book,'
	  . 'queued/queued/-,queued/queued/-,parsed/done/-,parsed/done/-,failed/failed/corrupt_archive',
	'the queue: canceled, two failed not_a_book, two queued, two parsed, one corrupt_archive');

# running: one worker on a slow book (ICU's dictionary word breaking of
# Japanese, about 0.1 s per MB: 20 MB) that goes first by its priority
my $sentence = '\u543E\u8F29\u306F\u732B\u3067\u3042\u308B\u3002'
  . '\u540D\u524D\u306F\u307E\u3060\u7121\u3044\u3002'
  . '\u3069\u3053\u3067\u751F\u308C\u305F\u304B\u3068\u3093\u3068'
  . '\u898B\u5F53\u304C\u3064\u304B\u306C\u3002\n\n';
my $slow = $node->safe_psql('books',
	"SELECT bookparse.submit(convert_to(repeat(E'$sentence', 200000), 'UTF8'), 'slow.txt', 10)");
$node->append_conf('postgresql.conf', 'bookparse.max_workers = 1');
$node->reload;
$node->poll_query_until('books',
	"SELECT count(*) = 1 FROM bookparse.workers WHERE book_id = $slow AND phase = 'parsing' AND memory_bytes > 0")
  or die 'no worker is parsing the slow book';

# ---- every query as the monitoring role, in one session ----
my $sql = '';
foreach my $q (@queries)
{
	(my $body = $q->{query}) =~ s/;?\s*$//;
	$sql .= "SELECT 'query $q->{name}';\nSELECT row_to_json(q) FROM (\n$body\n) AS q;\n";
}
my $out = $node->safe_psql('books', $sql, extra_params => [ '-U', 'mon' ]);
my $still = $node->safe_psql('books',
	"SELECT count(*) FROM bookparse.workers WHERE book_id = $slow");
is($still, '1', 'the worker still parsed the slow book when the queries ended');

# metric name with its labels => value, as postgres_exporter forms them
my (%metric, %rows, $current);
foreach my $line (split /\n/, $out)
{
	if ($line =~ /^query (\w+)$/)
	{
		($current) = grep { $_->{name} eq $1 } @queries;
		$rows{$1} = 0;
		next;
	}
	my $row = decode_json($line);
	$rows{ $current->{name} }++;
	my @labels = map { $_->[0] } grep { $_->[1] eq 'LABEL' } @{ $current->{metrics} };
	my $labels = join(',', map { "$_=" . ($row->{$_} // '') } @labels);
	is_deeply([ sort keys %$row ], [ sort map { $_->[0] } @{ $current->{metrics} } ],
		"$current->{name}: the query's columns are the metrics declared")
	  if $rows{ $current->{name} } == 1;
	foreach my $m (grep { $_->[1] ne 'LABEL' } @{ $current->{metrics} })
	{
		like($m->[1], qr/^(GAUGE|COUNTER)$/, "$current->{name}_$m->[0]: usage $m->[1]")
		  if $rows{ $current->{name} } == 1;
		$metric{"$current->{name}_$m->[0]\{$labels\}"} = $row->{ $m->[0] };
	}
}
is(scalar(keys %rows), scalar(@queries), 'every query ran as a pg_monitor role');
note(join("\n", map { "$_ = $metric{$_}" } sort keys %metric));

# exact values
my %want = (
	'bookparse_queue_jobs{state=queued}' => 2,
	'bookparse_queue_jobs{state=running}' => 1,
	'bookparse_queue_jobs{state=done}' => 2,
	'bookparse_queue_jobs{state=failed}' => 3,
	'bookparse_queue_jobs{state=canceled}' => 1,
	'bookparse_library_books{status=queued}' => 2,
	'bookparse_library_books{status=parsing}' => 1,
	'bookparse_library_books{status=parsed}' => 2,
	'bookparse_library_books{status=failed}' => 4,
	'bookparse_status_queued{}' => 2,
	'bookparse_status_running{}' => 1,
	'bookparse_status_parsed_last_hour{}' => 2,
	'bookparse_status_paused{}' => 0,
	'bookparse_status_workers{}' => 1,
	'bookparse_status_launcher{}' => 1,
	'bookparse_throughput_done_last_hour{}' => 2,
	'bookparse_throughput_failed_last_hour{}' => 3,
	'bookparse_failed_books{error_code=not_a_book}' => 2,
	'bookparse_failed_books{error_code=corrupt_archive}' => 1,
	'bookparse_failed_books{error_code=canceled}' => 1,
	'bookparse_failed_last_hour_jobs{error_code=not_a_book}' => 2,
	'bookparse_failed_last_hour_jobs{error_code=corrupt_archive}' => 1,
	'bookparse_settings_work_mem_bytes{}' => 256 * 1024 * 1024,
	'bookparse_settings_max_workers{}' => 1,
	'bookparse_version_info{library=0.2.0,extension=0.2.0,status=ok}' => 1);
foreach my $k (sort keys %want)
{
	is($metric{$k}, $want{$k}, "$k = $want{$k}");
}
# no other failure codes, and the 0.2.0 above is the control file's
is(join(',', sort grep { /^bookparse_failed/ } keys %metric),
	join(',', sort grep { /^bookparse_failed/ } keys %want), 'no other error codes');
is($node->safe_psql('books',
		"SELECT default_version FROM pg_available_extensions WHERE name = 'bookparse'"),
	'0.2.0', 'the library version expected above is bookparse.control\'s');

# values that depend on time: within bounds
my $age = $metric{'bookparse_status_oldest_queued_age_seconds{}'};
ok($age >= 120 && $age < 600, "oldest queued age $age s: the job queued two minutes ago");
my $p95 = $metric{'bookparse_throughput_parse_seconds_p95{}'};
ok($p95 >= 0 && $p95 < 60, "p95 parse time $p95 s");
my $peak = $metric{'bookparse_throughput_peak_memory_bytes_max{}'};
ok($peak > 0 && $peak <= 256 * 1024 * 1024, "peak memory of the last hour's jobs: $peak bytes");
my @workers = grep { /^bookparse_worker_memory_bytes\{/ } keys %metric;
is(scalar(@workers), 1, 'one worker row: ' . join(' ', @workers));
my ($labels) = $workers[0] =~ /\{(.*)\}/;
like($labels, qr/^slot=\d+,phase=(parsing|analysing|storing)$/, "the worker's labels: $labels");
my $mem = $metric{"bookparse_worker_memory_bytes\{$labels\}"};
ok($mem > 20 * 1000 * 1000 && $mem <= 256 * 1024 * 1024,
	"the worker holds $mem bytes: more than the 20 MB book, within work_mem");
my $progress = $metric{"bookparse_worker_progress\{$labels\}"};
ok($progress >= 0 && $progress <= 100, "the worker's progress: $progress%");
my $secs = $metric{"bookparse_worker_job_seconds\{$labels\}"};
ok($secs >= 0 && $secs < 120, "the worker's job started $secs s ago");

# what the monitoring role may not do with the same grants
my ($rc, $stdout, $stderr) = $node->psql('books', 'SELECT title FROM bookparse.book',
	extra_params => [ '-U', 'mon' ]);
like($stderr, qr/permission denied/, 'the monitoring role reads no titles');

$node->safe_psql('books', "SELECT bookparse.cancel($slow)");
$node->stop;
done_testing();
