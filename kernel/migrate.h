/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VFIO migration v2 of a vGPU: the state machine and the data files that
 * carry core/migrate.c's stream.
 */
#ifndef IVGPU_MIGRATE_H
#define IVGPU_MIGRATE_H

#include <linux/vfio.h>

struct ivgpu_vgpu;
struct ivgpu_mig_file;

struct ivgpu_vgpu_mig {
	enum vfio_device_mig_state state;	/* vGPU lock */
	struct ivgpu_mig_file *saving;		/* vGPU lock */
	struct ivgpu_mig_file *resuming;	/* vGPU lock */
};

/* Set up migration for a vGPU being initialised. */
void ivgpu_vgpu_mig_init(struct ivgpu_vgpu *vgpu);

/*
 * Back to RUNNING, with any data file cut off (reset, open, close). Called
 * with the vGPU lock held. The state sets vgpu->running.
 */
void ivgpu_vgpu_mig_reset(struct ivgpu_vgpu *vgpu);


/* What management software compares: the type and the stream version. */
extern struct device_attribute dev_attr_migration_compat;

#endif /* IVGPU_MIGRATE_H */
