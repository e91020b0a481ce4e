/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PageONE's client of the ppr_pageone thread pool (client.c), as the
 * module's other files see it.
 */
#ifndef _MM_PAGEONE_CLIENT_H
#define _MM_PAGEONE_CLIENT_H

#include <linux/pageone.h>

struct kobject;
struct ppr_client;

extern unsigned int ppr_merge_period_ms;
int ppr_set_merge_period(unsigned int ms);
extern unsigned int ppr_dedup_cpu_percent;
int ppr_set_dedup_cpu(unsigned int pct);
struct ppr_client *ppr_pageone_client(void);
void ppr_pageone_kick(void);
int ppr_pageone_init(struct kobject *root, pageone_filter_t filter,
		     void (*before_pass)(void));
void ppr_pageone_exit(void);

#endif /* _MM_PAGEONE_CLIENT_H */
