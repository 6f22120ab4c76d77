/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vGPU's interrupt triggers: the eventfds userspace sets with
 * VFIO_DEVICE_SET_IRQS for INTx, MSI, errors and device requests.
 */
#ifndef IVGPU_IRQ_H
#define IVGPU_IRQ_H

#include <linux/eventfd.h>
#include <linux/mutex.h>
#include <linux/vfio.h>

struct ivgpu_vgpu;

/*
 * Protected by the vGPU lock, except unmask: the INTx unmask eventfd is a
 * virqfd, whose handler runs from a workqueue and takes the vGPU lock, and
 * vfio_virqfd_disable() waits for that handler. So unmask is installed and
 * removed under unmask_lock alone, never with the vGPU lock held.
 */
struct ivgpu_vgpu_irq {
	struct eventfd_ctx *intx;	/* INTx trigger */
	struct eventfd_ctx *msi;	/* MSI vector 0 trigger */
	struct eventfd_ctx *err;	/* error trigger: never fires, no AER */
	struct eventfd_ctx *req;	/* device request trigger */
	bool intx_masked;		/* by userspace, or automasked */
	bool line;			/* the level last delivered */
	u64 msi_sent;
	u64 intx_sent;
	u64 intx_unmasks;		/* unmasks by ioctl or eventfd */
	u64 intx_unmask_fd;		/* of those, by the unmask eventfd */
	struct mutex unmask_lock;	/* installing and removing unmask */
	struct virqfd *unmask;		/* INTx unmask eventfd */
};

void ivgpu_vgpu_irq_init(struct ivgpu_vgpu *vgpu);
void ivgpu_vgpu_irq_fini(struct ivgpu_vgpu *vgpu);
/*
 * Remove the unmask eventfd and wait for its handler (close). Call without
 * the vGPU lock.
 */
void ivgpu_vgpu_irq_unmask_release(struct ivgpu_vgpu *vgpu);
/* Drop every trigger and forget the line (close). */
void ivgpu_vgpu_irq_disable_all(struct ivgpu_vgpu *vgpu);
/* Deliver a rising edge of the device's interrupt line, as MSI or INTx. */
void ivgpu_vgpu_irq_update(struct ivgpu_vgpu *vgpu);

int ivgpu_vgpu_irq_info(struct vfio_irq_info *info);
long ivgpu_vgpu_irq_set(struct ivgpu_vgpu *vgpu, void __user *arg);
/* Ask userspace to release the device; false if nobody listens. */
bool ivgpu_vgpu_irq_request(struct ivgpu_vgpu *vgpu);

#endif /* IVGPU_IRQ_H */
