/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vGPU's interrupt triggers: the eventfds userspace sets with
 * VFIO_DEVICE_SET_IRQS for INTx, MSI, errors and device requests.
 */
#ifndef IVGPU_IRQ_H
#define IVGPU_IRQ_H

#include <linux/eventfd.h>
#include <linux/vfio.h>

struct ivgpu_vgpu;

/* Protected by the vGPU lock. */
struct ivgpu_vgpu_irq {
	struct eventfd_ctx *intx;	/* INTx trigger */
	struct eventfd_ctx *msi;	/* MSI vector 0 trigger */
	struct eventfd_ctx *err;	/* error trigger: never fires, no AER */
	struct eventfd_ctx *req;	/* device request trigger */
	bool intx_masked;		/* by userspace, or automasked */
	bool line;			/* the level last delivered */
	u64 msi_sent;
	u64 intx_sent;
};

/* Drop every trigger and forget the line (close, reset). */
void ivgpu_vgpu_irq_disable_all(struct ivgpu_vgpu *vgpu);
/* Deliver a rising edge of the device's interrupt line, as MSI or INTx. */
void ivgpu_vgpu_irq_update(struct ivgpu_vgpu *vgpu);

int ivgpu_vgpu_irq_info(struct vfio_irq_info *info);
long ivgpu_vgpu_irq_set(struct ivgpu_vgpu *vgpu, void __user *arg);
/* Ask userspace to release the device; false if nobody listens. */
bool ivgpu_vgpu_irq_request(struct ivgpu_vgpu *vgpu);

#endif /* IVGPU_IRQ_H */
