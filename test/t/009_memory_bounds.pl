# bookparse.work_mem holds: two workers with work_mem = 32MB parse every real
# book (the corpus, else the samples) while huge hostile books fail with
# limit_exceeded and the message naming the setting; a sampler reads each
# worker's RssAnon from /proc (private memory, not the shared buffers that
# VmHWM would count) every 20 ms and it must stay under work_mem + 48MB.
#
# Hostile books come from test/make_big_books.py: a 2 GB zip bomb, an FB2
# with a 100 MB binary, a 50 MB single paragraph (EPUB and plain text), and
# 3 million empty elements (small as XML, huge as a libxml2 tree).
use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib dirname(__FILE__);
use BpBooks;
use POSIX ();
use Time::HiRes qw(usleep);

my $root = abs_path(dirname(__FILE__) . '/../..');
my $work_mem_mb = 32;
my $overhead_mb = 48;

plan skip_all => '/proc is needed to read RssAnon' unless -r '/proc/self/status';

my @real = BpBooks::real_books();
my $bigdir = PostgreSQL::Test::Utils::tempdir();
system('/usr/bin/python3', "$root/test/make_big_books.py", $bigdir) == 0
  or BAIL_OUT('cannot make the hostile books');
my @hostile = map { [ "$bigdir/$_", $_ ] }
  ('zipbomb.epub', 'bigbinary.fb2', 'paragraph.epub', 'paragraph.txt',
	'elements.epub');
note('real books: ' . scalar(@real) . ', hostile books: ' . scalar(@hostile));

my $node = PostgreSQL::Test::Cluster->new('membounds');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 2
bookparse.work_mem = '${work_mem_mb}MB'
bookparse.max_book_size = '200MB'
bookparse.naptime = '1s'
bookparse.job_timeout = '5min'
max_worker_processes = 16
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');

my $postmaster = do {
	open my $fh, '<', $node->data_dir . '/postmaster.pid' or die $!;
	my $line = <$fh>;
	chomp $line;
	$line;
};

# The sampler: a child process that reads RssAnon of every bookparse worker
# of this cluster every 20 ms until $stop exists; one line per worker pid.
my $stop = "$bigdir/stop-sampler";
my $report = "$bigdir/rss.txt";
my $sampler = fork();
die "fork: $!" unless defined $sampler;
if ($sampler == 0)
{
	my (%max, %n);
	while (!-e $stop)
	{
		opendir(my $dh, '/proc') or last;
		foreach my $pid (grep { /^\d+$/ } readdir($dh))
		{
			open(my $sf, '<', "/proc/$pid/status") or next;
			my ($ppid, $rss, $name);
			while (my $l = <$sf>)
			{
				$ppid = $1 if $l =~ /^PPid:\s+(\d+)/;
				$rss = $1 if $l =~ /^RssAnon:\s+(\d+)\s+kB/;
			}
			close $sf;
			next unless defined $ppid && $ppid == $postmaster && defined $rss;
			open(my $cf, '<', "/proc/$pid/cmdline") or next;
			$name = <$cf> // '';
			close $cf;
			next unless $name =~ /bookparse worker/;
			$max{$pid} = $rss if !defined $max{$pid} || $rss > $max{$pid};
			$n{$pid}++;
		}
		closedir $dh;
		usleep(20_000);
	}
	# _exit: the child must not run the END blocks that stop the cluster
	if (open(my $out, '>', $report))
	{
		print $out "$_ $max{$_} $n{$_}\n" foreach sort keys %max;
		close $out;
	}
	POSIX::_exit(0);
}

# submit the hostile books first, then the real ones, in one transaction
my $sql = "BEGIN;\n";
foreach my $b (@hostile, @real)
{
	my ($path, $name) = @$b;
	$path =~ s/'/''/g;
	$name =~ s/'/''/g;
	$sql .= "SELECT bookparse.submit(pg_read_binary_file('$path'), '$name');\n";
}
$sql .= "COMMIT;\n";
$node->safe_psql('postgres', $sql);

# wait for the queue to drain; watch live memory in bookparse.workers
my $max_live = 0;
my $deadline = time() + 900;
while (time() < $deadline)
{
	my ($left, $live) = split /\|/, $node->safe_psql('postgres', q{
SELECT (SELECT count(*) FROM bookparse.book WHERE status IN ('queued', 'parsing')),
       (SELECT coalesce(max(memory_bytes), 0) FROM bookparse.workers)});
	$max_live = $live if $live > $max_live;
	last if $left == 0;
	usleep(100_000);
}
open(my $sf, '>', $stop) or die $!;
close $sf;
waitpid($sampler, 0);

is($node->safe_psql('postgres',
		"SELECT count(*) FROM bookparse.book WHERE status IN ('queued', 'parsing')"),
	'0', 'the queue drained');

# every hostile book failed with the limit and the message naming it
foreach my $h (@hostile)
{
	my $name = $h->[1];
	my ($status, $code, $error) = split /\|/, $node->safe_psql('postgres',
		"SELECT status, error_code, error FROM bookparse.book WHERE filename = '$name'");
	is($status, 'failed', "$name failed");
	is($code, 'limit_exceeded', "$name: error code limit_exceeded");
	like($error,
		qr/book needs more than bookparse\.work_mem \(${work_mem_mb}MB\) while .+; raise bookparse\.work_mem to parse it/,
		"$name: the message names bookparse.work_mem");
}

# every real book parsed, and its peak memory is recorded within the limit
my $bad = $node->safe_psql('postgres', q{
SELECT string_agg(filename || ': ' || status || ' ' || coalesce(error, ''), E'\n')
  FROM bookparse.book
 WHERE filename NOT IN ('zipbomb.epub', 'bigbinary.fb2', 'paragraph.epub',
                        'paragraph.txt', 'elements.epub')
   AND status <> 'parsed'});
is($bad, '', 'every real book parsed under work_mem = 32MB');
my ($njobs, $min_peak, $max_peak) = split /\|/, $node->safe_psql('postgres', q{
SELECT count(*), min(j.peak_memory_bytes), max(j.peak_memory_bytes)
  FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id
 WHERE b.status = 'parsed' AND j.state = 'done'});
is($njobs, scalar(@real), 'one done job per real book');
cmp_ok($min_peak, '>', 0, 'peak_memory_bytes is recorded for every job');
cmp_ok($max_peak, '<=', $work_mem_mb * 1024 * 1024,
	"peak_memory_bytes stays within work_mem (largest $max_peak)");
note("largest live memory_bytes seen in bookparse.workers: $max_live");

# the workers' private memory stayed within work_mem + 48MB
open(my $rf, '<', $report) or die "no sampler report: $!";
my @lines = <$rf>;
close $rf;
ok(@lines > 0, 'the sampler saw bookparse workers');
my $limit_kb = ($work_mem_mb + $overhead_mb) * 1024;
foreach my $l (@lines)
{
	my ($pid, $kb, $n) = split ' ', $l;
	cmp_ok($kb, '<', $limit_kb,
		"worker $pid: peak RssAnon $kb kB over $n samples < work_mem + ${overhead_mb}MB");
}

# the server never restarted
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/,
	'no backend crashed');

$node->stop;
done_testing();
