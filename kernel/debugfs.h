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

/*
 * What lives now, module-wide (/sys/kernel/debug/ivgpu/live): with no
 * vGPU left, every count is 0, or something leaked.
 */
struct ivgpu_live {
	atomic_long_t vgpus;		/* initialised, not yet released */
	atomic_long_t opens;		/* devices open */
	atomic_long_t pinned;		/* guest pages pinned by GGTT entries */
	atomic_long_t plane_states;	/* dma-buf plane states */
	atomic_long_t dmabufs;		/* exported dma-bufs not yet released */
	atomic_long_t mig_files;	/* migration data files */
};
extern struct ivgpu_live ivgpu_live;

void ivgpu_debugfs_init(void);
/* At unload: say what outlived its vGPU (nothing can, or it leaked). */
void ivgpu_debugfs_check_live(void);
void ivgpu_debugfs_exit(void);
void ivgpu_vgpu_debugfs_add(struct ivgpu_vgpu *vgpu);
void ivgpu_vgpu_debugfs_remove(struct ivgpu_vgpu *vgpu);

#endif /* IVGPU_DEBUGFS_H */
