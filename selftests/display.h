/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * display.h: what the display tests share: the registers they program,
 * surfaces of guest memory behind GGTT entries, planes and the images they
 * show, QUERY_GFX_PLANE and dma-bufs, read-only mappings, the gfx_plane
 * attribute (the functions are in display_common.c).
 *
 * The display program is display.c and display_*.c, linked in that order
 * (see the Makefile); tests run in the order they are linked.
 */
#ifndef IVGPU_SELFTESTS_DISPLAY_H
#define IVGPU_SELFTESTS_DISPLAY_H

#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ivgpu.h"

#define PAGE		4096UL

/* Display registers of a pipe (docs/display.md, "What the guest programs"). */
#define PIPESRC(p)		(0x6001c + 0x1000 * (p))
#define PIPE_FLIPCOUNT(p)	(0x70044 + 0x1000 * (p))
#define FLIP_DONE		(1u << 3)	/* GEN9_PIPE_PLANE1_FLIP_DONE */
#define CURCNTR(p)		(0x70080 + 0x1000 * (p))
#define CURBASE(p)		(0x70084 + 0x1000 * (p))
#define CURPOS(p)		(0x70088 + 0x1000 * (p))
#define PLANE_CTL(p)		(0x70180 + 0x1000 * (p))
#define  PLANE_CTL_ENABLE	(1u << 31)
#define  PLANE_CTL_ORDER_RGBX	(1u << 20)
#define  PLANE_CTL_ALPHA	(1u << 4)
#define  FMT_XRGB2101010	2
#define  FMT_XRGB8888		4
#define  FMT_RGB565		14
#define  TILING_LINEAR		0
#define  TILING_X		1
#define  TILING_Y		4
#define  TILING_YF		5
#define PLANE_STRIDE(p)		(0x70188 + 0x1000 * (p))
#define PLANE_SIZE(p)		(0x70190 + 0x1000 * (p))
#define PLANE_SURF(p)		(0x7019c + 0x1000 * (p))
#define PLANE_OFFSET(p)		(0x701a4 + 0x1000 * (p))

/* South display interrupts: the hotplug of port D. */

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | \
	 (uint32_t)(d) << 24)
#define DRM_XRGB8888		FOURCC('X', 'R', '2', '4')
#define DRM_ARGB8888		FOURCC('A', 'R', '2', '4')
#define DRM_XBGR8888		FOURCC('X', 'B', '2', '4')
#define DRM_ABGR8888		FOURCC('A', 'B', '2', '4')
#define DRM_XRGB2101010		FOURCC('X', 'R', '3', '0')
#define DRM_XBGR2101010		FOURCC('X', 'B', '3', '0')
#define DRM_RGB565		FOURCC('R', 'G', '1', '6')
#define MOD_X_TILED		((1ULL << 56) | 1)	/* I915_FORMAT_MOD_X_TILED */

#define PLANE_PRIMARY		1	/* DRM_PLANE_TYPE_PRIMARY */
#define PLANE_CURSOR		2	/* DRM_PLANE_TYPE_CURSOR */

#define Q_PROBE		VFIO_GFX_PLANE_TYPE_PROBE
#define Q_DMABUF	VFIO_GFX_PLANE_TYPE_DMABUF
#define Q_REGION	VFIO_GFX_PLANE_TYPE_REGION

/* TYPE_SMALL: 1024x768, 64 + 384 MiB of graphics memory. */
#define SMALL_XRES		1024
#define SMALL_YRES		768
#define SMALL_FRAME		(SMALL_XRES * SMALL_YRES * 4)
#define SMALL_GM		((64UL + 384) * MIB)

/* ---- guest memory ---- */

/*
 * A surface in graphics memory: guest pages behind GGTT entries
 * [entry, entry + pages), in reverse order (entry + k shows guest page
 * pages - 1 - k), so that contiguous graphics memory is not contiguous in
 * the guest.
 */
struct surface {
	struct vgpu *v;
	uint8_t *mem;
	uint64_t iova;
	size_t pages;
	uint64_t entry;
};

void surface_fill(struct surface *s, uint32_t seed);
void surface_map_at(struct surface *s, uint64_t entry);
struct surface surface_new(struct vgpu *v, size_t pages,
			   uint64_t entry, uint32_t seed);
uint64_t surface_gm(const struct surface *s);
uint8_t *surface_linear(const struct surface *s, size_t len);

/* ---- planes ---- */

struct plane {
	uint32_t format;	/* PLANE_CTL 27:24 */
	uint32_t ctl;		/* other PLANE_CTL bits: order, alpha */
	uint32_t tiling;	/* PLANE_CTL 12:10 */
	uint32_t width, height;
	uint32_t stride_reg;	/* PLANE_STRIDE */
	uint32_t x, y;		/* PLANE_OFFSET */
	uint64_t surf;		/* PLANE_SURF */
};

uint32_t plane_line(const struct plane *p);
uint32_t plane_fourcc(const struct plane *p);
void plane_program(struct vgpu *v, int pipe, const struct plane *p);
uint8_t *want_image(const struct plane *p, const struct surface *s);

#define EXPECT_IMAGE(got, got_stride, want, line, height) \
	expect_image(__FILE__, __LINE__, #got, got, got_stride, want, line, \
		     height)

bool expect_image(const char *file, int fline, const char *what,
		  const uint8_t *got, uint32_t got_stride,
		  const uint8_t *want, uint32_t line, uint32_t height);

#define EXPECT_ALL_ZERO(buf, len) \
	expect_all_zero(__FILE__, __LINE__, #buf, buf, len)

bool expect_all_zero(const char *file, int line, const char *what,
		     const uint8_t *buf, size_t len);

/* ---- VFIO_DEVICE_QUERY_GFX_PLANE and dma-bufs ---- */

int query(struct vgpu *v, uint32_t flags, uint32_t type,
	  struct vfio_device_gfx_plane_info *pi);
struct vfio_device_gfx_plane_info query_region(struct vgpu *v);
struct vfio_device_gfx_plane_info query_dmabuf(struct vgpu *v,
					       uint32_t type);

#define EXPECT_DISABLED(pi) expect_disabled(__FILE__, __LINE__, pi)

void expect_disabled(const char *file, int line,
		     const struct vfio_device_gfx_plane_info *pi);
int get_dmabuf(struct vgpu *v, uint32_t id);

/* ---- read-only mappings ---- */

uint8_t *map_ro(int fd, off_t off, size_t len);
uint8_t *map_region(struct vgpu *v, unsigned int index, uint64_t off,
		    size_t len);
uint8_t *read_region(struct vgpu *v, unsigned int index, uint64_t off,
		     size_t len);
uint64_t image_span(uint32_t stride, uint32_t line, uint32_t height);

/*
 * EXPECT that a region answer describes p: format, size, modifier, the
 * stride given, an index of a plane region and a size that covers the
 * image and fits the region. False if it does not.
 */
#define EXPECT_REGION_PLANE(v, pi, p, stride) \
	expect_region_plane(__FILE__, __LINE__, v, pi, p, stride)

bool expect_region_plane(const char *file, int line, struct vgpu *v,
			 const struct vfio_device_gfx_plane_info *pi,
			 const struct plane *p, uint32_t stride);

/* The image of p over s, read from the plane region and through mmap. */
#define EXPECT_REGION_PIXELS(v, pi, p, s) \
	expect_region_pixels(__FILE__, __LINE__, v, pi, p, s)

void expect_region_pixels(const char *file, int line, struct vgpu *v,
			  const struct vfio_device_gfx_plane_info *pi,
			  const struct plane *p, const struct surface *s);

/* ---- the gfx_plane attribute ---- */

void gfx_plane_path(struct vgpu *v, char *path, size_t len);
int gfx_plane_set(struct vgpu *v, const char *mode);
struct vgpu *vgpu_new_mode(const char *mode);
struct plane linear_plane(const struct surface *s);

#endif /* IVGPU_SELFTESTS_DISPLAY_H */
