/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV info page (i915 "vgt_if") at BAR0 + 0x78000.
 */
#ifndef IVGPU_CORE_PVINFO_H
#define IVGPU_CORE_PVINFO_H

struct ivgpu_core;

/* Write the host half of the page: identity, caps and the GM slice. */
void ivgpu_pvinfo_init(struct ivgpu_core *c);

#endif /* IVGPU_CORE_PVINFO_H */
