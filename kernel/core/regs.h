/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gen9 register offsets in BAR0, as guest i915 programs them.
 */
#ifndef IVGPU_CORE_REGS_H
#define IVGPU_CORE_REGS_H

/* Forcewake: a request register per domain, acknowledged by a mirror. */
#define FORCEWAKE_ACK_RENDER_GEN9	0x0d84
#define FORCEWAKE_ACK_MEDIA_GEN9	0x0d88
#define FORCEWAKE_BLITTER_GEN9		0xa188
#define FORCEWAKE_MEDIA_GEN9		0xa270
#define FORCEWAKE_RENDER_GEN9		0xa278
#define FORCEWAKE_ACK_GT_GEN9		0x130044

/* Fence registers: 64 bits each. */
#define FENCE_REG_GEN6_BASE		0x100000
#define FENCE_REG_MAX			32

#endif /* IVGPU_CORE_REGS_H */
