/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The GT without a command streamer: engines that are always idle and
 * resets and TLB invalidations that complete at once.
 */
#ifndef IVGPU_CORE_GT_H
#define IVGPU_CORE_GT_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_reg;

u32 ivgpu_gt_mi_mode_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			   u32 off, u32 old, u32 new);
u32 ivgpu_gt_reset_ctl_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			     u32 off, u32 old, u32 new);
u32 ivgpu_gt_self_clear_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			      u32 off, u32 old, u32 new);

#endif /* IVGPU_CORE_GT_H */
