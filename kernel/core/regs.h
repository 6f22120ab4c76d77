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

/*
 * Gen8+ interrupt hierarchy. Each block has ISR (live status), IMR (mask:
 * a masked event never latches), IIR (latched, write-1-to-clear) and IER
 * (latched bits that reach the master register), 4 bytes apart.
 */
#define GEN8_MASTER_IRQ			0x44200
#define  GEN8_MASTER_IRQ_CONTROL	(1u << 31)
#define  GEN8_DE_PIPE_IRQ(pipe)		(1u << (16 + (pipe)))
#define  GEN8_DE_PORT_IRQ		(1u << 20)
#define  GEN8_DE_MISC_IRQ		(1u << 22)
#define  GEN8_DE_PCH_IRQ		(1u << 23)
#define GEN8_GT_ISR(which)		(0x44300 + 0x10 * (which))
#define GEN8_DE_PIPE_ISR(pipe)		(0x44400 + 0x10 * (pipe))
#define  GEN8_PIPE_VBLANK		(1u << 0)
#define  GEN9_PIPE_PLANE1_FLIP_DONE	(1u << 3)
#define GEN8_DE_PORT_ISR		0x44440
#define  GEN9_AUX_CHANNEL_D		(1u << 27)
#define GEN8_DE_MISC_ISR		0x44460
/* DisplayPort AUX channel of port D: control, then five data registers. */
#define DP_AUX_CH_CTL_D			0x64310
#define DP_AUX_CH_DATA_D(i)		(0x64314 + 4 * (i))
#define  DP_AUX_CH_CTL_SEND_BUSY	(1u << 31)
#define  DP_AUX_CH_CTL_DONE		(1u << 30)
#define  DP_AUX_CH_CTL_INTERRUPT	(1u << 29)
#define  DP_AUX_CH_CTL_TIME_OUT_ERROR	(1u << 28)
#define  DP_AUX_CH_CTL_RECEIVE_ERROR	(1u << 25)
#define  DP_AUX_CH_CTL_SIZE_SHIFT	20
#define  DP_AUX_CH_CTL_SIZE_MASK	(0x1fu << 20)

#define SDEISR				0xc4000
#define  SDE_PORTD_HOTPLUG_CPT		(1u << 23)
#define IRQ_IMR				4	/* offsets inside a block */
#define IRQ_IIR				8
#define IRQ_IER				12

/* Pipes and transcoders A, B, C are 0x1000 apart. */
#define IVGPU_PIPES			3
#define PIPE_OFFSET(pipe)		(0x1000 * (pipe))
#define TRANSCONF(pipe)			(0x70008 + PIPE_OFFSET(pipe))
#define  TRANSCONF_ENABLE		(1u << 31)
#define  TRANSCONF_STATE_ENABLE		(1u << 30)
#define PIPE_FRMCOUNT(pipe)		(0x70040 + PIPE_OFFSET(pipe))
#define PIPE_FLIPCOUNT(pipe)		(0x70044 + PIPE_OFFSET(pipe))

/* Pipe source size: (width - 1) << 16 | (height - 1). */
#define PIPESRC(pipe)			(0x6001c + PIPE_OFFSET(pipe))

/* Cursor of each pipe. */
#define CURCNTR(pipe)			(0x70080 + PIPE_OFFSET(pipe))
#define  MCURSOR_MODE_MASK		0x27
#define  MCURSOR_MODE_64_ARGB		0x27
#define  MCURSOR_MODE_128_ARGB		0x22
#define  MCURSOR_MODE_256_ARGB		0x23
#define CURBASE(pipe)			(0x70084 + PIPE_OFFSET(pipe))
#define CURPOS(pipe)			(0x70088 + PIPE_OFFSET(pipe))
#define  CURSOR_POS_SIGN		0x8000u
#define  CURSOR_POS_MASK		0x1fffu

/* Universal plane 1 (primary) of each pipe, Gen9 layout. */
#define PLANE_CTL(pipe)			(0x70180 + PIPE_OFFSET(pipe))
#define  PLANE_CTL_ENABLE		(1u << 31)
#define  PLANE_CTL_FORMAT_SHIFT		24
#define  PLANE_CTL_FORMAT_MASK		(0xfu << 24)
#define  PLANE_CTL_FORMAT_XRGB_2101010	2
#define  PLANE_CTL_FORMAT_XRGB_8888	4
#define  PLANE_CTL_FORMAT_RGB_565	14
#define  PLANE_CTL_ORDER_RGBX		(1u << 20)
#define  PLANE_CTL_TILED_MASK		(7u << 10)
#define  PLANE_CTL_TILED_LINEAR		(0u << 10)
#define  PLANE_CTL_TILED_X		(1u << 10)
#define  PLANE_CTL_ALPHA_MASK		(3u << 4)
#define PLANE_STRIDE(pipe)		(0x70188 + PIPE_OFFSET(pipe))
#define  PLANE_STRIDE_MASK		0x7ffu
#define PLANE_POS(pipe)			(0x7018c + PIPE_OFFSET(pipe))
#define PLANE_SIZE(pipe)		(0x70190 + PIPE_OFFSET(pipe))
#define PLANE_SURF(pipe)		(0x7019c + PIPE_OFFSET(pipe))
#define  PLANE_SURF_ADDR_MASK		0xfffff000u
#define PLANE_OFFSET(pipe)		(0x701a4 + PIPE_OFFSET(pipe))

#endif /* IVGPU_CORE_REGS_H */
