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

#include "opt.h"
#include "param.h"
#include "pprctl.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
	const char *text;	/* what it does, lines indented by four spaces */
	int params;		/* takes a PARAM: its usage lists them */
};

static const struct command commands[] = {
	{ "status", cmd_status,
	  "pprctl status [--json | --prometheus [--output FILE]]",
	  "    Settings, statistics and attached VMs. --prometheus prints them in\n"
	  "    Prometheus' text format; --output FILE writes that to FILE (renamed into\n"
	  "    place, for node_exporter's textfile collector).\n", 0 },
	{ "top", cmd_top,
	  "pprctl top [--interval DURATION] [--count N]",
	  "    A live view of the attached VMs: memory recycled per second and in all,\n"
	  "    merged (KSM pages) and resident, redrawn every DURATION (default 2s, 100ms\n"
	  "    to 1h); N frames, else until interrupted.\n", 0 },
	{ "watch", cmd_watch,
	  "pprctl watch [--interval DURATION] [--once]",
	  "    Attach every QEMU that has a mark area as it starts (each DURATION,\n"
	  "    default 2s), as pprctl attach PID would; a VM detached by hand while its\n"
	  "    QEMU runs is left alone. Runs until stopped; --once looks once.\n", 0 },
	{ "replace-ksm", cmd_replace_ksm,
	  "pprctl replace-ksm [--json] [PARAM VALUE]...",
	  "    Hand this host's merging from ksmd to the module: stop ksmtuned (systemctl),\n"
	  "    modprobe " PPR_DEVICE_NAME ", apply each setting as pprctl set would, and\n"
	  "    attach every running QEMU that has a mark area. Settings are checked before\n"
	  "    anything is changed.\n", 1 },
	{ "restore-ksm", cmd_restore_ksm,
	  "pprctl restore-ksm [--json]",
	  "    The reverse: unload the module (ksmd merges again, what was merged stays\n"
	  "    merged) and start ksmtuned again if replace-ksm stopped it.\n", 0 },
	{ "get", cmd_get,
	  "pprctl get [--json] PARAM",
	  "    Print a setting.\n", 1 },
	{ "set", cmd_set,
	  "pprctl set [--json] PARAM VALUE",
	  "    Change a setting; with --json, print its new value.\n", 1 },
	{ "attach", cmd_attach,
	  "pprctl attach [--json] QEMU_PID [--area FILE] [--name NAME]",
	  "    Recycle the free pages of the guest run by QEMU_PID. FILE is the mark area\n"
	  "    (the ivshmem device's backing file; found in the process's mappings if not\n"
	  "    given); NAME defaults to QEMU's -name, else pid-QEMU_PID. Prints the id\n"
	  "    the module gave the VM.\n", 0 },
	{ "detach", cmd_detach,
	  "pprctl detach [--json] {VM_ID | --pid QEMU_PID}",
	  "    Stop recycling for a VM (by id, or by the pid of its QEMU) and release it.\n", 0 },
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
		fprintf(f, "  %s\n%s", commands[i].synopsis, commands[i].text);
	fprintf(f, "  pprctl help [COMMAND]\n"
		   "    This text, or the usage of one command.\n\n"
		   "Parameters of get and set (PARAM, VALUE, what it sets):\n");
	param_usage(f);
	fprintf(f, "\nEvery command takes --json (-j), to print its result as one JSON object\n"
		   "(errors stay text on stderr), and --help (-h), to print its usage.\n\n"
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
	fprintf(f, "usage: %s\n%s", c->synopsis, c->text);
	if (c->params) {
		fprintf(f, "  Parameters (PARAM, VALUE, what it sets):\n");
		param_usage(f);
	}
}

static int cmd_help(int argc, char **argv)
{
	static const struct option longopts[] = { OPT_HELP, OPT_TABLE_END };
	const struct command *c;
	const char *arg, *name = NULL;
	struct opts o;
	int opt, ret;

	opt_start(&o, "help", argc, argv, "h", longopts);
	while ((opt = opt_next(&o, &arg)) != OPT_DONE) {
		if (opt == OPT_ARG && name)
			opt_error(&o, "too many arguments ('%s')", arg);
		else if (opt == OPT_ARG)
			name = arg;
	}
	ret = opt_end(&o);
	if (ret == EXIT_HELP || (!ret && !name)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (ret)
		return ret;
	c = find_command(name);
	if (!c)
		return usage_error("help", "unknown command '%s'", name);
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

	if (argc < 2)
		return usage_error(NULL, "missing the command");
	if (is_help(argv[1]) || !strcmp(argv[1], "help"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("pprctl " PPRCTL_VERSION "\n");
		return EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return usage_error(NULL, "unknown %s '%s'", argv[1][0] == '-' ? "option" : "command",
				   argv[1]);
	/* --help anywhere, even where an option's value would be, is help. */
	for (i = 2; i < argc; i++)
		if (is_help(argv[i]))
			break;
	ret = i < argc ? EXIT_HELP : c->run(argc - 1, argv + 1);
	if (ret == EXIT_HELP) {
		command_usage(c, stdout);
		ret = EXIT_OK;
	}
	return ret;
}
