/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A vGPU's display as userspace sees it: VFIO_DEVICE_QUERY_GFX_PLANE, the
 * plane, framebuffer and EDID regions, and the gfx_plane choice.
 */
#ifndef IVGPU_DISPLAY_H
#define IVGPU_DISPLAY_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/ivgpu.h>
#include "core/fbdec.h"

struct ivgpu_vgpu;
struct ivgpu_dmabuf;

/* Pipes, planes, cursors and the PV page (cursor hotspot): [0x60000, 0x80000). */
#define IVGPU_DISPLAY_REGS_START	0x60000
#define IVGPU_DISPLAY_REGS_END		0x80000

/* gfx_plane values: the VFIO_GFX_PLANE_TYPE_* bits a vGPU offers. */
#define IVGPU_GFX_PLANES_ALL	(VFIO_GFX_PLANE_TYPE_REGION | \
				 VFIO_GFX_PLANE_TYPE_DMABUF)

enum ivgpu_view_mode {
	IVGPU_VIEW_NONE,	/* no plane: the scratch page */
	IVGPU_VIEW_GUEST,	/* the guest's pages, through the shadow GTT */
	IVGPU_VIEW_COPY,	/* the de-tiled copy */
};

struct ivgpu_vgpu_display {
	u32 planes;			/* VFIO_GFX_PLANE_TYPE_*; vGPU lock */
	/*
	 * What the plane regions show, read by their page faults: changed
	 * under the vGPU lock and the GTT's map_lock, read under either.
	 */
	enum ivgpu_view_mode view;
	u64 view_base;			/* first GGTT entry (GUEST) */
	u64 view_pages;			/* pages of the plane (GUEST) */
	u8 *copy;			/* a frame, de-tiled (vmalloc); vGPU lock */
	/* The last answered region plane; vGPU lock. */
	u32 region_index;
	u32 region_format, region_width, region_height, region_stride;
	/* The framebuffer region; vGPU lock (fb_pixels also map_lock). */
	u8 *fb_pixels;			/* vmalloc, a frame */
	struct vfio_framebuffer fb_meta;
	/* Dma-buf plane states, newest first; vGPU lock. */
	struct list_head dmabufs;
	u32 nr_dmabufs;
	u32 next_dmabuf_id;
	/*
	 * Bumped by every change a plane could show: a GGTT entry's page
	 * (map_lock: a DMA unmap has no vGPU lock), a write to the display
	 * registers or the PV page (vGPU lock).
	 */
	atomic64_t gen;
	/* The state each plane type last answered, and at which gen. */
	struct {
		struct ivgpu_dmabuf *state;
		u64 gen;
	} dmabuf_cache[3];		/* by IVGPU_PLANE_* */
	u64 region_gen;			/* gen the region view was built at */
	/*
	 * Where each plane region was last mapped (map_lock): a query maps
	 * a new view there at once if the caller's mm holds that mapping.
	 */
	struct {
		struct mm_struct *mm;	/* compared, never dereferenced */
		unsigned long start;
		unsigned long pgoff;
	} view_maps[2];			/* PLANE0, PLANE1 */
	struct ivgpu_display_stats {
		u64 queries;
		u64 copies;		/* frames de-tiled or copied */
		u64 dmabufs;		/* plane states made */
		u64 exports;		/* dma-buf fds handed out */
	} stats;			/* vGPU lock */
};

void ivgpu_vgpu_display_init(struct ivgpu_vgpu *vgpu);
/* Drop what the last user left: buffers, plane states (vGPU lock). */
void ivgpu_vgpu_display_release(struct ivgpu_vgpu *vgpu);

/* Bytes of the type's largest frame, 4 bytes a pixel, page aligned. */
u64 ivgpu_vgpu_frame_size(struct ivgpu_vgpu *vgpu);

long ivgpu_vgpu_query_plane(struct ivgpu_vgpu *vgpu, void __user *arg);

/*
 * Copy the visible pixels of @fb into @dst, lines @dst_stride apart (vGPU
 * lock held: pins the surface's pages as needed).
 */
void ivgpu_vgpu_fb_copy(struct ivgpu_vgpu *vgpu, const struct ivgpu_fb *fb,
			u8 *dst, u32 dst_stride);

/* A BAR0 register write at @off (vGPU lock): the planes may have changed. */
static inline void ivgpu_vgpu_display_reg_written(struct ivgpu_vgpu_display *d,
						  u32 off)
{
	if (off >= IVGPU_DISPLAY_REGS_START && off < IVGPU_DISPLAY_REGS_END)
		atomic64_inc(&d->gen);
}

/* Called under map_lock when GGTT entry @idx changes: zap views of it. */
void ivgpu_vgpu_display_entries_changed(struct ivgpu_vgpu *vgpu, u64 idx,
					u64 n);

/* Region callbacks (see vgpu.c's region table). */
ssize_t ivgpu_vgpu_plane_region_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
				   size_t count, u64 off, bool write);
/* mmap of [0, frame size): the plane regions and the framebuffer pixels. */
int ivgpu_vgpu_frame_mmap(struct ivgpu_vgpu *vgpu, struct vm_area_struct *vma);
u64 ivgpu_vgpu_fb_region_size(struct ivgpu_vgpu *vgpu);
ssize_t ivgpu_vgpu_fb_region_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
				size_t count, u64 off, bool write);
u64 ivgpu_vgpu_edid_region_size(struct ivgpu_vgpu *vgpu);
u64 ivgpu_vgpu_edid_region_read(struct ivgpu_vgpu *vgpu, u64 off, u32 bytes);
int ivgpu_vgpu_edid_region_write(struct ivgpu_vgpu *vgpu, u64 off, u64 val,
				 u32 bytes);

/* Zero-fill, from the primary plane, and forget the plane states. */
void ivgpu_vgpu_display_reset(struct ivgpu_vgpu *vgpu);

/* The ivgpu/gfx_plane attribute of the mdev device. */
extern struct device_attribute dev_attr_gfx_plane;
/* ivgpu/edid_region: the EDID region, for management while a user runs. */
extern struct bin_attribute bin_attr_edid_region;

#endif /* IVGPU_DISPLAY_H */
