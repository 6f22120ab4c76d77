/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Dma-buf planes: plane states made of the guest pages a plane shows,
 * exported as dma-bufs by VFIO_DEVICE_GET_GFX_DMABUF.
 */
#ifndef IVGPU_DMABUF_H
#define IVGPU_DMABUF_H

#include <linux/vfio.h>

struct ivgpu_vgpu;

/* Plane states a vGPU keeps for GET_GFX_DMABUF (QEMU caches five). */
#define IVGPU_DMABUF_KEEP	8

/*
 * Fill @info for @plane (IVGPU_PLANE_*): the id of the plane state that
 * matches what the plane shows now, made if new. vGPU lock held.
 */
int ivgpu_vgpu_dmabuf_query(struct ivgpu_vgpu *vgpu, u32 plane,
			    struct vfio_device_gfx_plane_info *info);

/* VFIO_DEVICE_GET_GFX_DMABUF: a new dma-buf fd for a kept plane state. */
long ivgpu_vgpu_get_dmabuf(struct ivgpu_vgpu *vgpu, void __user *arg);

/* Forget every plane state (dma-bufs out there stay valid). vGPU lock. */
void ivgpu_vgpu_dmabuf_drop_all(struct ivgpu_vgpu *vgpu);

#endif /* IVGPU_DMABUF_H */
