// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the PPR mark area operations (include/linux/ppr_area.h):
 * single pages, high orders, ranges across words and summary chunks, the
 * last tracked PFN and PFNs beyond the area.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/ppr_area.h>
#include <linux/slab.h>

/* 3 summary chunks and a bit: exercises partial words and the end. */
#define TEST_PFNS	(3 * 512 + 70)

struct ppr_test_area {
	struct ppr_area_view v;
};

static int ppr_area_test_init(struct kunit *test)
{
	struct ppr_test_area *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->v.nr_pfns = TEST_PFNS;
	a->v.mark = kunit_kzalloc(test, ppr_mark_bytes(TEST_PFNS), GFP_KERNEL);
	a->v.summary = kunit_kzalloc(test, ppr_summary_bytes(TEST_PFNS), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a->v.mark);
	KUNIT_ASSERT_NOT_NULL(test, a->v.summary);
	test->priv = a;
	return 0;
}

static struct ppr_area_view *view(struct kunit *test)
{
	return &((struct ppr_test_area *)test->priv)->v;
}

static void ppr_area_test_sizes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ppr_mark_bytes(1), 8ULL);
	KUNIT_EXPECT_EQ(test, ppr_mark_bytes(64), 8ULL);
	KUNIT_EXPECT_EQ(test, ppr_mark_bytes(65), 16ULL);
	/* 512 MiB of 4 KiB pages: 16 KiB of marks, 256 summary bits. */
	KUNIT_EXPECT_EQ(test, ppr_mark_bytes(131072), 16384ULL);
	KUNIT_EXPECT_EQ(test, ppr_summary_bytes(131072), 32ULL);
	KUNIT_EXPECT_EQ(test, ppr_area_bytes(131072),
			(u64)PPR_AREA_HEADER_SIZE + 16384 + 32);
	/* One cache line per writer: layout, lifetime, counters, host. */
	KUNIT_EXPECT_EQ(test, offsetof(struct ppr_area_header, state), (size_t)64);
	KUNIT_EXPECT_EQ(test, offsetof(struct ppr_area_header, nonce_echo), (size_t)72);
	KUNIT_EXPECT_EQ(test, offsetof(struct ppr_area_header, counters), (size_t)128);
	KUNIT_EXPECT_EQ(test, offsetof(struct ppr_area_header, host_nonce), (size_t)192);
	KUNIT_EXPECT_EQ(test, sizeof(struct ppr_area_header), (size_t)256);
}

static void ppr_area_test_single(struct kunit *test)
{
	struct ppr_area_view *v = view(test);

	KUNIT_EXPECT_EQ(test, ppr_area_mark(v, 5, 1), 1UL);
	KUNIT_EXPECT_TRUE(test, test_bit(5, v->mark));
	KUNIT_EXPECT_TRUE(test, test_bit(0, v->summary));
	KUNIT_EXPECT_EQ(test, ppr_area_mark(v, 5, 1), 0UL);	/* already set */
	KUNIT_EXPECT_EQ(test, ppr_area_weight(v), 1ULL);
	KUNIT_EXPECT_EQ(test, ppr_area_unmark(v, 5, 1), 1UL);
	KUNIT_EXPECT_EQ(test, ppr_area_unmark(v, 5, 1), 0UL);	/* "missing" */
	KUNIT_EXPECT_EQ(test, ppr_area_weight(v), 0ULL);
	/* Unmarking never clears a summary bit: only the host does. */
	KUNIT_EXPECT_TRUE(test, test_bit(0, v->summary));
}

static void ppr_area_test_orders(struct kunit *test)
{
	struct ppr_area_view *v = view(test);
	unsigned int order;

	for (order = 1; order <= 9; order++) {
		unsigned long nr = 1UL << order;
		u64 pfn = 512;		/* aligned for every order up to 9 */

		KUNIT_EXPECT_EQ_MSG(test, ppr_area_mark(v, pfn, nr), nr, "order %u", order);
		KUNIT_EXPECT_EQ(test, ppr_area_weight(v), (u64)nr);
		KUNIT_EXPECT_EQ(test, find_next_zero_bit(v->mark, pfn + nr, pfn), pfn + nr);
		KUNIT_EXPECT_FALSE(test, test_bit(pfn - 1, v->mark));
		KUNIT_EXPECT_FALSE(test, test_bit(pfn + nr, v->mark));
		KUNIT_EXPECT_TRUE(test, test_bit(1, v->summary));
		KUNIT_EXPECT_EQ_MSG(test, ppr_area_unmark(v, pfn, nr), nr, "order %u", order);
		KUNIT_EXPECT_EQ(test, ppr_area_weight(v), 0ULL);
	}
	/* An order-10 block covers two summary chunks. */
	bitmap_zero(v->summary, 8);
	KUNIT_EXPECT_EQ(test, ppr_area_mark(v, 0, 1024), 1024UL);
	KUNIT_EXPECT_TRUE(test, test_bit(0, v->summary));
	KUNIT_EXPECT_TRUE(test, test_bit(1, v->summary));
	KUNIT_EXPECT_FALSE(test, test_bit(2, v->summary));
}

static void ppr_area_test_partial_words(struct kunit *test)
{
	struct ppr_area_view *v = view(test);

	/* Neighbours in the same words keep their marks. */
	ppr_area_mark(v, 59, 1);
	ppr_area_mark(v, 76, 1);
	KUNIT_EXPECT_EQ(test, ppr_area_mark(v, 60, 16), 16UL);	/* 60..75, two words */
	KUNIT_EXPECT_EQ(test, ppr_area_weight(v), 18ULL);
	KUNIT_EXPECT_EQ(test, ppr_area_mark(v, 58, 20), 2UL);	/* only 58 and 77 new */
	KUNIT_EXPECT_EQ(test, ppr_area_unmark(v, 62, 4), 4UL);
	KUNIT_EXPECT_TRUE(test, test_bit(61, v->mark));
	KUNIT_EXPECT_FALSE(test, test_bit(62, v->mark));
	KUNIT_EXPECT_FALSE(test, test_bit(65, v->mark));
	KUNIT_EXPECT_TRUE(test, test_bit(66, v->mark));
	KUNIT_EXPECT_EQ(test, ppr_area_weight(v), 16ULL);
	/* A range straddling two summary chunks flags both. */
	bitmap_zero(v->summary, 8);
	ppr_area_mark(v, 510, 4);
	KUNIT_EXPECT_TRUE(test, test_bit(0, v->summary));
	KUNIT_EXPECT_TRUE(test, test_bit(1, v->summary));
}

static void ppr_area_test_boundaries(struct kunit *test)
{
	struct ppr_area_view *v = view(test);
	u64 last = TEST_PFNS - 1;

	KUNIT_EXPECT_EQ(test, ppr_area_clip(v, last, 1), 1UL);
	KUNIT_EXPECT_EQ(test, ppr_area_mark(v, last, 1), 1UL);
	KUNIT_EXPECT_TRUE(test, test_bit(last >> PPR_SUMMARY_SHIFT, v->summary));
	/* A block running past the end: only the tracked part counts. */
	KUNIT_EXPECT_EQ(test, ppr_area_clip(v, TEST_PFNS - 6, 16), 6UL);
	KUNIT_EXPECT_EQ(test, ppr_area_clip(v, TEST_PFNS, 1), 0UL);
	KUNIT_EXPECT_EQ(test, ppr_area_clip(v, TEST_PFNS + 4096, 512), 0UL);
	KUNIT_EXPECT_EQ(test, ppr_area_clip(v, 0, TEST_PFNS), (unsigned long)TEST_PFNS);
	KUNIT_EXPECT_EQ(test, ppr_area_mark(v, TEST_PFNS - 6, 6), 5UL);
	KUNIT_EXPECT_EQ(test, ppr_area_weight(v), 6ULL);
	/* The whole area, in one call, and back. */
	KUNIT_EXPECT_EQ(test, ppr_area_mark(v, 0, TEST_PFNS), (unsigned long)TEST_PFNS - 6);
	KUNIT_EXPECT_EQ(test, ppr_area_weight(v), (u64)TEST_PFNS);
	KUNIT_EXPECT_EQ(test, ppr_area_unmark(v, 0, TEST_PFNS), (unsigned long)TEST_PFNS);
	KUNIT_EXPECT_EQ(test, ppr_area_weight(v), 0ULL);
}

static struct kunit_case ppr_area_test_cases[] = {
	KUNIT_CASE(ppr_area_test_sizes),
	KUNIT_CASE(ppr_area_test_single),
	KUNIT_CASE(ppr_area_test_orders),
	KUNIT_CASE(ppr_area_test_partial_words),
	KUNIT_CASE(ppr_area_test_boundaries),
	{}
};

static struct kunit_suite ppr_area_test_suite = {
	.name = "ppr_area",
	.init = ppr_area_test_init,
	.test_cases = ppr_area_test_cases,
};

kunit_test_suite(ppr_area_test_suite);

MODULE_DESCRIPTION("KUnit tests for the PPR mark area");
MODULE_LICENSE("GPL");
