/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The display engine: pipes, their vblanks and counters.
 */
#ifndef IVGPU_CORE_DISPLAY_H
#define IVGPU_CORE_DISPLAY_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_reg;

/* The glue runs ivgpu_display_vblank() once a frame: 60 Hz. */
#define IVGPU_FRAME_NS			(1000000000ull / 60)

/* Bit n set: pipe n's transcoder is enabled. */
u32 ivgpu_display_enabled_pipes(const struct ivgpu_core *c);

/* One vertical blank on every enabled pipe. */
void ivgpu_display_vblank(struct ivgpu_core *c);

u32 ivgpu_display_surf_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			     u32 off, u32 old, u32 new);
/* PIPEDSL of pipe @r->arg: the scan line. */
u32 ivgpu_display_pipedsl_read(struct ivgpu_core *c, const struct ivgpu_reg *r,
			       u32 off, u32 val);
u32 ivgpu_display_transconf_write(struct ivgpu_core *c,
				  const struct ivgpu_reg *r, u32 off,
				  u32 old, u32 new);

#endif /* IVGPU_CORE_DISPLAY_H */
