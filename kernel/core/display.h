/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The display engine: pipes, their vblanks and counters.
 */
#ifndef IVGPU_CORE_DISPLAY_H
#define IVGPU_CORE_DISPLAY_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_reg;

/* Bit n set: pipe n's transcoder is enabled. */
u32 ivgpu_display_enabled_pipes(const struct ivgpu_core *c);

/* One vertical blank on every enabled pipe. */
void ivgpu_display_vblank(struct ivgpu_core *c);

u32 ivgpu_display_surf_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			     u32 off, u32 old, u32 new);
u32 ivgpu_display_transconf_write(struct ivgpu_core *c,
				  const struct ivgpu_reg *r, u32 off,
				  u32 old, u32 new);

#endif /* IVGPU_CORE_DISPLAY_H */
