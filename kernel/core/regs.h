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

/*
 * Render, blitter, video and video-enhancement engines of a Skylake GT2
 * (i915_pci.c: RCS0, BCS0, VCS0, VECS0) and their ring registers.
 */
#define RENDER_RING_BASE		0x02000
#define BSD_RING_BASE			0x12000
#define VEBOX_RING_BASE			0x1a000
#define BLT_RING_BASE			0x22000
#define RING_PSMI_CTL(base)		((base) + 0x50)		/* masked */
#define RING_MI_MODE(base)		((base) + 0x9c)		/* masked */
#define  MODE_IDLE			(1u << 9)
#define RING_INSTPM(base)		((base) + 0xc0)		/* masked */
#define RING_RESET_CTL(base)		((base) + 0xd0)		/* masked */
#define  RESET_CTL_CAT_ERROR		(1u << 2)
#define  RESET_CTL_READY_TO_RESET	(1u << 1)
#define  RESET_CTL_REQUEST_RESET	(1u << 0)
#define RING_MODE_GEN7(base)		((base) + 0x29c)	/* masked */
#define RING_CONTEXT_STATUS_PTR(base)	((base) + 0x3a0)	/* masked */

/* Render engine and slice chicken registers i915 writes masked. */
#define GEN9_CSFE_CHICKEN1_RCS		0x20d4
#define GEN7_FF_SLICE_CS_CHICKEN1	0x20e0
#define GEN9_CS_DEBUG_MODE1		0x20ec
#define GFX_MODE			0x2520
#define GEN8_CS_CHICKEN1		0x2580
#define GEN9_WM_CHICKEN3		0x5588
#define CACHE_MODE_0_GEN7		0x7000
#define CACHE_MODE_1			0x7004
#define GEN7_GT_MODE			0x7008
#define GEN7_COMMON_SLICE_CHICKEN1	0x7010
#define COMMON_SLICE_CHICKEN2		0x7014
#define HIZ_CHICKEN			0x7018
#define HDC_CHICKEN0			0x7300
#define GEN9_SLICE_COMMON_ECO_CHICKEN0	0x7308
#define GEN7_HALF_SLICE_CHICKEN1	0xe100
#define HALF_SLICE_CHICKEN2		0xe180
#define HALF_SLICE_CHICKEN3		0xe184
#define GEN9_HALF_SLICE_CHICKEN5	0xe188
#define GEN9_HALF_SLICE_CHICKEN7	0xe194
#define GEN8_ROW_CHICKEN		0xe4f0
#define GEN7_ROW_CHICKEN2		0xe4f4
#define GEN6_RC_SLEEP_PSMI_CONTROL	0xa094

/* TLB invalidation, one register per engine class: the request bit clears. */
#define GEN8_RTCR			0x4260	/* then M1TCR, M2TCR, BTCR, VTCR */
#define GEN8_TLB_INV_REGS		5

/* GT reset domains: the written bits clear once the reset is done. */
#define GEN6_GDRST			0x941c

/* Fuses: slices, subslices, EUs (intel_sseu.c gen9_sseu_info_init). */
#define GEN8_FUSE2			0x9120
#define  GEN8_F2_S_ENA_SHIFT		25
#define  GEN9_F2_SS_DIS_SHIFT		20
#define GEN9_EU_DISABLE(slice)		(0x9134 + 4 * (slice))

/* GuC status: its microcontroller stays in reset (intel_uc.c __uc_reset_hw). */
#define GUC_STATUS			0xc000
#define  GS_MIA_IN_RESET		(1u << 0)

/* GuC WOPCM: both read "not locked" (intel_uc.c uc_is_wopcm_locked). */
#define GUC_WOPCM_SIZE			0xc050
#define DMA_GUC_WOPCM_OFFSET		0xc340

/* PCU interrupts: ISR, IMR, IIR, IER; nothing ever latches. */
#define GEN8_PCU_ISR			0x444e0

/* Display engine fuses and clocks. */
#define CPU_VGACNTRL			0x41000
#define  VGA_DISP_DISABLE		(1u << 31)
#define SKL_FUSE_STATUS			0x42000
#define  SKL_FUSE_DOWNLOAD_STATUS	(1u << 31)
#define  SKL_FUSE_PG_DIST_STATUS(pg)	(1u << (27 - (pg)))
#define HSW_PWR_WELL_CTL2		0x45404	/* driver requests */
#define  HSW_PWR_WELL_CTL_REQ_ALL	0xaaaaaaaau	/* bit 2i + 1: well i */
#define DBUF_CTL			0x45008
#define  DBUF_POWER_REQUEST		(1u << 31)
#define  DBUF_POWER_STATE		(1u << 30)
#define CDCLK_CTL			0x46000
#define  CDCLK_FREQ_337_308		(2u << 26)
#define  CDCLK_DECIMAL_337_5		0x2a1	/* (337.5 MHz - 1) * 2 */
/* DPLL 0..3 enable registers: enable bit 31, lock bit 30. */
#define LCPLL1_CTL			0x46010
#define LCPLL2_CTL			0x46014
#define WRPLL_CTL1			0x46040
#define WRPLL_CTL2			0x46060
#define  LCPLL_PLL_ENABLE		(1u << 31)
#define  LCPLL_PLL_LOCK			(1u << 30)
#define SKL_DFSM			0x51000
#define DPLL_CTRL1			0x6c058
#define  DPLL_CTRL1_OVERRIDE(id)	(1u << (6 * (id)))
#define  DPLL_CTRL1_LINK_RATE_810(id)	(2u << (6 * (id) + 1))
#define DPLL_CTRL2			0x6c05c
#define  DPLL_CTRL2_DDI_CLK_OFF(port)	(1u << ((port) + 15))
#define DPLL_STATUS			0x6c060
#define  DPLL_LOCK(id)			(1u << (8 * (id)))

/* DDI ports A..E, 0x100 apart. */
#define IVGPU_PORTS			5
#define DDI_BUF_CTL(port)		(0x64000 + 0x100 * (port))
#define  DDI_BUF_CTL_ENABLE		(1u << 31)
#define  DDI_BUF_IS_IDLE		(1u << 7)
#define DP_TP_CTL(port)			(0x64040 + 0x100 * (port))
#define  DP_TP_CTL_LINK_TRAIN_MASK	(7u << 8)
#define  DP_TP_CTL_LINK_TRAIN_IDLE	(2u << 8)
#define DP_TP_STATUS(port)		(0x64044 + 0x100 * (port))
#define  DP_TP_STATUS_IDLE_DONE		(1u << 25)
/* AUX channels A..C have no sink (D's is DP_AUX_CH_CTL_D). */
#define DP_AUX_CH_CTL(ch)		(0x64010 + 0x100 * (ch))
#define  GEN8_AUX_CHANNEL_A		(1u << 0)
#define  GEN9_AUX_CHANNEL_B		(1u << 25)
#define  GEN9_AUX_CHANNEL_C		(1u << 26)
#define EDP_PSR_IMR			0x64834
#define EDP_PSR_IIR			0x64838

/* South display: hotplug detection, GMBUS (I2C), raw clock. */
#define PCH_PORT_HOTPLUG		0xc4030
#define  PORTD_HOTPLUG_LONG_DETECT	(2u << 16)
/* Port A, B, C, D short/long pulse status: write 1 to clear. */
#define  PCH_PORT_HOTPLUG_STATUS	0x03030303u
#define GMBUS0				0xc5100
#define GMBUS1				0xc5104
#define  GMBUS_SW_CLR_INT		(1u << 31)
#define  GMBUS_SW_RDY			(1u << 30)
#define GMBUS2				0xc5108
#define  GMBUS_SATOER			(1u << 10)
#define PCH_RAWCLK_FREQ			0xc6204

/* PCODE mailbox: command, then two data registers. */
#define GEN6_PCODE_MAILBOX		0x138124
#define  GEN6_PCODE_READY		(1u << 31)
#define  GEN6_PCODE_CMD_MASK		0xffu	/* the error code on return */
#define  GEN6_PCODE_SUCCESS		0x0
#define  GEN6_PCODE_ILLEGAL_CMD		0x1
#define  GEN7_PCODE_ILLEGAL_DATA	0x3
#define  GEN9_PCODE_READ_MEM_LATENCY	0x6
#define  SKL_PCODE_CDCLK_CONTROL	0x7
#define   SKL_CDCLK_PREPARE_FOR_CHANGE	0x3
#define   SKL_CDCLK_READY_FOR_CHANGE	0x1
#define  GEN9_PCODE_SAGV_CONTROL	0x21
#define   GEN9_SAGV_DISABLE		0x0
#define   GEN9_SAGV_IS_DISABLED		0x1
#define   GEN9_SAGV_ENABLE		0x3
#define GEN6_PCODE_DATA			0x138128
#define GEN6_PCODE_DATA1		0x13812c

/* Memory controller, as the BIOS set it up (MCHBAR mirror). */
#define SKL_MAD_DIMM_CH0		0x14500c
#define SKL_MAD_DIMM_CH1		0x145010

/* Pipes and transcoders A, B, C are 0x1000 apart. */
#define IVGPU_PIPES			3
#define PIPE_OFFSET(pipe)		(0x1000 * (pipe))
#define TRANSCONF(pipe)			(0x70008 + PIPE_OFFSET(pipe))
#define  TRANSCONF_ENABLE		(1u << 31)
#define  TRANSCONF_STATE_ENABLE		(1u << 30)
#define PIPEDSL(pipe)			(0x70000 + PIPE_OFFSET(pipe))
#define  PIPEDSL_LINE_MASK		0x1fffu
#define PIPE_FRMCOUNT(pipe)		(0x70040 + PIPE_OFFSET(pipe))
#define PIPE_FLIPCOUNT(pipe)		(0x70044 + PIPE_OFFSET(pipe))

/* Vertical timings: (vtotal - 1) << 16 | (vdisplay - 1). */
#define TRANS_VTOTAL(pipe)		(0x6000c + PIPE_OFFSET(pipe))

/* A transcoder's DDI function: which port it drives (i915_reg.h). */
#define TRANS_DDI_FUNC_CTL(pipe)	(0x60400 + PIPE_OFFSET(pipe))
#define  TRANS_DDI_FUNC_ENABLE		(1u << 31)
#define  TRANS_DDI_PORT_MASK		(7u << 28)
#define  TRANS_DDI_PORT_D		(3u << 28)

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
