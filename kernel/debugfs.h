/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * debugfs: /sys/kernel/debug/ivgpu/<uuid>/stats, the per-vGPU counters that
 * tests and benchmarks read.
 */
#ifndef IVGPU_DEBUGFS_H
#define IVGPU_DEBUGFS_H

#include <linux/atomic.h>

struct ivgpu_vgpu;

/*
 * A test knob, /sys/kernel/debug/ivgpu/fail_after: with N >= 0 the
 * module's next N allocations succeed and every later one fails, until -1
 * is written. Every allocation site asks ivgpu_fail_alloc() first.
 */
extern atomic_t ivgpu_fail_after;
bool ivgpu_fail_alloc(void);

void ivgpu_debugfs_init(void);
void ivgpu_debugfs_exit(void);
void ivgpu_vgpu_debugfs_add(struct ivgpu_vgpu *vgpu);
void ivgpu_vgpu_debugfs_remove(struct ivgpu_vgpu *vgpu);

#endif /* IVGPU_DEBUGFS_H */
