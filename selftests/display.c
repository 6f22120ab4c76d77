// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display (docs/display.md): VFIO_DEVICE_QUERY_GFX_PLANE with region
 * and dma-buf planes, the gfx_plane attribute, the framebuffer region and
 * the EDID region of the virtual monitor. The guest side is played by
 * programming plane registers and GGTT entries through BAR0, over guest
 * memory whose every 32-bit word is different, so that each pixel seen
 * through a region, a mapping or a dma-buf can be traced to its source.
 */
#define _GNU_SOURCE
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

/* A distinct 32-bit word for every (index, seed). */
static uint32_t pattern(uint32_t i, uint32_t seed)
{
	uint32_t x = i * 0x9e3779b1u + seed * 0x85ebca77u + 0x6b43a9b5u;

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	x *= 0x297a2d39u;
	x ^= x >> 15;
	return x;
}

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

static void surface_fill(struct surface *s, uint32_t seed)
{
	uint32_t *w = (uint32_t *)s->mem;
	size_t i;

	for (i = 0; i < s->pages * PAGE / 4; i++)
		w[i] = pattern(i, seed);
}

/* Point GGTT entries [entry, entry + pages) at the surface's pages. */
static void surface_map_at(struct surface *s, uint64_t entry)
{
	size_t k;

	for (k = 0; k < s->pages; k++)
		bar0_write64(s->v, PTE(entry + k),
			     (s->iova + (s->pages - 1 - k) * PAGE) |
			     IVGPU_PTE_PRESENT);
}

static struct surface surface_new(struct vgpu *v, size_t pages,
				  uint64_t entry, uint32_t seed)
{
	struct surface s = { .v = v, .pages = pages, .entry = entry };

	s.mem = vfio_dma_alloc(&v->dev, pages * PAGE, &s.iova);
	ASSERT_TRUE(s.mem);
	surface_fill(&s, seed);
	surface_map_at(&s, entry);
	return s;
}

static uint64_t surface_gm(const struct surface *s)
{
	return s->entry * PAGE;
}

/* The byte at graphics-memory offset off from the surface start. */
static uint8_t surface_byte(const struct surface *s, uint64_t off)
{
	return s->mem[(s->pages - 1 - off / PAGE) * PAGE + off % PAGE];
}

/* The surface as the GGTT shows it: len bytes from its start. */
static uint8_t *surface_linear(const struct surface *s, size_t len)
{
	uint8_t *out = malloc(len);
	size_t i;

	ASSERT_TRUE(out);
	for (i = 0; i < len; i++)
		out[i] = surface_byte(s, i);
	return out;
}

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

static uint32_t plane_cpp(const struct plane *p)
{
	return p->format == FMT_RGB565 ? 2 : 4;
}

static uint32_t plane_stride(const struct plane *p)
{
	return p->stride_reg * (p->tiling == TILING_X ? 512 : 64);
}

static uint32_t plane_line(const struct plane *p)
{
	return p->width * plane_cpp(p);
}

static uint32_t plane_fourcc(const struct plane *p)
{
	bool rgbx = p->ctl & PLANE_CTL_ORDER_RGBX;
	bool alpha = p->ctl & (3u << 4);

	switch (p->format) {
	case FMT_XRGB8888:
		if (rgbx)
			return alpha ? DRM_ABGR8888 : DRM_XBGR8888;
		return alpha ? DRM_ARGB8888 : DRM_XRGB8888;
	case FMT_XRGB2101010:
		return rgbx ? DRM_XBGR2101010 : DRM_XRGB2101010;
	case FMT_RGB565:
		return DRM_RGB565;
	}
	return 0;
}

static void plane_program(struct vgpu *v, int pipe, const struct plane *p)
{
	bar0_write32(v, PIPESRC(pipe), (p->width - 1) << 16 | (p->height - 1));
	bar0_write32(v, PLANE_STRIDE(pipe), p->stride_reg);
	bar0_write32(v, PLANE_SIZE(pipe), (p->height - 1) << 16 |
					  (p->width - 1));
	bar0_write32(v, PLANE_OFFSET(pipe), p->y << 16 | p->x);
	bar0_write32(v, PLANE_CTL(pipe), PLANE_CTL_ENABLE | p->format << 24 |
					 p->tiling << 10 | p->ctl);
	bar0_write32(v, PLANE_SURF(pipe), p->surf);
	bar0_write32(v, TRANSCONF(pipe), TRANSCONF_ENABLE);
}

/* Offset in the surface of byte xb of line y (both counted from 0, 0). */
static uint64_t plane_byte(const struct plane *p, uint32_t xb, uint32_t y)
{
	uint64_t stride = plane_stride(p);

	if (p->tiling != TILING_X)
		return y * stride + xb;
	/* X tiles: 512 bytes by 8 rows, 4 KiB each, a row of tiles per stride. */
	return (uint64_t)(y / 8) * stride * 8 + (uint64_t)(xb / 512) * PAGE +
	       (y % 8) * 512 + xb % 512;
}

/* The visible pixels of p over s, linear, lines plane_line(p) apart. */
static uint8_t *want_image(const struct plane *p, const struct surface *s)
{
	uint32_t line = plane_line(p), x0 = p->x * plane_cpp(p), x, y;
	uint8_t *out = malloc((size_t)line * p->height);

	ASSERT_TRUE(out);
	for (y = 0; y < p->height; y++)
		for (x = 0; x < line; x++)
			out[(size_t)y * line + x] =
				surface_byte(s, plane_byte(p, x0 + x, p->y + y));
	return out;
}

#define EXPECT_IMAGE(got, got_stride, want, line, height) \
	expect_image(__FILE__, __LINE__, #got, got, got_stride, want, line, \
		     height)

/* Compare height lines of line bytes; want is packed. */
static bool expect_image(const char *file, int fline, const char *what,
			 const uint8_t *got, uint32_t got_stride,
			 const uint8_t *want, uint32_t line, uint32_t height)
{
	uint32_t y, x;

	for (y = 0; y < height; y++) {
		const uint8_t *g = got + (size_t)y * got_stride;
		const uint8_t *w = want + (size_t)y * line;

		if (!memcmp(g, w, line))
			continue;
		for (x = 0; g[x] == w[x]; x++)
			;
		tap_fail(false, file, fline,
			 "%s: line %u byte %u is 0x%02x, expected 0x%02x (lines %u bytes, stride %u)",
			 what, y, x, g[x], w[x], line, got_stride);
		return false;
	}
	return true;
}

#define EXPECT_ALL_ZERO(buf, len) \
	expect_all_zero(__FILE__, __LINE__, #buf, buf, len)

static bool expect_all_zero(const char *file, int line, const char *what,
			    const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!buf[i])
			continue;
		tap_fail(false, file, line, "%s: byte %zu is 0x%02x, expected 0",
			 what, i, buf[i]);
		return false;
	}
	return true;
}

/* ---- VFIO_DEVICE_QUERY_GFX_PLANE and dma-bufs ---- */

/*
 * Query; the output fields start as junk so that an answer must write
 * them. Returns what ioctl() returns.
 */
static int query(struct vgpu *v, uint32_t flags, uint32_t type,
		 struct vfio_device_gfx_plane_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->argsz = sizeof(*pi);
	pi->flags = flags;
	pi->drm_plane_type = type;
	if (!(flags & Q_PROBE)) {
		pi->drm_format = 0xa5a5a5a5;
		pi->width = pi->height = pi->stride = pi->size = 0xa5a5a5a5;
		pi->region_index = 0xa5a5a5a5;
	}
	return ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, pi);
}

/* The primary plane as a region plane, as QEMU asks for it. */
static struct vfio_device_gfx_plane_info query_region(struct vgpu *v)
{
	struct vfio_device_gfx_plane_info pi;

	ASSERT_OK(query(v, Q_REGION, 0, &pi));
	return pi;
}

static struct vfio_device_gfx_plane_info query_dmabuf(struct vgpu *v,
						      uint32_t type)
{
	struct vfio_device_gfx_plane_info pi;

	ASSERT_OK(query(v, Q_DMABUF, type, &pi));
	return pi;
}

#define EXPECT_DISABLED(pi) expect_disabled(__FILE__, __LINE__, pi)

static void expect_disabled(const char *file, int line,
			    const struct vfio_device_gfx_plane_info *pi)
{
	if (pi->drm_format || pi->width || pi->height || pi->stride ||
	    pi->size || pi->region_index)
		tap_fail(false, file, line,
			 "plane not disabled: format 0x%x %ux%u stride %u size %u index/id %u",
			 pi->drm_format, pi->width, pi->height, pi->stride,
			 pi->size, pi->region_index);
}

static void close_fd(void *arg)
{
	close((int)(long)arg);
}

/* VFIO_DEVICE_GET_GFX_DMABUF: the fd or -1 with errno. */
static int get_dmabuf(struct vgpu *v, uint32_t id)
{
	int fd = ioctl(v->dev.fd, VFIO_DEVICE_GET_GFX_DMABUF, &id);

	if (fd >= 0)
		tap_defer(close_fd, (void *)(long)fd);
	return fd;
}

/* ---- read-only mappings ---- */

struct mapping {
	uint8_t *p;
	size_t len;
};

static void mapping_unmap(void *arg)
{
	struct mapping *m = arg;

	munmap(m->p, m->len);
	free(m);
}

/* mmap len bytes of fd from off, shared, read-only; unmapped at test end. */
static uint8_t *map_ro(int fd, off_t off, size_t len)
{
	struct mapping *m = calloc(1, sizeof(*m));
	void *p;

	ASSERT_TRUE(m);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	if (p == MAP_FAILED) {
		int err = errno;

		free(m);
		tap_fail(true, __FILE__, __LINE__,
			 "mmap of %zu bytes at 0x%llx: %s", len,
			 (unsigned long long)off, strerror(err));
		tap_end_test();
	}
	m->p = p;
	m->len = len;
	tap_defer(mapping_unmap, m);
	return p;
}

static uint8_t *map_region(struct vgpu *v, unsigned int index, uint64_t off,
			   size_t len)
{
	return map_ro(v->dev.fd, v->dev.regions[index].offset + off, len);
}

/* len bytes of a region from off, in a malloc()ed buffer. */
static uint8_t *read_region(struct vgpu *v, unsigned int index, uint64_t off,
			    size_t len)
{
	uint8_t *buf = malloc(len);

	ASSERT_TRUE(buf);
	ASSERT_OK(vfio_region_read(&v->dev, index, off, buf, len));
	return buf;
}

/* Bytes a consumer reads for an image of this stride and line size. */
static uint64_t image_span(uint32_t stride, uint32_t line, uint32_t height)
{
	return (uint64_t)stride * (height - 1) + line;
}

/*
 * EXPECT that a region answer describes p: format, size, modifier, the
 * stride given, an index of a plane region and a size that covers the
 * image and fits the region. False if it does not.
 */
#define EXPECT_REGION_PLANE(v, pi, p, stride) \
	expect_region_plane(__FILE__, __LINE__, v, pi, p, stride)

static bool expect_region_plane(const char *file, int line, struct vgpu *v,
				const struct vfio_device_gfx_plane_info *pi,
				const struct plane *p, uint32_t stride)
{
	bool ok = true;

	if (pi->drm_format != plane_fourcc(p) || pi->width != p->width ||
	    pi->height != p->height || pi->stride != stride ||
	    pi->drm_format_mod != 0) {
		tap_fail(false, file, line,
			 "plane: format 0x%x mod 0x%llx %ux%u stride %u, expected 0x%x mod 0 %ux%u stride %u",
			 pi->drm_format, (unsigned long long)pi->drm_format_mod,
			 pi->width, pi->height, pi->stride, plane_fourcc(p),
			 p->width, p->height, stride);
		ok = false;
	}
	if (pi->region_index != IVGPU_REGION_PLANE0 &&
	    pi->region_index != IVGPU_REGION_PLANE1) {
		tap_fail(false, file, line, "region_index %u is no plane region",
			 pi->region_index);
		return false;
	}
	if (pi->size % PAGE ||
	    pi->size < image_span(pi->stride, plane_line(p), p->height) ||
	    pi->size > v->dev.regions[pi->region_index].size) {
		tap_fail(false, file, line,
			 "size %u: not a page multiple covering %llu bytes within the region's %llu",
			 pi->size,
			 (unsigned long long)image_span(pi->stride,
							plane_line(p), p->height),
			 (unsigned long long)v->dev.regions[pi->region_index].size);
		ok = false;
	}
	return ok;
}

/* The image of p over s, read from the plane region and through mmap. */
#define EXPECT_REGION_PIXELS(v, pi, p, s) \
	expect_region_pixels(__FILE__, __LINE__, v, pi, p, s)

static void expect_region_pixels(const char *file, int line, struct vgpu *v,
				 const struct vfio_device_gfx_plane_info *pi,
				 const struct plane *p, const struct surface *s)
{
	uint32_t lb = plane_line(p);
	uint64_t span = image_span(pi->stride, lb, p->height);
	uint8_t *want = want_image(p, s);
	uint8_t *got = read_region(v, pi->region_index, 0, span);
	uint8_t *map = map_region(v, pi->region_index, 0,
				  v->dev.regions[pi->region_index].size);

	expect_image(file, line, "pread", got, pi->stride, want, lb, p->height);
	expect_image(file, line, "mmap", map, pi->stride, want, lb, p->height);
	free(got);
	free(want);
}

/* ---- the gfx_plane attribute ---- */

static void gfx_plane_path(struct vgpu *v, char *path, size_t len)
{
	snprintf(path, len, "/sys/bus/mdev/devices/%s/ivgpu/gfx_plane",
		 v->uuid);
}

static int gfx_plane_set(struct vgpu *v, const char *mode)
{
	char path[256];

	gfx_plane_path(v, path, sizeof(path));
	return sysfs_write(path, mode);
}

/* A TYPE_SMALL vGPU opened with gfx_plane set to mode. */
static struct vgpu *vgpu_new_mode(const char *mode)
{
	struct vgpu *v = vgpu_create(TYPE_SMALL);

	ASSERT_OK(gfx_plane_set(v, mode));
	vgpu_open(v);
	return v;
}

/* A linear XRGB8888 plane, 60x48, 256-byte lines (padded: 240 are shown). */
static struct plane linear_plane(const struct surface *s)
{
	return (struct plane){
		.format = FMT_XRGB8888, .tiling = TILING_LINEAR,
		.width = 60, .height = 48, .stride_reg = 4,
		.surf = surface_gm(s),
	};
}

/* =================================================================== */
/* 1. Probing and the disabled plane                                    */
/* =================================================================== */

TEST(probe_offers_region_by_default)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi;

	EXPECT_OK(query(v, Q_PROBE | Q_REGION, 0, &pi));
	EXPECT_ERRNO(query(v, Q_PROBE | Q_DMABUF, PLANE_PRIMARY, &pi), EINVAL);
}

TEST(query_rejects_other_flag_combinations)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi;

	EXPECT_ERRNO(query(v, 0, 0, &pi), EINVAL);
	EXPECT_ERRNO(query(v, Q_PROBE, 0, &pi), EINVAL);
	EXPECT_ERRNO(query(v, Q_PROBE | Q_REGION | Q_DMABUF, 0, &pi), EINVAL);
	EXPECT_ERRNO(query(v, Q_REGION | Q_DMABUF, 0, &pi), EINVAL);
	EXPECT_ERRNO(query(v, Q_REGION | (1u << 3), 0, &pi), EINVAL);
}

TEST(query_rejects_a_short_argsz)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi = {
		.argsz = offsetof(struct vfio_device_gfx_plane_info, drm_plane_type),
		.flags = Q_PROBE | Q_REGION,
	};

	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi), EINVAL);
	pi.argsz = 8;
	pi.flags = Q_REGION;
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi), EINVAL);
	/* Everything but the index/id. */
	pi.argsz = offsetof(struct vfio_device_gfx_plane_info, region_index);
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi), EINVAL);
	/* Up to the index/id (the struct without its tail padding) is enough. */
	pi.argsz = offsetof(struct vfio_device_gfx_plane_info, region_index) + 4;
	EXPECT_OK(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi));
}

TEST(disabled_plane_answers_zeros)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi;

	/* Fresh device: no pipe enabled. */
	pi = query_region(v);
	EXPECT_DISABLED(&pi);
	ASSERT_OK(query(v, Q_REGION, PLANE_PRIMARY, &pi));
	EXPECT_DISABLED(&pi);

	/* A pipe without a plane. */
	bar0_write32(v, TRANSCONF(PIPE_A), TRANSCONF_ENABLE);
	pi = query_region(v);
	EXPECT_DISABLED(&pi);
}

/* =================================================================== */
/* 2. The gfx_plane attribute                                           */
/* =================================================================== */

TEST(gfx_plane_attribute)
{
	struct vgpu *v = vgpu_create(TYPE_SMALL);
	char path[256], buf[64];

	gfx_plane_path(v, path, sizeof(path));
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "region\n");

	EXPECT_EQ(gfx_plane_set(v, "bogus"), -EINVAL);
	EXPECT_EQ(gfx_plane_set(v, "regio"), -EINVAL);
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "region\n");

	EXPECT_OK(gfx_plane_set(v, "both"));
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "both\n");
	/* As echo writes it, with a newline. */
	EXPECT_OK(gfx_plane_set(v, "dmabuf\n"));
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "dmabuf\n");

	/* Not while the device is open. */
	vgpu_open(v);
	EXPECT_EQ(gfx_plane_set(v, "region"), -EBUSY);
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "dmabuf\n");

	/* Closed again, it can change. */
	vgpu_close(v);
	EXPECT_OK(gfx_plane_set(v, "region"));
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "region\n");
}

TEST(dmabuf_mode_probes_dmabuf_only)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct vfio_device_gfx_plane_info pi;

	EXPECT_OK(query(v, Q_PROBE | Q_DMABUF, PLANE_PRIMARY, &pi));
	EXPECT_ERRNO(query(v, Q_PROBE | Q_REGION, 0, &pi), EINVAL);
}

TEST(both_mode_probes_both)
{
	struct vgpu *v = vgpu_new_mode("both");
	struct vfio_device_gfx_plane_info pi;

	EXPECT_OK(query(v, Q_PROBE | Q_DMABUF, PLANE_PRIMARY, &pi));
	EXPECT_OK(query(v, Q_PROBE | Q_REGION, 0, &pi));
	EXPECT_ERRNO(query(v, Q_PROBE | Q_REGION | Q_DMABUF, 0, &pi), EINVAL);
}

/* =================================================================== */
/* 3. Region planes                                                     */
/* =================================================================== */

TEST(display_regions_are_typed)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	static const struct {
		unsigned int index;
		uint32_t flags, type, subtype;
		uint64_t size;
	} want[] = {
		{ IVGPU_REGION_EDID,
		  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID,
		  IVGPU_EDID_REGION_SIZE },
		{ IVGPU_REGION_FRAMEBUFFER,
		  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP,
		  IVGPU_REGION_TYPE, IVGPU_REGION_SUBTYPE_FRAMEBUFFER,
		  SMALL_FRAME + IVGPU_FB_META_SIZE },
		{ IVGPU_REGION_PLANE0,
		  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP,
		  IVGPU_REGION_TYPE, IVGPU_REGION_SUBTYPE_PLANE, SMALL_FRAME },
		{ IVGPU_REGION_PLANE1,
		  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP,
		  IVGPU_REGION_TYPE, IVGPU_REGION_SUBTYPE_PLANE, SMALL_FRAME },
	};
	unsigned int i;

	EXPECT_EQ(v->dev.info.num_regions, IVGPU_NUM_REGIONS);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		struct vfio_region_info *info =
			vfio_region_info(&v->dev, want[i].index);
		struct vfio_region_info_cap_type *type;

		ASSERT_TRUE(info);
		tap_log("region %u: flags 0x%x size 0x%llx", want[i].index,
			info->flags, (unsigned long long)info->size);
		EXPECT_EQ(info->flags,
			  want[i].flags | VFIO_REGION_INFO_FLAG_CAPS);
		EXPECT_EQ(info->size, want[i].size);
		type = (void *)vfio_region_cap(info, VFIO_REGION_INFO_CAP_TYPE);
		EXPECT_TRUE(type);
		if (type) {
			EXPECT_EQ(type->type, want[i].type);
			EXPECT_EQ(type->subtype, want[i].subtype);
		}
		free(info);
	}
}

TEST(plane_region_is_read_only)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	off_t off = v->dev.regions[IVGPU_REGION_PLANE0].offset;
	uint32_t val = 0x12345678;
	void *p;

	EXPECT_EQ(pwrite(v->dev.fd, &val, 4, off), -1);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, v->dev.fd,
		 off);
	EXPECT_TRUE(p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	/* Private mappings are not offered either. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, v->dev.fd, off);
	EXPECT_TRUE(p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
}

TEST(linear_plane_is_shown_without_a_copy)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s1 = surface_new(v, 4, 16, 1), s2, s3;
	struct plane p = linear_plane(&s1);
	struct vfio_device_gfx_plane_info pi;
	uint32_t lb = plane_line(&p), index;
	uint8_t *map, *want;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	EXPECT_EQ(pi.drm_format, DRM_XRGB8888);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s1);
	index = pi.region_index;

	/* The same state answers the same. */
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_EQ(pi.stride, 256);

	/* The view is the guest's own pages: new bytes show at once. */
	map = map_region(v, index, 0, v->dev.regions[index].size);
	surface_fill(&s1, 2);
	want = want_image(&p, &s1);
	EXPECT_IMAGE(map, 256, want, lb, p.height);
	free(want);

	/* A flip: once queried, the existing mapping shows the new surface. */
	s2 = surface_new(v, 4, 64, 3);
	p.surf = surface_gm(&s2);
	bar0_write32(v, PLANE_SURF(PIPE_A), p.surf);
	want = want_image(&p, &s2);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 256);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_IMAGE(map, 256, want, lb, p.height);
	free(want);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s2);

	/* A GGTT change under the plane: the mapping follows it too. */
	s3 = surface_new(v, 4, 64, 4);
	want = want_image(&p, &s3);
	EXPECT_IMAGE(map, 256, want, lb, p.height);
	free(want);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s3);
}

TEST(flip_counts_and_raises_flip_done)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	uint32_t flips;
	int i;

	bar0_write32(v, PIPE_ISR(PIPE_A) + IMR, ~FLIP_DONE);
	plane_program(v, PIPE_A, &p);
	flips = bar0_read32(v, PIPE_FLIPCOUNT(PIPE_A));
	EXPECT_EQ(flips, 1);
	/* Wait for the flip-done of programming, then clear it. */
	for (i = 0; i < 100 && !(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR) &
				 FLIP_DONE); i++)
		usleep(10000);
	bar0_write32(v, PIPE_ISR(PIPE_A) + IIR, FLIP_DONE);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR) & FLIP_DONE, 0);

	bar0_write32(v, PLANE_SURF(PIPE_A), p.surf);
	EXPECT_EQ(bar0_read32(v, PIPE_FLIPCOUNT(PIPE_A)), flips + 1);
	for (i = 0; i < 100 && !(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR) &
				 FLIP_DONE); i++)
		usleep(10000);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR) & FLIP_DONE,
		  FLIP_DONE);
}

TEST(region_index_changes_with_geometry)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint32_t last;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	last = pi.region_index;

	/* Format: RGB565, 2 bytes a pixel, the stride stays 256. */
	p.format = FMT_RGB565;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 256);
	EXPECT_EQ(pi.drm_format, DRM_RGB565);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Stride. */
	p.stride_reg = 8;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 512);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Width. */
	p.width = 100;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 512);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Height. */
	p.height = 40;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 512);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Back to XRGB8888 at the same size. */
	p.format = FMT_XRGB8888;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 512);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Nothing but the surface moves: the index stays. */
	surface_map_at(&s, 200);
	p.surf = 200 * PAGE;
	bar0_write32(v, PLANE_SURF(PIPE_A), p.surf);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, last);
}

TEST(formats_map_to_fourccs)
{
	static const struct {
		uint32_t format, ctl, fourcc;
	} formats[] = {
		{ FMT_XRGB8888, 0, DRM_XRGB8888 },
		{ FMT_XRGB8888, PLANE_CTL_ALPHA, DRM_ARGB8888 },
		{ FMT_XRGB8888, 3u << 4, DRM_ARGB8888 },
		{ FMT_XRGB8888, PLANE_CTL_ORDER_RGBX, DRM_XBGR8888 },
		{ FMT_XRGB8888, PLANE_CTL_ORDER_RGBX | PLANE_CTL_ALPHA,
		  DRM_ABGR8888 },
		{ FMT_XRGB2101010, 0, DRM_XRGB2101010 },
		{ FMT_XRGB2101010, PLANE_CTL_ORDER_RGBX, DRM_XBGR2101010 },
		{ FMT_RGB565, 0, DRM_RGB565 },
	};
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		p.format = formats[i].format;
		p.ctl = formats[i].ctl;
		plane_program(v, PIPE_A, &p);
		pi = query_region(v);
		EXPECT_EQ(pi.drm_format, formats[i].fourcc);
		EXPECT_REGION_PLANE(v, &pi, &p, 256);
		EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	}
}

TEST(x_tiled_plane_is_detiled)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	/* 200x20 XRGB8888: 800 bytes a line, 2 tiles across, 3 tile rows. */
	struct surface s = surface_new(v, 6, 32, 1);
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 200, .height = 20, .stride_reg = 2,
		.surf = surface_gm(&s),
	};
	struct vfio_device_gfx_plane_info pi;
	uint32_t index;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 800));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	index = pi.region_index;

	/* Each query copies again. */
	surface_fill(&s, 2);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);

	/* Panned inside the tiles, RGB565. */
	p.format = FMT_RGB565;
	p.width = 250;
	p.height = 13;
	p.x = 7;
	p.y = 5;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 500));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
}

TEST(panned_plane_is_copied)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;

	/* x 3, y 2: the first visible pixel is 524 bytes into a page. */
	p.x = 3;
	p.y = 2;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 240));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);

	/* A copy is taken at each query. */
	surface_fill(&s, 2);
	pi = query_region(v);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
}

TEST(mapping_follows_copies_and_pans)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	/* 64 pixels at 256 bytes a line: in place or copied, the stride is 256. */
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_LINEAR,
		.width = 64, .height = 48, .stride_reg = 4,
		.surf = surface_gm(&s),
	};
	struct vfio_device_gfx_plane_info pi;
	uint32_t index;
	uint8_t *map, *want;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	index = pi.region_index;
	map = map_region(v, index, 0, v->dev.regions[index].size);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, 256, want, 256, p.height);
	free(want);

	/* One line down: copied now, same geometry, same index and mapping. */
	p.y = 1;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	EXPECT_EQ(pi.region_index, index);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, 256, want, 256, p.height);
	free(want);

	/* The copy is refreshed in place at the next query. */
	surface_fill(&s, 2);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, 256, want, 256, p.height);
	free(want);

	/* Back to the top: in place again. */
	p.y = 0;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	surface_fill(&s, 3);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, 256, want, 256, p.height);
	free(want);

	/* Off: the mapping no longer shows guest memory. */
	bar0_write32(v, PLANE_CTL(PIPE_A), 0);
	pi = query_region(v);
	EXPECT_DISABLED(&pi);
	EXPECT_ALL_ZERO(map, 256 * 48);
}

TEST(page_aligned_pan_is_not_copied)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;

	/* y 16 at 256 bytes a line: the first visible pixel starts page 1. */
	p.y = 16;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
}

TEST(large_stride_plane_fits_the_region)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	/* 1024x768 with 8 KiB lines: 6 MiB of memory behind a 3 MiB frame. */
	struct surface s = surface_new(v, 1536, 4096, 1);
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_LINEAR,
		.width = SMALL_XRES, .height = SMALL_YRES, .stride_reg = 128,
		.surf = surface_gm(&s),
	};
	struct vfio_device_gfx_plane_info pi;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	tap_log("1024x768 with 8192-byte lines: stride %u, size %u",
		pi.stride, pi.size);
	ASSERT_TRUE(pi.stride == 8192 || pi.stride == 4096);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, pi.stride));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
}

TEST(disabled_plane_after_being_shown)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));

	/* The plane off. */
	bar0_write32(v, PLANE_CTL(PIPE_A), 0);
	pi = query_region(v);
	EXPECT_DISABLED(&pi);

	/* On again, then the pipe off. */
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 256);
	bar0_write32(v, TRANSCONF(PIPE_A), 0);
	pi = query_region(v);
	EXPECT_DISABLED(&pi);

	/* On again, then a device reset. */
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 256);
	ASSERT_OK(vfio_reset(&v->dev));
	pi = query_region(v);
	EXPECT_DISABLED(&pi);
}

TEST(first_enabled_pipe_is_shown)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface sa = surface_new(v, 4, 16, 1);
	struct surface sb = surface_new(v, 4, 64, 2);
	struct plane pa = linear_plane(&sa), pb = linear_plane(&sb);
	struct vfio_device_gfx_plane_info pi;

	pb.width = 50;
	pb.height = 40;
	plane_program(v, PIPE_B, &pb);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &pb, 256));
	EXPECT_REGION_PIXELS(v, &pi, &pb, &sb);

	plane_program(v, PIPE_A, &pa);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &pa, 256));
	EXPECT_REGION_PIXELS(v, &pi, &pa, &sa);

	bar0_write32(v, TRANSCONF(PIPE_A), 0);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &pb, 256));
	EXPECT_REGION_PIXELS(v, &pi, &pb, &sb);
}

TEST(unmapped_guest_memory_reads_as_zeros)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint32_t lb = plane_line(&p);
	uint8_t *map, *got, *want;
	size_t span;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	span = image_span(pi.stride, lb, p.height);
	map = map_region(v, pi.region_index, 0,
			 v->dev.regions[pi.region_index].size);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, pi.stride, want, lb, p.height);
	free(want);

	/* The memory goes away under the live plane and mapping. */
	ASSERT_OK(vfio_dma_free(&v->dev, s.mem));
	EXPECT_ALL_ZERO(map, span);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, pi.stride));
	got = read_region(v, pi.region_index, 0,
			  image_span(pi.stride, lb, p.height));
	EXPECT_ALL_ZERO(got, image_span(pi.stride, lb, p.height));
	free(got);
	map = map_region(v, pi.region_index, 0,
			 v->dev.regions[pi.region_index].size);
	EXPECT_ALL_ZERO(map, image_span(pi.stride, lb, p.height));

	/* The same for a copied (panned) plane. */
	p.x = 1;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, lb));
	got = read_region(v, pi.region_index, 0, (size_t)lb * p.height);
	EXPECT_ALL_ZERO(got, (size_t)lb * p.height);
	free(got);
}

/* =================================================================== */
/* 4. Values the plane can't show                                       */
/* =================================================================== */

/* p makes the plane disabled and counts an fb_error; it never fails. */
#define EXPECT_BAD_PLANE(v, p) expect_bad_plane(__FILE__, __LINE__, v, p)

static void expect_bad_plane(const char *file, int line, struct vgpu *v,
			     const struct plane *p)
{
	long long before = vgpu_stat(v, "fb_errors");
	struct vfio_device_gfx_plane_info pi;

	plane_program(v, PIPE_A, p);
	if (query(v, Q_REGION, 0, &pi)) {
		tap_fail(false, file, line, "query failed: %s",
			 strerror(errno));
		return;
	}
	expect_disabled(file, line, &pi);
	if (vgpu_stat(v, "fb_errors") <= before)
		tap_fail(false, file, line, "fb_errors stayed at %lld", before);
}

/* A good plane first, so that each bad value is seen to switch it off. */
static struct vgpu *vgpu_with_plane(struct surface *s, struct plane *p)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi;

	*s = surface_new(v, 8, 16, 1);
	*p = linear_plane(s);
	plane_program(v, PIPE_A, p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, p, 256));
	EXPECT_EQ(vgpu_stat(v, "fb_errors"), 0);
	return v;
}

TEST(unknown_format_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);
	static const uint32_t formats[] = { 0, 1, 3, 6, 8, 15 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		bad = p;
		bad.format = formats[i];
		EXPECT_BAD_PLANE(v, &bad);
	}
}

TEST(y_tiling_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);
	static const uint32_t tilings[] = { TILING_Y, TILING_YF, 2, 7 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tilings); i++) {
		bad = p;
		bad.tiling = tilings[i];
		EXPECT_BAD_PLANE(v, &bad);
	}
}

TEST(short_stride_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);

	/* 100 pixels are 400 bytes: 256 is too short. */
	bad = p;
	bad.width = 100;
	EXPECT_BAD_PLANE(v, &bad);
	/* 60 pixels from x 5 end at byte 260. */
	bad = p;
	bad.x = 5;
	EXPECT_BAD_PLANE(v, &bad);
	/* No stride at all. */
	bad = p;
	bad.stride_reg = 0;
	EXPECT_BAD_PLANE(v, &bad);
	/* X-tiled: one 512-byte tile is too short for 200 pixels. */
	bad = p;
	bad.tiling = TILING_X;
	bad.width = 200;
	bad.stride_reg = 1;
	EXPECT_BAD_PLANE(v, &bad);
}

TEST(surface_outside_the_slice_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);

	bad = p;
	bad.surf = SMALL_GM;
	EXPECT_BAD_PLANE(v, &bad);
	bad.surf = 0xfffff000;
	EXPECT_BAD_PLANE(v, &bad);
	/* Starts in the last page, needs three. */
	bad.surf = SMALL_GM - PAGE;
	EXPECT_BAD_PLANE(v, &bad);

	/* The last three pages hold it exactly. */
	bad.surf = SMALL_GM - 3 * PAGE;
	plane_program(v, PIPE_A, &bad);
	{
		long long before = vgpu_stat(v, "fb_errors");
		struct vfio_device_gfx_plane_info pi = query_region(v);

		EXPECT_REGION_PLANE(v, &pi, &bad, 256);
		EXPECT_EQ(vgpu_stat(v, "fb_errors"), before);
	}
}

TEST(size_above_the_type_maximum_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);

	/* Strides are long enough; only the size is wrong. */
	bad = p;
	bad.width = SMALL_XRES + 1;
	bad.height = 2;
	bad.stride_reg = 65;
	EXPECT_BAD_PLANE(v, &bad);
	bad = p;
	bad.height = SMALL_YRES + 1;
	bad.width = 1;
	bad.stride_reg = 1;
	EXPECT_BAD_PLANE(v, &bad);

	/* The maximum itself is fine (the pixels are not looked at). */
	bad = p;
	bad.width = SMALL_XRES;
	bad.height = SMALL_YRES;
	bad.stride_reg = 64;
	plane_program(v, PIPE_A, &bad);
	{
		long long before = vgpu_stat(v, "fb_errors");
		struct vfio_device_gfx_plane_info pi = query_region(v);

		EXPECT_REGION_PLANE(v, &pi, &bad, 4096);
		EXPECT_EQ(vgpu_stat(v, "fb_errors"), before);
	}
}

/* =================================================================== */
/* 5. Dma-buf planes                                                    */
/* =================================================================== */

/* EXPECT that a dma-buf fd is as documented and shows len bytes of want. */
#define EXPECT_DMABUF(fd, want, len) \
	expect_dmabuf(__FILE__, __LINE__, fd, want, len)

static void expect_dmabuf(const char *file, int line, int fd,
			  const uint8_t *want, size_t len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	uint8_t *map;

	if (size != (off_t)len)
		tap_fail(false, file, line, "dma-buf size %lld, expected %zu",
			 (long long)size, len);
	if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		tap_fail(false, file, line, "dma-buf fd without FD_CLOEXEC");
	if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
		tap_fail(false, file, line, "dma-buf fd not O_RDWR");
	map = map_ro(fd, 0, len);
	expect_image(file, line, "dma-buf", map, len, want, len, 1);
}

TEST(dmabuf_of_a_linear_plane)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want;
	uint32_t id;
	int fd, fd2;

	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_DISABLED(&pi);

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.drm_format, DRM_XRGB8888);
	EXPECT_EQ(pi.drm_format_mod, 0);
	EXPECT_EQ(pi.width, 60);
	EXPECT_EQ(pi.height, 48);
	EXPECT_EQ(pi.stride, 256);
	EXPECT_EQ(pi.size, 3 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	id = pi.dmabuf_id;

	/* The same state, the same id. */
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.dmabuf_id, id);

	fd = get_dmabuf(v, id);
	ASSERT_GE(fd, 0);
	want = surface_linear(&s, 3 * PAGE);
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	free(want);

	/* Each call gives a new fd on the same pages. */
	fd2 = get_dmabuf(v, id);
	ASSERT_GE(fd2, 0);
	EXPECT_NE(fd2, fd);
	surface_fill(&s, 2);
	want = surface_linear(&s, 3 * PAGE);
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	EXPECT_DMABUF(fd2, want, 3 * PAGE);
	free(want);
}

TEST(dmabuf_ids_follow_flips)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s1 = surface_new(v, 4, 16, 1);
	struct surface s2 = surface_new(v, 4, 64, 2);
	struct plane p = linear_plane(&s1);
	struct vfio_device_gfx_plane_info pi;
	uint32_t id1, id2, bogus;
	uint8_t *want;
	int fd1, fd2;

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	id1 = pi.dmabuf_id;
	ASSERT_NE(id1, 0);
	fd1 = get_dmabuf(v, id1);
	ASSERT_GE(fd1, 0);

	/* Flip: a new id showing the new buffer. */
	bar0_write32(v, PLANE_SURF(PIPE_A), surface_gm(&s2));
	pi = query_dmabuf(v, PLANE_PRIMARY);
	id2 = pi.dmabuf_id;
	ASSERT_NE(id2, 0);
	EXPECT_NE(id2, id1);
	EXPECT_EQ(pi.stride, 256);
	fd2 = get_dmabuf(v, id2);
	ASSERT_GE(fd2, 0);
	want = surface_linear(&s2, 3 * PAGE);
	EXPECT_DMABUF(fd2, want, 3 * PAGE);
	free(want);

	/* The old dma-buf still shows the old buffer's pages, as they are. */
	surface_fill(&s1, 3);
	want = surface_linear(&s1, 3 * PAGE);
	EXPECT_DMABUF(fd1, want, 3 * PAGE);
	free(want);

	/* Flipping back is the first state again: its id is still held. */
	bar0_write32(v, PLANE_SURF(PIPE_A), surface_gm(&s1));
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.dmabuf_id, id1);
	EXPECT_GE(get_dmabuf(v, id1), 0);

	/* An id never handed out. */
	bogus = (id1 > id2 ? id1 : id2) + 0x10000;
	EXPECT_ERRNO(get_dmabuf(v, bogus), ENOENT);
	EXPECT_ERRNO(get_dmabuf(v, 0), ENOENT);
}

TEST(dmabuf_states_kept_are_the_last_eight)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s[9];
	struct plane p;
	struct vfio_device_gfx_plane_info pi;
	uint32_t ids[9];
	uint8_t *want;
	int fd0 = -1, k, j;

	/* Nine buffers, flipped through: nine states. */
	for (k = 0; k < 9; k++) {
		s[k] = surface_new(v, 3, 1000 + 4 * k, k + 1);
		p = linear_plane(&s[k]);
		if (k == 0)
			plane_program(v, PIPE_A, &p);
		else
			bar0_write32(v, PLANE_SURF(PIPE_A), p.surf);
		pi = query_dmabuf(v, PLANE_PRIMARY);
		ids[k] = pi.dmabuf_id;
		ASSERT_NE(ids[k], 0);
		for (j = 0; j < k; j++)
			EXPECT_NE(ids[k], ids[j]);
		if (k == 0) {
			fd0 = get_dmabuf(v, ids[0]);
			ASSERT_GE(fd0, 0);
		}
	}
	/* The first is gone; its fd lives on. */
	EXPECT_ERRNO(get_dmabuf(v, ids[0]), ENOENT);
	for (k = 1; k < 9; k++) {
		int fd = get_dmabuf(v, ids[k]);

		EXPECT_GE(fd, 0);
		if (fd < 0)
			continue;
		want = surface_linear(&s[k], 3 * PAGE);
		EXPECT_DMABUF(fd, want, 3 * PAGE);
		free(want);
	}
	want = surface_linear(&s[0], 3 * PAGE);
	EXPECT_DMABUF(fd0, want, 3 * PAGE);
	free(want);

	/* The same pages at another place in graphics memory show the same. */
	surface_map_at(&s[8], 2000);
	bar0_write32(v, PLANE_SURF(PIPE_A), 2000 * PAGE);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	tap_log("state 8 moved in graphics memory: id %u (was %u)",
		pi.dmabuf_id, ids[8]);
	EXPECT_NE(pi.dmabuf_id, 0);
}

TEST(x_tiled_dmabuf_has_the_x_modifier)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 6, 32, 1);
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 200, .height = 20, .stride_reg = 2,
		.surf = surface_gm(&s),
	};
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want;
	int fd;

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.drm_format, DRM_XRGB8888);
	EXPECT_EQ(pi.drm_format_mod, MOD_X_TILED);
	EXPECT_EQ(pi.width, 200);
	EXPECT_EQ(pi.height, 20);
	EXPECT_EQ(pi.stride, 1024);
	/* Three rows of tiles, two tiles each. */
	EXPECT_EQ(pi.size, 6 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	want = surface_linear(&s, 6 * PAGE);
	EXPECT_DMABUF(fd, want, 6 * PAGE);
	free(want);
}

TEST(panned_dmabuf_plane_reads_as_disabled)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;

	p.x = 3;
	p.y = 2;
	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_DISABLED(&pi);

	/* X-tiled, starting inside a tile row. */
	p = (struct plane){
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 100, .height = 10, .stride_reg = 1, .y = 3,
		.surf = surface_gm(&s),
	};
	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_DISABLED(&pi);
}

TEST(cursor_dmabuf)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 16, 300, 1);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want;
	int fd;

	EXPECT_EQ(pv_read32(v, IVGPU_PV_CURSOR_X_HOT), IVGPU_PV_CURSOR_HOT_NONE);
	EXPECT_EQ(pv_read32(v, IVGPU_PV_CURSOR_Y_HOT), IVGPU_PV_CURSOR_HOT_NONE);

	/* No pipe, then a pipe without a cursor. */
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_DISABLED(&pi);
	bar0_write32(v, TRANSCONF(PIPE_A), TRANSCONF_ENABLE);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_DISABLED(&pi);

	/* 64x64 ARGB at x 10, y -5. */
	bar0_write32(v, CURBASE(PIPE_A), surface_gm(&s));
	bar0_write32(v, CURPOS(PIPE_A), 10 | 5u << 16 | 1u << 31);
	bar0_write32(v, CURCNTR(PIPE_A), 0x27);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_EQ(pi.drm_format, DRM_ARGB8888);
	EXPECT_EQ(pi.drm_format_mod, 0);
	EXPECT_EQ(pi.width, 64);
	EXPECT_EQ(pi.height, 64);
	EXPECT_EQ(pi.stride, 256);
	EXPECT_EQ(pi.size, 4 * PAGE);
	EXPECT_EQ(pi.x_pos, 10);
	EXPECT_EQ(pi.y_pos, (uint32_t)-5);
	EXPECT_EQ(pi.x_hot, IVGPU_PV_CURSOR_HOT_NONE);
	EXPECT_EQ(pi.y_hot, IVGPU_PV_CURSOR_HOT_NONE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	want = surface_linear(&s, 4 * PAGE);
	EXPECT_DMABUF(fd, want, 4 * PAGE);
	free(want);

	/* The guest sets the hotspot and moves the cursor to x -7, y 20. */
	pv_write32(v, IVGPU_PV_CURSOR_X_HOT, 3);
	pv_write32(v, IVGPU_PV_CURSOR_Y_HOT, 9);
	bar0_write32(v, CURPOS(PIPE_A), 7 | 1u << 15 | 20u << 16);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_EQ(pi.x_pos, (uint32_t)-7);
	EXPECT_EQ(pi.y_pos, 20);
	EXPECT_EQ(pi.x_hot, 3);
	EXPECT_EQ(pi.y_hot, 9);

	/* 128x128. */
	bar0_write32(v, CURCNTR(PIPE_A), 0x22);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_EQ(pi.width, 128);
	EXPECT_EQ(pi.height, 128);
	EXPECT_EQ(pi.stride, 512);
	EXPECT_EQ(pi.size, 16 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	want = surface_linear(&s, 16 * PAGE);
	EXPECT_DMABUF(fd, want, 16 * PAGE);
	free(want);

	/* Off. */
	bar0_write32(v, CURCNTR(PIPE_A), 0);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_DISABLED(&pi);
}

TEST(dmabuf_outlives_unmapped_guest_memory)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want = surface_linear(&s, 3 * PAGE);
	uint32_t id;
	int fd, fd2;

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	id = pi.dmabuf_id;
	ASSERT_NE(id, 0);
	fd = get_dmabuf(v, id);
	ASSERT_GE(fd, 0);
	EXPECT_DMABUF(fd, want, 3 * PAGE);

	/* Unmapped (and freed by this process): the dma-buf keeps its pages. */
	ASSERT_OK(vfio_dma_free(&v->dev, s.mem));
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_NE(pi.dmabuf_id, id);
	if (pi.dmabuf_id) {
		fd2 = get_dmabuf(v, pi.dmabuf_id);
		EXPECT_GE(fd2, 0);
	}
	/* The fd made before still maps. */
	EXPECT_DMABUF(fd, want, 3 * PAGE);

	/* A rewritten GGTT: the next query is a new state again. */
	s = surface_new(v, 4, 16, 2);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_NE(pi.dmabuf_id, id);
	EXPECT_NE(pi.dmabuf_id, 0);
	free(want);
}

TEST(dmabuf_survives_reset_close_and_remove)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want = surface_linear(&s, 3 * PAGE);
	int fd;

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);

	/* A reset turns the plane off; the dma-buf stays as it was. */
	ASSERT_OK(vfio_reset(&v->dev));
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_DISABLED(&pi);
	EXPECT_DMABUF(fd, want, 3 * PAGE);

	/* Closed (guest memory unmapped and freed), then removed. */
	vgpu_close(v);
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	vgpu_remove(v);
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	free(want);
}

TEST(dmabuf_of_a_plane_panned_to_a_boundary)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *all = surface_linear(&s, 8 * PAGE);
	int fd;

	/* Linear, y 16 at 256 bytes a line: from page 1 of the surface. */
	p.y = 16;
	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.drm_format_mod, 0);
	EXPECT_EQ(pi.width, 60);
	EXPECT_EQ(pi.height, 48);
	EXPECT_EQ(pi.stride, 256);
	EXPECT_EQ(pi.size, 3 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	EXPECT_DMABUF(fd, all + PAGE, 3 * PAGE);

	/* X-tiled, y 8: from the second row of tiles (2 pages in). */
	p = (struct plane){
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 200, .height = 20, .stride_reg = 2, .y = 8,
		.surf = surface_gm(&s),
	};
	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.drm_format_mod, MOD_X_TILED);
	EXPECT_EQ(pi.width, 200);
	EXPECT_EQ(pi.height, 20);
	EXPECT_EQ(pi.stride, 1024);
	EXPECT_EQ(pi.size, 6 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	EXPECT_DMABUF(fd, all + 2 * PAGE, 6 * PAGE);
	free(all);
}

/* =================================================================== */
/* 6. The framebuffer region                                            */
/* =================================================================== */

#define FB	IVGPU_REGION_FRAMEBUFFER

static uint64_t fb_meta(struct vgpu *v)
{
	return IVGPU_FB_META_OFFSET(v->dev.regions[FB].size);
}

/* Request an update; the description that results. */
static struct vfio_framebuffer fb_update(struct vgpu *v)
{
	struct vfio_framebuffer fb;

	ASSERT_OK(vfio_region_write_n(&v->dev, FB, fb_meta(v) +
				      offsetof(struct vfio_framebuffer, state),
				      4, VFIO_FB_STATE_REQUEST_UPDATE));
	memset(&fb, 0xa5, sizeof(fb));
	ASSERT_OK(vfio_region_read(&v->dev, FB, fb_meta(v), &fb, sizeof(fb)));
	EXPECT_EQ(fb.argsz, sizeof(fb));
	EXPECT_EQ(fb.state, VFIO_FB_STATE_UPDATE_COMPLETE);
	return fb;
}

#define EXPECT_FB(v, fb, p, s) expect_fb(__FILE__, __LINE__, v, fb, p, s)

static void expect_fb(const char *file, int line, struct vgpu *v,
		      const struct vfio_framebuffer *fb, const struct plane *p,
		      const struct surface *s)
{
	uint32_t lb = plane_line(p);
	uint8_t *want, *got, *map;

	if (fb->format != plane_fourcc(p) || fb->offset != 0 ||
	    fb->width != p->width || fb->height != p->height ||
	    fb->stride != lb) {
		tap_fail(false, file, line,
			 "framebuffer: format 0x%x offset %u %ux%u stride %u, expected 0x%x offset 0 %ux%u stride %u",
			 fb->format, fb->offset, fb->width, fb->height,
			 fb->stride, plane_fourcc(p), p->width, p->height, lb);
		return;
	}
	want = want_image(p, s);
	got = read_region(v, FB, 0, (size_t)lb * p->height);
	expect_image(file, line, "pread", got, lb, want, lb, p->height);
	map = map_region(v, FB, 0, SMALL_FRAME);
	expect_image(file, line, "mmap", map, lb, want, lb, p->height);
	free(got);
	free(want);
}

TEST(framebuffer_region_layout)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_region_info *info = vfio_region_info(&v->dev, FB);
	struct vfio_region_info_cap_sparse_mmap *sparse;
	struct vfio_framebuffer fb;
	off_t off = v->dev.regions[FB].offset;
	void *p;

	ASSERT_TRUE(info);
	EXPECT_EQ(info->size, SMALL_FRAME + PAGE);
	sparse = (void *)vfio_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	EXPECT_TRUE(sparse);
	if (sparse) {
		ASSERT_EQ(sparse->nr_areas, 1);
		EXPECT_EQ(sparse->areas[0].offset, 0);
		EXPECT_EQ(sparse->areas[0].size, SMALL_FRAME);
	}
	free(info);

	/* Before any update nothing is described. */
	ASSERT_OK(vfio_region_read(&v->dev, FB, fb_meta(v), &fb, sizeof(fb)));
	tap_log("argsz before the first update: %u", fb.argsz);
	EXPECT_EQ(fb.format, 0);
	EXPECT_EQ(fb.width, 0);
	EXPECT_EQ(fb.height, 0);
	EXPECT_EQ(fb.stride, 0);

	/* The pixels map read-only; the metadata page does not map. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, v->dev.fd, off);
	EXPECT_TRUE(p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, v->dev.fd,
		 off + SMALL_FRAME);
	EXPECT_TRUE(p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	map_ro(v->dev.fd, off, SMALL_FRAME);
	/* The pixel part is not written through the fd either. */
	EXPECT_NE(vfio_region_write_n(&v->dev, FB, 0, 4, 0x12345678), 0);
}

TEST(framebuffer_update_copies_the_plane)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_framebuffer fb;
	uint8_t *early = map_region(v, FB, 0, SMALL_FRAME), *want;

	/* A mapping made before the first update shows zeros, then pixels. */
	EXPECT_ALL_ZERO(early, PAGE);
	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);
	want = want_image(&p, &s);
	EXPECT_IMAGE(early, plane_line(&p), want, plane_line(&p), p.height);
	free(want);

	/* The copy is taken when asked for, not before. */
	surface_fill(&s, 2);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);

	/* Panned RGB565. */
	p.format = FMT_RGB565;
	p.x = 9;
	p.y = 3;
	p.width = 90;
	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);
}

TEST(framebuffer_update_detiles)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 6, 32, 1);
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 200, .height = 20, .stride_reg = 2,
		.surf = surface_gm(&s),
	};
	struct vfio_framebuffer fb;

	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);
}

TEST(framebuffer_rejects_bad_writes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	uint64_t meta = fb_meta(v);
	struct vfio_framebuffer fb;
	int ret;

	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);

	EXPECT_EQ(vfio_region_write_n(&v->dev, FB, meta +
				      offsetof(struct vfio_framebuffer, state),
				      4, 5), -EINVAL);
	EXPECT_EQ(vfio_region_write_n(&v->dev, FB, meta +
				      offsetof(struct vfio_framebuffer, state),
				      4, VFIO_FB_STATE_UPDATE_COMPLETE), -EINVAL);
	EXPECT_EQ(vfio_region_write_n(&v->dev, FB, meta +
				      offsetof(struct vfio_framebuffer, state),
				      4, 0), -EINVAL);

	/* The other fields are read-only. */
	ret = vfio_region_write_n(&v->dev, FB, meta +
				  offsetof(struct vfio_framebuffer, format),
				  4, DRM_RGB565);
	tap_log("write to format: %d", ret);
	EXPECT_TRUE(ret == -EPERM || ret == -EINVAL);
	ret = vfio_region_write_n(&v->dev, FB, meta +
				  offsetof(struct vfio_framebuffer, width),
				  4, 7);
	EXPECT_TRUE(ret == -EPERM || ret == -EINVAL);

	ASSERT_OK(vfio_region_read(&v->dev, FB, meta, &fb, sizeof(fb)));
	EXPECT_EQ(fb.format, DRM_XRGB8888);
	EXPECT_EQ(fb.width, 60);
	EXPECT_EQ(fb.state, VFIO_FB_STATE_UPDATE_COMPLETE);
}

TEST(framebuffer_of_a_disabled_plane)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_framebuffer fb;

	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);

	bar0_write32(v, PLANE_CTL(PIPE_A), 0);
	fb = fb_update(v);
	EXPECT_EQ(fb.format, 0);
	EXPECT_EQ(fb.width, 0);
	EXPECT_EQ(fb.height, 0);
	EXPECT_EQ(fb.stride, 0);

	/* A plane it can't show is disabled too. */
	p.tiling = TILING_Y;
	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_EQ(fb.format, 0);
	EXPECT_EQ(fb.width, 0);
	EXPECT_EQ(fb.height, 0);
	EXPECT_EQ(fb.stride, 0);
}
