// SPDX-License-Identifier: GPL-2.0-only
/*
 * BAR0 register dispatch.
 */
#include "mmio.h"
#include "core.h"
#include "display.h"
#include "gt.h"
#include "interrupt.h"
#include "monitor.h"
#include "pcode.h"
#include "ports.h"
#include "power.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

/* Forcewake: the acknowledge register mirrors the granted domains. */
static u32 forcewake_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			   u32 off, u32 old, u32 new)
{
	ivgpu_reg_set(c, r->arg, new & 0xffff);
	return new;
}

/* Fence registers past the instance's fence count do not exist. */
static u32 fence_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
		       u32 off, u32 old, u32 new)
{
	u32 fence = (off - r->offset) / 8;

	return fence < c->type->fences ? new : old;
}

/* A register i915 writes with _MASKED_BIT_ENABLE() or _MASKED_FIELD(). */
#define MASKED(off)	{ .offset = (off), .size = 4, .flags = IVGPU_REG_MODE_MASK }

/* A fuse or strap: a value the guest reads and cannot change. */
#define FIXED(off, val)	{ .offset = (off), .size = 4, .flags = IVGPU_REG_RO, \
			  .reset = (val) }

/* An engine's MI_MODE: masked, always idle (the reset handshake). */
#define ENGINE_MI_MODE(base)	{ .offset = RING_MI_MODE(base), .size = 4, \
				  .flags = IVGPU_REG_MODE_MASK, .reset = MODE_IDLE, \
				  .write = ivgpu_gt_mi_mode_write }
/* An engine's RESET_CTL: masked, ready as soon as a reset is requested. */
#define ENGINE_RESET_CTL(base)	{ .offset = RING_RESET_CTL(base), .size = 4, \
				  .flags = IVGPU_REG_MODE_MASK, \
				  .write = ivgpu_gt_reset_ctl_write }

/*
 * Sorted by offset. Where i915 waits on or checks a register, the comment
 * names the place (paths under drivers/gpu/drm/i915/ of Linux 6.1).
 */
static const struct ivgpu_reg ivgpu_regs[] = {
	{ .offset = FORCEWAKE_ACK_RENDER_GEN9, .size = 4,
	  .flags = IVGPU_REG_RO },
	{ .offset = FORCEWAKE_ACK_MEDIA_GEN9, .size = 4,
	  .flags = IVGPU_REG_RO },
	/*
	 * Ring registers of each engine (gt/intel_engine_regs.h): PSMI_CTL,
	 * MI_MODE, INSTPM, RESET_CTL, MODE_GEN7, CONTEXT_STATUS_PTR, all
	 * masked; MI_MODE and RESET_CTL also answer the reset handshake
	 * (gt/intel_engine_cs.c __intel_engine_stop_cs, gt/intel_reset.c
	 * gen8_engine_reset_prepare).
	 */
	/* render engine (its workaround registers sit between) */
	MASKED(RING_PSMI_CTL(RENDER_RING_BASE)),
	ENGINE_MI_MODE(RENDER_RING_BASE),
	MASKED(RING_INSTPM(RENDER_RING_BASE)),
	ENGINE_RESET_CTL(RENDER_RING_BASE),
	/* workarounds (gt/intel_workarounds.c rcs_engine_wa_init) */
	MASKED(GEN9_CSFE_CHICKEN1_RCS),
	MASKED(GEN7_FF_SLICE_CS_CHICKEN1),
	MASKED(GEN9_CS_DEBUG_MODE1),
	/* execlists on (gt/intel_execlists_submission.c enable_execlists) */
	MASKED(RING_MODE_GEN7(RENDER_RING_BASE)),
	MASKED(RING_CONTEXT_STATUS_PTR(RENDER_RING_BASE)),
	MASKED(GFX_MODE),
	/* context workarounds (gt/intel_workarounds.c gen9_ctx_*) */
	MASKED(GEN8_CS_CHICKEN1),
	/* TLB invalidation (gt/intel_gt.c mmio_invalidate_full) */
	{ .offset = GEN8_RTCR, .size = 4 * GEN8_TLB_INV_REGS,
	  .write = ivgpu_gt_self_clear_write },
	MASKED(GEN9_WM_CHICKEN3),
	MASKED(CACHE_MODE_0_GEN7),
	MASKED(CACHE_MODE_1),
	MASKED(GEN7_GT_MODE),
	MASKED(GEN7_COMMON_SLICE_CHICKEN1),
	MASKED(COMMON_SLICE_CHICKEN2),
	MASKED(HIZ_CHICKEN),
	MASKED(HDC_CHICKEN0),
	MASKED(GEN9_SLICE_COMMON_ECO_CHICKEN0),
	/* one slice, subslices 0-2, 8 EUs each (gt/intel_sseu.c:391-417) */
	FIXED(GEN8_FUSE2, 1u << GEN8_F2_S_ENA_SHIFT | 0x8u << GEN9_F2_SS_DIS_SHIFT),
	{ .offset = GEN9_EU_DISABLE(0), .size = 12, .flags = IVGPU_REG_RO },
	/* GT reset (gt/intel_reset.c gen6_hw_domain_reset) */
	{ .offset = GEN6_GDRST, .size = 4, .write = ivgpu_gt_self_clear_write },
	/* intel_pm.c gen8 clock gating, gt/intel_rc6.c */
	MASKED(GEN6_RC_SLEEP_PSMI_CONTROL),
	{ .offset = FORCEWAKE_BLITTER_GEN9, .size = 4,
	  .flags = IVGPU_REG_MODE_MASK, .arg = FORCEWAKE_ACK_GT_GEN9,
	  .write = forcewake_write },
	{ .offset = FORCEWAKE_MEDIA_GEN9, .size = 4,
	  .flags = IVGPU_REG_MODE_MASK, .arg = FORCEWAKE_ACK_MEDIA_GEN9,
	  .write = forcewake_write },
	{ .offset = FORCEWAKE_RENDER_GEN9, .size = 4,
	  .flags = IVGPU_REG_MODE_MASK, .arg = FORCEWAKE_ACK_RENDER_GEN9,
	  .write = forcewake_write },
	/*
	 * No GuC: its core reads as held in reset after every GuC reset
	 * (gt/uc/intel_uc.c __uc_reset_hw WARNs otherwise), and WOPCM is
	 * never locked (uc_is_wopcm_locked).
	 */
	FIXED(GUC_STATUS, GS_MIA_IN_RESET),
	FIXED(GUC_WOPCM_SIZE, 0),
	FIXED(DMA_GUC_WOPCM_OFFSET, 0),
	/* context workarounds (gt/intel_workarounds.c gen9_ctx_*) */
	MASKED(GEN7_HALF_SLICE_CHICKEN1),
	MASKED(HALF_SLICE_CHICKEN2),
	MASKED(HALF_SLICE_CHICKEN3),
	MASKED(GEN9_HALF_SLICE_CHICKEN5),
	MASKED(GEN9_HALF_SLICE_CHICKEN7),
	MASKED(GEN8_ROW_CHICKEN),
	MASKED(GEN7_ROW_CHICKEN2),
	/* video engine */
	MASKED(RING_PSMI_CTL(BSD_RING_BASE)),
	ENGINE_MI_MODE(BSD_RING_BASE),
	MASKED(RING_INSTPM(BSD_RING_BASE)),
	ENGINE_RESET_CTL(BSD_RING_BASE),
	MASKED(RING_MODE_GEN7(BSD_RING_BASE)),
	MASKED(RING_CONTEXT_STATUS_PTR(BSD_RING_BASE)),
	/* video enhancement engine */
	MASKED(RING_PSMI_CTL(VEBOX_RING_BASE)),
	ENGINE_MI_MODE(VEBOX_RING_BASE),
	MASKED(RING_INSTPM(VEBOX_RING_BASE)),
	ENGINE_RESET_CTL(VEBOX_RING_BASE),
	MASKED(RING_MODE_GEN7(VEBOX_RING_BASE)),
	MASKED(RING_CONTEXT_STATUS_PTR(VEBOX_RING_BASE)),
	/* blitter engine */
	MASKED(RING_PSMI_CTL(BLT_RING_BASE)),
	ENGINE_MI_MODE(BLT_RING_BASE),
	MASKED(RING_INSTPM(BLT_RING_BASE)),
	ENGINE_RESET_CTL(BLT_RING_BASE),
	MASKED(RING_MODE_GEN7(BLT_RING_BASE)),
	MASKED(RING_CONTEXT_STATUS_PTR(BLT_RING_BASE)),
	/* VGA plane off: no VGA I/O (display/intel_vga.c i915_disable_vga) */
	{ .offset = CPU_VGACNTRL, .size = 4, .reset = VGA_DISP_DISABLE },
	/* power gates 0-2 ready (display/intel_display_power_well.c:321) */
	FIXED(SKL_FUSE_STATUS, SKL_FUSE_DOWNLOAD_STATUS |
	      SKL_FUSE_PG_DIST_STATUS(0) | SKL_FUSE_PG_DIST_STATUS(1) |
	      SKL_FUSE_PG_DIST_STATUS(2)),
	{ .offset = GEN8_MASTER_IRQ, .size = 4, .flags = IVGPU_REG_INTR,
	  .read = ivgpu_intr_master_read, .write = ivgpu_intr_master_write },
	/* render and blitter interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_GT_ISR(0), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_GT_ISR(0) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_GT_ISR(0) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* video interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_GT_ISR(1), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_GT_ISR(1) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_GT_ISR(1) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* power management interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_GT_ISR(2), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_GT_ISR(2) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_GT_ISR(2) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* video enhancement interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_GT_ISR(3), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_GT_ISR(3) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_GT_ISR(3) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* pipe A interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_PIPE_ISR(0), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_PIPE_ISR(0) + IRQ_IMR, .size = 4,
	  .flags = IVGPU_REG_VBLANK },
	{ .offset = GEN8_DE_PIPE_ISR(0) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_PIPE_ISR(0) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* pipe B interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_PIPE_ISR(1), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_PIPE_ISR(1) + IRQ_IMR, .size = 4,
	  .flags = IVGPU_REG_VBLANK },
	{ .offset = GEN8_DE_PIPE_ISR(1) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_PIPE_ISR(1) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* pipe C interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_PIPE_ISR(2), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_PIPE_ISR(2) + IRQ_IMR, .size = 4,
	  .flags = IVGPU_REG_VBLANK },
	{ .offset = GEN8_DE_PIPE_ISR(2) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_PIPE_ISR(2) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* display ports interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_PORT_ISR, .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_PORT_ISR + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_PORT_ISR + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* display misc interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_MISC_ISR, .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_MISC_ISR + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_MISC_ISR + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* PCU interrupts: nothing latches (i915_irq.c gen8_irq_reset) */
	{ .offset = GEN8_PCU_ISR, .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_PCU_ISR + IRQ_IIR, .size = 4, .flags = IVGPU_REG_W1C },
	/* display/intel_display_power.c gen9_dbuf_slice_set */
	{ .offset = DBUF_CTL, .size = 4, .write = ivgpu_power_ack_write },
	/* display/intel_display_power_well.c hsw_wait_for_power_well_enable */
	{ .offset = HSW_PWR_WELL_CTL2, .size = 4,
	  .write = ivgpu_power_well_write },
	/* 337.5 MHz from DPLL0 (display/intel_cdclk.c skl_get_cdclk) */
	{ .offset = CDCLK_CTL, .size = 4,
	  .reset = CDCLK_FREQ_337_308 | CDCLK_DECIMAL_337_5 },
	/* DPLL0 on at 8.1 GHz, as firmware leaves it (intel_cdclk.c:875) */
	{ .offset = LCPLL1_CTL, .size = 4,
	  .reset = LCPLL_PLL_ENABLE | LCPLL_PLL_LOCK,
	  .write = ivgpu_power_ack_write },
	{ .offset = LCPLL2_CTL, .size = 4, .write = ivgpu_power_ack_write },
	{ .offset = WRPLL_CTL1, .size = 4, .write = ivgpu_power_ack_write },
	{ .offset = WRPLL_CTL2, .size = 4, .write = ivgpu_power_ack_write },
	/* no pipe fused off (intel_device_info.c:386-401) */
	FIXED(SKL_DFSM, 0),
	/* port A: DDI buffer, AUX channel, DisplayPort transport */
	{ .offset = DDI_BUF_CTL(0), .size = 4, .reset = DDI_BUF_IS_IDLE,
	  .write = ivgpu_ports_ddi_buf_write },
	{ .offset = DP_AUX_CH_CTL(0), .size = 4, .flags = IVGPU_REG_INTR,
	  .arg = GEN8_AUX_CHANNEL_A, .write = ivgpu_ports_aux_write },
	{ .offset = DP_TP_STATUS(0), .size = 4, .flags = IVGPU_REG_RO,
	  .read = ivgpu_ports_dp_tp_status_read },
	/* port B: DDI buffer, AUX channel, DisplayPort transport */
	{ .offset = DDI_BUF_CTL(1), .size = 4, .reset = DDI_BUF_IS_IDLE,
	  .write = ivgpu_ports_ddi_buf_write },
	{ .offset = DP_AUX_CH_CTL(1), .size = 4, .flags = IVGPU_REG_INTR,
	  .arg = GEN9_AUX_CHANNEL_B, .write = ivgpu_ports_aux_write },
	{ .offset = DP_TP_STATUS(1), .size = 4, .flags = IVGPU_REG_RO,
	  .read = ivgpu_ports_dp_tp_status_read },
	/* port C: DDI buffer, AUX channel, DisplayPort transport */
	{ .offset = DDI_BUF_CTL(2), .size = 4, .reset = DDI_BUF_IS_IDLE,
	  .write = ivgpu_ports_ddi_buf_write },
	{ .offset = DP_AUX_CH_CTL(2), .size = 4, .flags = IVGPU_REG_INTR,
	  .arg = GEN9_AUX_CHANNEL_C, .write = ivgpu_ports_aux_write },
	{ .offset = DP_TP_STATUS(2), .size = 4, .flags = IVGPU_REG_RO,
	  .read = ivgpu_ports_dp_tp_status_read },
	/* port D: DDI buffer, AUX channel, DisplayPort transport */
	{ .offset = DDI_BUF_CTL(3), .size = 4, .reset = DDI_BUF_IS_IDLE,
	  .write = ivgpu_ports_ddi_buf_write },
	{ .offset = DP_AUX_CH_CTL_D, .size = 4, .flags = IVGPU_REG_INTR,
	  .write = ivgpu_monitor_aux_ctl_write },
	{ .offset = DP_TP_STATUS(3), .size = 4, .flags = IVGPU_REG_RO,
	  .read = ivgpu_ports_dp_tp_status_read },
	/* port E: DDI buffer, AUX channel, DisplayPort transport */
	{ .offset = DDI_BUF_CTL(4), .size = 4, .reset = DDI_BUF_IS_IDLE,
	  .write = ivgpu_ports_ddi_buf_write },
	{ .offset = DP_TP_STATUS(4), .size = 4, .flags = IVGPU_REG_RO,
	  .read = ivgpu_ports_dp_tp_status_read },
	/* PSR interrupts: nothing latches (i915_irq.c gen8_de_irq_postinstall) */
	{ .offset = EDP_PSR_IIR, .size = 4, .flags = IVGPU_REG_W1C },
	/* DPLL0 for the 8.1 GHz CDCLK VCO (display/intel_cdclk.c:875-913) */
	{ .offset = DPLL_CTRL1, .size = 4,
	  .reset = DPLL_CTRL1_OVERRIDE(0) | DPLL_CTRL1_LINK_RATE_810(0) },
	/* DDI clocks gated (display/intel_ddi.c skl_ddi_is_clock_enabled) */
	{ .offset = DPLL_CTRL2, .size = 4,
	  .reset = DPLL_CTRL2_DDI_CLK_OFF(0) | DPLL_CTRL2_DDI_CLK_OFF(1) |
		   DPLL_CTRL2_DDI_CLK_OFF(2) | DPLL_CTRL2_DDI_CLK_OFF(3) |
		   DPLL_CTRL2_DDI_CLK_OFF(4) },
	/* display/intel_dpll_mgr.c skl_ddi_pll_enable */
	{ .offset = DPLL_STATUS, .size = 4, .flags = IVGPU_REG_RO,
	  .read = ivgpu_power_dpll_status_read },
	{ .offset = PIPEDSL(0), .size = 4, .flags = IVGPU_REG_RO, .arg = 0,
	  .read = ivgpu_display_pipedsl_read },
	{ .offset = TRANSCONF(0), .size = 4, .arg = 0,
	  .write = ivgpu_display_transconf_write },
	{ .offset = PIPE_FRMCOUNT(0), .size = 4, .flags = IVGPU_REG_RO, .arg = 0,
	  .read = ivgpu_display_frmcount_read },
	{ .offset = PLANE_SURF(0), .size = 4, .arg = 0,
	  .write = ivgpu_display_surf_write },
	{ .offset = PIPEDSL(1), .size = 4, .flags = IVGPU_REG_RO, .arg = 1,
	  .read = ivgpu_display_pipedsl_read },
	{ .offset = TRANSCONF(1), .size = 4, .arg = 1,
	  .write = ivgpu_display_transconf_write },
	{ .offset = PIPE_FRMCOUNT(1), .size = 4, .flags = IVGPU_REG_RO, .arg = 1,
	  .read = ivgpu_display_frmcount_read },
	{ .offset = PLANE_SURF(1), .size = 4, .arg = 1,
	  .write = ivgpu_display_surf_write },
	{ .offset = PIPEDSL(2), .size = 4, .flags = IVGPU_REG_RO, .arg = 2,
	  .read = ivgpu_display_pipedsl_read },
	{ .offset = TRANSCONF(2), .size = 4, .arg = 2,
	  .write = ivgpu_display_transconf_write },
	{ .offset = PIPE_FRMCOUNT(2), .size = 4, .flags = IVGPU_REG_RO, .arg = 2,
	  .read = ivgpu_display_frmcount_read },
	{ .offset = PLANE_SURF(2), .size = 4, .arg = 2,
	  .write = ivgpu_display_surf_write },
	/* PV info: the host half is read-only, the guest half plain storage. */
	{ .offset = IVGPU_PVINFO_OFFSET, .size = IVGPU_PV_GUEST_AREA,
	  .flags = IVGPU_REG_RO },
	/* south display (PCH) interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = SDEISR, .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = SDEISR + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = SDEISR + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* long and short pulses (i915_irq.c spt_irq_handler) */
	{ .offset = PCH_PORT_HOTPLUG, .size = 4, .w1c = PCH_PORT_HOTPLUG_STATUS },
	/* no I2C device answers (display/intel_gmbus.c gmbus_wait) */
	{ .offset = GMBUS1, .size = 4, .write = ivgpu_ports_gmbus1_write },
	{ .offset = GMBUS2, .size = 4, .flags = IVGPU_REG_RO },
	/* 24 MHz (intel_dram.c, display/intel_cdclk.c pch_rawclk) */
	{ .offset = PCH_RAWCLK_FREQ, .size = 4, .reset = 24 },
	{ .offset = FENCE_REG_GEN6_BASE, .size = FENCE_REG_MAX * 8,
	  .write = fence_write },
	{ .offset = FORCEWAKE_ACK_GT_GEN9, .size = 4,
	  .flags = IVGPU_REG_RO },
	/* intel_pcode.c __snb_pcode_rw */
	{ .offset = GEN6_PCODE_MAILBOX, .size = 4,
	  .write = ivgpu_pcode_mailbox_write },
	/* two channels, an 8 GB single-rank x8 DIMM each (intel_dram.c:190) */
	FIXED(SKL_MAD_DIMM_CH0, 8),
	FIXED(SKL_MAD_DIMM_CH1, 8),
};

/*
 * Per 4 KiB page of the register space, the table entries that may cover it:
 * [ivgpu_reg_page_lo[p], ivgpu_reg_page_hi[p]). A lookup searches those few.
 */
#define IVGPU_REG_PAGES (IVGPU_MMIO_SIZE / 4096)
static u16 ivgpu_reg_page_lo[IVGPU_REG_PAGES], ivgpu_reg_page_hi[IVGPU_REG_PAGES];
static bool ivgpu_reg_indexed;

void ivgpu_mmio_index(void)
{
	unsigned int p, lo = 0, hi = 0;

	for (p = 0; p < IVGPU_REG_PAGES; p++) {
		while (lo < ARRAY_SIZE(ivgpu_regs) &&
		       ivgpu_regs[lo].offset + ivgpu_regs[lo].size <= p * 4096)
			lo++;
		if (hi < lo)
			hi = lo;
		while (hi < ARRAY_SIZE(ivgpu_regs) &&
		       ivgpu_regs[hi].offset < (p + 1) * 4096)
			hi++;
		ivgpu_reg_page_lo[p] = lo;
		ivgpu_reg_page_hi[p] = hi;
	}
	ivgpu_reg_indexed = true;
}

/* The entry of [lo, hi) that covers @off. */
static const struct ivgpu_reg *ivgpu_mmio_search(u32 off, unsigned int lo,
						 unsigned int hi)
{
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct ivgpu_reg *r = &ivgpu_regs[mid];

		if (off < r->offset)
			hi = mid;
		else if (off >= r->offset + r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

const struct ivgpu_reg *ivgpu_mmio_lookup(u32 off)
{
	if (!ivgpu_reg_indexed || off >= IVGPU_MMIO_SIZE)
		return ivgpu_mmio_search(off, 0, ARRAY_SIZE(ivgpu_regs));
	return ivgpu_mmio_search(off, ivgpu_reg_page_lo[off / 4096],
				 ivgpu_reg_page_hi[off / 4096]);
}

int ivgpu_mmio_table_check(void)
{
	unsigned int i;
	u32 off;

	for (i = 0; i < ARRAY_SIZE(ivgpu_regs); i++) {
		const struct ivgpu_reg *r = &ivgpu_regs[i];

		if (r->offset % 4 || r->size % 4 || !r->size ||
		    r->offset + r->size > IVGPU_MMIO_SIZE)
			return -EINVAL;
		if (i && r->offset < ivgpu_regs[i - 1].offset +
				     ivgpu_regs[i - 1].size)
			return -EINVAL;
	}
	/* The page index finds what a search of the whole table finds. */
	ivgpu_mmio_index();
	for (off = 0; off < IVGPU_MMIO_SIZE; off += 4)
		if (ivgpu_mmio_lookup(off) !=
		    ivgpu_mmio_search(off, 0, ARRAY_SIZE(ivgpu_regs)))
			return -EINVAL;
	return 0;
}

int ivgpu_mmio_power_on(struct ivgpu_store *regs)
{
	unsigned int i;
	u32 off;
	int ret;

	for (i = 0; i < ARRAY_SIZE(ivgpu_regs); i++) {
		const struct ivgpu_reg *r = &ivgpu_regs[i];

		for (off = r->offset; r->reset && off < r->offset + r->size;
		     off += 4) {
			u64 word = ivgpu_store_get(regs, off / 8);
			u32 shift = 8 * (off & 4);

			word = (word & ~(0xffffffffull << shift)) |
			       ((u64)r->reset << shift);
			ret = ivgpu_store_set(regs, off / 8, word);
			if (ret)
				return ret;
		}
	}
	return 0;
}

void ivgpu_reg_set(struct ivgpu_core *c, u32 off, u32 val)
{
	u64 word = ivgpu_store_get(&c->regs, off / 8);
	u32 shift = 8 * (off & 4);

	word = (word & ~(0xffffffffull << shift)) | ((u64)val << shift);
	if (ivgpu_store_set(&c->regs, off / 8, word))
		c->stats.nomem++;
}

u32 ivgpu_mmio_read32(struct ivgpu_core *c, u32 off)
{
	const struct ivgpu_reg *r = ivgpu_mmio_lookup(off);
	u32 val = ivgpu_reg_get(c, off);

	c->stats.mmio_reads++;
	return r && r->read ? r->read(c, r, off, val) : val;
}

void ivgpu_mmio_write32(struct ivgpu_core *c, u32 off, u32 val, u32 bytemask)
{
	const struct ivgpu_reg *r = ivgpu_mmio_lookup(off);
	u32 flags = r ? r->flags : 0;
	u32 old = ivgpu_reg_get(c, off);
	u32 new, m;

	c->stats.mmio_writes++;
	val &= bytemask;
	if (flags & IVGPU_REG_RO) {
		c->stats.ro_writes++;
		return;
	}
	if (flags & IVGPU_REG_MODE_MASK) {
		m = val >> 16;
		new = (old & ~m & 0xffff) | (val & m);
	} else if (flags & IVGPU_REG_W1C) {
		new = old & ~val;
	} else {
		new = (old & ~bytemask) | val;
	}
	if (r && r->w1c)
		new = (new & ~r->w1c) | (old & r->w1c & ~val);
	if (r && r->write)
		new = r->write(c, r, off, old, new);
	if (new != old)
		ivgpu_reg_set(c, off, new);
	if (flags & IVGPU_REG_INTR)
		ivgpu_intr_update(c);
	if (flags & IVGPU_REG_VBLANK)
		c->vblank_changed = true;
}
