/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel API differences ivgpu meets between the kernels it supports,
 * each behind one name. The IVGPU_HAVE_* macros come from conftest.sh.
 */
#ifndef IVGPU_COMPAT_H
#define IVGPU_COMPAT_H

#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/vfio.h>
#include "generated/conftest.h"

#ifdef IVGPU_HAVE_IOMMUFD_EMULATED
#define IVGPU_IOMMUFD_OPS						\
	.bind_iommufd = vfio_iommufd_emulated_bind,			\
	.unbind_iommufd = vfio_iommufd_emulated_unbind,			\
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,		\
	IVGPU_IOMMUFD_DETACH_OP
#else
#define IVGPU_IOMMUFD_OPS
#endif

#ifdef IVGPU_HAVE_IOMMUFD_DETACH_IOAS
#define IVGPU_IOMMUFD_DETACH_OP .detach_ioas = vfio_iommufd_emulated_detach_ioas,
#else
#define IVGPU_IOMMUFD_DETACH_OP
#endif

/* From ops->release: before v6.2 the driver freed the vfio_device itself. */
static inline void ivgpu_vfio_free_device(struct vfio_device *vdev)
{
#ifdef IVGPU_HAVE_VFIO_FREE_DEVICE
	vfio_free_device(vdev);
#endif
}

static inline void ivgpu_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef IVGPU_HAVE_EVENTFD_SIGNAL_NOCOUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

static inline void ivgpu_vm_flags_set(struct vm_area_struct *vma,
				      vm_flags_t flags)
{
#ifdef IVGPU_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/* v6.2 "vfio: Extend the device migration protocol with PRE_COPY" */
#ifdef IVGPU_HAVE_MIG_PRE_COPY
#define IVGPU_MIGRATION_PRE_COPY	VFIO_MIGRATION_PRE_COPY
#define IVGPU_DEVICE_STATE_PRE_COPY	VFIO_DEVICE_STATE_PRE_COPY
#define IVGPU_DEVICE_STATE_PRE_COPY_P2P	VFIO_DEVICE_STATE_PRE_COPY_P2P
#else
#define IVGPU_MIGRATION_PRE_COPY	0
/* States the kernel never asks for: they match nothing. */
#define IVGPU_DEVICE_STATE_PRE_COPY	((enum vfio_device_mig_state)-1)
#define IVGPU_DEVICE_STATE_PRE_COPY_P2P	((enum vfio_device_mig_state)-2)
#endif

static inline void ivgpu_vm_flags_clear(struct vm_area_struct *vma,
					vm_flags_t flags)
{
#ifdef IVGPU_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

#endif /* IVGPU_COMPAT_H */
