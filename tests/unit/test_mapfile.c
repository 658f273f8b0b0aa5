/*
 * test_mapfile.c: the small shared files beside the database (mapfile.c),
 * each test in a fresh temporary directory: a new file is made to size
 * with its header and zeros; a file of the right kind, layout and size
 * keeps its contents; one of another kind, layout or header size is
 * zeroed and given the header; one of another file size is cut to size
 * and zeroed; two mappings share their bytes; a missing directory gives
 * NULL.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "mapfile.h"
#include "tests.h"

#define NAME	"probe"
#define SIZE	4096
#define MAGIC	0x6c677473U	/* "lgts" */
#define LAYOUT	3

static const char	*dir;
static char		 path[PATH_MAX];

static void
setup(void)
{
	dir = tmpdir_make();
	if (dir != NULL)
		snprintf(path, sizeof(path), "%s/%s", dir, NAME);
}

static void
teardown(void)
{
	tmpdir_remove();
	dir = NULL;
}

/* The file's size on disk; -1 when there is none. */
static long long
file_size(void)
{
	struct stat	 st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/*
 * Writes the file afresh: a header of magic, layout and head_size, then
 * the byte fill up to len bytes in all. Returns 0, or -1.
 */
static int
write_file(uint32_t magic, uint32_t layout, uint64_t head_size, int fill,
    size_t len)
{
	static unsigned char	 b[2 * SIZE];
	struct mapfile_head	 h;
	int			 fd, ok;

	if (len > sizeof(b) || len < sizeof(h))
		return -1;
	memset(b, fill, len);
	h.magic = magic;
	h.layout = layout;
	h.size = head_size;
	memcpy(b, &h, sizeof(h));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return -1;
	ok = write(fd, b, len) == (ssize_t)len;
	return close(fd) == 0 && ok ? 0 : -1;
}

/*
 * Whether the mapping p of SIZE bytes has the header of MAGIC, LAYOUT
 * and SIZE, and after it only the byte fill.
 */
static int
is(const void *p, int fill)
{
	const struct mapfile_head	*h = p;
	const unsigned char		*b = p;
	size_t				 i;

	if (h->magic != MAGIC || h->layout != LAYOUT || h->size != SIZE)
		return 0;
	for (i = sizeof(*h); i < SIZE; i++)
		if (b[i] != fill)
			return 0;
	return 1;
}

static void
test_new(void)
{
	void	*p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_EQUAL(file_size(), -1);
	p = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(is(p, 0));
	CU_ASSERT_EQUAL(file_size(), SIZE);
	mapfile_close(p, SIZE);
}

static void
test_right_kept(void)
{
	unsigned char	*p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	p = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(p + sizeof(struct mapfile_head), 0xa5,
	    SIZE - sizeof(struct mapfile_head));
	mapfile_close(p, SIZE);
	/* Mapped again: the contents are as left. */
	p = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(is(p, 0xa5));
	mapfile_close(p, SIZE);
	/* A file written whole with the right header, the same. */
	CU_ASSERT_EQUAL_FATAL(write_file(MAGIC, LAYOUT, SIZE, 0x3c, SIZE), 0);
	p = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(is(p, 0x3c));
	CU_ASSERT_EQUAL(file_size(), SIZE);
	mapfile_close(p, SIZE);
}

static void
test_wrong_header(void)
{
	static const struct {
		const char	*what;
		uint32_t	 magic;
		uint32_t	 layout;
		uint64_t	 size;
	} wrong[] = {
		{ "another magic", MAGIC ^ 1, LAYOUT, SIZE },
		{ "no magic", 0, LAYOUT, SIZE },
		{ "another layout", MAGIC, LAYOUT + 1, SIZE },
		{ "an older layout", MAGIC, LAYOUT - 1, SIZE },
		{ "another size in the header", MAGIC, LAYOUT, SIZE * 2 },
		{ "a zero size in the header", MAGIC, LAYOUT, 0 },
	};
	void	*p;
	size_t	 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(write_file(wrong[i].magic,
		    wrong[i].layout, wrong[i].size, 0x5a, SIZE), 0);
		p = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
		test_assert(p != NULL && is(p, 0) && file_size() == SIZE,
		    TEST_HERE, "%s: %s", wrong[i].what, p == NULL ?
		    "not mapped" : "not zeroed with the right header");
		mapfile_close(p, SIZE);
	}
}

static void
test_wrong_file_size(void)
{
	static const size_t	 sizes[] = { SIZE - 1, SIZE / 2, SIZE + 1,
	    SIZE * 2, sizeof(struct mapfile_head) };
	void			*p;
	size_t			 i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* Even with the right header. */
		CU_ASSERT_EQUAL_FATAL(write_file(MAGIC, LAYOUT, SIZE, 0x77,
		    sizes[i]), 0);
		p = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
		test_assert(p != NULL && is(p, 0) && file_size() == SIZE,
		    TEST_HERE, "a file of %zu bytes: %s, %lld bytes after",
		    sizes[i], p == NULL ? "not mapped" :
		    is(p, 0) ? "zeroed" : "not zeroed", file_size());
		mapfile_close(p, SIZE);
	}
	/* An empty file. */
	CU_ASSERT_EQUAL_FATAL(truncate(path, 0), 0);
	p = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_TRUE(is(p, 0));
	CU_ASSERT_EQUAL(file_size(), SIZE);
	mapfile_close(p, SIZE);
}

static void
test_shared(void)
{
	unsigned char	*a, *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	a = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
	b = mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_EQUAL(a, b);
	/* The second found the first's header and left the file alone. */
	a[SIZE - 1] = 0x42;
	CU_ASSERT_EQUAL(b[SIZE - 1], 0x42);
	b[sizeof(struct mapfile_head)] = 0x24;
	CU_ASSERT_EQUAL(a[sizeof(struct mapfile_head)], 0x24);
	mapfile_close(a, SIZE);
	mapfile_close(b, SIZE);
}

static void
test_refused(void)
{
	char	 missing[PATH_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	/* A directory that does not exist. */
	snprintf(missing, sizeof(missing), "%s/none", dir);
	CU_ASSERT_PTR_NULL(mapfile_open(missing, NAME, SIZE, MAGIC, LAYOUT));
	/* A name that is a directory. */
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	CU_ASSERT_PTR_NULL(mapfile_open(dir, NAME, SIZE, MAGIC, LAYOUT));
	CU_ASSERT_EQUAL(rmdir(path), 0);
	/* A size too small for the header. */
	CU_ASSERT_PTR_NULL(mapfile_open(dir, NAME,
	    sizeof(struct mapfile_head) - 1, MAGIC, LAYOUT));
	CU_ASSERT_EQUAL(file_size(), -1);
	/* Closing nothing is allowed. */
	mapfile_close(NULL, SIZE);
}

int
test_mapfile_add(void)
{
	static const struct {
		const char	*name;
		CU_TestFunc	 fn;
	} tests[] = {
		{ "a new file: its size, the header, zeros", test_new },
		{ "the right file keeps its contents", test_right_kept },
		{ "another magic, layout or header size: zeroed",
		    test_wrong_header },
		{ "another file size: cut to size, zeroed",
		    test_wrong_file_size },
		{ "two mappings share their bytes", test_shared },
		{ "a missing directory and other refusals: NULL",
		    test_refused },
	};
	CU_pSuite	 s;
	size_t		 i;

	s = CU_add_suite_with_setup_and_teardown("mapfile", NULL, NULL, setup,
	    teardown);
	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
