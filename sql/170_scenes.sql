-- Scenes: classify_paragraph(), the scenes the queue stores, scenes(),
-- reparse() replacing them, bookparse.extract_scenes (issue 13).
SET client_min_messages = warning;
TRUNCATE bookparse.book, bookparse.job RESTART IDENTITY CASCADE;
RESET client_min_messages;

-- ad hoc verdicts (sentences written for this test)
SELECT kind, illustratable FROM bookparse.classify_paragraph(
  'The room was long and low, with a cracked ceiling of dark oak beams. '
  'A narrow window of green glass let in a grey light that fell on a table '
  'covered with a faded red cloth, two brass candlesticks and a pile of '
  'yellowed papers.');
SELECT kind, illustratable FROM bookparse.classify_paragraph(
  '"I don''t know," he said. "Ask her yourself, if you must."', 'en');
SELECT kind FROM bookparse.classify_paragraph(
  'She was a tall, thin woman of forty with a pale narrow face, grey eyes '
  'set deep under heavy brows, and black hair drawn tightly back; she wore '
  'a worn brown dress with a white lace collar and a silver brooch at her throat.');
SELECT kind FROM bookparse.classify_paragraph(
  'Низкая комната с закопчённым потолком была тесно заставлена старой '
  'мебелью: у окна стоял круглый стол под выцветшей зелёной скатертью, '
  'в углу темнел высокий шкаф с мутными стёклами, а на стене висели '
  'часы с медным маятником.', 'ru');
SELECT kind FROM bookparse.classify_paragraph('', NULL);
SELECT bookparse.classify_paragraph(NULL) IS NULL AS null_in_null_out;
-- a language without word lists: none
SELECT kind, illustratable FROM bookparse.classify_paragraph(
  'La chambre était longue et basse, avec des poutres sombres.', 'fr');

-- a book: one chapter of action, one that describes a room
CREATE FUNCTION pg_temp.book() RETURNS bytea LANGUAGE sql AS $$
	SELECT convert_to(
	  E'CHAPTER I\n\n' ||
	  E'He ran to the door and shouted for help, then turned back and ran again.\n\n' ||
	  E'"Where is it?" he asked. "Tell me now."\n\n' ||
	  E'CHAPTER II\n\n' ||
	  'The room was long and low, with a cracked ceiling of dark oak beams. ' ||
	  'A narrow window of green glass let in a grey light that fell on a table ' ||
	  'covered with a faded red cloth, two brass candlesticks and a pile of ' ||
	  E'yellowed papers.\n\n' ||
	  E'He sat down and waited.\n', 'UTF8')
$$;
SELECT bookparse.submit(pg_temp.book(), 'room.txt') AS id \gset
SELECT bookparse.run_queue();
SELECT chapter, paragraph, kind, illustratable, score >= 0.5 AS strong,
       left(excerpt, 30) AS excerpt
FROM bookparse.scene WHERE book_id = :id ORDER BY chapter, paragraph;
-- scenes(): the whole paragraph from the chapter's text
SELECT chapter, kind, chapter_title, left(text, 40) AS starts,
       right(text, 20) AS ends, length(text) > length(excerpt) - 1 AS whole
FROM bookparse.scenes(:id);
SELECT count(*) FROM bookparse.scenes(:id, 'character');
SELECT count(*) FROM bookparse.scenes(:id, NULL, 1.1);

-- reparse() replaces the scenes; with extract_scenes off, none are kept
SET bookparse.extract_scenes = off;
SELECT bookparse.reparse(:id) > 0 AS queued;
SELECT bookparse.run_queue();
SELECT count(*) AS scenes FROM bookparse.scene WHERE book_id = :id;
RESET bookparse.extract_scenes;
SELECT bookparse.reparse(:id) > 0 AS queued;
SELECT bookparse.run_queue();
SELECT count(*) > 0 AS scenes_again FROM bookparse.scene WHERE book_id = :id;

-- deleting the book deletes its scenes
DELETE FROM bookparse.book WHERE id = :id;
SELECT count(*) FROM bookparse.scene;
