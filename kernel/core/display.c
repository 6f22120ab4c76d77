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
