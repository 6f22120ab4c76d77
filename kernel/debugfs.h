/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * debugfs: /sys/kernel/debug/ivgpu/<uuid>/stats, the per-vGPU counters that
 * tests and benchmarks read.
 */
#ifndef IVGPU_DEBUGFS_H
#define IVGPU_DEBUGFS_H

struct ivgpu_vgpu;

void ivgpu_debugfs_init(void);
void ivgpu_debugfs_exit(void);
void ivgpu_vgpu_debugfs_add(struct ivgpu_vgpu *vgpu);
void ivgpu_vgpu_debugfs_remove(struct ivgpu_vgpu *vgpu);

#endif /* IVGPU_DEBUGFS_H */
