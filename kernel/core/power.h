/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Display power: power wells, the data buffer, the display PLLs.
 */
#ifndef IVGPU_CORE_POWER_H
#define IVGPU_CORE_POWER_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_reg;

u32 ivgpu_power_well_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			   u32 off, u32 old, u32 new);
u32 ivgpu_power_ack_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			  u32 off, u32 old, u32 new);
u32 ivgpu_power_dpll_status_read(struct ivgpu_core *c,
				 const struct ivgpu_reg *r, u32 off, u32 val);

#endif /* IVGPU_CORE_POWER_H */
