# BpLoad.pm: shared by the load and fault TAP tests (test/t/02*.pl).
#
#   use lib dirname(__FILE__) . '/../load';
#   use BpLoad;
#   my $n = BpLoad::load_books($node, BpLoad::books(800));
#   my @ids = BpLoad::submit_batch($node, 30, 'crash1');
#   BpLoad::wait_drained($node, 300);
#   BpLoad::check_exactly_once($node, 'crash1', 30, 2);
#
# load_books() puts the books in public.load_books (n, filename, content)
# and records in public.load_expect how each ends when parsed alone by
# run_queue() (call it while bookparse.max_workers = 0); the checks compare
# every queued book with that.
package BpLoad;

use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Utils;
use Test::More;
use lib dirname(__FILE__) . '/../t';
use BpBooks;

# Full sizes?  BOOKPARSE_SLOW_TESTS=1, except against an assert-enabled
# PostgreSQL (test/slow/cassert.sh runs the TAP tests at the default sizes).
sub slow
{
	my $configure = `pg_config --configure 2>/dev/null` // '';
	if (($ENV{BOOKPARSE_SLOW_TESTS} // '0') eq '1' && $configure !~ /enable-cassert/)
	{
		return 1;
	}
	diag('full-size run skipped (reduced sizes): set BOOKPARSE_SLOW_TESTS=1 to run it');
	return 0;
}

# Real books up to $max_kb (corpus EPUB, FB2, derived; with $malformed the
# corpus's malformed files too), else the samples: [path, name] pairs.
sub books
{
	my ($max_kb, $malformed) = @_;
	my @books = BpBooks::real_books(max_size => $max_kb * 1024);
	my $corpus = $ENV{BP_CORPUS} // dirname(__FILE__) . '/../../../shared/corpus';
	if ($malformed && $corpus ne '' && -d "$corpus/malformed")
	{
		foreach my $f (sort glob("$corpus/malformed/*"))
		{
			push @books, [ $f, 'malformed/' . (split m{/}, $f)[-1] ]
			  if -f $f && -s $f && -s $f <= $max_kb * 1024;
		}
	}
	return @books;
}

# Load the books into public.load_books and public.load_expect (see above);
# returns how many.  The books parsed alone are deleted again.
sub load_books
{
	my ($node, @books) = @_;
	my $sql =
	  "CREATE TABLE public.load_books (n int PRIMARY KEY, filename text NOT NULL, content bytea NOT NULL);\n";
	my $n = 0;
	foreach my $b (@books)
	{
		my ($path, $name) = @$b;
		$path =~ s/'/''/g;
		$name =~ s/'/''/g;
		$n++;
		$sql .=
		  "INSERT INTO public.load_books VALUES ($n, '$name', pg_read_binary_file('$path'));\n";
	}
	$node->safe_psql('postgres', $sql);
	$node->safe_psql('postgres',
		'SELECT count(bookparse.submit(content, filename)) FROM public.load_books');
	$node->safe_psql('postgres', 'SELECT bookparse.run_queue()');
	$node->safe_psql(
		'postgres', q{
CREATE TABLE public.load_expect AS
  SELECT filename, status, chapters, error_code FROM bookparse.book;
TRUNCATE bookparse.book CASCADE;
});
	return $n;
}

# Submit $count books (the loaded ones in turn) in one transaction, file
# names prefixed "$tag:"; returns nothing.
sub submit_batch
{
	my ($node, $count, $tag) = @_;
	$node->safe_psql(
		'postgres', qq{
SELECT count(bookparse.submit(b.content, '$tag:' || b.filename))
  FROM generate_series(0, $count - 1) i
  JOIN public.load_books b ON b.n = 1 + i % (SELECT count(*) FROM public.load_books);
});
	return;
}

# Wait up to $secs until no job is queued or running; true if so.
sub wait_drained
{
	my ($node, $secs) = @_;
	my $t0 = time();
	while (time() - $t0 < $secs)
	{
		return 1
		  if $node->safe_psql('postgres',
			"SELECT count(*) FROM bookparse.job WHERE state IN ('queued', 'running')") == 0
		  && $node->safe_psql('postgres',
			"SELECT count(*) FROM bookparse.book WHERE status IN ('queued', 'parsing')") == 0;
		sleep(1);
	}
	return 0;
}

# The books of batch $tag ended exactly once as they end alone: $count
# books, one job each (at most $max_attempts runs), the same status,
# chapter count and error code as alone, every chapter stored once.
sub check_exactly_once
{
	my ($node, $tag, $count, $max_attempts) = @_;
	my $in = "b.filename LIKE '$tag:%'";
	is($node->safe_psql('postgres', "SELECT count(*) FROM bookparse.book b WHERE $in"),
		$count, "$tag: $count books, none lost, none twice");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM bookparse.book b WHERE $in AND b.status NOT IN ('parsed', 'failed')"),
		'0',
		"$tag: none left queued or parsing");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM bookparse.book b WHERE $in AND (SELECT count(*) FROM bookparse.job j WHERE j.book_id = b.id) <> 1"
		),
		'0',
		"$tag: one job per book");
	is( $node->safe_psql(
			'postgres',
			"SELECT string_agg(DISTINCT j.state || ' ' || j.attempts || ' ' || coalesce(j.error_code, '-'), ', ') FROM bookparse.job j JOIN bookparse.book b ON b.id = j.book_id JOIN public.load_expect e ON e.filename = substr(b.filename, length('$tag:') + 1) WHERE $in AND (j.state NOT IN ('done', 'failed') OR j.attempts > $max_attempts OR j.error_code IS DISTINCT FROM e.error_code)"
		),
		'',
		"$tag: every job done or failed as alone, in at most $max_attempts runs");
	is( $node->safe_psql(
			'postgres',
			"SELECT string_agg(DISTINCT b.filename || ': ' || b.status || '/' || coalesce(b.chapters::text, '-') || '/' || coalesce(b.error_code, '-') || ' alone ' || e.status || '/' || coalesce(e.chapters::text, '-'), '; ') FROM bookparse.book b JOIN public.load_expect e ON e.filename = substr(b.filename, length('$tag:') + 1) WHERE $in AND (b.status IS DISTINCT FROM e.status OR b.chapters IS DISTINCT FROM e.chapters OR b.error_code IS DISTINCT FROM e.error_code)"
		),
		'',
		"$tag: every book ended as it does alone (status, chapters, error code)");
	is( $node->safe_psql(
			'postgres',
			"SELECT count(*) FROM bookparse.book b WHERE $in AND (SELECT count(*) FROM bookparse.chapter c WHERE c.book_id = b.id) <> coalesce(CASE WHEN b.status = 'parsed' THEN b.chapters END, 0)"
		),
		'0',
		"$tag: every parsed book has all its chapters once, the others none");
	return;
}

# bookparse.status against the tables (as the superuser).
sub check_status
{
	my ($node, $what) = @_;
	is( $node->safe_psql(
			'postgres',
			"SELECT s.queued = (SELECT count(*) FROM bookparse.job WHERE state = 'queued') AND s.running = 0 AND s.parsed = (SELECT count(*) FROM bookparse.book WHERE status = 'parsed') AND s.failed = (SELECT count(*) FROM bookparse.book WHERE status = 'failed') FROM bookparse.status s"
		),
		't',
		"$what: bookparse.status counts right");
	return;
}

1;
