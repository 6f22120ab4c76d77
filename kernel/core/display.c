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

void ivgpu_display_vblank(struct ivgpu_core *c)
{
	u32 pipes = ivgpu_display_enabled_pipes(c);
	int pipe;

	c->vblank_ns = ivgpu_core_now_ns();
	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		if (!(pipes & (1u << pipe)))
			continue;
		ivgpu_reg_set(c, PIPE_FRMCOUNT(pipe),
			      ivgpu_reg_get(c, PIPE_FRMCOUNT(pipe)) + 1);
		ivgpu_intr_raise(c, GEN8_DE_PIPE_ISR(pipe), GEN8_PIPE_VBLANK);
		if (c->flips_pending & (1u << pipe))
			ivgpu_intr_raise(c, GEN8_DE_PIPE_ISR(pipe),
					 GEN9_PIPE_PLANE1_FLIP_DONE);
	}
	c->flips_pending &= ~pipes;
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
	return new;
}

/* A 1920x1080 frame, for a pipe that runs without vertical timings. */
#define IVGPU_DEFAULT_VTOTAL		1125
#define IVGPU_DEFAULT_VDISPLAY		1080

/*
 * The scan line of a running pipe moves with time: each vblank tick is the
 * start of vertical blank (line vdisplay) and the frame's vtotal lines take
 * one tick period, counted on from the last tick (modulo a frame, so a late
 * tick does not stop the line). i915 waits on it to evade vblank and
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
	t = (ivgpu_core_now_ns() - c->vblank_ns) % IVGPU_FRAME_NS;
	line = (vdisplay + (u32)(t * vtotal / IVGPU_FRAME_NS)) % vtotal;
	if (!line)
		line = vtotal <= PIPEDSL_LINE_MASK ? vtotal : 1;
	return line;
}

/*
 * The transcoder reports its state right away (guest drivers poll the state
 * bit after enabling or disabling). A change of enabled pipes is told to the
 * glue, which runs the vblank timer.
 */
u32 ivgpu_display_transconf_write(struct ivgpu_core *c,
				  const struct ivgpu_reg *r, u32 off,
				  u32 old, u32 new)
{
	new &= ~TRANSCONF_STATE_ENABLE;
	if (new & TRANSCONF_ENABLE)
		new |= TRANSCONF_STATE_ENABLE;
	if ((old ^ new) & TRANSCONF_ENABLE)
		c->pipes_changed = true;
	return new;
}
