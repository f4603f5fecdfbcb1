#!/bin/bash
# bookparse-copy-back.sh: take a library off a Citus cluster, back to a
# single server (docs/scale-out.md, "Taking it back").
#
#   bookparse-copy-back.sh FROM_DB TO_DB [DIR]
#
# FROM_DB is the database on the Citus coordinator, TO_DB a database on the
# single server (bookparse installed or not; no Citus needed).  Both are
# reached with psql and the usual PGHOST/PGPORT/PGUSER (or connection
# strings: "host=old dbname=library" "host=new dbname=library"), as a
# superuser.  DIR (default a temporary one) holds one binary COPY file per
# table while it runs.
#
# It pauses the queue on the cluster and waits for its running jobs to
# end, copies book, chapter, asset, scene and job (every column but the
# generated ones, which the single server computes again, search vectors
# included) into TO_DB with its queue paused, sets the id sequences past
# the copied ids and resumes the queue there.  The cluster stays paused
# with its data: drop it once the single server serves the application.
set -eu -o pipefail

FROM=${1:?usage: bookparse-copy-back.sh FROM_DB TO_DB [DIR]}
TO=${2:?usage: bookparse-copy-back.sh FROM_DB TO_DB [DIR]}
DIR=${3:-$(mktemp -d)}
mkdir -p "$DIR"

from() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$FROM" "$@"; }
to() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TO" "$@"; }

# the cluster: no new job starts; the running ones end (at most 10 min)
from -c "SELECT bookparse.pause()" >/dev/null
for _ in $(seq 1 600); do
	[ "$(from -c "SELECT count(*) FROM bookparse.job WHERE state = 'running'")" = 0 ] && break
	sleep 1
done
[ "$(from -c "SELECT count(*) FROM bookparse.job WHERE state = 'running'")" = 0 ] ||
	{ echo "bookparse-copy-back: jobs still running on the cluster after 10 min" >&2; exit 1; }

to -c "CREATE EXTENSION IF NOT EXISTS bookparse" -c "SELECT bookparse.pause()" >/dev/null
# parents first: the foreign keys hold at every step
for t in book chapter asset scene job; do
	cols=$(from -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)
					  FROM pg_attribute
					 WHERE attrelid = 'bookparse.$t'::regclass AND attnum > 0
					   AND NOT attisdropped AND attgenerated = ''")
	from -c "\\copy (SELECT $cols FROM bookparse.$t) TO '$DIR/$t.copy' WITH (FORMAT binary)"
	to -c "\\copy bookparse.$t ($cols) FROM '$DIR/$t.copy' WITH (FORMAT binary)"
	echo "bookparse-copy-back: $t: $(to -c "SELECT count(*) FROM bookparse.$t") row(s)"
	rm -f "$DIR/$t.copy"
done
to -c "SELECT setval(pg_get_serial_sequence('bookparse.book', 'id'), coalesce(max(id), 0) + 1, false) FROM bookparse.book" \
	-c "SELECT setval(pg_get_serial_sequence('bookparse.job', 'id'), coalesce(max(id), 0) + 1, false) FROM bookparse.job" \
	-c "SELECT bookparse.resume()" >/dev/null
echo "bookparse-copy-back: done; the cluster's queue stays paused"
