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
#include "display.h"
#include "gtt.h"
#include "irq.h"
#include "migrate.h"
#include "vblank.h"

/* vfio-pci's convention: the region index is in the top bits of the offset. */
#define IVGPU_REGION_SHIFT	40
#define IVGPU_REGION_MASK	((1ull << IVGPU_REGION_SHIFT) - 1)

struct ivgpu_gpu_type;

struct ivgpu_vgpu {
	struct vfio_device vdev;
	struct ivgpu_gpu_type *type;
	u32 vgt_id;
	struct mutex lock;		/* the device model: everything below */
	bool open;
	bool running;			/* not stopped for migration: vblanks, IRQs */
	struct ivgpu_core core;
	struct ivgpu_vgpu_gtt gtt;
	struct ivgpu_vgpu_irq irq;
	struct ivgpu_vgpu_vblank vblank;
	struct ivgpu_vgpu_display display;
	struct ivgpu_vgpu_mig mig;
	struct dentry *debugfs;
};

extern struct mdev_driver ivgpu_vgpu_mdev_driver;

/* The largest naturally aligned access at @off that fits @left and @max. */
static inline u32 ivgpu_vgpu_access_size(u64 off, size_t left, u32 max)
{
	u32 n = max;

	while (n > 1 && (off % n || left < n))
		n /= 2;
	return n;
}

#endif /* IVGPU_VGPU_H */
