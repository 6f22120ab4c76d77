// SPDX-License-Identifier: GPL-2.0-only
/*
 * vblank emulation. A soft hrtimer ticks at 60 Hz and queues a work item
 * that, under the vGPU lock, advances every enabled pipe by one frame and
 * raises its vblank event. The timer runs only while the device is open,
 * running (not stopped for migration) and some transcoder is enabled.
 */
#include "core/display.h"
#include "vblank.h"
#include "vgpu.h"

/* The core's frame period: its scan line counts on it. */
#define IVGPU_VBLANK_NS	IVGPU_FRAME_NS

static enum hrtimer_restart ivgpu_vgpu_vblank_tick(struct hrtimer *timer)
{
	struct ivgpu_vgpu *vgpu = container_of(timer, struct ivgpu_vgpu,
					       vblank.timer);

	if (!READ_ONCE(vgpu->vblank.running))
		return HRTIMER_NORESTART;
	queue_work(system_highpri_wq, &vgpu->vblank.work);
	hrtimer_forward_now(timer, ns_to_ktime(IVGPU_VBLANK_NS));
	return HRTIMER_RESTART;
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
	}
	mutex_unlock(&vgpu->lock);
}

void ivgpu_vgpu_vblank_init(struct ivgpu_vgpu *vgpu)
{
	hrtimer_init(&vgpu->vblank.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	vgpu->vblank.timer.function = ivgpu_vgpu_vblank_tick;
	INIT_WORK(&vgpu->vblank.work, ivgpu_vgpu_vblank_work);
}

void ivgpu_vgpu_vblank_update(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_vblank *vb = &vgpu->vblank;
	bool want = vgpu->open && vgpu->running &&
		    ivgpu_display_enabled_pipes(&vgpu->core);

	lockdep_assert_held(&vgpu->lock);
	vgpu->core.pipes_changed = false;
	if (want == vb->running)
		return;
	WRITE_ONCE(vb->running, want);
	if (want)
		hrtimer_start(&vb->timer, ns_to_ktime(IVGPU_VBLANK_NS),
			      HRTIMER_MODE_REL_SOFT);
	else
		hrtimer_try_to_cancel(&vb->timer);
}

void ivgpu_vgpu_vblank_stop_sync(struct ivgpu_vgpu *vgpu)
{
	mutex_lock(&vgpu->lock);
	WRITE_ONCE(vgpu->vblank.running, false);
	mutex_unlock(&vgpu->lock);
	hrtimer_cancel(&vgpu->vblank.timer);
	cancel_work_sync(&vgpu->vblank.work);
}
