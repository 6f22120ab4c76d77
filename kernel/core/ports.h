/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Display ports: DDI buffers, DisplayPort transports, the AUX channels and
 * GMBUS without a sink, and the south display hotplug register.
 */
#ifndef IVGPU_CORE_PORTS_H
#define IVGPU_CORE_PORTS_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_reg;

u32 ivgpu_ports_ddi_buf_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			      u32 off, u32 old, u32 new);
u32 ivgpu_ports_dp_tp_status_read(struct ivgpu_core *c,
				  const struct ivgpu_reg *r, u32 off, u32 val);
/* @r->arg: the channel's bit in the display port interrupt block. */
u32 ivgpu_ports_aux_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			  u32 off, u32 old, u32 new);
u32 ivgpu_ports_gmbus1_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			     u32 off, u32 old, u32 new);

#endif /* IVGPU_CORE_PORTS_H */
