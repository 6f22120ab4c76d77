/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Vblank events: one 60 Hz tick per parent GPU, aligned to the frames of
 * the core's clock, for the vGPUs whose guest can see a vblank.
 */
#ifndef IVGPU_VBLANK_H
#define IVGPU_VBLANK_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

struct ivgpu_vgpu;

/* A parent's tick; runs while its list has a vGPU. */
struct ivgpu_vblank_tick {
	struct hrtimer timer;
	spinlock_t lock;		/* protects vgpus and armed */
	struct list_head vgpus;		/* ivgpu_vgpu_vblank.node */
	bool armed;			/* the timer is started or restarting */
};

struct ivgpu_vgpu_vblank {
	struct ivgpu_vblank_tick *tick;	/* the parent's; set at init */
	struct list_head node;		/* on tick->vgpus while running */
	struct work_struct work;	/* a tick's work, in process context */
	bool running;			/* vGPU lock (and tick->lock for node) */
	u64 ticks;			/* vGPU lock */
};

void ivgpu_vblank_tick_init(struct ivgpu_vblank_tick *tick);
/* No vGPU may be on the list any more. */
void ivgpu_vblank_tick_fini(struct ivgpu_vblank_tick *tick);

void ivgpu_vgpu_vblank_init(struct ivgpu_vgpu *vgpu);
/*
 * After the device was opened, closed, started or stopped, or the core set
 * vblank_changed: run the frame clock while the device runs, and take vblank
 * events from the tick while some pipe needs them. Lock held.
 */
void ivgpu_vgpu_vblank_update(struct ivgpu_vgpu *vgpu);
/* Leave the tick and wait for a tick's work in flight. Lock not held. */
void ivgpu_vgpu_vblank_stop_sync(struct ivgpu_vgpu *vgpu);

#endif /* IVGPU_VBLANK_H */
