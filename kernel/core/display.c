// SPDX-License-Identifier: GPL-2.0-only
/*
 * Display engine model: pipe enable and vblank.
 */
#include "display.h"
#include "core.h"
#include "interrupt.h"
#include "mmio.h"
#include "regs.h"

u32 ivgpu_display_enabled_pipes(const struct ivgpu_core *c)
{
	u32 pipes = 0;
	int pipe;

	for (pipe = 0; pipe < IVGPU_PIPES; pipe++)
		if (ivgpu_reg_get(c, TRANSCONF(pipe)) & TRANSCONF_ENABLE)
			pipes |= 1u << pipe;
	return pipes;
}

/* Frames are counted from the clock: frame n starts at n * IVGPU_FRAME_NS. */
static u64 ivgpu_display_frame(void)
{
	return ivgpu_core_now_ns() / IVGPU_FRAME_NS;
}

static bool ivgpu_pipe_enabled(const struct ivgpu_core *c, int pipe)
{
	return ivgpu_reg_get(c, TRANSCONF(pipe)) & TRANSCONF_ENABLE;
}

/* Frames pipe @pipe counted since its stored FRMCOUNT value held. */
static u32 ivgpu_display_frames_since(const struct ivgpu_core *c, int pipe)
{
	if (!c->clock_on || !ivgpu_pipe_enabled(c, pipe))
		return 0;
	return (u32)(ivgpu_display_frame() - c->frame_base[pipe]);
}

/* Store pipe @pipe's frame count as of now, and count on from now. */
static void ivgpu_display_fold(struct ivgpu_core *c, int pipe)
{
	ivgpu_reg_set(c, PIPE_FRMCOUNT(pipe),
		      ivgpu_reg_get(c, PIPE_FRMCOUNT(pipe)) +
		      ivgpu_display_frames_since(c, pipe));
	c->frame_base[pipe] = ivgpu_display_frame();
}

void ivgpu_display_frames_restart(struct ivgpu_core *c)
{
	int pipe;

	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		c->frame_base[pipe] = ivgpu_display_frame();
		c->vblank_frame[pipe] = c->frame_base[pipe];
	}
}

void ivgpu_display_clock(struct ivgpu_core *c, bool on)
{
	int pipe;

	if (on == c->clock_on)
		return;
	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		ivgpu_display_fold(c, pipe);
		c->vblank_frame[pipe] = c->frame_base[pipe];
	}
	c->clock_on = on;
}

/*
 * The frame counter of a running pipe follows the clock; nothing ticks to
 * advance it.
 */
u32 ivgpu_display_frmcount_read(struct ivgpu_core *c, const struct ivgpu_reg *r,
				u32 off, u32 val)
{
	return val + ivgpu_display_frames_since(c, r->arg);
}

u32 ivgpu_display_event_pipes(const struct ivgpu_core *c)
{
	u32 pipes = 0;
	int pipe;

	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		u32 imr = ivgpu_reg_get(c, GEN8_DE_PIPE_ISR(pipe) + IRQ_IMR);

		if (ivgpu_pipe_enabled(c, pipe) &&
		    (!(imr & GEN8_PIPE_VBLANK) || (c->flips_pending & (1u << pipe))))
			pipes |= 1u << pipe;
	}
	return pipes;
}

/* Pipe @pipe's vblank: its interrupt, and the flip-done of a pending flip. */
static void ivgpu_display_pipe_vblank(struct ivgpu_core *c, int pipe)
{
	ivgpu_intr_raise(c, GEN8_DE_PIPE_ISR(pipe), GEN8_PIPE_VBLANK);
	if (c->flips_pending & (1u << pipe)) {
		ivgpu_intr_raise(c, GEN8_DE_PIPE_ISR(pipe),
				 GEN9_PIPE_PLANE1_FLIP_DONE);
		c->flips_pending &= ~(1u << pipe);
		c->vblank_changed = true;
	}
	c->vblank_frame[pipe] = ivgpu_display_frame();
}

void ivgpu_display_vblank(struct ivgpu_core *c)
{
	u32 pipes = ivgpu_display_enabled_pipes(c);
	int pipe;

	for (pipe = 0; pipe < IVGPU_PIPES; pipe++)
		if (pipes & (1u << pipe))
			ivgpu_display_pipe_vblank(c, pipe);
}

/*
 * A write to PLANE_SURF is a flip: the new surface shows from now on, the
 * flip counter advances, and flip-done is signalled at the next vblank.
 */
u32 ivgpu_display_surf_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			     u32 off, u32 old, u32 new)
{
	int pipe = r->arg;

	ivgpu_reg_set(c, PIPE_FLIPCOUNT(pipe),
		      ivgpu_reg_get(c, PIPE_FLIPCOUNT(pipe)) + 1);
	c->flips_pending |= 1u << pipe;
	c->vblank_changed = true;
	return new;
}

/* A 1920x1080 frame, for a pipe that runs without vertical timings. */
#define IVGPU_DEFAULT_VTOTAL		1125
#define IVGPU_DEFAULT_VDISPLAY		1080

/*
 * The scan line of a running pipe moves with time: each frame starts (at a
 * multiple of IVGPU_FRAME_NS, when its vblank is due) with vertical blank
 * (line vdisplay), and the frame's vtotal lines take one frame period. i915 waits on it to evade vblank and
 * derives vblank timestamps from it (i915_irq.c __intel_get_crtc_scanline,
 * display/intel_crtc.c intel_pipe_update_start). Line 0 reads as vtotal,
 * which i915's scanline arithmetic (modulo vtotal) maps back to line 0: on
 * DDI platforms it takes 0 for a Haswell misread and polls again for up to
 * 100 us. A stopped pipe's line stands still (the register is read-only).
 */
u32 ivgpu_display_pipedsl_read(struct ivgpu_core *c, const struct ivgpu_reg *r,
			       u32 off, u32 val)
{
	int pipe = r->arg;
	u32 vt = ivgpu_reg_get(c, TRANS_VTOTAL(pipe));
	u32 vtotal = ((vt >> 16) & PIPEDSL_LINE_MASK) + 1;
	u32 vdisplay = (vt & PIPEDSL_LINE_MASK) + 1;
	u64 t;
	u32 line;

	if (!(ivgpu_reg_get(c, TRANSCONF(pipe)) & TRANSCONF_ENABLE))
		return val;
	if (vdisplay >= vtotal) {
		vtotal = IVGPU_DEFAULT_VTOTAL;
		vdisplay = IVGPU_DEFAULT_VDISPLAY;
	}
	t = ivgpu_core_now_ns() % IVGPU_FRAME_NS;
	line = (vdisplay + (u32)(t * vtotal / IVGPU_FRAME_NS)) % vtotal;
	if (!line)
		line = vtotal <= PIPEDSL_LINE_MASK ? vtotal : 1;
	return line;
}

/*
 * The transcoder reports its state right away (guest drivers poll the state
 * bit after enabling or disabling). Its frame counter stops or starts; the
 * glue hears that the pipes needing vblank events may have changed.
 */
u32 ivgpu_display_transconf_write(struct ivgpu_core *c,
				  const struct ivgpu_reg *r, u32 off,
				  u32 old, u32 new)
{
	int pipe = r->arg;

	new &= ~TRANSCONF_STATE_ENABLE;
	if (new & TRANSCONF_ENABLE)
		new |= TRANSCONF_STATE_ENABLE;
	if (!((old ^ new) & TRANSCONF_ENABLE))
		return new;
	/*
	 * A pipe that stops after a frame began, before the tick for it
	 * came (a late timer), latches that frame's vblank first: what the
	 * guest sees in IIR agrees with the frame counter it read.
	 */
	if ((old & TRANSCONF_ENABLE) && c->clock_on &&
	    ivgpu_display_frame() > c->vblank_frame[pipe])
		ivgpu_display_pipe_vblank(c, pipe);
	ivgpu_display_fold(c, pipe);
	if (new & TRANSCONF_ENABLE)
		c->vblank_frame[pipe] = ivgpu_display_frame();
	c->vblank_changed = true;
	return new;
}
