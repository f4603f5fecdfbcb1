# Hostile books through SQL, with workers running: the cases of the hostile
# catalogue (test/hostile/make_hostile.py) end as 'parsed' or 'failed' with
# an error code the catalogue allows (or limit_exceeded: workers parse under
# bookparse.work_mem), the secret file the external entities point at never
# reaches a stored row, the workers take the next job, and the server never
# crash-restarts: pg_postmaster_start_time is unchanged and the log has no
# "terminated by signal" / "was terminated".  bookparse.parse() runs a few
# cases in the backend itself, with the same result.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = $ENV{TESTDIR} // '.';
my $dir = "$PostgreSQL::Test::Utils::tmp_check/hostile";
system('/usr/bin/python3', "$root/test/hostile/make_hostile.py", $dir) == 0
  or die "make_hostile.py failed";

# the manifest: name -> [file, expect]; the secret marker
my (%case, $marker);
open(my $fh, '<', "$dir/manifest.tsv") or die "manifest: $!";
while (my $line = <$fh>)
{
	chomp $line;
	my @c = split /\t/, $line;
	if ($c[0] eq '#secret') { $marker = $c[2]; next; }
	next if $line =~ /^#/;
	$case{ $c[0] } = [ $c[1], $c[2] ];
}
close $fh;
ok(defined $marker && %case, 'catalogue generated');

my @names = qw(
  xxe_xhtml_general xxe_xhtml_external_dtd xxe_xhtml_network_dtd
  xxe_xhtml_xinclude xxe_opf_general xxe_container xxe_ncx
  xxe_fb2_parameter xxe_fb2_external_dtd
  billion_laughs_xhtml quadratic_blowup_fb2 deep_nesting_xhtml
  deep_nesting_fb2 deep_nesting_unclosed_html charrefs_xhtml
  nul_bytes_xhtml invalid_utf8_fb2 fb2_lying_utf8_decl
  zipbomb_one_entry zipbomb_overlapping zipbomb_overlapping_headers
  zipbomb_many_entries truncated_deflate encrypted_entry method_bzip2
  opf_hrefs_outside zip_traversal_names spine_self_reference
  ncx_loops_100k manifest_100k random_1mb one_byte
  fb2zip_truncated_entry fb2zip_encrypted_entry fb2_utf7_lone_surrogates
  href_pct_not_utf8);

my $node = PostgreSQL::Test::Cluster->new('hostile');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 2
bookparse.naptime = '100ms'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION bookparse');
my $started = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# Does an outcome (parsed, or a failure's error code) fit the manifest?
sub allowed
{
	my ($expect, $status, $code) = @_;
	foreach my $alt (split /\|/, $expect)
	{
		return 1 if $status eq 'parsed' && $alt =~ /^ok/;
		return 1 if $status eq 'failed' && ($alt eq "error:$code" || $alt eq 'error:*');
	}
	return $status eq 'failed' && $code eq 'limit_exceeded';
}

# --- submit them all, then a good book behind them
my %id;
foreach my $n (@names)
{
	die "no case $n" unless $case{$n};
	$id{$n} = $node->safe_psql('postgres',
		"SELECT bookparse.submit(pg_read_binary_file('$dir/$case{$n}[0]'), '$case{$n}[0]')");
}
my $good = $node->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('A good plain book after the hostile ones. ', 40), 'UTF8'), 'good.txt')"
);

foreach my $n (@names)
{
	my $st = $node->safe_psql('postgres', "SELECT bookparse.wait($id{$n}, '120s')");
	my ($code, $err) = split /\|/, $node->safe_psql('postgres',
		"SELECT coalesce(error_code, '') || '|' || coalesce(error, '') FROM bookparse.book WHERE id = $id{$n}"),
	  2;
	$code //= '';
	ok(allowed($case{$n}[1], $st, $code),
		"$n: $st" . ($code ne '' ? " ($code)" : '') . ", expected $case{$n}[1]");
	if ($st eq 'failed')
	{
		ok(defined $err && $err ne '', "$n: the error message is on the book");
		is( $node->safe_psql('postgres',
				"SELECT state || ' ' || coalesce(error_code, '') FROM bookparse.job WHERE book_id = $id{$n} ORDER BY id DESC LIMIT 1"),
			"failed $code",
			"$n: the job failed with the same code");
	}
}
is($node->safe_psql('postgres', "SELECT bookparse.wait($good, '60s')"),
	'parsed', 'the workers take the next job: the good book after them is parsed');

# the marker is written reversed so that the logged statement does not hold it
my $rmarker = reverse $marker;
is( $node->safe_psql(
		'postgres', qq{
SELECT (SELECT count(*) FROM bookparse.chapter c WHERE strpos(c::text, reverse('$rmarker')) > 0)
     + (SELECT count(*) FROM bookparse.book b
        WHERE strpos((b.title, b.description, b.metadata::text, b.error)::text, reverse('$rmarker')) > 0)}),
	'0',
	'the secret file reached no stored text, metadata or error');

# --- the same in the backend itself: bookparse.parse()
foreach my $n (qw(xxe_xhtml_general billion_laughs_xhtml deep_nesting_xhtml
	zipbomb_one_entry zipbomb_overlapping_headers nul_bytes_xhtml empty random_1mb))
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"SELECT jsonb_typeof(bookparse.parse(pg_read_binary_file('$dir/$case{$n}[0]')))");
	my $fine = ($ret == 0 && $out eq 'object') || ($ret != 0 && $err =~ /ERROR:/);
	ok($fine, "bookparse.parse($n): " . ($ret == 0 ? $out : (split /\n/, $err)[0]));
	unlike($out . $err, qr/\Q$marker\E/, "bookparse.parse($n): no secret in the result");
}

# --- and nothing crashed
is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
	$started, 'the postmaster never restarted');
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|was terminated|server process .* exited with exit code [^01]/,
	'no backend or worker died abnormally');
unlike($log, qr/\Q$marker\E/, 'the secret is not in the server log');

$node->stop;
done_testing();
