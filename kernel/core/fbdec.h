/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Framebuffer decoder: from the display registers and the GGTT to a
 * description of what a plane shows.
 */
#ifndef IVGPU_CORE_FBDEC_H
#define IVGPU_CORE_FBDEC_H

#include "platform.h"

struct ivgpu_core;

#define IVGPU_FOURCC(a, b, c, d) \
	((u32)(a) | (u32)(b) << 8 | (u32)(c) << 16 | (u32)(d) << 24)
#define IVGPU_FMT_XRGB8888	IVGPU_FOURCC('X', 'R', '2', '4')
#define IVGPU_FMT_ARGB8888	IVGPU_FOURCC('A', 'R', '2', '4')
#define IVGPU_FMT_XBGR8888	IVGPU_FOURCC('X', 'B', '2', '4')
#define IVGPU_FMT_ABGR8888	IVGPU_FOURCC('A', 'B', '2', '4')
#define IVGPU_FMT_RGB565	IVGPU_FOURCC('R', 'G', '1', '6')
#define IVGPU_FMT_XRGB2101010	IVGPU_FOURCC('X', 'R', '3', '0')
#define IVGPU_FMT_XBGR2101010	IVGPU_FOURCC('X', 'B', '3', '0')

#define IVGPU_MOD_LINEAR	0ull
#define IVGPU_MOD_X_TILED	((1ull << 56) | 1)	/* I915_FORMAT_MOD_X_TILED */

/* X tiles: 512 bytes by 8 rows, 4 KiB in memory. */
#define IVGPU_XTILE_WIDTH	512u
#define IVGPU_XTILE_ROWS	8u

#define IVGPU_PLANE_PRIMARY	1	/* DRM_PLANE_TYPE_PRIMARY */
#define IVGPU_PLANE_CURSOR	2	/* DRM_PLANE_TYPE_CURSOR */

#define IVGPU_FB_MAX_DIM	8192u	/* the hardware's plane size limit */

struct ivgpu_fb {
	u32 drm_format;		/* DRM fourcc */
	u64 modifier;		/* IVGPU_MOD_* */
	u32 width;		/* pixels */
	u32 height;
	u32 cpp;		/* bytes per pixel */
	u32 stride;		/* bytes from a line to the next, in memory */
	u32 x_off;		/* first visible pixel inside the surface */
	u32 y_off;
	u64 gm_base;		/* graphics address of the surface */
	u64 size;		/* bytes of the surface the plane reads, 4 KiB multiple */
	s32 x_pos;		/* cursor position on the pipe */
	s32 y_pos;
	u32 x_hot;		/* cursor hotspot */
	u32 y_hot;
	int pipe;
};

/*
 * Decode @plane (IVGPU_PLANE_*) of the pipe the monitor shows: the enabled
 * pipe whose transcoder drives port D, else the first enabled pipe. Returns
 * 0 and fills @fb, -ENOENT if the plane is off, or -EINVAL if its registers hold
 * something it can't show (counted in c->stats.fb_errors). Either way an
 * error means "plane disabled".
 */
int ivgpu_fb_decode(struct ivgpu_core *c, int plane, struct ivgpu_fb *fb);

/* Byte offset of the first visible pixel of a linear plane. */
static inline u64 ivgpu_fb_linear_offset(const struct ivgpu_fb *fb)
{
	return (u64)fb->y_off * fb->stride + (u64)fb->x_off * fb->cpp;
}

/*
 * Copy the visible pixels of @fb into @dst (lines @dst_stride apart),
 * de-tiling X-tiled surfaces. @page returns the kernel address of the
 * surface's 4 KiB page @n (counted from gm_base), never NULL.
 */
void ivgpu_fb_copy(const struct ivgpu_fb *fb,
		   const u8 *(*page)(void *ctx, u64 n), void *ctx,
		   u8 *dst, u32 dst_stride);

#endif /* IVGPU_CORE_FBDEC_H */
