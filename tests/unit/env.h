/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef IVGPU_UNIT_ENV_H
#define IVGPU_UNIT_ENV_H

#include "platform.h"
#include "core.h"

/* Allocations that still succeed before every later one fails; -1: all do. */
extern long unit_alloc_fail_after;

/* The core's clock (ivgpu_core_now_ns), in nanoseconds; tests move it. */
extern u64 unit_now_ns;

/* Refusals the core reported (ivgpu_core_refused). */
extern unsigned long unit_refused;

/* A 4-byte BAR0 register access, as the glue makes one. */
static inline void w32(struct ivgpu_core *c, u32 off, u32 val)
{
	ivgpu_core_bar0_write(c, off, val, 4);
}

static inline u32 r32(struct ivgpu_core *c, u32 off)
{
	return (u32)ivgpu_core_bar0_read(c, off, 4);
}

#endif
