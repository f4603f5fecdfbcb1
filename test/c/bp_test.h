/*
 * bp_test.h
 *	  A tiny test harness for the plain C tests of src/core.
 *
 * Each test program calls CHECK(...) as often as it likes and ends main()
 * with `return bp_test_summary("name");`, which prints the closing line
 * "name: N passed, N failed" and returns non-zero when anything failed.
 * BP_CORPUS (default ../shared/corpus) says where the real books are;
 * tests that need it skip when it is absent.
 */
#ifndef BP_TEST_H
#define BP_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int	bp_test_passed = 0;
static int	bp_test_failed = 0;

#define CHECK(cond) \
	do { \
		if (cond) \
			bp_test_passed++; \
		else \
		{ \
			bp_test_failed++; \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

#define CHECK_MSG(cond, ...) \
	do { \
		if (cond) \
			bp_test_passed++; \
		else \
		{ \
			bp_test_failed++; \
			fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} while (0)

/* Print the closing line and return the exit status. */
static inline int
bp_test_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, bp_test_passed, bp_test_failed);
	return bp_test_failed ? 1 : 0;
}

/* Directory of the shared corpus, or NULL when it is not there. */
static inline const char *
bp_test_corpus(void)
{
	const char *dir = getenv("BP_CORPUS");
	struct stat st;

	if (dir == NULL)
		dir = "../shared/corpus";
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return dir;
}

/* Read a whole file into malloc'd memory; NULL on error. */
static inline unsigned char *
bp_test_read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	unsigned char *buf;
	long		n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
	{
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t) n + 1);
	if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n)
	{
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = (size_t) n;
	return buf;
}

#endif							/* BP_TEST_H */
