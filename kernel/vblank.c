// SPDX-License-Identifier: GPL-2.0-only
/*
 * Vblank events. Frame counters and scan lines follow from the clock when
 * read (core/display.c); what needs a tick is an event a guest can see: a
 * vblank interrupt it unmasked, or the flip-done of a flip it made. Every
 * vGPU of a parent that has such a pipe is on the parent's list, and one
 * soft hrtimer, aligned to the core's frames, queues each one's work at
 * 60 Hz; the work raises the events under the vGPU lock. With no vGPU on
 * the list, nothing ticks: an idle guest's console costs no timer.
 */
#include "core/display.h"
#include "gpu.h"
#include "vblank.h"
#include "vgpu.h"

static enum hrtimer_restart ivgpu_vblank_tick_fn(struct hrtimer *timer)
{
	struct ivgpu_vblank_tick *tick = container_of(timer,
						      struct ivgpu_vblank_tick,
						      timer);
	struct ivgpu_vgpu_vblank *vb;
	enum hrtimer_restart ret = HRTIMER_RESTART;

	spin_lock(&tick->lock);
	list_for_each_entry(vb, &tick->vgpus, node)
		queue_work(system_highpri_wq, &vb->work);
	if (list_empty(&tick->vgpus)) {
		tick->armed = false;
		ret = HRTIMER_NORESTART;
	}
	spin_unlock(&tick->lock);
	if (ret == HRTIMER_RESTART)
		hrtimer_forward_now(timer, ns_to_ktime(IVGPU_FRAME_NS));
	return ret;
}

void ivgpu_vblank_tick_init(struct ivgpu_vblank_tick *tick)
{
	hrtimer_init(&tick->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	tick->timer.function = ivgpu_vblank_tick_fn;
	spin_lock_init(&tick->lock);
	INIT_LIST_HEAD(&tick->vgpus);
	tick->armed = false;
}

void ivgpu_vblank_tick_fini(struct ivgpu_vblank_tick *tick)
{
	hrtimer_cancel(&tick->timer);
}

/* The tick's first expiry: the start of the next frame (core/display.h). */
static void ivgpu_vblank_tick_arm(struct ivgpu_vblank_tick *tick)
{
	u64 next = (ivgpu_core_now_ns() / IVGPU_FRAME_NS + 1) * IVGPU_FRAME_NS;

	lockdep_assert_held(&tick->lock);
	if (tick->armed)
		return;
	tick->armed = true;
	hrtimer_start(&tick->timer, ns_to_ktime(next), HRTIMER_MODE_ABS_SOFT);
}

static void ivgpu_vgpu_vblank_work(struct work_struct *work)
{
	struct ivgpu_vgpu *vgpu = container_of(work, struct ivgpu_vgpu,
					       vblank.work);

	mutex_lock(&vgpu->lock);
	if (vgpu->vblank.running) {
		vgpu->vblank.ticks++;
		ivgpu_display_vblank(&vgpu->core);
		ivgpu_vgpu_irq_update(vgpu);
		/* A flip-done sent may leave nothing to wait for. */
		if (vgpu->core.vblank_changed)
			ivgpu_vgpu_vblank_update(vgpu);
	}
	mutex_unlock(&vgpu->lock);
}

void ivgpu_vgpu_vblank_init(struct ivgpu_vgpu *vgpu)
{
	vgpu->vblank.tick = &vgpu->type->gpu->vblank_tick;
	INIT_LIST_HEAD(&vgpu->vblank.node);
	INIT_WORK(&vgpu->vblank.work, ivgpu_vgpu_vblank_work);
}

static void ivgpu_vgpu_vblank_join(struct ivgpu_vgpu_vblank *vb, bool join)
{
	struct ivgpu_vblank_tick *tick = vb->tick;

	spin_lock_bh(&tick->lock);
	if (join) {
		list_add_tail(&vb->node, &tick->vgpus);
		ivgpu_vblank_tick_arm(tick);
	} else {
		list_del_init(&vb->node);
	}
	spin_unlock_bh(&tick->lock);
}

void ivgpu_vgpu_vblank_update(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_vblank *vb = &vgpu->vblank;
	bool on = vgpu->open && vgpu->running;
	bool want;

	lockdep_assert_held(&vgpu->lock);
	vgpu->core.vblank_changed = false;
	ivgpu_display_clock(&vgpu->core, on);
	want = on && ivgpu_display_event_pipes(&vgpu->core);
	if (want == vb->running)
		return;
	vb->running = want;
	ivgpu_vgpu_vblank_join(vb, want);
}

void ivgpu_vgpu_vblank_stop_sync(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_vblank *vb = &vgpu->vblank;

	mutex_lock(&vgpu->lock);
	if (vb->running) {
		vb->running = false;
		ivgpu_vgpu_vblank_join(vb, false);
	}
	mutex_unlock(&vgpu->lock);
	cancel_work_sync(&vb->work);
}
