# Operations with the background workers:
#  - bookparse.keep_history: the launcher deletes finished jobs by itself,
#    at once when a reload changes the setting and then periodically
#    (hourly; bookparse.debug_purge_interval shortens it for this test);
#  - bookparse.pause() stops the workers from taking jobs (the launcher
#    starts none) and the state survives a restart; resume() lets them go;
#  - bookparse.worker_role: empty, workers run as the extension's owner;
#    set, as that role; a role that does not qualify is logged once and no
#    worker starts.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('retention');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'bookparse'
bookparse.max_workers = 2
bookparse.naptime = '100ms'
bookparse.keep_history = -1
max_worker_processes = 16
});
$node->start;
# the extension belongs to bp_owner, not to the bootstrap superuser
$node->safe_psql('postgres', q{
CREATE ROLE bp_owner LOGIN SUPERUSER;
SET ROLE bp_owner;
CREATE EXTENSION bookparse;
});

# Submit a small plain-text book and wait until it is parsed; its id.
sub parse_one
{
	my ($name) = @_;
	my $id = $node->safe_psql('postgres',
		"SELECT bookparse.submit(convert_to(repeat('A line of the $name book. ', 30), 'UTF8'), '$name.txt')"
	);
	is($node->safe_psql('postgres', "SELECT bookparse.wait($id, '60s')"),
		'parsed', "$name: parsed by a worker");
	return $id;
}

# Wait until no parse worker runs.
sub no_workers
{
	$node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'bookparse worker'")
	  or die 'workers did not exit';
}

# ---- keep_history ----
my $b1 = parse_one('first');
sleep(2);
is($node->safe_psql('postgres', 'SELECT count(*) FROM bookparse.job'),
	'1', 'keep_history = -1 keeps the history');

my $offset = -s $node->logfile;
$node->safe_psql('postgres', "ALTER SYSTEM SET bookparse.keep_history = '1s'");
$node->reload;
$node->poll_query_until('postgres', 'SELECT count(*) = 0 FROM bookparse.job')
  or die 'history not purged after the reload';
pass('a reload with a short keep_history purges at once');
$node->wait_for_log(qr/deleted 1 finished job\(s\) older than bookparse.keep_history \(1 s\)/,
	$offset);
pass('and logs it');
is($node->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $b1"),
	'parsed', 'the book and its results stay');

# periodic: no reload needed once the interval passes
$node->safe_psql('postgres',
	"ALTER SYSTEM SET bookparse.debug_purge_interval = '500ms'");
$node->reload;
my $b2 = parse_one('second');
$node->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM bookparse.job WHERE book_id = $b2")
  or die 'history not purged periodically';
pass('the launcher purges again by itself');

# keep the history from here on
$node->safe_psql('postgres',
	"ALTER SYSTEM SET bookparse.keep_history = -1; SELECT pg_reload_conf();");
sleep(1);

# ---- pause / resume ----
is($node->safe_psql('postgres', 'SELECT bookparse.pause()'), 't', 'pause()');
no_workers();    # idle workers exit after 10 naptimes
my $b3 = $node->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('Paused queue. ', 30), 'UTF8'), 'paused.txt')");
sleep(2);
is($node->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $b3"),
	'queued', 'while paused the book stays queued');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'bookparse worker'"),
	'0',
	'and no worker runs');
$node->restart;
sleep(2);
is($node->safe_psql('postgres', 'SELECT paused FROM bookparse.status'),
	't', 'the pause survives a restart');
is($node->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $b3"),
	'queued', 'the book still waits');
is($node->safe_psql('postgres', 'SELECT bookparse.resume()'), 't', 'resume()');
is($node->safe_psql('postgres', "SELECT bookparse.wait($b3, '60s')"),
	'parsed', 'the workers take the job after resume()');

# ---- worker_role ----
# a trigger notes who stores the chapters
$node->safe_psql('postgres', q{
CREATE TABLE public.who (cur name, ses name);
GRANT INSERT ON public.who TO PUBLIC;
CREATE FUNCTION public.note_who() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.who VALUES (current_user, session_user);
	RETURN NEW;
END $$;
CREATE TRIGGER note_who AFTER INSERT ON bookparse.chapter
	FOR EACH ROW EXECUTE FUNCTION public.note_who();
});
my $b4a = parse_one('owner');
is($node->safe_psql('postgres', 'SELECT DISTINCT cur || \' \' || ses FROM public.who'),
	'bp_owner bp_owner', 'with worker_role empty, the worker ran as the extension owner');
$node->safe_psql('postgres', q{
TRUNCATE public.who;
CREATE ROLE bp_worker LOGIN IN ROLE bookparse_admin;
CREATE ROLE bp_nologin IN ROLE bookparse_admin;
ALTER SYSTEM SET bookparse.worker_role = 'bp_worker';
SELECT pg_reload_conf();
});
sleep(1);
my $b4 = parse_one('role');
is($node->safe_psql('postgres', 'SELECT DISTINCT cur || \' \' || ses FROM public.who'),
	'bp_worker bp_worker', 'the worker ran as bookparse.worker_role');
$node->safe_psql('postgres', 'DROP TRIGGER note_who ON bookparse.chapter');

$offset = -s $node->logfile;
$node->safe_psql('postgres', q{
ALTER SYSTEM SET bookparse.worker_role = 'bp_nologin';
SELECT pg_reload_conf();
});
no_workers();    # the workers of bp_worker go idle and exit
my $b5 = $node->safe_psql('postgres',
	"SELECT bookparse.submit(convert_to(repeat('Nobody may parse this. ', 30), 'UTF8'), 'norole.txt')");
$node->wait_for_log(qr/bookparse.worker_role "bp_nologin" has no LOGIN; no parse worker starts/,
	$offset);
pass('a worker_role without LOGIN is refused with a clear message');
sleep(1);
my $log = slurp_file($node->logfile, $offset);
my @warnings = ($log =~ /bookparse.worker_role "bp_nologin"/g);
is(scalar(@warnings), 1, 'logged once, not every naptime');
is($node->safe_psql('postgres', "SELECT status FROM bookparse.book WHERE id = $b5"),
	'queued', 'the book waits for a valid worker_role');
$node->safe_psql('postgres', q{
ALTER SYSTEM RESET bookparse.worker_role;
SELECT pg_reload_conf();
});
is($node->safe_psql('postgres', "SELECT bookparse.wait($b5, '60s')"),
	'parsed', 'parsed once worker_role is reset');

# ---- a second database: the roles exist already, the install still works ----
$node->safe_psql('postgres', 'CREATE DATABASE second');
$node->safe_psql('second', 'CREATE EXTENSION bookparse');
is( $node->safe_psql(
		'second', q{
SELECT count(*) FROM pg_roles
 WHERE rolname IN ('bookparse_reader', 'bookparse_writer', 'bookparse_admin')}),
	'3',
	'a second database reuses the three roles');
$node->safe_psql('second', 'DROP EXTENSION bookparse; CREATE EXTENSION bookparse;');
pass('DROP and CREATE EXTENSION again');

$node->stop;
done_testing();
