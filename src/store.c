/*-------------------------------------------------------------------------
 *
 * store.c
 *	  Writing a parsed book's results through SPI: its chapters, assets,
 *	  scenes, metadata columns, the model as jsonb and its statistics.
 *
 * The caller (bp_queue_execute) runs this inside a subtransaction, so a
 * book's results are replaced all or nothing.  Chapters and assets are
 * written with one prepared single-row INSERT each: a book has tens to a
 * few hundred of them, and one row at a time keeps memory at one chapter
 * (a batch through arrays would copy every chapter's text once more).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "queue_int.h"

static SPIPlanPtr plan_delete_chapters = NULL;
static SPIPlanPtr plan_delete_assets = NULL;
static SPIPlanPtr plan_insert_chapter = NULL;
static SPIPlanPtr plan_insert_chapter_010 = NULL;
static SPIPlanPtr plan_search_config = NULL;
static SPIPlanPtr plan_insert_asset = NULL;
static SPIPlanPtr plan_insert_asset_010 = NULL;
static SPIPlanPtr plan_insert_scene = NULL;
static SPIPlanPtr plan_update_book = NULL;

/* Set values[i]/nulls[i] to a text datum of a NUL-terminated string or NULL. */
static void
set_text(Datum *values, char *nulls, int i, const char *s)
{
	if (s == NULL)
	{
		values[i] = (Datum) 0;
		nulls[i] = 'n';
	}
	else
	{
		values[i] = bp_pg_text_datum(s, strlen(s));
		nulls[i] = ' ';
	}
}

/* Set values[i]/nulls[i] to a text[] of the strings, or NULL when none. */
static void
set_text_array(Datum *values, char *nulls, int i, char **strs, int n)
{
	Datum	   *elems;
	int			k;
	int			m = 0;

	elems = palloc(sizeof(Datum) * Max(n, 1));
	for (k = 0; k < n; k++)
		if (strs[k] != NULL)
			elems[m++] = bp_pg_text_datum(strs[k], strlen(strs[k]));
	if (m == 0)
	{
		values[i] = (Datum) 0;
		nulls[i] = 'n';
		return;
	}
	values[i] = PointerGetDatum(construct_array(elems, m, TEXTOID, -1, false,
												TYPALIGN_INT));
	nulls[i] = ' ';
}

/* The book's authors: creators without a role or with role "aut". */
static void
set_authors(Datum *values, char *nulls, int i, const bp_metadata *meta)
{
	char	  **names;
	int			k;
	int			n = 0;

	names = palloc(sizeof(char *) * Max(meta->ncreators, 1));
	for (k = 0; k < meta->ncreators; k++)
	{
		const bp_creator *c = &meta->creators[k];

		if (c->name == NULL || c->name[0] == '\0')
			continue;
		if (c->role == NULL || c->role[0] == '\0' ||
			strcmp(c->role, "aut") == 0)
			names[n++] = c->name;
	}
	set_text_array(values, nulls, i, names, n);
}

/* The model as jsonb (bp_book_to_json), for the metadata column. */
static Datum
book_jsonb(const bp_book *book)
{
	char	   *json;
	size_t		len;
	Datum		txt;

	json = bp_book_to_json(book, &len);
	if (json == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory serialising the book model")));

	/* copy into palloc'd memory first so that no error leaks the malloc */
	PG_TRY();
	{
		txt = bp_pg_text_datum(json, len);
	}
	PG_FINALLY();
	{
		free(json);
	}
	PG_END_TRY();

	return DirectFunctionCall1(jsonb_in,
							   CStringGetDatum(text_to_cstring(DatumGetTextPP(txt))));
}

/* Delete the earlier chapters and assets of a book. */
static void
delete_old_results(int64 book_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];

	values[0] = Int64GetDatum(book_id);
	bp_spi_run(bp_spi_plan(&plan_delete_chapters,
						   "DELETE FROM bookparse.chapter WHERE book_id = $1",
						   1, argtypes),
			   values, NULL, SPI_OK_DELETE);
	bp_spi_run(bp_spi_plan(&plan_delete_assets,
						   "DELETE FROM bookparse.asset WHERE book_id = $1",
						   1, argtypes),
			   values, NULL, SPI_OK_DELETE);
	/* scenes go with their chapters (ON DELETE CASCADE) */
}

/* Most bytes held while storing the current book (model + one row). */
static size_t store_peak;

/* The job run whose book is being stored (its progress hook, stop checks). */
static BpJobRun *store_run;

/* Whether the schema is 0.2.0's; the book's submitted_by (see schema_020). */
static bool store_schema_020;
static Datum store_owner;
static bool store_owner_null;

/*
 * Count the row about to be written: the parsed book still held plus the
 * PostgreSQL memory of the row must stay within bookparse.work_mem.  Also
 * reports progress to the run; false when the run must stop (cancel(),
 * job_timeout, shutdown: run->stop says which), and nothing more is
 * written.
 */
static bool
note_row_memory(const bp_book *book, MemoryContext rowcxt, const char *what,
				int number, int total)
{
	size_t		held = book->held_memory +
		(size_t) MemoryContextMemAllocated(rowcxt, true);

	if (held > store_peak)
		store_peak = held;
	bp_pg_check_memory(held, what, number);
	return bp_job_progress(store_run, BP_PHASE_DONE, (size_t) number,
						   (size_t) total, held);
}

/*
 * Insert one row built in rowcxt, once its memory is counted; back to old
 * with rowcxt emptied.  False, with nothing written, when the run must
 * stop (see note_row_memory).
 */
static bool
store_row(SPIPlanPtr plan, Datum *values, const char *nulls,
		  const bp_book *book, MemoryContext rowcxt, MemoryContext old,
		  const char *what, int number, int total)
{
	bool		go = note_row_memory(book, rowcxt, what, number, total);

	if (go)
		bp_spi_run(plan, values, nulls, SPI_OK_INSERT);
	MemoryContextSwitchTo(old);
	MemoryContextReset(rowcxt);
	return go;
}

/*
 * The text search configuration of a book's chapters (docs/search.md):
 * bookparse.search_config() of its language and, for when the metadata
 * names none, the beginning of its longest chapter (at most
 * BP_SEARCH_SAMPLE bytes, cut between characters).  Asked once per book.
 */
#define BP_SEARCH_SAMPLE 4000
static Datum
book_search_config(const bp_book *book)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2];
	char		nulls[2];
	const bp_chapter *longest = NULL;
	bool		isnull;
	Datum		cfg;
	int			k;

	set_text(values, nulls, 0, book->meta.language);
	for (k = 0; k < book->nchapters; k++)
		if (book->chapters[k].text != NULL &&
			(longest == NULL || book->chapters[k].text_len > longest->text_len))
			longest = &book->chapters[k];
	if (longest == NULL || longest->text_len == 0)
	{
		values[1] = (Datum) 0;
		nulls[1] = 'n';
	}
	else
	{
		size_t		len = longest->text_len;

		if (len > BP_SEARCH_SAMPLE)
			len = pg_encoding_mbcliplen(PG_UTF8, longest->text, (int) len,
										BP_SEARCH_SAMPLE);
		values[1] = bp_pg_text_datum(longest->text, len);
		nulls[1] = ' ';
	}

	bp_spi_run(bp_spi_plan(&plan_search_config,
						   "SELECT bookparse.search_config($1, $2)",
						   2, argtypes),
			   values, nulls, SPI_OK_SELECT);
	if (SPI_processed != 1)
		elog(ERROR, "bookparse: search_config() returned %llu rows",
			 (unsigned long long) SPI_processed);
	cfg = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
						&isnull);
	if (isnull)
		elog(ERROR, "bookparse: search_config() returned NULL");
	/* regconfig is an Oid, passed by value: it outlives the tuple table */
	SPI_freetuptable(SPI_tuptable);
	return cfg;
}

/*
 * Whether the schema is 0.2.0's (chapter.search_config, submitted_by on
 * chapter and asset): not while the extension is still at 0.1.0 with this
 * library (ALTER EXTENSION bookparse UPDATE adds them), so that a library
 * newer than the installed schema goes on storing books.
 */
static bool
schema_020(void)
{
	return bp_schema_has_column("chapter", "search_config");
}

/*
 * Insert the chapters of a book, one prepared INSERT each.  The text search
 * configuration of every chapter is the book's (book_search_config); the
 * search vector is a generated column built from it.
 */
static void
insert_chapters(int64 book_id, const bp_book *book, MemoryContext rowcxt)
{
	Oid			argtypes[14] = {INT8OID, INT4OID, TEXTOID, INT4OID, TEXTOID,
		BOOLOID, TEXTOID, TEXTOID, INT8OID, INT8OID, INT8OID, INT8OID,
	REGCONFIGOID, NAMEOID};
	SPIPlanPtr	plan;
	Datum		cfg = (Datum) 0;
	int			i;

	if (store_schema_020)
	{
		cfg = book_search_config(book);
		plan = bp_spi_plan(&plan_insert_chapter,
						   "INSERT INTO bookparse.chapter (book_id, number, title,"
						   " depth, source, is_notes, text, html, words, sentences,"
						   " characters, paragraphs, search_config, submitted_by)"
						   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
						   " $12, $13, $14)",
						   14, argtypes);
	}
	else
		plan = bp_spi_plan(&plan_insert_chapter_010,
						   "INSERT INTO bookparse.chapter (book_id, number, title,"
						   " depth, source, is_notes, text, html, words, sentences,"
						   " characters, paragraphs)"
						   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
						   " $12)",
						   12, argtypes);

	for (i = 0; i < book->nchapters; i++)
	{
		const bp_chapter *ch = &book->chapters[i];
		Datum		values[14];
		char		nulls[14];
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		memset(nulls, ' ', sizeof(nulls));
		values[12] = cfg;
		values[13] = store_owner;
		nulls[13] = store_owner_null ? 'n' : ' ';
		values[0] = Int64GetDatum(book_id);
		/* number in reading order; the core numbers from 1 as well */
		values[1] = Int32GetDatum(ch->number > 0 ? ch->number : i + 1);
		set_text(values, nulls, 2, ch->title);
		values[3] = Int32GetDatum(ch->depth > 0 ? ch->depth : 1);
		set_text(values, nulls, 4, ch->source);
		values[5] = BoolGetDatum(ch->is_notes);
		if (ch->text != NULL)
			values[6] = bp_pg_text_datum(ch->text, ch->text_len);
		else
			nulls[6] = 'n';
		if (ch->html != NULL)
			values[7] = bp_pg_text_datum(ch->html, ch->html_len);
		else
			nulls[7] = 'n';
		values[8] = Int64GetDatum(ch->counts.words);
		values[9] = Int64GetDatum(ch->counts.sentences);
		values[10] = Int64GetDatum(ch->counts.characters);
		values[11] = Int64GetDatum(ch->counts.paragraphs);

		if (!store_row(plan, values, nulls, book, rowcxt, old,
					   "storing chapter", i + 1, book->nchapters))
			return;
	}
}

/* Insert the assets of a book (a repeated href keeps its first asset). */
static void
insert_assets(int64 book_id, const bp_book *book, MemoryContext rowcxt)
{
	Oid			argtypes[7] = {INT8OID, TEXTOID, TEXTOID, INT8OID, BYTEAOID,
	BOOLOID, NAMEOID};
	SPIPlanPtr	plan;
	int			i;

	if (store_schema_020)
		plan = bp_spi_plan(&plan_insert_asset,
						   "INSERT INTO bookparse.asset (book_id, href, media_type,"
						   " byte_size, data, is_cover, submitted_by)"
						   " VALUES ($1, $2, $3, $4, $5, $6, $7)"
						   " ON CONFLICT (book_id, href) DO NOTHING",
						   7, argtypes);
	else
		plan = bp_spi_plan(&plan_insert_asset_010,
						   "INSERT INTO bookparse.asset (book_id, href, media_type,"
						   " byte_size, data, is_cover)"
						   " VALUES ($1, $2, $3, $4, $5, $6)"
						   " ON CONFLICT (book_id, href) DO NOTHING",
						   6, argtypes);

	for (i = 0; i < book->nassets; i++)
	{
		const bp_asset *a = &book->assets[i];
		Datum		values[7];
		char		nulls[7];
		MemoryContext old;

		if (a->href == NULL)
			continue;
		CHECK_FOR_INTERRUPTS();
		old = MemoryContextSwitchTo(rowcxt);
		memset(nulls, ' ', sizeof(nulls));
		values[6] = store_owner;
		nulls[6] = store_owner_null ? 'n' : ' ';
		values[0] = Int64GetDatum(book_id);
		set_text(values, nulls, 1, a->href);
		set_text(values, nulls, 2, a->media_type);
		values[3] = Int64GetDatum((int64) a->size);
		if (a->data != NULL)
		{
			bytea	   *b;

			if (a->size > MaxAllocSize - VARHDRSZ)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("asset \"%s\" is too large to store", a->href)));
			b = palloc(VARHDRSZ + a->size);
			SET_VARSIZE(b, VARHDRSZ + a->size);
			memcpy(VARDATA(b), a->data, a->size);
			values[4] = PointerGetDatum(b);
		}
		else
			nulls[4] = 'n';
		values[5] = BoolGetDatum(a->is_cover);

		if (!store_row(plan, values, nulls, book, rowcxt, old,
					   "storing asset", i + 1, book->nassets))
			return;
	}
}

/* Characters (not continuation bytes) in UTF-8 bytes s[from, to). */
static int64
utf8_chars(const char *s, size_t from, size_t to)
{
	int64		n = 0;
	size_t		i;

	for (i = from; i < to; i++)
		if (((unsigned char) s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * Insert the scenes of a book.  The core gives byte offsets into the
 * chapter's UTF-8 text; rows hold character positions, so that
 * substr(chapter.text, text_start, text_length) is the paragraph in any
 * database encoding.  Scenes come in reading order: each chapter's text
 * is walked once.
 */
static void
insert_scenes(int64 book_id, const bp_book *book, const bp_scene_set *set,
			  MemoryContext rowcxt)
{
	Oid			argtypes[10] = {INT8OID, INT4OID, INT4OID, TEXTOID, FLOAT4OID,
	BOOLOID, INT4OID, INT4OID, TEXTOID, NAMEOID};
	SPIPlanPtr	plan;
	const bp_chapter *ch = NULL;
	size_t		pos = 0;
	int64		chars = 0;
	int			c = 0;
	int			i;

	plan = bp_spi_plan(&plan_insert_scene,
					   "INSERT INTO bookparse.scene (book_id, chapter, paragraph,"
					   " kind, score, illustratable, text_start, text_length,"
					   " excerpt, submitted_by)"
					   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
					   10, argtypes);
	for (i = 0; i < set->nscenes; i++)
	{
		const bp_scene *sc = &set->scenes[i];
		Datum		values[10];
		char		nulls[10];
		MemoryContext old;
		int64		start;

		/* the scene's chapter, and the characters before the paragraph */
		if (ch == NULL || ch->number != sc->chapter)
		{
			while (c < book->nchapters && book->chapters[c].number != sc->chapter)
				c++;
			if (c >= book->nchapters)
				elog(ERROR, "bookparse: scene of unknown chapter %d", sc->chapter);
			ch = &book->chapters[c];
			pos = 0;
			chars = 0;
		}
		if (ch->text == NULL || sc->offset < pos ||
			sc->offset + sc->length > ch->text_len)
			elog(ERROR, "bookparse: scene outside the text of chapter %d", sc->chapter);
		chars += utf8_chars(ch->text, pos, sc->offset);
		pos = sc->offset;
		start = chars + 1;

		old = MemoryContextSwitchTo(rowcxt);
		memset(nulls, ' ', sizeof(nulls));
		values[0] = Int64GetDatum(book_id);
		values[1] = Int32GetDatum(sc->chapter);
		values[2] = Int32GetDatum(sc->paragraph);
		values[3] = CStringGetTextDatum(bp_scene_kind_name(sc->kind));
		values[4] = Float4GetDatum((float4) sc->score);
		values[5] = BoolGetDatum(sc->illustratable);
		values[6] = Int32GetDatum((int32) Min(start, (int64) PG_INT32_MAX));
		values[7] = Int32GetDatum((int32) Min(utf8_chars(ch->text, sc->offset,
														 sc->offset + sc->length),
											  (int64) PG_INT32_MAX));
		set_text(values, nulls, 8, sc->excerpt ? sc->excerpt : "");
		values[9] = store_owner;
		nulls[9] = store_owner_null ? 'n' : ' ';
		if (!store_row(plan, values, nulls, book, rowcxt, old,
					   "storing scene", i + 1, set->nscenes))
			return;
	}
}

/* Write the metadata columns, the model, the statistics and the status. */
static void
update_book_row(int64 book_id, const bp_book *book, const char *status)
{
	Oid			argtypes[19] = {INT8OID, TEXTOID, TEXTOID, TEXTARRAYOID,
		TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID, TEXTOID,
	TEXTOID, JSONBOID, INT8OID, INT8OID, INT4OID, INT8OID, TEXTOID,
	TIMESTAMPTZOID};
	Datum		values[19];
	char		nulls[19];
	const bp_metadata *m = &book->meta;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(book_id);
	set_text(values, nulls, 1, book->format);
	set_text(values, nulls, 2, m->title);
	set_authors(values, nulls, 3, m);
	set_text(values, nulls, 4, m->language);
	set_text(values, nulls, 5, m->isbn);
	set_text(values, nulls, 6, m->publisher);
	set_text(values, nulls, 7, m->published);
	set_text(values, nulls, 8, m->description);
	set_text_array(values, nulls, 9, m->subjects, m->nsubjects);
	set_text(values, nulls, 10, m->series);
	set_text(values, nulls, 11, m->series_index);
	values[12] = book_jsonb(book);
	values[13] = Int64GetDatum(book->counts.words);
	values[14] = Int64GetDatum(book->counts.sentences);
	values[15] = Int32GetDatum(book->nchapters);
	values[16] = Int64GetDatum(book->reading_minutes);
	values[17] = CStringGetTextDatum(status);
	/* the time as a value: Citus refuses volatile functions in an UPDATE */
	values[18] = TimestampTzGetDatum(GetCurrentTimestamp());

	bp_spi_run(bp_spi_plan(&plan_update_book,
						   "UPDATE bookparse.book SET format = $2, title = $3,"
						   " authors = $4, language = $5, isbn = $6, publisher = $7,"
						   " published = $8, description = $9, subjects = $10,"
						   " series = $11, series_index = $12, metadata = $13,"
						   " words = $14, sentences = $15, chapters = $16,"
						   " reading_minutes = $17, status = $18,"
						   " error = NULL, error_code = NULL,"
						   " parsed_at = $19"
						   " WHERE id = $1",
						   19, argtypes),
			   values, nulls, SPI_OK_UPDATE);
}

/*
 * Replace the stored results of a book with a parsed model: chapters,
 * assets, metadata columns, metadata jsonb, statistics and status; owner
 * (the book's submitted_by, or NULL) goes on its chapters, assets and
 * scenes.
 * Returns the most bytes held while storing (see note_row_memory).  Stops
 * early, with run->stop set, when the run is asked to stop: the caller
 * then rolls the subtransaction back.
 */
size_t
bp_store_book(int64 book_id, const char *owner, const bp_book *book,
			  const bp_scene_set *scenes, const char *status, BpJobRun *run)
{
	MemoryContext rowcxt;

	store_peak = book->held_memory;
	store_run = run;
	store_schema_020 = schema_020();
	store_owner_null = (owner == NULL);
	store_owner = owner ? DirectFunctionCall1(namein, CStringGetDatum(owner)) :
		(Datum) 0;
	rowcxt = AllocSetContextCreate(CurrentMemoryContext,
								   "bookparse store row",
								   ALLOCSET_DEFAULT_SIZES);
	delete_old_results(book_id);
	insert_chapters(book_id, book, rowcxt);
	if (run->stop == BP_STOP_NONE)
		insert_assets(book_id, book, rowcxt);
	if (run->stop == BP_STOP_NONE && scenes != NULL)
		insert_scenes(book_id, book, scenes, rowcxt);
	if (run->stop == BP_STOP_NONE)
		update_book_row(book_id, book, status);
	MemoryContextDelete(rowcxt);
	store_run = NULL;
	return store_peak;
}
