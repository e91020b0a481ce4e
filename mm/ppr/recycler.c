// SPDX-License-Identifier: GPL-2.0
/*
 * The recycler, as a client of the thread pool (pool.h). Every reclaim
 * period its tick looks at each attached VM's summary bitmap and queues
 * one slice per flagged 2 MiB chunk (ppr_vm_pass()); a work thread
 * recycles the marked pages of a slice (ppr_vm_do_slice(), with
 * mm/ppr/recycle.c). When no guest marked anything, a pass reads one
 * summary word per 128 MiB of guest memory and queues nothing.
 */
#define pr_fmt(fmt) "ppr_pageone: " fmt

#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "ppr.h"

unsigned int ppr_reclaim_period_ms = 10000;
bool ppr_run = true;
bool ppr_lru_drain_wanted;	/* a work thread skipped a page as pinned */
struct ppr_stats ppr_stats;

/* Set the reclaim period; -ERANGE outside PPR_MIN/MAX_PERIOD_MS. */
int ppr_set_reclaim_period(unsigned int ms)
{
	if (ms < PPR_MIN_PERIOD_MS || ms > PPR_MAX_PERIOD_MS)
		return -ERANGE;
	WRITE_ONCE(ppr_reclaim_period_ms, ms);
	ppr_recycler_kick();
	return 0;
}

static int ppr_set_period(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	return err ? err : ppr_set_reclaim_period(v);
}

static const struct kernel_param_ops ppr_period_ops = {
	.set = ppr_set_period,
	.get = param_get_uint,
};
module_param_cb(reclaim_period_ms, &ppr_period_ops, &ppr_reclaim_period_ms, 0444);
MODULE_PARM_DESC(reclaim_period_ms, "milliseconds between recycle passes (10..3600000, default 10000)");

static int ppr_set_chunks_param(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (!v || v > PPR_MAX_CHUNKS_PER_PASS)
		return -ERANGE;
	ppr_max_chunks_per_pass = v;
	return 0;
}

static const struct kernel_param_ops ppr_chunks_ops = {
	.set = ppr_set_chunks_param,
	.get = param_get_uint,
};
/* Set at load time only: the bound on one VM's share of a pass. */
unsigned int ppr_max_chunks_per_pass = 8192;
module_param_cb(max_chunks_per_pass, &ppr_chunks_ops, &ppr_max_chunks_per_pass, 0444);
MODULE_PARM_DESC(max_chunks_per_pass,
		 "2 MiB chunks of one VM queued per pass at most (1..1048576, default 8192: 16 GiB of guest memory)");

module_param_named(run, ppr_run, bool, 0444);
MODULE_PARM_DESC(run, "recycle from load on (default true)");

/* One summary chunk of one VM, queued for a work thread. */
struct ppr_slice {
	struct ppr_work work;
	struct ppr_vm *vm;		/* holds a reference */
	u64 chunk;			/* summary bit: GFNs chunk << 9 .. +511 */
};

static struct ppr_client ppr_recycler;

/**
 * ppr_queue_slice - queue the recycling of one flagged chunk of @vm
 * @vm: an attached VM; the slice takes a reference
 * @chunk: its summary bit
 *
 * Return: false if no memory for the slice (nothing queued).
 */
bool ppr_queue_slice(struct ppr_vm *vm, u64 chunk)
{
	struct ppr_slice *slice = kmalloc(sizeof(*slice), GFP_KERNEL);

	if (!slice)
		return false;
	kobject_get(&vm->kobj);
	slice->work.client = &ppr_recycler;
	slice->vm = vm;
	slice->chunk = chunk;
	atomic64_inc(&ppr_stats.slices);
	atomic64_inc(&vm->stats.slices);
	ppr_pool_queue(&slice->work);
	return true;
}

/* The slice is done with, whether it ran or not. */
static void ppr_slice_free(struct ppr_slice *slice)
{
	ppr_vm_slice_done(slice->vm, slice->chunk);
	ppr_vm_put(slice->vm);
	kfree(slice);
}

static void ppr_recycler_run(struct ppr_work *work, void *scratch)
{
	struct ppr_slice *slice = container_of(work, struct ppr_slice, work);

	ppr_vm_do_slice(slice->vm, slice->chunk, scratch);
	ppr_slice_free(slice);
}

static void ppr_recycler_cancel(struct ppr_work *work)
{
	ppr_slice_free(container_of(work, struct ppr_slice, work));
}

/* A pass over every attached VM, each reclaim period or when kicked. */
static unsigned long ppr_recycler_tick(struct ppr_client *c, unsigned long now)
{
	struct ppr_vm *vm;

	if (READ_ONCE(ppr_run)) {
		/*
		 * Pages skipped as pinned last time may only sit in a CPU's
		 * LRU batch: drain them first.
		 */
		if (xchg(&ppr_lru_drain_wanted, false))
			ppr_recycle_drain_lru();
		mutex_lock(&ppr_vms_lock);
		list_for_each_entry(vm, &ppr_vms, node)
			ppr_vm_pass(vm);
		mutex_unlock(&ppr_vms_lock);
		atomic64_inc(&ppr_stats.passes);
	}
	return now + msecs_to_jiffies(READ_ONCE(ppr_reclaim_period_ms));
}

static void *ppr_recycler_scratch_alloc(struct ppr_client *c)
{
	return kvmalloc(sizeof(struct ppr_recycle_scratch), GFP_KERNEL);
}

static void ppr_recycler_scratch_free(struct ppr_client *c, void *scratch)
{
	kvfree(scratch);
}

static struct ppr_client ppr_recycler = {
	.name = "recycler",
	.tick = ppr_recycler_tick,
	.run = ppr_recycler_run,
	.cancel = ppr_recycler_cancel,
	.scratch_alloc = ppr_recycler_scratch_alloc,
	.scratch_free = ppr_recycler_scratch_free,
};

struct ppr_client *ppr_recycler_client(void)
{
	return &ppr_recycler;
}

/* A pass now: a VM attached, run set, the period changed. */
void ppr_recycler_kick(void)
{
	ppr_pool_kick(&ppr_recycler);
}
