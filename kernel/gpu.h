/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parent GPU: a software Gen9 model on a virtual PCI bus of its own,
 * registered as an mdev parent with one mdev type per vGPU profile.
 */
#ifndef IVGPU_GPU_H
#define IVGPU_GPU_H

#include <linux/idr.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include "core/types.h"
#include "vblank.h"

struct ivgpu_gpu;

struct ivgpu_gpu_type {
	struct mdev_type mtype;
	const struct ivgpu_type *profile;
	struct ivgpu_gpu *gpu;
};

struct ivgpu_gpu_params {
	u64 gm_budget_mib;
	u32 max_vgpus;
	int pci_domain;		/* < 0: the first free one from 0x1000 */
};

struct ivgpu_gpu {
	struct pci_sysdata sysdata;	/* our root bus's domain and node */
	struct pci_bus *bus;		/* the virtual root bus */
	struct pci_dev *pdev;		/* the parent function, while bound */
	struct mdev_parent parent;
	struct ivgpu_gpu_type types[IVGPU_NUM_TYPES];
	struct mdev_type *mdev_types[IVGPU_NUM_TYPES];
	struct mutex lock;		/* protects budget and vgt_ids */
	struct ivgpu_budget budget;
	struct ida vgt_ids;
	struct ivgpu_vblank_tick vblank_tick;	/* its vGPUs' vblank events */
};

int ivgpu_gpu_init(const struct ivgpu_gpu_params *params);
void ivgpu_gpu_exit(void);

/* Reserve a vGPU of @type: budget and a vgt_id. */
int ivgpu_gpu_claim(struct ivgpu_gpu_type *type, struct device *dev,
		    u32 *vgt_id);
void ivgpu_gpu_unclaim(struct ivgpu_gpu_type *type, u32 vgt_id);

/* mdev type callbacks */
unsigned int ivgpu_gpu_get_available(struct mdev_type *mtype);
ssize_t ivgpu_gpu_show_description(struct mdev_type *mtype, char *buf);

static inline struct ivgpu_gpu_type *to_ivgpu_gpu_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct ivgpu_gpu_type, mtype);
}

#endif /* IVGPU_GPU_H */
