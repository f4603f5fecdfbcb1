/* bookparse--0.1.0.sql: install script of the bookparse extension */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION bookparse" to load this file. \quit

-- ==== parsing functions (src/parse_funcs.c) ====

-- ==== queue, workers and stored results (src/queue.c, src/worker.c, ...) ====
