/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_ktstr: ktstr's own fixture scheduler.
 *
 * A global vtime scheduler in the style of scx_simple, plus fault-injection
 * knobs. The knobs live in .bss as volatile globals (not .rodata) on purpose:
 * the verifier cannot fold them, so the host can flip them later in guest
 * memory (a bpf_map_write of the ".bss" array map) and the change takes effect
 * on the next callback. Userspace sets their initial values from the command
 * line before attach.
 *
 *   stall_nth              > 0: the Nth task that goes through ops.enqueue is
 *                          put on a DSQ nobody consumes -> the sched_ext
 *                          watchdog ejects with "runnable task stall".
 *   error_after_dispatches > 0: after that many dispatches, scx_bpf_error().
 *   dispatch_delay_us      > 0: ops.dispatch busy-waits that long first.
 *   idle_cpu, idle_ms > 0  ops.dispatch on that CPU dispatches nothing for
 *                          idle_ms of every idle_period_ms (and select_cpu
 *                          does not direct-dispatch there): tasks wait while
 *                          the CPU idles, a work-conservation violation.
 *
 * Uses only kfuncs present in Linux 6.12 (scx_bpf_dispatch{,_vtime},
 * scx_bpf_consume, scx_bpf_create_dsq, scx_bpf_select_cpu_dfl, scx_bpf_error).
 */
#include <scx/common.bpf.h>

char _license[] SEC("license") = "GPL";

#define SHARED_DSQ 0
#define STALL_DSQ 1

volatile u64 stall_nth;
volatile u64 error_after_dispatches;
volatile u64 dispatch_delay_us;
volatile s32 idle_cpu;	/* all knobs zero-initialised so they stay in .bss; idle_ms 0 = off */
volatile u64 idle_ms;
volatile u64 idle_period_ms;

/* counters, read by userspace for its once-a-second status line */
volatile u64 nr_enqueued;
volatile u64 nr_dispatched;
volatile u64 nr_idle_skips;
volatile s32 stalled_pid;

static u64 vtime_now;
UEI_DEFINE(uei);

static inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

static bool in_idle_window(s32 cpu)
{
	u64 period = idle_period_ms, now_ms;

	if (!idle_ms || !period || cpu != idle_cpu)
		return false;
	now_ms = bpf_ktime_get_ns() / 1000000;
	return now_ms % period < idle_ms;
}

/* counts one dispatch; errors out once error_after_dispatches is reached */
static void count_dispatch(void)
{
	u64 n = __sync_fetch_and_add(&nr_dispatched, 1) + 1;
	u64 limit = error_after_dispatches;

	if (limit && n == limit)
		scx_bpf_error("ktstr fixture: error after %llu dispatches", limit);
}

s32 BPF_STRUCT_OPS(ktstr_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu;

	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
	if (is_idle && !in_idle_window(cpu)) {
		count_dispatch();
		scx_bpf_dispatch(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
	}
	return cpu;
}

void BPF_STRUCT_OPS(ktstr_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 n = __sync_fetch_and_add(&nr_enqueued, 1) + 1;
	u64 nth = stall_nth;
	u64 vtime = p->scx.dsq_vtime;

	if (nth && n == nth) {
		stalled_pid = p->pid;
		bpf_printk("ktstr fixture: stalling task %d (enqueue #%llu)", p->pid, n);
	}
	if (stalled_pid && p->pid == stalled_pid) {
		/* STALL_DSQ is never consumed: the task stays runnable, never runs */
		scx_bpf_dispatch(p, STALL_DSQ, SCX_SLICE_DFL, enq_flags);
		return;
	}
	if (vtime_before(vtime, vtime_now - SCX_SLICE_DFL))
		vtime = vtime_now - SCX_SLICE_DFL;
	count_dispatch();
	scx_bpf_dispatch_vtime(p, SHARED_DSQ, SCX_SLICE_DFL, vtime, enq_flags);
}

static long delay_cb(u64 index, void *ctx)
{
	u64 *end = ctx;

	return bpf_ktime_get_ns() >= *end ? 1 : 0;
}

void BPF_STRUCT_OPS(ktstr_dispatch, s32 cpu, struct task_struct *prev)
{
	u64 delay = dispatch_delay_us;

	if (in_idle_window(cpu)) {
		__sync_fetch_and_add(&nr_idle_skips, 1);
		return;
	}
	if (delay) {
		u64 end = bpf_ktime_get_ns() + delay * 1000;

		bpf_loop(1 << 23, delay_cb, &end, 0);
	}
	scx_bpf_consume(SHARED_DSQ);
}

void BPF_STRUCT_OPS(ktstr_running, struct task_struct *p)
{
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
}

void BPF_STRUCT_OPS(ktstr_stopping, struct task_struct *p, bool runnable)
{
	p->scx.dsq_vtime += (SCX_SLICE_DFL - p->scx.slice) * 100 / p->scx.weight;
}

void BPF_STRUCT_OPS(ktstr_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = vtime_now;
}

s32 BPF_STRUCT_OPS_SLEEPABLE(ktstr_init)
{
	s32 ret = scx_bpf_create_dsq(SHARED_DSQ, -1);

	if (ret)
		return ret;
	return scx_bpf_create_dsq(STALL_DSQ, -1);
}

void BPF_STRUCT_OPS(ktstr_exit, struct scx_exit_info *ei)
{
	UEI_RECORD(uei, ei);
}

SCX_OPS_DEFINE(ktstr_ops,
	       .select_cpu		= (void *)ktstr_select_cpu,
	       .enqueue			= (void *)ktstr_enqueue,
	       .dispatch		= (void *)ktstr_dispatch,
	       .running			= (void *)ktstr_running,
	       .stopping		= (void *)ktstr_stopping,
	       .enable			= (void *)ktstr_enable,
	       .init			= (void *)ktstr_init,
	       .exit			= (void *)ktstr_exit,
	       .name			= "ktstr");
