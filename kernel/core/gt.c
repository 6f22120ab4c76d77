// SPDX-License-Identifier: GPL-2.0-only
/*
 * GT handshakes. No engine ever runs a command, so each is idle and may be
 * reset at any time: the handshakes i915 waits on before and during a reset
 * (gt/intel_reset.c, gt/intel_engine_cs.c) answer at once, and so does a
 * TLB invalidation (gt/intel_gt.c mmio_invalidate_full).
 */
#include "gt.h"
#include "core.h"
#include "regs.h"

/* RING_MI_MODE (masked): the command streamer is idle, stopped or not. */
u32 ivgpu_gt_mi_mode_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			   u32 off, u32 old, u32 new)
{
	return new | MODE_IDLE;
}

/*
 * RING_RESET_CTL (masked): the engine is ready for reset as soon as one is
 * requested, and stops being ready when the request is withdrawn. Nothing
 * is ever catastrophic.
 */
u32 ivgpu_gt_reset_ctl_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			     u32 off, u32 old, u32 new)
{
	new &= ~(RESET_CTL_READY_TO_RESET | RESET_CTL_CAT_ERROR);
	if (new & RESET_CTL_REQUEST_RESET)
		new |= RESET_CTL_READY_TO_RESET;
	return new;
}

/* GEN6_GDRST, TLB invalidation: the request is done when written. */
u32 ivgpu_gt_self_clear_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			      u32 off, u32 old, u32 new)
{
	return 0;
}
