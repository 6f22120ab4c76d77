// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO_DEVICE_SET_IRQS and GET_IRQ_INFO for a vGPU.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/ivgpu.h>
#include "compat.h"
#include "debugfs.h"
#include "irq.h"
#include "vgpu.h"

/* What each VFIO PCI IRQ index offers: count and info flags. */
static const struct {
	u32 count;
	u32 flags;
} ivgpu_vgpu_irq_caps[VFIO_PCI_NUM_IRQS] = {
	[VFIO_PCI_INTX_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD |
				      VFIO_IRQ_INFO_MASKABLE |
				      VFIO_IRQ_INFO_AUTOMASKED },
	[VFIO_PCI_MSI_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD |
				     VFIO_IRQ_INFO_NORESIZE },
	[VFIO_PCI_ERR_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD },
	[VFIO_PCI_REQ_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD },
};

static void ivgpu_vgpu_irq_put(struct eventfd_ctx **slot)
{
	if (*slot)
		eventfd_ctx_put(*slot);
	*slot = NULL;
}

void ivgpu_vgpu_irq_init(struct ivgpu_vgpu *vgpu)
{
	mutex_init(&vgpu->irq.unmask_lock);
}

void ivgpu_vgpu_irq_fini(struct ivgpu_vgpu *vgpu)
{
	mutex_destroy(&vgpu->irq.unmask_lock);
}

void ivgpu_vgpu_irq_unmask_release(struct ivgpu_vgpu *vgpu)
{
	mutex_lock(&vgpu->irq.unmask_lock);
	vfio_virqfd_disable(&vgpu->irq.unmask);
	mutex_unlock(&vgpu->irq.unmask_lock);
}

void ivgpu_vgpu_irq_disable_all(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_irq *irq = &vgpu->irq;

	lockdep_assert_held(&vgpu->lock);
	ivgpu_vgpu_irq_put(&irq->intx);
	ivgpu_vgpu_irq_put(&irq->msi);
	ivgpu_vgpu_irq_put(&irq->err);
	ivgpu_vgpu_irq_put(&irq->req);
	irq->intx_masked = false;
	irq->line = false;
}

static bool ivgpu_vgpu_msi_enabled(struct ivgpu_vgpu *vgpu)
{
	return ivgpu_cfg_read(&vgpu->core.cfg,
			      IVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS, 2) &
	       PCI_MSI_FLAGS_ENABLE;
}

/* INTx is level-triggered: it fires while the line is up and not masked. */
static void ivgpu_vgpu_intx_fire(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_irq *irq = &vgpu->irq;

	if (!irq->line || irq->intx_masked || !irq->intx ||
	    (ivgpu_cfg_read(&vgpu->core.cfg, PCI_COMMAND, 2) &
	     PCI_COMMAND_INTX_DISABLE))
		return;
	irq->intx_masked = true;	/* automasked until userspace unmasks */
	irq->intx_sent++;
	ivgpu_eventfd_signal(irq->intx);
}

/* Unmask INTx; it fires at once if the line is still up. */
static void ivgpu_vgpu_intx_unmask(struct ivgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	vgpu->irq.intx_unmasks++;
	vgpu->irq.intx_masked = false;
	if (!ivgpu_vgpu_msi_enabled(vgpu))
		ivgpu_vgpu_intx_fire(vgpu);
}

/*
 * The unmask eventfd was signalled. The vfio core calls this from a
 * workqueue (not from the eventfd's wake-up, where the trigger eventfd could
 * not be signalled), so it may sleep on the vGPU lock.
 */
static void ivgpu_vgpu_intx_unmask_thread(void *opaque, void *unused)
{
	struct ivgpu_vgpu *vgpu = opaque;

	mutex_lock(&vgpu->lock);
	vgpu->irq.intx_unmask_fd++;
	ivgpu_vgpu_intx_unmask(vgpu);
	mutex_unlock(&vgpu->lock);
}

void ivgpu_vgpu_irq_update(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_irq *irq = &vgpu->irq;
	bool rising = vgpu->core.intr_asserted && !irq->line;

	lockdep_assert_held(&vgpu->lock);
	vgpu->core.intr_changed = false;
	/* Stopped for migration: the edge waits for RUNNING. */
	if (!vgpu->running)
		return;
	irq->line = vgpu->core.intr_asserted;
	if (!rising)
		return;
	if (ivgpu_vgpu_msi_enabled(vgpu)) {
		if (irq->msi) {
			irq->msi_sent++;
			ivgpu_eventfd_signal(irq->msi);
		}
		return;
	}
	ivgpu_vgpu_intx_fire(vgpu);
}

int ivgpu_vgpu_irq_info(struct vfio_irq_info *info)
{
	if (info->index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info->count = ivgpu_vgpu_irq_caps[info->index].count;
	info->flags = ivgpu_vgpu_irq_caps[info->index].flags;
	return 0;
}

bool ivgpu_vgpu_irq_request(struct ivgpu_vgpu *vgpu)
{
	bool sent = false;

	mutex_lock(&vgpu->lock);
	if (vgpu->irq.req) {
		ivgpu_eventfd_signal(vgpu->irq.req);
		sent = true;
	}
	mutex_unlock(&vgpu->lock);
	return sent;
}

/* Install the eventfd @fd in @slot; -1 removes it. */
static int ivgpu_vgpu_irq_set_eventfd(struct eventfd_ctx **slot, s32 fd)
{
	struct eventfd_ctx *ctx = NULL;

	if (fd < -1)
		return -EINVAL;
	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	ivgpu_vgpu_irq_put(slot);
	*slot = ctx;
	return 0;
}

/*
 * ACTION_TRIGGER: an eventfd installs or removes the trigger, count 0 with
 * DATA_NONE removes it, and DATA_NONE/DATA_BOOL with count 1 fires it (a
 * loopback test of the path).
 */
static int ivgpu_vgpu_irq_trigger(struct eventfd_ctx **slot,
				  const struct vfio_irq_set *hdr, const u8 *data)
{
	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_EVENTFD:
		return ivgpu_vgpu_irq_set_eventfd(slot, *(const s32 *)data);
	case VFIO_IRQ_SET_DATA_NONE:
		if (!hdr->count) {
			ivgpu_vgpu_irq_put(slot);
			return 0;
		}
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (!*data)
			return 0;
		break;
	}
	if (*slot)
		ivgpu_eventfd_signal(*slot);
	return 0;
}

/*
 * INTx mask and unmask, with DATA_NONE or DATA_BOOL. Unmasking while the
 * line is still up fires again, as a level-triggered line would. (The
 * unmask eventfd is ivgpu_vgpu_intx_unmask_fd(); there is no mask eventfd.)
 */
static int ivgpu_vgpu_irq_intx_mask(struct ivgpu_vgpu *vgpu,
				    const struct vfio_irq_set *hdr,
				    const u8 *data, bool mask)
{
	switch (hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		if (!*data)
			return 0;
		break;
	default:
		return -EINVAL;
	}
	if (mask)
		vgpu->irq.intx_masked = true;
	else
		ivgpu_vgpu_intx_unmask(vgpu);
	return 0;
}

/*
 * ACTION_UNMASK with an eventfd on INTx (QEMU's KVM irqfd resampler): every
 * signal unmasks INTx as the ioctl does. -1 removes it, a new one replaces
 * it, closing it removes it too. It needs the INTx trigger. Runs under
 * unmask_lock and not under the vGPU lock: vfio_virqfd_disable() waits for
 * ivgpu_vgpu_intx_unmask_thread(), which takes the vGPU lock.
 */
static int ivgpu_vgpu_intx_unmask_fd(struct ivgpu_vgpu *vgpu, s32 fd)
{
	struct eventfd_ctx *ctx;
	bool trigger;

	lockdep_assert_held(&vgpu->irq.unmask_lock);
	if (fd < -1)
		return -EINVAL;
	if (fd == -1) {
		vfio_virqfd_disable(&vgpu->irq.unmask);
		return 0;
	}
	/* A bad fd leaves the installed eventfd alone. */
	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	eventfd_ctx_put(ctx);
	mutex_lock(&vgpu->lock);
	trigger = vgpu->irq.intx;
	mutex_unlock(&vgpu->lock);
	if (!trigger)
		return -EINVAL;
	vfio_virqfd_disable(&vgpu->irq.unmask);
	if (ivgpu_fail_alloc())
		return -ENOMEM;
	return vfio_virqfd_enable(vgpu, NULL, ivgpu_vgpu_intx_unmask_thread,
				  NULL, &vgpu->irq.unmask, fd);
}

static struct eventfd_ctx **ivgpu_vgpu_irq_slot(struct ivgpu_vgpu_irq *irq,
						u32 index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return &irq->intx;
	case VFIO_PCI_MSI_IRQ_INDEX:
		return &irq->msi;
	case VFIO_PCI_ERR_IRQ_INDEX:
		return &irq->err;
	default:
		return &irq->req;
	}
}

/* @hdr was validated against ivgpu_vgpu_irq_caps: the index exists. */
static int ivgpu_vgpu_irq_dispatch(struct ivgpu_vgpu *vgpu,
				   const struct vfio_irq_set *hdr,
				   const u8 *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	bool intx = hdr->index == VFIO_PCI_INTX_IRQ_INDEX;

	lockdep_assert_held(&vgpu->lock);

	if (action != VFIO_IRQ_SET_ACTION_MASK &&
	    action != VFIO_IRQ_SET_ACTION_UNMASK &&
	    action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (action == VFIO_IRQ_SET_ACTION_TRIGGER)
		return ivgpu_vgpu_irq_trigger(ivgpu_vgpu_irq_slot(&vgpu->irq,
								  hdr->index),
					      hdr, data);
	if (!intx)
		return -ENOTTY;	/* only INTx can be masked */
	return ivgpu_vgpu_irq_intx_mask(vgpu, hdr, data,
					action == VFIO_IRQ_SET_ACTION_MASK);
}

long ivgpu_vgpu_irq_set(struct ivgpu_vgpu *vgpu, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	u8 *data = NULL;
	u32 max;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	max = hdr.index < VFIO_PCI_NUM_IRQS ?
	      ivgpu_vgpu_irq_caps[hdr.index].count : 0;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, max, VFIO_PCI_NUM_IRQS,
						 &data_size);
	if (ret)
		return ret;
	/* Count 0 only means "disable": a trigger without data. */
	if (!hdr.count && (hdr.flags & ~VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
			  VFIO_IRQ_SET_DATA_NONE)
		return -EINVAL;
	if (!hdr.count && (hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
			  VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&vgpu->irq.unmask_lock);
	if (hdr.index == VFIO_PCI_INTX_IRQ_INDEX &&
	    (hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
	    VFIO_IRQ_SET_ACTION_UNMASK &&
	    (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) ==
	    VFIO_IRQ_SET_DATA_EVENTFD) {
		ret = ivgpu_vgpu_intx_unmask_fd(vgpu, *(s32 *)data);
	} else {
		bool intx_off;

		mutex_lock(&vgpu->lock);
		ret = ivgpu_vgpu_irq_dispatch(vgpu, &hdr, data);
		intx_off = hdr.index == VFIO_PCI_INTX_IRQ_INDEX &&
			   !vgpu->irq.intx;
		mutex_unlock(&vgpu->lock);
		/* As in vfio-pci, INTx going off takes its unmask eventfd. */
		if (intx_off && (hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) ==
				VFIO_IRQ_SET_ACTION_TRIGGER)
			vfio_virqfd_disable(&vgpu->irq.unmask);
	}
	mutex_unlock(&vgpu->irq.unmask_lock);
	kfree(data);
	return ret;
}
