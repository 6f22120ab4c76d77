/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef IVGPU_UNIT_ENV_H
#define IVGPU_UNIT_ENV_H

#include "platform.h"

/* Allocations that still succeed before every later one fails; -1: all do. */
extern long unit_alloc_fail_after;

/* The core's clock (ivgpu_core_now_ns), in nanoseconds; tests move it. */
extern u64 unit_now_ns;

/* Refusals the core reported (ivgpu_core_refused). */
extern unsigned long unit_refused;

#endif
