/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The display engine: pipes, their vblanks and counters.
 */
#ifndef IVGPU_CORE_DISPLAY_H
#define IVGPU_CORE_DISPLAY_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_reg;

/*
 * Frames are 60 Hz, aligned to the clock (ivgpu_core_now_ns()): frame
 * counters and scan lines follow from it when read. Only vblank events need
 * the glue to call ivgpu_display_vblank() at each frame's start, and only
 * for the pipes ivgpu_display_event_pipes() names.
 */
#define IVGPU_FRAME_NS			(1000000000ull / 60)

/* Bit n set: pipe n's transcoder is enabled. */
u32 ivgpu_display_enabled_pipes(const struct ivgpu_core *c);

/*
 * Enabled pipes whose next vblank is an event someone can see: the vblank
 * interrupt unmasked, or a flip waiting for its flip-done. When the answer
 * may have changed, c->vblank_changed is set (the glue clears it).
 */
u32 ivgpu_display_event_pipes(const struct ivgpu_core *c);

/* The vblank events of every enabled pipe, at a frame's start. */
void ivgpu_display_vblank(struct ivgpu_core *c);

/* Frame counters advance only while the clock is on (the device runs). */
void ivgpu_display_clock(struct ivgpu_core *c, bool on);
/* The stored frame counters are current (loaded): count on from now. */
void ivgpu_display_frames_restart(struct ivgpu_core *c);

u32 ivgpu_display_surf_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			     u32 off, u32 old, u32 new);
/* PIPE_FRMCOUNT of pipe @r->arg: frames since it was enabled. */
u32 ivgpu_display_frmcount_read(struct ivgpu_core *c, const struct ivgpu_reg *r,
				u32 off, u32 val);
/* PIPEDSL of pipe @r->arg: the scan line. */
u32 ivgpu_display_pipedsl_read(struct ivgpu_core *c, const struct ivgpu_reg *r,
			       u32 off, u32 val);
u32 ivgpu_display_transconf_write(struct ivgpu_core *c,
				  const struct ivgpu_reg *r, u32 off,
				  u32 old, u32 new);

#endif /* IVGPU_CORE_DISPLAY_H */
