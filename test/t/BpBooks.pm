# BpBooks.pm: the books the TAP tests submit (shared by test/t/*.pl).
#
#   use lib dirname(__FILE__);
#   use BpBooks;
#   my @books = BpBooks::real_books(max_size => 5 * 1024 * 1024);
#
# Returns [path, name] pairs: the corpus EPUB/FB2 books (BP_CORPUS, default
# ../shared/corpus next to the checkout) when it exists, else the sample
# books (BP_SAMPLES, default build/samples, made by test/make_samples.py
# when absent).  max_size leaves out bigger corpus files.
package BpBooks;

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Utils;

my $root = abs_path(dirname(__FILE__) . '/../..');

# The sample books' directory, made when missing.
sub samples_dir
{
	my $samples = $ENV{BP_SAMPLES} // "$root/build/samples";
	if (!-f "$samples/sample.epub")
	{
		$samples = PostgreSQL::Test::Utils::tempdir() . '/samples';
		system('/usr/bin/python3', "$root/test/make_samples.py", $samples) == 0
		  or die 'cannot make the sample books';
	}
	return abs_path($samples);
}

# Real books to submit: [path, name] pairs (see above).
sub real_books
{
	my %opt = @_;
	my @books;
	my $corpus = $ENV{BP_CORPUS} // "$root/../shared/corpus";
	if ($corpus ne '' && -f "$corpus/MANIFEST.tsv")
	{
		$corpus = abs_path($corpus);
		foreach my $dir ('epub', 'fb2', 'derived')
		{
			foreach my $f (sort glob("$corpus/$dir/*"))
			{
				next unless -f $f && -s $f;
				next if $opt{max_size} && -s $f > $opt{max_size};
				push @books, [ $f, "$dir/" . (split m{/}, $f)[-1] ];
			}
		}
		return @books if @books;
	}
	# reported, not passed silently: the corpus parts did not run
	Test::More::diag("SKIPPED: the corpus books (no MANIFEST.tsv in "
		  . ($corpus eq '' ? 'BP_CORPUS' : $corpus)
		  . '): the sample books instead');
	my $samples = samples_dir();
	foreach my $f ('sample.epub', 'sample-epub2.epub', 'sample.fb2',
		'sample.fb2.zip', 'sample.txt')
	{
		push @books, [ "$samples/$f", $f ] if -f "$samples/$f";
	}
	return @books;
}

1;
