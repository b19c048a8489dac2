/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_ktstr userspace: parses the fixture knobs, writes them into the BPF
 * program's .bss, attaches, and prints a status line once a second until the
 * scheduler exits or SIGINT/SIGTERM arrives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <getopt.h>
#include <libgen.h>
#include <bpf/bpf.h>
#include <scx/common.h>
#include "scx_ktstr.bpf.skel.h"

const char help_fmt[] =
"ktstr's fixture sched_ext scheduler: global vtime plus fault-injection knobs.\n"
"\n"
"Usage: %s [options]\n"
"\n"
"  --stall-nth N               never dispatch the Nth enqueued task (watchdog stall)\n"
"  --error-after-dispatches N  scx_bpf_error() after N dispatches\n"
"  --dispatch-delay-us X       busy-wait X us in every ops.dispatch\n"
"  --idle-cpu C                leave CPU C idle ...\n"
"  --idle-ms M                 ... for M ms ...\n"
"  --idle-period-ms P          ... of every P ms (default 1000)\n"
"  --timeout-ms T              sched_ext watchdog timeout (default: kernel's 30 s)\n"
"  --attach-delay-ms N         sleep N ms after loading, before attaching\n"
"  --ignore-sigusr2            survive SIGUSR2 (log it instead of dying)\n"
"  -v                          print libbpf debug messages\n"
"  -h                          display this help and exit\n";

static bool verbose;
static volatile int exit_req;
static volatile sig_atomic_t nr_usr2;

static int libbpf_print_fn(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, format, args);
}

static void sigint_handler(int sig)
{
	exit_req = 1;
}

static void sigusr2_handler(int sig)
{
	static const char msg[] = "scx_ktstr: SIGUSR2 received and ignored\n";

	nr_usr2++;
	/* write(2) is async-signal-safe, fprintf is not */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		return;
}

static unsigned long long parse_num(const char *opt, const char *arg)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 0);

	if (!*arg || *end) {
		fprintf(stderr, "scx_ktstr: --%s needs a non-negative number, got '%s'\n", opt, arg);
		exit(2);
	}
	return v;
}

enum { O_STALL = 256, O_ERROR, O_DELAY, O_IDLE_CPU, O_IDLE_MS, O_IDLE_PERIOD, O_TIMEOUT, O_ATTACH_DELAY, O_USR2 };

static const struct option long_opts[] = {
	{ "stall-nth", required_argument, NULL, O_STALL },
	{ "error-after-dispatches", required_argument, NULL, O_ERROR },
	{ "dispatch-delay-us", required_argument, NULL, O_DELAY },
	{ "idle-cpu", required_argument, NULL, O_IDLE_CPU },
	{ "idle-ms", required_argument, NULL, O_IDLE_MS },
	{ "idle-period-ms", required_argument, NULL, O_IDLE_PERIOD },
	{ "timeout-ms", required_argument, NULL, O_TIMEOUT },
	{ "attach-delay-ms", required_argument, NULL, O_ATTACH_DELAY },
	{ "ignore-sigusr2", no_argument, NULL, O_USR2 },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	struct scx_ktstr *skel;
	struct bpf_link *link;
	unsigned long long attach_delay_ms = 0, timeout_ms = 0;
	bool ignore_usr2 = false;
	int opt, kind;
	__u64 ecode;

	libbpf_set_print(libbpf_print_fn);
	signal(SIGINT, sigint_handler);
	signal(SIGTERM, sigint_handler);
	skel = SCX_OPS_OPEN(ktstr_ops, scx_ktstr);
	skel->bss->idle_period_ms = 1000;

	while ((opt = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case O_STALL: skel->bss->stall_nth = parse_num("stall-nth", optarg); break;
		case O_ERROR: skel->bss->error_after_dispatches = parse_num("error-after-dispatches", optarg); break;
		case O_DELAY: skel->bss->dispatch_delay_us = parse_num("dispatch-delay-us", optarg); break;
		case O_IDLE_CPU: skel->bss->idle_cpu = (int)parse_num("idle-cpu", optarg); break;
		case O_IDLE_MS: skel->bss->idle_ms = parse_num("idle-ms", optarg); break;
		case O_IDLE_PERIOD: skel->bss->idle_period_ms = parse_num("idle-period-ms", optarg); break;
		case O_TIMEOUT: timeout_ms = parse_num("timeout-ms", optarg); break;
		case O_ATTACH_DELAY: attach_delay_ms = parse_num("attach-delay-ms", optarg); break;
		case O_USR2: ignore_usr2 = true; break;
		case 'v': verbose = true; break;
		default:
			fprintf(stderr, help_fmt, basename(argv[0]));
			return opt != 'h';
		}
	}
	if (skel->bss->idle_ms && skel->bss->idle_period_ms && skel->bss->idle_ms >= skel->bss->idle_period_ms) {
		fprintf(stderr, "scx_ktstr: --idle-ms %llu must be below --idle-period-ms %llu\n",
			(unsigned long long)skel->bss->idle_ms, (unsigned long long)skel->bss->idle_period_ms);
		return 2;
	}
	if (timeout_ms)
		skel->struct_ops.ktstr_ops->timeout_ms = timeout_ms;
	if (ignore_usr2) {
		struct sigaction sa = { .sa_handler = sigusr2_handler };

		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESTART;
		sigaction(SIGUSR2, &sa, NULL);
	}

	SCX_OPS_LOAD(skel, ktstr_ops, scx_ktstr, uei);
	if (attach_delay_ms) {
		printf("scx_ktstr: loaded; waiting %llu ms before attaching\n", attach_delay_ms);
		fflush(stdout);
		/* a loop so that a signal (SIGUSR2 with --ignore-sigusr2) does not cut the wait short */
		for (unsigned long long left = attach_delay_ms; left && !exit_req; ) {
			unsigned long long step = left > 100 ? 100 : left;

			usleep(step * 1000);
			left -= step;
		}
	}
	link = SCX_OPS_ATTACH(skel, ktstr_ops, scx_ktstr);
	printf("scx_ktstr: attached (stall_nth=%llu error_after_dispatches=%llu dispatch_delay_us=%llu idle_cpu=%d idle_ms=%llu/%llu)\n",
	       (unsigned long long)skel->bss->stall_nth, (unsigned long long)skel->bss->error_after_dispatches,
	       (unsigned long long)skel->bss->dispatch_delay_us, skel->bss->idle_cpu,
	       (unsigned long long)skel->bss->idle_ms, (unsigned long long)skel->bss->idle_period_ms);
	fflush(stdout);

	while (!exit_req && !UEI_EXITED(skel, uei)) {
		printf("enqueued=%llu dispatched=%llu idle_skips=%llu usr2=%d stalled_pid=%d\n",
		       (unsigned long long)skel->bss->nr_enqueued, (unsigned long long)skel->bss->nr_dispatched,
		       (unsigned long long)skel->bss->nr_idle_skips, (int)nr_usr2, skel->bss->stalled_pid);
		fflush(stdout);
		sleep(1);
	}

	bpf_link__destroy(link);
	ecode = UEI_REPORT(skel, uei);
	/* an error exit (SCX_EXIT_ERROR = 1024 and above: scx_bpf_error, watchdog stall) must not look like a clean
	 * stop, which scx_simple's "return 0" would make it */
	kind = skel->data->uei.kind;
	scx_ktstr__destroy(skel);
	if (kind >= 1024)
		return 1;
	return UEI_ECODE_USER(ecode) ? (int)UEI_ECODE_USER(ecode) : 0;
}
