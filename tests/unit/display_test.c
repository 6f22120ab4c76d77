// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the core's interrupts and display: the gen8 interrupt
 * registers, pipes, frame counters and vblank events, the plane decoder
 * (formats, tiling, bad values, the cursor) and flips. Built in userspace
 * with ASan and UBSan.
 */
#include <stdlib.h>
#include "tap.h"
#include "env.h"
#include "core.h"
#include "display.h"
#include "edid.h"
#include "monitor.h"
#include "fbdec.h"
#include "ggtt.h"
#include "interrupt.h"
#include "mmio.h"
#include "regs.h"
#include "types.h"
#include "unit.h"
#include <linux/ivgpu.h>

static const struct ivgpu_type *small = &ivgpu_types[0];

TEST(interrupt_latch_mask_enable)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 pipe_a = GEN8_DE_PIPE_ISR(0);

	/* Masked: nothing latches. */
	w32(c, pipe_a + IRQ_IMR, 0xffffffff);
	ivgpu_intr_raise(c, pipe_a, GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, pipe_a + IRQ_IIR), 0);

	/* Unmasked: latches; reaches the line only with IER and master. */
	w32(c, pipe_a + IRQ_IMR, ~GEN8_PIPE_VBLANK);
	ivgpu_intr_raise(c, pipe_a, GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, pipe_a + IRQ_IIR), GEN8_PIPE_VBLANK);
	EXPECT_FALSE(c->intr_asserted);
	w32(c, pipe_a + IRQ_IER, GEN8_PIPE_VBLANK);
	EXPECT_FALSE(c->intr_asserted);
	EXPECT_EQ(r32(c, GEN8_MASTER_IRQ), GEN8_DE_PIPE_IRQ(0));
	w32(c, GEN8_MASTER_IRQ, 0xffffffff);
	EXPECT_TRUE(c->intr_asserted);
	EXPECT_EQ(r32(c, GEN8_MASTER_IRQ),
		  GEN8_MASTER_IRQ_CONTROL | GEN8_DE_PIPE_IRQ(0));

	/* The handler: master off, clear IIR (write 1 to clear), master on. */
	w32(c, GEN8_MASTER_IRQ, 0);
	EXPECT_FALSE(c->intr_asserted);
	w32(c, pipe_a + IRQ_IIR, GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, pipe_a + IRQ_IIR), 0);
	w32(c, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
	EXPECT_FALSE(c->intr_asserted);
	EXPECT_EQ(r32(c, GEN8_MASTER_IRQ), GEN8_MASTER_IRQ_CONTROL);

	/* ISR is read-only; a PCH event shows as bit 23. */
	w32(c, pipe_a, 0xffffffff);
	EXPECT_EQ(r32(c, pipe_a), 0);
	w32(c, SDEISR + IRQ_IER, SDE_PORTD_HOTPLUG_CPT);
	ivgpu_intr_raise(c, SDEISR, SDE_PORTD_HOTPLUG_CPT);
	EXPECT_TRUE(c->intr_asserted);
	EXPECT_EQ(r32(c, GEN8_MASTER_IRQ),
		  GEN8_MASTER_IRQ_CONTROL | GEN8_DE_PCH_IRQ);
	free_core(c);
}

TEST(display_pipes_and_vblank)
{
	struct ivgpu_core *c = new_core(small, 1);

	c->vblank_changed = false;
	EXPECT_EQ(ivgpu_display_enabled_pipes(c), 0);
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(r32(c, TRANSCONF(1)),
		  TRANSCONF_ENABLE | TRANSCONF_STATE_ENABLE);
	EXPECT_EQ(ivgpu_display_enabled_pipes(c), 2);

	w32(c, GEN8_DE_PIPE_ISR(1) + IRQ_IER, GEN8_PIPE_VBLANK);
	w32(c, GEN8_DE_PIPE_ISR(1) + IRQ_IMR, ~GEN8_PIPE_VBLANK);
	ivgpu_display_vblank(c);
	EXPECT_EQ(r32(c, GEN8_DE_PIPE_ISR(1) + IRQ_IIR), GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IIR), 0);

	c->vblank_changed = false;
	w32(c, TRANSCONF(1), 0);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(r32(c, TRANSCONF(1)), 0);
	free_core(c);
}

/* Frame counters follow the clock while it runs: no tick advances them. */
TEST(frame_counters_follow_the_clock)
{
	struct ivgpu_core *c = new_core(small, 1);

	unit_now_ns = 1000 * IVGPU_FRAME_NS + 5;
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	unit_now_ns += 10 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 0);		/* clock off */

	ivgpu_display_clock(c, true);
	unit_now_ns += 3 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 3);
	ivgpu_display_vblank(c);			/* counts nothing */
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 3);
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(1)), 0);		/* pipe off */
	w32(c, PIPE_FRMCOUNT(0), 77);			/* read-only */
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 3);

	/* A stopped pipe keeps its count; started again, counts on. */
	w32(c, TRANSCONF(0), 0);
	unit_now_ns += 5 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 3);
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	unit_now_ns += 2 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 5);

	/* The clock stops (migration): the count is stored and stays. */
	ivgpu_display_clock(c, false);
	EXPECT_EQ(ivgpu_reg_get(c, PIPE_FRMCOUNT(0)), 5);
	unit_now_ns += 9 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 5);
	ivgpu_display_clock(c, true);
	unit_now_ns += IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(0)), 6);
	unit_now_ns = 0;
	free_core(c);
}

/*
 * A pipe stopped after a frame began whose tick had not come yet latches
 * that vblank, once: IIR agrees with the frame counter the guest read.
 */
TEST(a_stopping_pipe_latches_the_vblank_its_frame_counter_shows)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 iir = GEN8_DE_PIPE_ISR(1) + IRQ_IIR;

	unit_now_ns = 500 * IVGPU_FRAME_NS + 7;
	ivgpu_display_clock(c, true);
	w32(c, GEN8_DE_PIPE_ISR(1) + IRQ_IMR,
	    ~(GEN8_PIPE_VBLANK | GEN9_PIPE_PLANE1_FLIP_DONE));
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	w32(c, PLANE_SURF(1), 0x40000);

	/* Stopped within the frame it started in: nothing is due. */
	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, iir), 0);

	/* Two frames later, no tick came: the vblank and the flip-done. */
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	unit_now_ns += 2 * IVGPU_FRAME_NS;
	EXPECT_EQ(r32(c, PIPE_FRMCOUNT(1)), 2);
	c->vblank_changed = false;
	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, iir), GEN8_PIPE_VBLANK | GEN9_PIPE_PLANE1_FLIP_DONE);
	EXPECT_EQ(c->flips_pending, 0);
	EXPECT_TRUE(c->vblank_changed);

	/* The tick of that frame came first: no second event. */
	w32(c, iir, 0xffffffff);
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	unit_now_ns += IVGPU_FRAME_NS;
	ivgpu_display_vblank(c);
	w32(c, iir, 0xffffffff);
	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, iir), 0);

	/* Nor while the clock is stopped (a migration). */
	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	ivgpu_display_clock(c, false);
	unit_now_ns += 4 * IVGPU_FRAME_NS;
	w32(c, TRANSCONF(1), 0);
	EXPECT_EQ(r32(c, iir), 0);
	unit_now_ns = 0;
	free_core(c);
}

/* Vblank events are needed only where a guest can see them. */
TEST(event_pipes_are_unmasked_vblanks_and_pending_flips)
{
	struct ivgpu_core *c = new_core(small, 1);

	w32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IMR, ~0u);
	w32(c, GEN8_DE_PIPE_ISR(2) + IRQ_IMR, ~0u);
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	w32(c, TRANSCONF(2), TRANSCONF_ENABLE);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 0);	/* masked: idle */

	c->vblank_changed = false;
	w32(c, GEN8_DE_PIPE_ISR(2) + IRQ_IMR, ~GEN8_PIPE_VBLANK);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 4);

	/* A flip on pipe A needs its next vblank, then nothing. */
	c->vblank_changed = false;
	w32(c, PLANE_SURF(0), 0x10000);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 5);
	c->vblank_changed = false;
	ivgpu_display_vblank(c);
	EXPECT_TRUE(c->vblank_changed);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 4);
	c->vblank_changed = false;
	ivgpu_display_vblank(c);
	EXPECT_FALSE(c->vblank_changed);

	/* A flip on a stopped pipe waits for nothing. */
	w32(c, TRANSCONF(2), 0);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 0);
	w32(c, PLANE_SURF(1), 0x10000);
	EXPECT_EQ(ivgpu_display_event_pipes(c), 0);
	free_core(c);
}

/* The glue re-evaluates the interrupt line only when its level changed. */
TEST(intr_changed_follows_the_line)
{
	struct ivgpu_core *c = new_core(small, 1);

	c->intr_changed = false;
	w32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IER, GEN8_PIPE_VBLANK);
	w32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IMR, ~GEN8_PIPE_VBLANK);
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	w32(c, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
	EXPECT_FALSE(c->intr_changed);
	ivgpu_display_vblank(c);
	EXPECT_TRUE(c->intr_asserted);
	EXPECT_TRUE(c->intr_changed);
	c->intr_changed = false;
	w32(c, PLANE_STRIDE(0), 16);			/* no interrupt register */
	EXPECT_FALSE(c->intr_changed);
	w32(c, GEN8_DE_PIPE_ISR(0) + IRQ_IIR, GEN8_PIPE_VBLANK);
	EXPECT_FALSE(c->intr_asserted);
	EXPECT_TRUE(c->intr_changed);
	free_core(c);
}

/* A fake graphics memory for the decoder: 64 pages from gm_base. */
#define FAKE_PAGES 64
static u8 fake_gm[FAKE_PAGES][4096];

static const u8 *fake_page(void *ctx, u64 n)
{
	ASSERT_LT(n, FAKE_PAGES);
	return fake_gm[n];
}

static void enable_primary(struct ivgpu_core *c, u32 ctl, u32 w, u32 h,
			   u32 stride_reg, u32 surf, u32 x, u32 y)
{
	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	w32(c, PLANE_CTL(0), PLANE_CTL_ENABLE | ctl);
	w32(c, PLANE_SIZE(0), (h - 1) << 16 | (w - 1));
	w32(c, PLANE_STRIDE(0), stride_reg);
	w32(c, PLANE_OFFSET(0), y << 16 | x);
	w32(c, PLANE_SURF(0), surf);
}

TEST(fb_linear_xrgb8888)
{
	struct ivgpu_core *c = new_core(small, 1);
	struct ivgpu_fb fb;
	u8 out[20 * 4 * 10];
	u32 x, y;

	for (y = 0; y < 64; y++)
		for (x = 0; x < 4096; x++)
			fake_gm[y][x] = (u8)(x * 7 + y * 13);
	/* 20x10 at (3, 2) of a surface with 128-byte lines. */
	enable_primary(c, PLANE_CTL_FORMAT_XRGB_8888 << 24, 20, 10, 2,
		       0x10000, 3, 2);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.drm_format, IVGPU_FMT_XRGB8888);
	EXPECT_EQ(fb.modifier, IVGPU_MOD_LINEAR);
	EXPECT_EQ(fb.width, 20);
	EXPECT_EQ(fb.height, 10);
	EXPECT_EQ(fb.stride, 128);
	EXPECT_EQ(fb.gm_base, 0x10000);
	EXPECT_EQ(ivgpu_fb_linear_offset(&fb), 2 * 128 + 3 * 4);
	EXPECT_EQ(fb.size, 4096);
	ivgpu_fb_copy(&fb, fake_page, NULL, out, 80);
	for (y = 0; y < 10; y++)
		EXPECT_MEMEQ(out + y * 80, &fake_gm[0][(y + 2) * 128 + 12], 80);
	free_core(c);
}

TEST(fb_formats)
{
	static const struct {
		u32 ctl;
		u32 fourcc;
		u32 cpp;
	} f[] = {
		{ 4 << 24, IVGPU_FMT_XRGB8888, 4 },
		{ 4 << 24 | 3 << 4, IVGPU_FMT_ARGB8888, 4 },
		{ 4 << 24 | PLANE_CTL_ORDER_RGBX, IVGPU_FMT_XBGR8888, 4 },
		{ 4 << 24 | PLANE_CTL_ORDER_RGBX | 2 << 4, IVGPU_FMT_ABGR8888, 4 },
		{ 14 << 24, IVGPU_FMT_RGB565, 2 },
		{ 2 << 24, IVGPU_FMT_XRGB2101010, 4 },
		{ 2 << 24 | PLANE_CTL_ORDER_RGBX, IVGPU_FMT_XBGR2101010, 4 },
	};
	struct ivgpu_core *c = new_core(small, 1);
	struct ivgpu_fb fb;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(f); i++) {
		enable_primary(c, f[i].ctl, 1024, 768, 64, 0, 0, 0);
		ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
		EXPECT_EQ(fb.drm_format, f[i].fourcc);
		EXPECT_EQ(fb.cpp, f[i].cpp);
		EXPECT_EQ(fb.size, 4096 * 768);
	}
	EXPECT_EQ(c->stats.fb_errors, 0);
	free_core(c);
}

TEST(fb_shows_the_pipe_routed_to_port_d)
{
	struct ivgpu_core *c = new_core(small, 1);
	struct ivgpu_fb fb;
	int pipe;

	/* Pipes A and B run, each with a plane of its own size. */
	for (pipe = 0; pipe < 2; pipe++) {
		w32(c, TRANSCONF(pipe), TRANSCONF_ENABLE);
		w32(c, PLANE_CTL(pipe), PLANE_CTL_ENABLE | 4 << 24);
		w32(c, PLANE_SIZE(pipe), (99 + pipe) << 16 | 199);
		w32(c, PLANE_STRIDE(pipe), 16);
		w32(c, PLANE_SURF(pipe), 0);
	}
	/* No DDI routing: the first enabled pipe. */
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 0);
	EXPECT_EQ(fb.height, 100);
	/* B's transcoder drives port D (i915: TRANS_DDI_SELECT_PORT(PORT_D)). */
	w32(c, TRANS_DDI_FUNC_CTL(1), TRANS_DDI_FUNC_ENABLE | TRANS_DDI_PORT_D);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 1);
	EXPECT_EQ(fb.height, 101);
	/* Routed to port B, or its DDI function off: not the monitor's. */
	w32(c, TRANS_DDI_FUNC_CTL(1), TRANS_DDI_FUNC_ENABLE | 1u << 28);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 0);
	w32(c, TRANS_DDI_FUNC_CTL(1), TRANS_DDI_PORT_D);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 0);
	/* A routed pipe that is off does not count. */
	w32(c, TRANS_DDI_FUNC_CTL(2), TRANS_DDI_FUNC_ENABLE | TRANS_DDI_PORT_D);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.pipe, 0);
	free_core(c);
}

TEST(fb_x_tiled_is_detiled)
{
	struct ivgpu_core *c = new_core(small, 1);
	static u8 image[24][256 * 4];
	struct ivgpu_fb fb;
	static u8 out[20][200 * 4];
	u32 x, y;

	/* A 256x24 image tiled by hand: 2 tiles across, 3 tile rows. */
	for (y = 0; y < 24; y++)
		for (x = 0; x < 1024; x++) {
			u32 tile = (y / 8) * 2 + x / 512;

			image[y][x] = (u8)(x * 3 + y * 101);
			fake_gm[tile][(y % 8) * 512 + x % 512] = image[y][x];
		}
	/* 200x20 from (10, 3): stride 2 tiles. */
	enable_primary(c, PLANE_CTL_FORMAT_XRGB_8888 << 24 | PLANE_CTL_TILED_X,
		       200, 20, 2, 0, 10, 3);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	EXPECT_EQ(fb.modifier, IVGPU_MOD_X_TILED);
	EXPECT_EQ(fb.stride, 1024);
	EXPECT_EQ(fb.size, 3 * 8 * 1024);
	ivgpu_fb_copy(&fb, fake_page, NULL, &out[0][0], 800);
	for (y = 0; y < 20; y++)
		EXPECT_MEMEQ(out[y], &image[y + 3][40], 800);
	free_core(c);
}

TEST(fb_bad_values_disable_the_plane)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 gm = 448u << 20;
	struct ivgpu_fb fb;

	/* No pipe, or plane off: disabled, not an error. */
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -ENOENT);
	enable_primary(c, 4 << 24, 64, 64, 4, 0, 0, 0);
	w32(c, PLANE_CTL(0), 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -ENOENT);
	EXPECT_EQ(c->stats.fb_errors, 0);

	/* Stride too small for the line. */
	enable_primary(c, 4 << 24, 64, 64, 3, 0, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	EXPECT_EQ(fb.drm_format, 0);
	EXPECT_EQ(fb.width, 0);
	/* x offset pushes the line past the stride. */
	enable_primary(c, 4 << 24, 64, 64, 4, 0, 1, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	/* Unknown format, Y tiling. */
	enable_primary(c, 12 << 24, 64, 64, 4, 0, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	enable_primary(c, 4 << 24 | 4 << 10, 64, 64, 4, 0, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	/* Larger than the type's monitor. */
	enable_primary(c, 4 << 24, 1025, 768, 0x7ff, 0, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	/* Surface ending past the slice, and starting past it. */
	enable_primary(c, 4 << 24, 64, 64, 4, gm - 4096, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	enable_primary(c, 4 << 24, 64, 64, 4, 0xfffff000, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	/* The largest offsets and stride stay in 64-bit arithmetic. */
	enable_primary(c, 4 << 24 | PLANE_CTL_TILED_X, 1024, 768, 0x7ff,
		       0, 0x1fff, 0x1fff);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), -EINVAL);
	EXPECT_EQ(c->stats.fb_errors, 8);

	/* Fits exactly at the end of the slice. */
	enable_primary(c, 4 << 24, 64, 64, 4, gm - 64 * 256, 0, 0);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_PRIMARY, &fb), 0);
	free_core(c);
}

TEST(fb_cursor)
{
	struct ivgpu_core *c = new_core(small, 1);
	struct ivgpu_fb fb;

	w32(c, TRANSCONF(0), TRANSCONF_ENABLE);
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_CURSOR, &fb), -ENOENT);
	w32(c, CURCNTR(0), MCURSOR_MODE_128_ARGB);
	w32(c, CURBASE(0), 0x200000);
	w32(c, CURPOS(0), (CURSOR_POS_SIGN | 5) << 16 | 300);
	w32(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_X_HOT, 7);
	w32(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_Y_HOT, 9);
	ASSERT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_CURSOR, &fb), 0);
	EXPECT_EQ(fb.drm_format, IVGPU_FMT_ARGB8888);
	EXPECT_EQ(fb.width, 128);
	EXPECT_EQ(fb.height, 128);
	EXPECT_EQ(fb.stride, 512);
	EXPECT_EQ(fb.size, 65536);
	EXPECT_EQ(fb.gm_base, 0x200000);
	EXPECT_EQ(fb.x_pos, 300);
	EXPECT_EQ(fb.y_pos, -5);
	EXPECT_EQ(fb.x_hot, 7);
	EXPECT_EQ(fb.y_hot, 9);
	w32(c, CURCNTR(0), 0x21);	/* not an ARGB mode */
	EXPECT_EQ(ivgpu_fb_decode(c, IVGPU_PLANE_CURSOR, &fb), -EINVAL);
	free_core(c);
}

TEST(flip_counts_and_signals_at_vblank)
{
	struct ivgpu_core *c = new_core(small, 1);
	u32 pipe_b = GEN8_DE_PIPE_ISR(1);

	w32(c, TRANSCONF(1), TRANSCONF_ENABLE);
	w32(c, pipe_b + IRQ_IMR, 0);
	w32(c, PLANE_SURF(1), 0x40000);
	w32(c, PLANE_SURF(1), 0x80000);
	EXPECT_EQ(r32(c, PIPE_FLIPCOUNT(1)), 2);
	EXPECT_EQ(r32(c, PLANE_SURF(1)), 0x80000);
	EXPECT_EQ(r32(c, pipe_b + IRQ_IIR), 0);
	ivgpu_display_vblank(c);
	EXPECT_EQ(r32(c, pipe_b + IRQ_IIR),
		  GEN8_PIPE_VBLANK | GEN9_PIPE_PLANE1_FLIP_DONE);
	w32(c, pipe_b + IRQ_IIR, 0xffffffff);
	ivgpu_display_vblank(c);
	EXPECT_EQ(r32(c, pipe_b + IRQ_IIR), GEN8_PIPE_VBLANK);
	EXPECT_EQ(r32(c, PIPE_FLIPCOUNT(0)), 0);
	free_core(c);
}
