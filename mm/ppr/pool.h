/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The thread pool of ppr_pageone: one daemon thread and N work threads,
 * shared by clients that the pool does not name (the recycler and
 * PageONE). The daemon asks each client in turn to do what is due (its
 * ->tick), and sleeps until the earliest time a client asked to be looked
 * at again, or until a client is kicked. A client's tick queues work
 * items; the work threads run them in queue order (->run), whatever their
 * client, so that neither client starves the other for longer than one
 * item.
 *
 * A client is one static object that lives as long as the module; the
 * set of clients is fixed when the pool starts.
 */
#ifndef _MM_PPR_POOL_H
#define _MM_PPR_POOL_H

#include <linux/list.h>
#include <linux/types.h>

#define PPR_POOL_MAX_THREADS	64
#define PPR_POOL_MAX_CLIENTS	4
/* The bounds of a client's period, in milliseconds. */
#define PPR_MIN_PERIOD_MS	10
#define PPR_MAX_PERIOD_MS	3600000

struct ppr_client;

/* One item of work, embedded in the client's own structure. */
struct ppr_work {
	struct list_head node;		/* in the pool's queue */
	struct ppr_client *client;
};

struct ppr_client {
	const char *name;
	/*
	 * Daemon context, when the time it returned last has come or the
	 * client was kicked. Queues work (ppr_pool_queue()) and returns the
	 * jiffies of the next time to call it.
	 */
	unsigned long (*tick)(struct ppr_client *client, unsigned long now);
	/*
	 * Work thread context: run @work with this thread's scratch for the
	 * client (NULL if it has no ->scratch_alloc), then free it.
	 */
	void (*run)(struct ppr_work *work, void *scratch);
	/* @work will not run (the pool stops): free it. Any context. */
	void (*cancel)(struct ppr_work *work);
	/* Per-thread scratch space, allocated when a work thread starts. */
	void *(*scratch_alloc)(struct ppr_client *client);
	void (*scratch_free)(struct ppr_client *client, void *scratch);

	/* The pool's, under the daemon only. */
	unsigned long next;		/* jiffies of the next ->tick */
	bool kicked;			/* tick now: set by ppr_pool_kick() */
	unsigned int index;		/* in the pool's client table */
};

int ppr_pool_start(struct ppr_client **clients, unsigned int nr_clients,
		   unsigned int threads);
void ppr_pool_stop(void);
void ppr_pool_queue(struct ppr_work *work);
void ppr_pool_kick(struct ppr_client *client);
int ppr_pool_set_threads(unsigned int n);
unsigned int ppr_pool_threads(void);
u64 ppr_pool_cpu_ns(bool daemon);

#endif /* _MM_PPR_POOL_H */
