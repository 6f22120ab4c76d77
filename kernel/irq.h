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

struct ivgpu_vgpu_irq {
	struct mutex lock;		/* protects everything below */
	struct eventfd_ctx *intx;	/* INTx trigger */
	struct eventfd_ctx *msi;	/* MSI vector 0 trigger */
	struct eventfd_ctx *err;	/* error trigger: never fires, no AER */
	struct eventfd_ctx *req;	/* device request trigger */
	bool intx_masked;
};

void ivgpu_vgpu_irq_init(struct ivgpu_vgpu_irq *irq);
void ivgpu_vgpu_irq_fini(struct ivgpu_vgpu_irq *irq);
/* Drop every trigger (device close). */
void ivgpu_vgpu_irq_disable_all(struct ivgpu_vgpu_irq *irq);

int ivgpu_vgpu_irq_info(struct vfio_irq_info *info);
long ivgpu_vgpu_irq_set(struct ivgpu_vgpu_irq *irq, void __user *arg);
/* Ask userspace to release the device; false if nobody listens. */
bool ivgpu_vgpu_irq_request(struct ivgpu_vgpu_irq *irq);

#endif /* IVGPU_IRQ_H */
