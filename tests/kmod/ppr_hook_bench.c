// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of the PPR allocator hooks: times alloc_pages()/__free_pages()
 * pairs on this CPU and prints cycles per pair. Run it once with the PPR
 * guest driver bound (hooks on) and once unbound (hooks off) in the same
 * boot; the difference is the cost of one mark plus one unmark.
 *
 *   insmod ppr_hook_bench.ko pairs=200000 order=0
 *
 * Loading runs the benchmark, prints one line and fails with -EAGAIN so
 * that nothing stays loaded.
 */
#include <linux/gfp.h>
#include <linux/module.h>
#include <linux/timex.h>

static unsigned int pairs = 200000;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "alloc/free pairs per round (1..10000000)");
static unsigned int order;
module_param(order, uint, 0444);
MODULE_PARM_DESC(order, "allocation order (0..9)");
static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds; the fastest is reported (1..100)");

static int __init ppr_hook_bench_init(void)
{
	u64 best = U64_MAX;
	unsigned int r, i;

	if (!pairs || pairs > 10000000 || order > 9 || !rounds || rounds > 100)
		return -EINVAL;
	for (r = 0; r < rounds; r++) {
		cycles_t t0, t1;

		preempt_disable();
		t0 = get_cycles();
		for (i = 0; i < pairs; i++) {
			struct page *p = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, order);

			if (!p) {
				preempt_enable();
				return -ENOMEM;
			}
			__free_pages(p, order);
		}
		t1 = get_cycles();
		preempt_enable();
		best = min_t(u64, best, t1 - t0);
		cond_resched();
	}
	pr_info("ppr_hook_bench: order=%u pairs=%u cycles_per_pair=%llu\n",
		order, pairs, div_u64(best, pairs));
	return -EAGAIN;
}
module_init(ppr_hook_bench_init);

MODULE_DESCRIPTION("Benchmark of the PPR allocator hooks");
MODULE_LICENSE("GPL");
