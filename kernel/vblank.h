/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vblank clock: 60 Hz while the device is open and a pipe is enabled.
 */
#ifndef IVGPU_VBLANK_H
#define IVGPU_VBLANK_H

#include <linux/hrtimer.h>
#include <linux/workqueue.h>

struct ivgpu_vgpu;

struct ivgpu_vgpu_vblank {
	struct hrtimer timer;		/* ticks while running */
	struct work_struct work;	/* a tick's work, in process context */
	bool running;			/* vGPU lock; read locklessly by the timer */
	u64 ticks;			/* vGPU lock */
};

void ivgpu_vgpu_vblank_init(struct ivgpu_vgpu *vgpu);
/* Start or stop the clock after the enabled pipes changed. Lock held. */
void ivgpu_vgpu_vblank_update(struct ivgpu_vgpu *vgpu);
/* Stop the clock and wait for a tick in flight. Lock not held. */
void ivgpu_vgpu_vblank_stop_sync(struct ivgpu_vgpu *vgpu);

#endif /* IVGPU_VBLANK_H */
