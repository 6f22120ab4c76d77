// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the registers a guest i915 driver reads while it probes a
 * Skylake GT2: power-on values, masked registers, the GT reset handshake,
 * the PCODE mailbox, display power and clocks, ports, and the scan line.
 * Values come from docs/architecture.md ("Guest-facing registers").
 */
#include <stdlib.h>
#include "tap.h"
#include "env.h"
#include "core.h"
#include "display.h"
#include "mmio.h"
#include "monitor.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

#define MASK_EN(bits)	((u32)(bits) << 16 | (bits))	/* _MASKED_BIT_ENABLE */
#define MASK_DIS(bits)	((u32)(bits) << 16)		/* _MASKED_BIT_DISABLE */

static const u32 engines[] = {
	RENDER_RING_BASE, BSD_RING_BASE, VEBOX_RING_BASE, BLT_RING_BASE,
};

static struct ivgpu_core *core_new(void)
{
	struct ivgpu_core *c = calloc(1, sizeof(*c));

	ASSERT_TRUE(c != NULL);
	ASSERT_EQ(ivgpu_core_init(c, &ivgpu_types[0], 1), 0);
	return c;
}

static void core_free(struct ivgpu_core *c)
{
	ivgpu_core_fini(c);
	free(c);
}

/* Power-on values, the same after a device reset. */
static void expect_power_on(struct ivgpu_core *c)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(engines); i++) {
		EXPECT_EQ(r32(c, RING_MI_MODE(engines[i])), 0x200);
		EXPECT_EQ(r32(c, RING_RESET_CTL(engines[i])), 0);
	}
	EXPECT_EQ(r32(c, GEN8_FUSE2), 0x02800000);
	EXPECT_EQ(r32(c, GEN9_EU_DISABLE(0)), 0);
	EXPECT_EQ(r32(c, GUC_STATUS), GS_MIA_IN_RESET);
	EXPECT_EQ(r32(c, GUC_WOPCM_SIZE), 0);
	EXPECT_EQ(r32(c, DMA_GUC_WOPCM_OFFSET), 0);
	EXPECT_EQ(r32(c, CPU_VGACNTRL), 0x80000000);
	EXPECT_EQ(r32(c, SKL_FUSE_STATUS), 0x8e000000);
	EXPECT_EQ(r32(c, DBUF_CTL), 0);
	EXPECT_EQ(r32(c, HSW_PWR_WELL_CTL2), 0);
	EXPECT_EQ(r32(c, CDCLK_CTL), 0x080002a1);
	EXPECT_EQ(r32(c, LCPLL1_CTL), 0xc0000000);
	EXPECT_EQ(r32(c, LCPLL2_CTL), 0);
	EXPECT_EQ(r32(c, WRPLL_CTL1), 0);
	EXPECT_EQ(r32(c, WRPLL_CTL2), 0);
	EXPECT_EQ(r32(c, SKL_DFSM), 0);
	for (i = 0; i < IVGPU_PORTS; i++) {
		EXPECT_EQ(r32(c, DDI_BUF_CTL(i)), 0x80);
		EXPECT_EQ(r32(c, DP_TP_STATUS(i)), 0);
	}
	EXPECT_EQ(r32(c, DPLL_CTRL1), 0x5);
	EXPECT_EQ(r32(c, DPLL_CTRL2), 0x000f8000);
	EXPECT_EQ(r32(c, DPLL_STATUS), 0x1);
	EXPECT_EQ(r32(c, PCH_PORT_HOTPLUG), 0);
	EXPECT_EQ(r32(c, GMBUS2), 0);
	EXPECT_EQ(r32(c, PCH_RAWCLK_FREQ), 24);
	EXPECT_EQ(r32(c, GEN6_PCODE_MAILBOX), 0);
	EXPECT_EQ(r32(c, SKL_MAD_DIMM_CH0), 8);
	EXPECT_EQ(r32(c, SKL_MAD_DIMM_CH1), 8);
}

TEST(regs_power_on_values)
{
	struct ivgpu_core *c = core_new();

	expect_power_on(c);
	w32(c, CDCLK_CTL, 0x04000000);
	w32(c, LCPLL1_CTL, 0);
	w32(c, DDI_BUF_CTL(3), DDI_BUF_CTL_ENABLE);
	w32(c, RING_MI_MODE(RENDER_RING_BASE), MASK_EN(1u << 8));
	ivgpu_core_reset(c);
	expect_power_on(c);
	core_free(c);
}

TEST(regs_fuses_are_read_only)
{
	static const u32 fixed[] = {
		GEN8_FUSE2, GEN9_EU_DISABLE(0), GEN9_EU_DISABLE(1),
		GEN9_EU_DISABLE(2), GUC_STATUS, GUC_WOPCM_SIZE, DMA_GUC_WOPCM_OFFSET,
		SKL_FUSE_STATUS, SKL_DFSM, DPLL_STATUS, GMBUS2,
		SKL_MAD_DIMM_CH0, SKL_MAD_DIMM_CH1, DP_TP_STATUS(3),
	};
	struct ivgpu_core *c = core_new();
	u32 i, before;

	for (i = 0; i < ARRAY_SIZE(fixed); i++) {
		before = r32(c, fixed[i]);
		w32(c, fixed[i], ~before);
		EXPECT_EQ(r32(c, fixed[i]), before);
	}
	EXPECT_EQ(c->stats.ro_writes, ARRAY_SIZE(fixed));
	core_free(c);
}

/* Every register i915 writes masked, read back without the mask bits. */
TEST(regs_masked_read_back)
{
	static const u32 masked[] = {
		GEN9_CSFE_CHICKEN1_RCS, GEN7_FF_SLICE_CS_CHICKEN1,
		GEN9_CS_DEBUG_MODE1, GFX_MODE, GEN8_CS_CHICKEN1,
		GEN9_WM_CHICKEN3, CACHE_MODE_0_GEN7, CACHE_MODE_1,
		GEN7_GT_MODE, GEN7_COMMON_SLICE_CHICKEN1,
		COMMON_SLICE_CHICKEN2, HIZ_CHICKEN, HDC_CHICKEN0,
		GEN9_SLICE_COMMON_ECO_CHICKEN0, GEN6_RC_SLEEP_PSMI_CONTROL,
		GEN7_HALF_SLICE_CHICKEN1, HALF_SLICE_CHICKEN2,
		HALF_SLICE_CHICKEN3, GEN9_HALF_SLICE_CHICKEN5,
		GEN9_HALF_SLICE_CHICKEN7, GEN8_ROW_CHICKEN, GEN7_ROW_CHICKEN2,
	};
	struct ivgpu_core *c = core_new();
	u32 i, e;

	for (i = 0; i < ARRAY_SIZE(masked); i++) {
		const struct ivgpu_reg *r = ivgpu_mmio_lookup(masked[i]);

		ASSERT_TRUE(r != NULL);
		EXPECT_EQ(r->flags, IVGPU_REG_MODE_MASK);
		w32(c, masked[i], MASK_EN(0x0104));
		w32(c, masked[i], MASK_EN(0x0010));
		/* _MASKED_FIELD(0x0f00, 0x0200) */
		w32(c, masked[i], 0x0f000200);
		EXPECT_EQ(r32(c, masked[i]), 0x0214);
		w32(c, masked[i], MASK_DIS(0x0004));
		EXPECT_EQ(r32(c, masked[i]), 0x0210);
	}
	for (e = 0; e < ARRAY_SIZE(engines); e++) {
		static const u32 ring[] = { 0x50, 0xc0, 0x29c, 0x3a0 };

		for (i = 0; i < ARRAY_SIZE(ring); i++) {
			u32 off = engines[e] + ring[i];

			w32(c, off, MASK_EN(0x8001));
			w32(c, off, MASK_DIS(0x0001));
			EXPECT_EQ(r32(c, off), 0x8000);
		}
	}
	core_free(c);
}

TEST(regs_gt_reset_handshake)
{
	struct ivgpu_core *c = core_new();
	u32 i;

	for (i = 0; i < ARRAY_SIZE(engines); i++) {
		u32 ctl = RING_RESET_CTL(engines[i]);
		u32 mode = RING_MI_MODE(engines[i]);

		/* gt/intel_reset.c gen8_engine_reset_prepare, _cancel */
		w32(c, ctl, MASK_EN(RESET_CTL_REQUEST_RESET));
		EXPECT_EQ(r32(c, ctl), 0x3);
		w32(c, ctl, MASK_DIS(RESET_CTL_REQUEST_RESET));
		EXPECT_EQ(r32(c, ctl), 0);
		/* the status bits are the engine's, not the guest's */
		w32(c, ctl, MASK_EN(RESET_CTL_READY_TO_RESET |
				   RESET_CTL_CAT_ERROR));
		EXPECT_EQ(r32(c, ctl), 0);

		/* gt/intel_engine_cs.c __intel_engine_stop_cs: STOP_RING */
		w32(c, mode, MASK_EN(1u << 8));
		EXPECT_EQ(r32(c, mode), 0x300);
		w32(c, mode, MASK_DIS(1u << 8 | MODE_IDLE));
		EXPECT_EQ(r32(c, mode), MODE_IDLE);
	}
	/* gt/intel_reset.c gen6_hw_domain_reset: GRDOM_FULL */
	w32(c, GEN6_GDRST, 0x1);
	EXPECT_EQ(r32(c, GEN6_GDRST), 0);
	w32(c, GEN6_GDRST, 0xffffffff);
	EXPECT_EQ(r32(c, GEN6_GDRST), 0);
	/* gt/intel_gt.c mmio_invalidate_full: RTCR, M1TCR, M2TCR, BTCR, VTCR */
	for (i = 0; i < GEN8_TLB_INV_REGS; i++) {
		w32(c, GEN8_RTCR + 4 * i, 0x1);
		EXPECT_EQ(r32(c, GEN8_RTCR + 4 * i), 0);
	}
	core_free(c);
}

/* A mailbox command as __snb_pcode_rw sends it; returns the mailbox. */
static u32 pcode(struct ivgpu_core *c, u32 cmd, u32 *data)
{
	w32(c, GEN6_PCODE_DATA, *data);
	w32(c, GEN6_PCODE_DATA1, 0);
	w32(c, GEN6_PCODE_MAILBOX, GEN6_PCODE_READY | cmd);
	*data = r32(c, GEN6_PCODE_DATA);
	return r32(c, GEN6_PCODE_MAILBOX);
}

TEST(regs_pcode_mailbox)
{
	struct ivgpu_core *c = core_new();
	unsigned long refused0 = unit_refused;
	u32 data;

	/* display/skl_watermark.c skl_read_wm_latency */
	data = 0;
	EXPECT_EQ(pcode(c, GEN9_PCODE_READ_MEM_LATENCY, &data), 0);
	EXPECT_EQ(data, 0x1e1a1100);
	data = 1;
	EXPECT_EQ(pcode(c, GEN9_PCODE_READ_MEM_LATENCY, &data), 0);
	EXPECT_EQ(data, 0x61514b3d);
	EXPECT_EQ(r32(c, GEN6_PCODE_DATA1), 0);

	/* display/intel_cdclk.c skl_set_cdclk: prepare, then voltage level */
	data = SKL_CDCLK_PREPARE_FOR_CHANGE;
	EXPECT_EQ(pcode(c, SKL_PCODE_CDCLK_CONTROL, &data), 0);
	EXPECT_EQ(data, SKL_CDCLK_READY_FOR_CHANGE);
	data = 2;
	EXPECT_EQ(pcode(c, SKL_PCODE_CDCLK_CONTROL, &data), 0);
	EXPECT_EQ(data, 2);
	data = 9;
	EXPECT_EQ(pcode(c, SKL_PCODE_CDCLK_CONTROL, &data),
		  GEN7_PCODE_ILLEGAL_DATA);

	/* display/skl_watermark.c skl_sagv_disable, skl_sagv_enable */
	data = GEN9_SAGV_DISABLE;
	EXPECT_EQ(pcode(c, GEN9_PCODE_SAGV_CONTROL, &data), 0);
	EXPECT_EQ(data, GEN9_SAGV_IS_DISABLED);
	data = GEN9_SAGV_ENABLE;
	EXPECT_EQ(pcode(c, GEN9_PCODE_SAGV_CONTROL, &data), 0);
	EXPECT_EQ(data, GEN9_SAGV_ENABLE);
	EXPECT_EQ(c->stats.pcode_rejected, 1);

	/*
	 * Anything else is illegal: HSW_PCODE_DYNAMIC_DUTY_CYCLE_CONTROL
	 * (gt/intel_rps.c gen6_rps_init), an out-of-range SAGV request, a
	 * command with parameters. The parameters stay, READY clears.
	 */
	data = 0x1234;
	EXPECT_EQ(pcode(c, 0x1a, &data), GEN6_PCODE_ILLEGAL_CMD);
	EXPECT_EQ(data, 0x1234);
	data = 2;
	EXPECT_EQ(pcode(c, GEN9_PCODE_SAGV_CONTROL, &data),
		  GEN7_PCODE_ILLEGAL_DATA);
	EXPECT_EQ(pcode(c, 0x00ff00ff, &data), 0x00ff0001);
	EXPECT_EQ(c->stats.pcode_rejected, 4);
	/* Each refusal is told to the host (the module logs it, rate-limited). */
	EXPECT_EQ(unit_refused - refused0, 4);

	/* Without READY nothing runs. */
	w32(c, GEN6_PCODE_DATA, 0);
	w32(c, GEN6_PCODE_MAILBOX, GEN9_PCODE_READ_MEM_LATENCY);
	EXPECT_EQ(r32(c, GEN6_PCODE_MAILBOX), GEN9_PCODE_READ_MEM_LATENCY);
	EXPECT_EQ(r32(c, GEN6_PCODE_DATA), 0);
	EXPECT_EQ(c->stats.pcode_rejected, 4);
	core_free(c);
}

TEST(regs_power_wells_and_dbuf)
{
	struct ivgpu_core *c = core_new();

	/* MISC_IO (0), DDI D (4), PW1 (14), PW2 (15) requested */
	w32(c, HSW_PWR_WELL_CTL2, 1u << 1 | 1u << 9 | 1u << 29 | 1u << 31);
	EXPECT_EQ(r32(c, HSW_PWR_WELL_CTL2), 0xf0000303);
	w32(c, HSW_PWR_WELL_CTL2, 1u << 31);
	EXPECT_EQ(r32(c, HSW_PWR_WELL_CTL2), 0xc0000000);
	/* a state bit alone is not a request */
	w32(c, HSW_PWR_WELL_CTL2, 0x55555555);
	EXPECT_EQ(r32(c, HSW_PWR_WELL_CTL2), 0);

	w32(c, DBUF_CTL, DBUF_POWER_REQUEST);
	EXPECT_EQ(r32(c, DBUF_CTL), 0xc0000000);
	w32(c, DBUF_CTL, DBUF_POWER_STATE);
	EXPECT_EQ(r32(c, DBUF_CTL), 0);
	core_free(c);
}

TEST(regs_plls_lock_when_enabled)
{
	static const u32 ctl[] = { LCPLL1_CTL, LCPLL2_CTL, WRPLL_CTL1,
				   WRPLL_CTL2 };
	struct ivgpu_core *c = core_new();
	u32 id, status = 0;

	w32(c, LCPLL1_CTL, 0);
	EXPECT_EQ(r32(c, LCPLL1_CTL), 0);
	EXPECT_EQ(r32(c, DPLL_STATUS), 0);
	for (id = 0; id < ARRAY_SIZE(ctl); id++) {
		w32(c, ctl[id], LCPLL_PLL_ENABLE | 0x123);
		EXPECT_EQ(r32(c, ctl[id]), 0xc0000123);
		status |= 1u << (8 * id);
		EXPECT_EQ(r32(c, DPLL_STATUS), status);
	}
	w32(c, WRPLL_CTL1, LCPLL_PLL_LOCK);
	EXPECT_EQ(r32(c, WRPLL_CTL1), 0);
	EXPECT_EQ(r32(c, DPLL_STATUS), 0x01000101);
	core_free(c);
}

TEST(regs_ddi_buffers_and_transports)
{
	struct ivgpu_core *c = core_new();
	u32 port;

	for (port = 0; port < IVGPU_PORTS; port++) {
		w32(c, DDI_BUF_CTL(port), DDI_BUF_CTL_ENABLE | 0x10);
		EXPECT_EQ(r32(c, DDI_BUF_CTL(port)), 0x80000010);
		w32(c, DDI_BUF_CTL(port), 0x10);
		EXPECT_EQ(r32(c, DDI_BUF_CTL(port)), 0x90);

		/* training pattern 1, idle, normal */
		w32(c, DP_TP_CTL(port), 0x80000000);
		EXPECT_EQ(r32(c, DP_TP_STATUS(port)), 0);
		w32(c, DP_TP_CTL(port), 0x80000200);
		EXPECT_EQ(r32(c, DP_TP_STATUS(port)), 0x02000000);
		w32(c, DP_TP_CTL(port), 0x80000300);
		EXPECT_EQ(r32(c, DP_TP_STATUS(port)), 0);
	}
	core_free(c);
}

TEST(regs_aux_without_sink_times_out)
{
	static const u32 bit[] = { GEN8_AUX_CHANNEL_A, GEN9_AUX_CHANNEL_B,
				   GEN9_AUX_CHANNEL_C };
	struct ivgpu_core *c = core_new();
	u32 ch, iir = GEN8_DE_PORT_ISR + IRQ_IIR;

	for (ch = 0; ch < ARRAY_SIZE(bit); ch++) {
		u32 ctl = DP_AUX_CH_CTL(ch);

		/* intel_dp_aux.c intel_dp_aux_xfer: send 4 bytes */
		w32(c, ctl, DP_AUX_CH_CTL_SEND_BUSY | DP_AUX_CH_CTL_INTERRUPT |
		   4u << DP_AUX_CH_CTL_SIZE_SHIFT | 0x3f);
		EXPECT_EQ(r32(c, ctl), DP_AUX_CH_CTL_DONE |
			  DP_AUX_CH_CTL_INTERRUPT |
			  DP_AUX_CH_CTL_TIME_OUT_ERROR | 0x3f);
		EXPECT_EQ(r32(c, iir), bit[ch]);
		w32(c, iir, bit[ch]);
		/* the status is cleared by writing it back */
		w32(c, ctl, r32(c, ctl));
		EXPECT_EQ(r32(c, ctl), DP_AUX_CH_CTL_INTERRUPT | 0x3f);
		/* without the interrupt bit nothing latches */
		w32(c, ctl, DP_AUX_CH_CTL_SEND_BUSY);
		EXPECT_EQ(r32(c, ctl), DP_AUX_CH_CTL_DONE |
			  DP_AUX_CH_CTL_TIME_OUT_ERROR);
		EXPECT_EQ(r32(c, iir), 0);
	}
	core_free(c);
}

TEST(regs_gmbus_naks)
{
	struct ivgpu_core *c = core_new();

	/* intel_gmbus.c gmbus_xfer_read_chunk: read 128 bytes from 0x50 */
	w32(c, GMBUS0, 0x5);
	w32(c, GMBUS1, GMBUS_SW_RDY | 1u << 25 | 128u << 16 | 0x50 << 1 | 1);
	EXPECT_EQ(r32(c, GMBUS2), GMBUS_SATOER);
	EXPECT_EQ(r32(c, GMBUS1), 1u << 25 | 128u << 16 | 0x50 << 1 | 1);
	/* the status stays until the NAK is cleared */
	w32(c, GMBUS1, 0);
	EXPECT_EQ(r32(c, GMBUS2), GMBUS_SATOER);
	w32(c, GMBUS1, GMBUS_SW_CLR_INT);
	EXPECT_EQ(r32(c, GMBUS2), 0);
	EXPECT_EQ(r32(c, GMBUS1), GMBUS_SW_CLR_INT);
	core_free(c);
}

TEST(regs_hotplug_long_pulse)
{
	struct ivgpu_core *c = core_new();
	u32 v;

	/* i915_irq.c spt_hpd_detection_setup: port D detection on */
	w32(c, PCH_PORT_HOTPLUG, 1u << 20 | 1u << 4);
	EXPECT_EQ(r32(c, PCH_PORT_HOTPLUG), 0x00100010);
	/* the guest cannot set a status */
	w32(c, PCH_PORT_HOTPLUG, 0x00130010);
	EXPECT_EQ(r32(c, PCH_PORT_HOTPLUG), 0x00100010);

	ASSERT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
					     IVGPU_LINK_DOWN, 4), 0);
	v = r32(c, PCH_PORT_HOTPLUG);
	EXPECT_EQ(v, 0x00120010);
	EXPECT_EQ(r32(c, SDEISR + IRQ_IIR), SDE_PORTD_HOTPLUG_CPT);
	/* a write of another byte leaves the status */
	ivgpu_core_bar0_write(c, PCH_PORT_HOTPLUG, 0x10, 1);
	EXPECT_EQ(r32(c, PCH_PORT_HOTPLUG), 0x00120010);
	/* i915_irq.c spt_irq_handler writes back what it read */
	w32(c, PCH_PORT_HOTPLUG, v);
	EXPECT_EQ(r32(c, PCH_PORT_HOTPLUG), 0x00100010);

	ASSERT_EQ(ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
					     IVGPU_LINK_UP, 4), 0);
	EXPECT_EQ(r32(c, PCH_PORT_HOTPLUG), 0x00120010);
	core_free(c);
}

/* GEN3_IRQ_RESET: IMR all ones, IER 0, IIR all ones twice; IIR then reads 0. */
TEST(regs_iirs_read_zero_after_reset)
{
	static const u32 isr[] = {
		GEN8_GT_ISR(0), GEN8_GT_ISR(1), GEN8_GT_ISR(2), GEN8_GT_ISR(3),
		GEN8_DE_PIPE_ISR(0), GEN8_DE_PIPE_ISR(1), GEN8_DE_PIPE_ISR(2),
		GEN8_DE_PORT_ISR, GEN8_DE_MISC_ISR, GEN8_PCU_ISR, SDEISR,
	};
	struct ivgpu_core *c = core_new();
	u32 i;

	for (i = 0; i < ARRAY_SIZE(isr); i++) {
		w32(c, isr[i] + IRQ_IMR, 0xffffffff);
		w32(c, isr[i] + IRQ_IER, 0);
		w32(c, isr[i] + IRQ_IIR, 0xffffffff);
		w32(c, isr[i] + IRQ_IIR, 0xffffffff);
		EXPECT_EQ(r32(c, isr[i] + IRQ_IIR), 0);
	}
	w32(c, EDP_PSR_IMR, 0xffffffff);
	w32(c, EDP_PSR_IIR, 0xffffffff);
	EXPECT_EQ(r32(c, EDP_PSR_IMR), 0xffffffff);
	EXPECT_EQ(r32(c, EDP_PSR_IIR), 0);
	core_free(c);
}

TEST(regs_scan_line_moves_with_time)
{
	struct ivgpu_core *c = core_new();
	u64 frame = IVGPU_FRAME_NS;

	unit_now_ns = 5 * frame;
	/* a stopped pipe's line stands still */
	EXPECT_EQ(r32(c, PIPEDSL(1)), 0);
	w32(c, TRANS_VTOTAL(1), (1125 - 1) << 16 | (1080 - 1));
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);

	/* a frame starts (at a multiple of its period) with vblank: line vdisplay */
	EXPECT_EQ(r32(c, PIPEDSL(1)), 1080);
	unit_now_ns += frame / 2;
	EXPECT_EQ(r32(c, PIPEDSL(1)), (1080 + 562) % 1125);
	/* line 0 reads as vtotal */
	unit_now_ns = 5 * frame + 666667;
	EXPECT_EQ(r32(c, PIPEDSL(1)), 1125);
	unit_now_ns += 15000;
	EXPECT_EQ(r32(c, PIPEDSL(1)), 1);
	/* the next frame: the line goes round, no tick needed */
	unit_now_ns = 6 * frame + frame / 2;
	EXPECT_EQ(r32(c, PIPEDSL(1)), (1080 + 562) % 1125);
	EXPECT_EQ(r32(c, PIPEDSL(0)), 0);

	/* without timings the line still moves, never through 0 */
	w32(c, TRANS_VTOTAL(1), 0);
	EXPECT_EQ(r32(c, PIPEDSL(1)), (1080 + 562) % 1125);
	unit_now_ns += 100000;
	EXPECT_EQ(r32(c, PIPEDSL(1)), (1080 + 569) % 1125);

	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, PIPEDSL(1)), 0);
	unit_now_ns = 0;
	core_free(c);
}
