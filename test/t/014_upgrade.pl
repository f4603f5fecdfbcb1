# ALTER EXTENSION bookparse UPDATE from the released 0.1.0:
#  - a database with 0.1.0, parsed and failed books, a user role with
#    grants, is updated; every book, chapter, asset and job is unchanged,
#    the role keeps its grants, and a new submit parses;
#  - an index and a generated column on parse() (legal in 0.1.0, where it
#    was IMMUTABLE) are named by a WARNING of the update;
#  - the library serves both while the update is pending: background
#    workers parse a book on 0.1.0 (without scenes, whose table 0.1.0
#    lacks) and go on after the update (with scenes);
#  - a library older than the installed extension (a package downgraded:
#    the catalog is made to say 99.0.0) is a clear error, not a crash:
#    submit() raises 55000 naming both versions, the launcher logs it and
#    starts no worker, a queued job waits; with the version back, the
#    workers parse it; a function the library lacks is PostgreSQL's error;
#  - the updated database equals a fresh CREATE EXTENSION bookparse:
#    pg_dump --schema-only, and (since pg_dump leaves out the members of an
#    extension) the catalog of every object of the schema.
use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use lib dirname(__FILE__);
use BpBooks;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 0
bookparse.naptime = '100ms'
});
$node->start;

my $samples = BpBooks::samples_dir();

# ---- 0.1.0 with books in it ----
$node->safe_psql('postgres', 'CREATE DATABASE up');
# the launcher serves up (set once it exists: no connection backoff)
$node->append_conf('postgresql.conf', "bookparse.database = 'up'");
$node->restart;
$node->safe_psql('up', "CREATE EXTENSION bookparse VERSION '0.1.0'");
is($node->safe_psql('up',
		"SELECT extversion FROM pg_extension WHERE extname = 'bookparse'"),
	'0.1.0', 'installed as 0.1.0');

my @files = grep { -f "$samples/$_" }
  ('sample.epub', 'sample-epub2.epub', 'sample.fb2', 'sample.fb2.zip', 'sample.txt');
ok(@files >= 4, 'sample books: ' . join(', ', @files));
foreach my $f (@files)
{
	$node->safe_psql('up',
		"SELECT bookparse.submit(pg_read_binary_file('$samples/$f'), '$f')");
}
# real books too (the corpus' EPUB and FB2 books up to 200 kB, when there
# is a corpus; else the samples once more)
my @real = BpBooks::real_books(max_size => 200 * 1024);
@real = @real[ 0 .. 7 ] if @real > 8;
foreach my $b (@real)
{
	$node->safe_psql('up',
		"SELECT bookparse.submit(pg_read_binary_file('$b->[0]'), 'real:$b->[1]')");
}
my $nreal = scalar(@real);
note("real books: " . join(', ', map { $_->[1] } @real));
# a failed book, and a role that submits its own (row-level security)
$node->safe_psql('up', q{
SELECT bookparse.submit('\x255044462d312e340a'::bytea, 'report.pdf');
CREATE ROLE bp_app LOGIN;
GRANT bookparse_writer TO bp_app;
-- a grant of the user's own on an extension object: pg_dump must keep it
GRANT SELECT ON bookparse.workers TO bp_app;
SET ROLE bp_app;
SELECT bookparse.submit(convert_to('The app wrote this. Two sentences.', 'UTF8'), 'app.txt');
});
is($node->safe_psql('up', 'SELECT bookparse.run_queue()'),
	scalar(@files) + $nreal + 2, 'run_queue() ran every job on 0.1.0');

# Set bookparse.max_workers and wait until the workers' number fits it.
sub set_workers
{
	my ($n) = @_;
	$node->append_conf('postgresql.conf', "bookparse.max_workers = $n");
	$node->reload;
	return if $n > 0;
	$node->poll_query_until('up', 'SELECT count(*) = 0 FROM bookparse.workers')
	  or die 'the workers did not exit';
	return;
}

# Submit a text book and wait for it (at most 60 s); returns
# "status,parsed by a worker" (a worker's pid, not this session's).
sub parse_by_worker
{
	my ($name) = @_;
	my $id = $node->safe_psql('up',
		"SELECT bookparse.submit(convert_to('A book for the workers. It has two sentences.', 'UTF8'), '$name')");
	# (two statements: the second sees what the wait waited for)
	return $node->safe_psql('up', qq{
SELECT bookparse.wait($id, '60s');
SELECT (SELECT worker_pid IS NOT NULL AND worker_pid <> pg_backend_pid()
          FROM bookparse.job WHERE book_id = $id ORDER BY id DESC LIMIT 1)})
	  =~ s/\n/,/r;
}

# ---- the workers on 0.1.0, with this library ----
set_workers(2);
is(parse_by_worker('worker-0.1.0.txt'), 'parsed,t',
	'0.1.0: a background worker of this library parses a book');
set_workers(0);
# a book still queued at the update, and one reparsed then canceled
$node->safe_psql('up', q{
SELECT bookparse.submit(convert_to('Queued across the update.', 'UTF8'), 'queued.txt');
SELECT bookparse.reparse(id) FROM bookparse.book WHERE filename = 'sample.txt';
SELECT bookparse.cancel(id) FROM bookparse.book WHERE filename = 'sample.txt';
});

# everything the tables hold, as one text per table
my %snapshot_sql = (
	book => q{SELECT string_agg(md5(row(b.*)::text), ',' ORDER BY id) FROM bookparse.book b},
	# the columns of 0.1.0 (0.2.0 adds search_config and search_vector)
	chapter => q{SELECT count(*) || ':' || md5(string_agg(md5(row(c.book_id, c.number, c.title, c.depth, c.source, c.is_notes, c.text, c.html, c.words, c.sentences, c.characters, c.paragraphs)::text), ',' ORDER BY book_id, number)) FROM bookparse.chapter c},
	# the columns of 0.1.0: 0.2.0 adds submitted_by (NULL for these, see below)
	asset => q{SELECT count(*) || ':' || md5(string_agg(md5(row(a.book_id, a.href, a.media_type, a.byte_size, a.data, a.is_cover)::text), ',' ORDER BY book_id, href)) FROM bookparse.asset a},
	# the columns of 0.1.0: 0.2.0 adds job.node and job.submitted_by (NULL
	# for these, see below)
	job => q{SELECT string_agg(md5(row(j.id, j.book_id, j.state, j.priority, j.attempts,
		j.run_after, j.enqueued_at, j.started_at, j.finished_at, j.worker_pid, j.error,
		j.error_code, j.duration_ms, j.peak_memory_bytes)::text), ',' ORDER BY id) FROM bookparse.job j},
	queue_state => q{SELECT row(q.*)::text FROM bookparse.queue_state q},
	sequences => q{SELECT (SELECT last_value FROM bookparse.book_id_seq) || ',' || (SELECT last_value FROM bookparse.job_id_seq)},
	app_sees => q{SET ROLE bp_app; SELECT string_agg(filename, ',' ORDER BY id) FROM bookparse.book},
);
my %before;
$before{$_} = $node->safe_psql('up', $snapshot_sql{$_}) foreach keys %snapshot_sql;
is($node->safe_psql('up',
		q{SELECT string_agg(status, ',' ORDER BY id) FROM bookparse.book}),
	join(',', ('parsed') x (@files + $nreal), 'failed', 'parsed', 'parsed', 'queued'),
	'0.1.0: books parsed, failed and queued');
cmp_ok($node->safe_psql('up', 'SELECT count(*) FROM bookparse.chapter'),
	'>', scalar(@files), '0.1.0: chapters stored');
is($before{app_sees}, 'app.txt', '0.1.0: the app role sees its own book');

# ---- ALTER EXTENSION bookparse UPDATE ----
$node->safe_psql('up', 'ALTER EXTENSION bookparse UPDATE');
is($node->safe_psql('up',
		"SELECT extversion FROM pg_extension WHERE extname = 'bookparse'"),
	'0.2.0', 'updated to 0.2.0');
foreach my $k (sort keys %snapshot_sql)
{
	is($node->safe_psql('up', $snapshot_sql{$k}),
		$before{$k}, "after the update: $k unchanged");
}
# the chapters parsed before are searchable, in their book's language
is($node->safe_psql('up', q{
SELECT count(*) FILTER (WHERE c.search_vector IS NULL OR c.search_vector = ''::tsvector)
	   || ',' || count(*) FILTER (WHERE b.language = 'en' AND c.search_config <> 'english'::regconfig)
  FROM bookparse.chapter c JOIN bookparse.book b ON b.id = c.book_id
 WHERE c.text <> ''}),
	'0,0', 'after the update: every chapter with text has a search vector in its book\'s configuration');
cmp_ok($node->safe_psql('up', q{
SELECT count(*) FROM bookparse.book b,
	   LATERAL bookparse.search_book(b.id, split_part((SELECT c.text FROM bookparse.chapter c WHERE c.book_id = b.id AND c.text <> '' ORDER BY c.number LIMIT 1), ' ', 1)) s}),
	'>', 0, 'after the update: search_book() finds the first word of a book');
is($node->safe_psql('up', 'SELECT count(*) FROM bookparse.job WHERE node IS NOT NULL'),
	'0', 'after the update: job.node is NULL for the jobs of a single server');
# the copy of the book's submitted_by (read by row-level security on a
# Citus cluster): NULL on the rows stored before, no table rewrite for it
is($node->safe_psql('up', q{
SELECT (SELECT count(*) FROM bookparse.chapter WHERE submitted_by IS NOT NULL)
	 + (SELECT count(*) FROM bookparse.asset WHERE submitted_by IS NOT NULL)
	 + (SELECT count(*) FROM bookparse.job WHERE submitted_by IS NOT NULL)}),
	'0', 'after the update: submitted_by is NULL on the rows stored before it');
is($node->safe_psql('up', q{
SELECT string_agg(proname || '=' || provolatile::text, ',' ORDER BY proname) FROM pg_proc
 WHERE pronamespace = 'bookparse'::regnamespace
   AND proname IN ('parse', 'parse_chapters', 'detect_format', 'describe_format')}),
	'describe_format=i,detect_format=i,parse=s,parse_chapters=s',
	'parse() and parse_chapters() are STABLE now');
is($node->safe_psql('up', q{
SELECT pg_has_role('bp_app', 'bookparse_writer', 'MEMBER')
   AND has_table_privilege('bp_app', 'bookparse.workers', 'SELECT')}),
	't', 'the app role keeps its membership and its own grant');

# a new submit parses, the queued book too, and the app role works as before
my $new = $node->safe_psql('up',
	"SELECT bookparse.submit(pg_read_binary_file('$samples/$files[0]'), 'after.epub')");
$node->safe_psql('up', q{
SET ROLE bp_app;
SELECT bookparse.submit(convert_to('Written after the update.', 'UTF8'), 'app2.txt');
});
is($node->safe_psql('up', 'SELECT bookparse.run_queue()'),
	'3', 'run_queue() after the update: the queued book and two new ones');
is($node->safe_psql('up',
		q{SELECT string_agg(status, ',' ORDER BY id) FROM bookparse.book
		   WHERE filename IN ('queued.txt', 'after.epub', 'app2.txt')}),
	'parsed,parsed,parsed', 'they are parsed');
is($node->safe_psql('up',
		"SELECT string_agg(row(title, chapters, words, sentences, metadata)::text, ' | ' ORDER BY id) FROM bookparse.book WHERE id = $new"),
	$node->safe_psql('up',
		"SELECT string_agg(row(title, chapters, words, sentences, metadata)::text, ' | ' ORDER BY id) FROM bookparse.book WHERE filename = '$files[0]'"),
	'the new parse of a book equals its parse on 0.1.0');
is($node->safe_psql('up',
		q{SET ROLE bp_app; SELECT string_agg(filename, ',' ORDER BY id) FROM bookparse.book}),
	'app.txt,app2.txt', 'the app role sees its two books, no other');
is($node->safe_psql('up', q{
SELECT count(*) > 0 AND bool_and(c.submitted_by = 'bp_app' AND j.submitted_by = 'bp_app')
  FROM bookparse.book b
  JOIN bookparse.job j ON j.book_id = b.id
  JOIN bookparse.chapter c ON c.book_id = b.id
 WHERE b.filename = 'app2.txt'}),
	't', 'after the update: new books and their jobs and chapters carry the submitted_by');

# ---- the workers go on after the update, now with scenes ----
is($node->safe_psql('up', 'SELECT extension || \',\' || status FROM bookparse.version()'),
	'0.2.0,ok', 'version(): the extension is at the library\'s version');
set_workers(2);
is(parse_by_worker('worker-0.2.0.txt'), 'parsed,t',
	'after the update: a background worker parses a book');
my $moby = (grep { $_->[1] =~ /moby-dick/ } BpBooks::real_books())[0]
  // [ "$samples/sample.epub", 'sample.epub' ];
my $scene_book = $node->safe_psql('up',
	"SELECT bookparse.submit(pg_read_binary_file('$moby->[0]'), 'scenes:$moby->[1]')");
is($node->safe_psql('up', "SELECT bookparse.wait($scene_book, '120s')"),
	'parsed', "after the update: a worker parses $moby->[1]");
SKIP:
{
	skip 'no corpus: the sample book has no scenes to find', 1
	  unless $moby->[1] =~ /moby-dick/;
	cmp_ok($node->safe_psql('up', "SELECT count(*) FROM bookparse.scene WHERE book_id = $scene_book"),
		'>', 0, 'and stores its scenes (the table 0.2.0 added)');
}

# ---- a library older than the installed extension ----
# What a downgraded package looks like from the library: the catalog
# says 99.0.0.
my $log_offset = -s $node->logfile;
$node->safe_psql('up',
	"UPDATE pg_extension SET extversion = '99.0.0' WHERE extname = 'bookparse'");
my ($mrc, $mout, $merr) = $node->psql('up',
	"SELECT bookparse.submit(convert_to('Refused.', 'UTF8'), 'refused.txt')");
isnt($mrc, 0, 'library older than the extension: submit() fails');
like($merr,
	qr/ERROR:  bookparse library 0\.2\.0 cannot serve the installed extension version 99\.0\.0\n.*DETAIL:  This library serves extension versions 0\.1\.0 to 0\.2\.0.*\n.*HINT:  Install the bookparse package \(or make install\) of version 99\.0\.0 or later/s,
	'with a clear error naming both versions and what to do');
ok($node->wait_for_log(
		qr/WARNING:  bookparse launcher: library 0\.2\.0 cannot serve extension version 99\.0\.0 in database "up"; no worker is started/,
		$log_offset),
	'the launcher logs it');
$node->poll_query_until('up', 'SELECT count(*) = 0 FROM bookparse.workers')
  or die 'the idle workers did not exit';
# a book queued behind the library's back (as a newer library would)
my $waiting = $node->safe_psql('up', q{
WITH b AS (INSERT INTO bookparse.book (filename, content, content_sha256, byte_size, format, status)
           SELECT 'waiting.txt', c, sha256(c), octet_length(c), 'txt', 'queued'
             FROM convert_to('Waits for a library that knows the schema.', 'UTF8') AS c
           RETURNING id)
INSERT INTO bookparse.job (book_id) SELECT id FROM b RETURNING book_id});
# two seconds are twenty of the launcher's rounds
sleep(2);
is($node->safe_psql('up',
		"SELECT status || ',' || (SELECT count(*) FROM bookparse.workers) FROM bookparse.book WHERE id = $waiting"),
	'queued,0', 'no worker starts and the queued book waits');
is($node->safe_psql('up', 'SELECT extension || \',\' || status FROM bookparse.version()'),
	'99.0.0,unsupported', 'version() says why');
# a function the installed SQL declares but this library lacks
($mrc, $mout, $merr) = $node->psql('up',
	"CREATE FUNCTION bookparse.future() RETURNS int AS '\$libdir/bookparse', 'bookparse_future' LANGUAGE C");
like($merr, qr/ERROR:  could not find function "bookparse_future" in file ".*bookparse\.so"/,
	'a function missing from the library is an ERROR');
is($node->safe_psql('up', 'SELECT 1'), '1', 'the server is up');
# the matching library again (here: the catalog put back)
$node->safe_psql('up',
	"UPDATE pg_extension SET extversion = '0.2.0' WHERE extname = 'bookparse'");
is($node->safe_psql('up', "SELECT bookparse.wait($waiting, '60s')"),
	'parsed', 'with the version back, the launcher starts a worker and the book is parsed');
set_workers(0);

# ---- objects that need an IMMUTABLE parse() are named ----
$node->safe_psql('postgres', 'CREATE DATABASE dep');
$node->safe_psql('dep', q{
CREATE EXTENSION bookparse VERSION '0.1.0';
CREATE TABLE uploads (content bytea,
	words int GENERATED ALWAYS AS ((bookparse.parse(content)->'stats'->>'words')::int) STORED);
CREATE INDEX uploads_format ON uploads ((bookparse.parse(content)->>'format'));
CREATE INDEX uploads_detect ON uploads (bookparse.detect_format(content));
});
my ($rc, $out, $err) = $node->psql('dep', 'ALTER EXTENSION bookparse UPDATE');
is($rc, 0, 'the update goes through with such objects');
like($err,
	qr/WARNING:  bookparse\.parse\(\) and bookparse\.parse_chapters\(\) are now STABLE.*default value for column words of table public\.uploads; index public\.uploads_format\n/,
	'a WARNING names the generated column and the index on parse()');
unlike($err, qr/uploads_detect/, 'but not the index on detect_format(), still IMMUTABLE');

# ---- the updated schema equals a fresh install ----
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION bookparse');
is($node->safe_psql('fresh',
		"SELECT extversion FROM pg_extension WHERE extname = 'bookparse'"),
	'0.2.0', 'a fresh install is 0.2.0');

# Pass when two lists of lines hold the same lines (with the same
# counts); otherwise fail and show the lines only one side has.
sub same_lines
{
	my ($got, $want, $name) = @_;
	my %n;
	$n{$_}++ foreach @$got;
	$n{$_}-- foreach @$want;
	my @diff;
	foreach my $l (sort keys %n)
	{
		push @diff, "updated only: $l" if $n{$l} > 0;
		push @diff, "fresh only:   $l" if $n{$l} < 0;
	}
	ok(!@diff, $name) or diag(join("\n", @diff));
	return;
}

# pg_dump --schema-only, lines sorted
sub dump_lines
{
	my ($db) = @_;
	my ($stdout, $stderr) = run_command(
		[ 'pg_dump', '--schema-only', '-d', $node->connstr($db) ]);
	is($stderr, '', "pg_dump of $db: no errors");
	return sort split /\n/, $stdout;
}
my @up = dump_lines('up');
my @fresh = dump_lines('fresh');
# Differences that carry no schema and must be ignored:
#  - \restrict / \unrestrict KEY (pg_dump 15.14 and later): a random key
#    per run, protecting the restore from psql meta-commands in the dump;
#  - the GRANT of this test's own to bp_app above: a user's change that a
#    dump must keep (checked here, then left out of the comparison), and
#    with it the "-- Name: TABLE workers; Type: ACL" header pg_dump writes
#    before it: so "--" comment lines and blank lines are left out, they
#    only repeat the names of the statements that follow them.
my $user_grant = 'GRANT SELECT ON TABLE bookparse.workers TO bp_app;';
ok((grep { $_ eq $user_grant } @up), "the dump of the updated database keeps the user's grant");
my $ignore = qr/^(?:\\(?:un)?restrict |--|$)/;
my @up_cmp = grep { !/$ignore/ && $_ ne $user_grant } @up;
my @fresh_cmp = grep { !/$ignore/ } @fresh;
ok((grep { /^CREATE EXTENSION IF NOT EXISTS bookparse / } @fresh_cmp), 'the fresh dump has statements to compare');
same_lines(\@up_cmp, \@fresh_cmp,
	'pg_dump --schema-only: updated database = fresh install');

# The catalog of every object of the schema: pg_dump shows neither the
# definitions nor the comments of an extension's members, only ACLs that
# differ from their initial ones.  One line per fact, sorted.
my $catalog_sql = q{
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'bookparse'),
rels AS (SELECT c.oid, c.relname FROM pg_class c
          WHERE c.relnamespace = 'bookparse'::regnamespace)
SELECT line FROM (
  SELECT 'schema ' || nspname || ' ' || coalesce(nspacl::text, '') || ' '
         || coalesce(obj_description(oid, 'pg_namespace'), '')
    FROM pg_namespace WHERE nspname = 'bookparse'
  UNION ALL
  SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
    FROM pg_depend WHERE refclassid = 'pg_extension'::regclass
     AND refobjid = (SELECT oid FROM ext) AND deptype = 'e'
  UNION ALL
  SELECT 'function ' || p.oid::regprocedure || ' ' || pg_get_function_result(p.oid)
         || ' args(' || pg_get_function_arguments(p.oid) || ') ' || p.provolatile::text
         || p.proparallel::text || p.proisstrict::text || p.prosecdef::text || ' cost ' || p.procost
         || ' rows ' || p.prorows || ' ' || (SELECT lanname FROM pg_language WHERE oid = p.prolang) || ' '
         || coalesce(p.proconfig::text, '') || ' ' || md5(p.prosrc) || ' '
         || coalesce(p.proacl::text, '') || ' ' || coalesce(obj_description(p.oid, 'pg_proc'), '')
    FROM pg_proc p WHERE p.pronamespace = 'bookparse'::regnamespace
  UNION ALL
  SELECT 'relation ' || r.relname || ' ' || c.relkind::text || ' rls ' || c.relrowsecurity
         || ' ' || coalesce(c.reloptions::text, '') || ' ' || coalesce(c.relacl::text, '')
         || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '')
         || CASE WHEN c.relkind = 'v' THEN ' ' || pg_get_viewdef(c.oid) ELSE '' END
    FROM rels r JOIN pg_class c ON c.oid = r.oid
  UNION ALL
  SELECT 'column ' || r.relname || '.' || a.attname || ' ' || a.attnum || ' '
         || format_type(a.atttypid, a.atttypmod) || ' notnull ' || a.attnotnull
         || ' identity ' || a.attidentity::text || ' storage ' || a.attstorage::text
         || ' compression ' || a.attcompression::text || ' '
         || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' '
         || coalesce(a.attacl::text, '') || ' ' || coalesce(col_description(r.oid, a.attnum), '')
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN rels r ON r.oid = i.indrelid
  UNION ALL
  SELECT 'constraint ' || r.relname || ' ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
    FROM pg_constraint co JOIN rels r ON r.oid = co.conrelid
  UNION ALL
  SELECT 'policy ' || r.relname || ' ' || po.polname || ' ' || po.polcmd::text || ' '
         || po.polpermissive || ' ' || po.polroles::regrole[]::text || ' '
         || coalesce(pg_get_expr(po.polqual, po.polrelid), '') || ' '
         || coalesce(pg_get_expr(po.polwithcheck, po.polrelid), '')
    FROM pg_policy po JOIN rels r ON r.oid = po.polrelid
  UNION ALL
  -- (foreign keys' internal triggers have names from their oids: the
  -- constraints above say the same)
  SELECT 'trigger ' || r.relname || ' ' || pg_get_triggerdef(t.oid)
    FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT 'config ' || extconfig::regclass[]::text || ' ' || extcondition::text
    FROM pg_extension WHERE extname = 'bookparse'
  UNION ALL
  SELECT 'initpriv ' || pg_describe_object(ip.classoid, ip.objoid, ip.objsubid)
         || ' ' || ip.privtype::text || ' ' || ip.initprivs::text
    FROM pg_init_privs ip
   WHERE (ip.classoid = 'pg_namespace'::regclass AND ip.objoid = 'bookparse'::regnamespace)
      OR (ip.classoid = 'pg_class'::regclass AND ip.objoid IN (SELECT oid FROM rels))
      OR (ip.classoid = 'pg_proc'::regclass AND ip.objoid IN
          (SELECT oid FROM pg_proc WHERE pronamespace = 'bookparse'::regnamespace))
) AS l(line)
ORDER BY line
};
my $cat_up = $node->safe_psql('up', $catalog_sql);
my $cat_fresh = $node->safe_psql('fresh', $catalog_sql);
# the grant to bp_app made above is the one expected difference
my $cat_up_cmp = join("\n",
	map { s/,bp_app=r\/\w+//r } split /\n/, $cat_up);
my @cat_lines = split /\n/, $cat_fresh;
cmp_ok(scalar(@cat_lines), '>', 150, 'the catalog listing is complete enough to compare');
same_lines([ split /\n/, $cat_up_cmp ], \@cat_lines,
	'catalog of the schema: updated database = fresh install');

$node->stop;
done_testing();
