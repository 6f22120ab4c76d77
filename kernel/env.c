// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's environment inside the kernel (see platform.h). Memory is for
 * the lazily filled tables, allocated from process context; the clock is
 * the monotonic one; what the guest gets refused goes to the log.
 */
#include <linux/atomic.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "core/platform.h"
#include "debugfs.h"
#include "vgpu.h"

/* Allocations left before the module's fail; -1: none fails (debugfs). */
atomic_t ivgpu_fail_after = ATOMIC_INIT(-1);
struct ivgpu_live ivgpu_live;

bool ivgpu_fail_alloc(void)
{
	if (atomic_read(&ivgpu_fail_after) < 0)
		return false;
	return atomic_dec_if_positive(&ivgpu_fail_after) < 0;
}

void *ivgpu_core_zalloc(size_t size)
{
	if (ivgpu_fail_alloc())
		return NULL;
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

void ivgpu_core_free(void *p)
{
	kfree(p);
}

u64 ivgpu_core_now_ns(void)
{
	return ktime_get_ns();
}

void ivgpu_core_refused(const struct ivgpu_core *c, const char *what,
			u32 off, u32 val)
{
	const struct ivgpu_vgpu *vgpu = container_of(c, struct ivgpu_vgpu, core);

	dev_dbg_ratelimited(vgpu->vdev.dev,
			    "guest %s refused: 0x%08x at 0x%05x\n", what, val, off);
}
