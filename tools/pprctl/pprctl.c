// SPDX-License-Identifier: GPL-2.0
/*
 * pprctl: control the ppr_pageone module (PPR page recycler and PageONE).
 *
 *   pprctl <command> [arguments]
 *
 * Exit status: 0 success, 1 the operation failed, 2 usage error.
 */
#include <string.h>

#include <linux/ppr.h>

#include "pprctl.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct command commands[] = {
	{ "status", cmd_status,
	  "pprctl status [--json]\n"
	  "    Settings, statistics and attached VMs.\n" },
	{ "get", cmd_get,
	  "pprctl get [--json] PARAM\n"
	  "    Print a setting: run, merge_vm_ram (on|off), reclaim_period,\n"
	  "    merge_period (durations), work_threads (a number).\n" },
	{ "set", cmd_set,
	  "pprctl set PARAM VALUE\n"
	  "    Change a setting. run and merge_vm_ram take on, off, 1 or 0;\n"
	  "    reclaim_period and merge_period a duration with a unit (500ms, 10s,\n"
	  "    1.5s, 10m, 1h); work_threads a number.\n" },
	{ "attach", cmd_attach,
	  "pprctl attach QEMU_PID [--area FILE] [--name NAME]\n"
	  "    Recycle the free pages of the guest run by QEMU_PID. FILE is the mark area\n"
	  "    (the ivshmem device's backing file; found in the process's mappings if not\n"
	  "    given); NAME defaults to QEMU's -name, else pid-QEMU_PID.\n" },
	{ "detach", cmd_detach,
	  "pprctl detach VM_ID | --pid QEMU_PID\n"
	  "    Stop recycling for a VM (by id, or by the pid of its QEMU) and release it.\n" },
};

#define NR_COMMANDS	ARRAY_SIZE(commands)

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: pprctl <command> [arguments]\n"
		   "       pprctl --help | --version\n\n"
		   "Control the " PPR_DEVICE_NAME " module (PPR page recycling for KVM guests).\n\n"
		   "Commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %s", commands[i].usage);
	fprintf(f, "  pprctl help [COMMAND]\n"
		   "    This text, or the usage of one command.\n\n"
		   "Environment: PPR_SYSFS overrides the sysfs root (default\n"
		   "/sys/kernel/mm/ppr_pageone). See pprctl(8).\n");
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static void command_usage(const struct command *c, FILE *f)
{
	fprintf(f, "usage: %s", c->usage);
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c || argc > 2) {
		pr_err("help: %s '%s'; see pprctl --help", c ? "too many arguments:" : "unknown command",
		       c ? argv[2] : argv[1]);
		return EXIT_USAGE;
	}
	command_usage(c, stdout);
	return EXIT_OK;
}

static int is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int main(int argc, char **argv)
{
	const struct command *c;
	int i, ret;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1]))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("pprctl " PPRCTL_VERSION "\n");
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help"))
		return cmd_help(argc - 1, argv + 1);
	c = find_command(argv[1]);
	if (!c) {
		pr_err("unknown command '%s'; see pprctl --help", argv[1]);
		return EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		if (is_help(argv[i])) {
			command_usage(c, stdout);
			return EXIT_OK;
		}
	}
	ret = c->run(argc - 1, argv + 1);
	if (ret == EXIT_USAGE)
		command_usage(c, stderr);
	return ret;
}
