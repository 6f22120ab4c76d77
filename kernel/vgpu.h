/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One vGPU: an mdev device presented to userspace as a vfio-pci device.
 */
#ifndef IVGPU_VGPU_H
#define IVGPU_VGPU_H

#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/vfio.h>
#include "core/core.h"
#include "irq.h"

struct ivgpu_gpu_type;

struct ivgpu_vgpu {
	struct vfio_device vdev;
	struct ivgpu_gpu_type *type;
	u32 vgt_id;
	struct mutex lock;		/* protects core */
	struct ivgpu_core core;
	struct ivgpu_vgpu_irq irq;
};

extern struct mdev_driver ivgpu_vgpu_mdev_driver;

#endif /* IVGPU_VGPU_H */
