// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display tests' helpers (display.h): guest memory whose every 32-bit
 * word is different, planes and the images they show, QUERY_GFX_PLANE and
 * dma-bufs, read-only mappings of regions and dma-bufs, the gfx_plane
 * attribute.
 */
#define _GNU_SOURCE
#include "display.h"

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

void surface_fill(struct surface *s, uint32_t seed)
{
	uint32_t *w = (uint32_t *)s->mem;
	size_t i;

	for (i = 0; i < s->pages * PAGE / 4; i++)
		w[i] = pattern(i, seed);
}

/* Point GGTT entries [entry, entry + pages) at the surface's pages. */
void surface_map_at(struct surface *s, uint64_t entry)
{
	size_t k;

	for (k = 0; k < s->pages; k++)
		bar0_write64(s->v, PTE(entry + k),
			     (s->iova + (s->pages - 1 - k) * PAGE) |
			     IVGPU_PTE_PRESENT);
}

struct surface surface_new(struct vgpu *v, size_t pages,
			   uint64_t entry, uint32_t seed)
{
	struct surface s = { .v = v, .pages = pages, .entry = entry };

	s.mem = vfio_dma_alloc(&v->dev, pages * PAGE, &s.iova);
	ASSERT_TRUE(s.mem);
	surface_fill(&s, seed);
	surface_map_at(&s, entry);
	return s;
}

uint64_t surface_gm(const struct surface *s)
{
	return s->entry * PAGE;
}

/* The byte at graphics-memory offset off from the surface start. */
static uint8_t surface_byte(const struct surface *s, uint64_t off)
{
	return s->mem[(s->pages - 1 - off / PAGE) * PAGE + off % PAGE];
}

/* The surface as the GGTT shows it: len bytes from its start. */
uint8_t *surface_linear(const struct surface *s, size_t len)
{
	uint8_t *out = malloc(len);
	size_t i;

	ASSERT_TRUE(out);
	for (i = 0; i < len; i++)
		out[i] = surface_byte(s, i);
	return out;
}

/* ---- planes ---- */

static uint32_t plane_cpp(const struct plane *p)
{
	return p->format == FMT_RGB565 ? 2 : 4;
}

static uint32_t plane_stride(const struct plane *p)
{
	return p->stride_reg * (p->tiling == TILING_X ? 512 : 64);
}

uint32_t plane_line(const struct plane *p)
{
	return p->width * plane_cpp(p);
}

uint32_t plane_fourcc(const struct plane *p)
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

void plane_program(struct vgpu *v, int pipe, const struct plane *p)
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
uint8_t *want_image(const struct plane *p, const struct surface *s)
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

/* Compare height lines of line bytes; want is packed. */
bool expect_image(const char *file, int fline, const char *what,
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

bool expect_all_zero(const char *file, int line, const char *what,
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
int query(struct vgpu *v, uint32_t flags, uint32_t type,
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
struct vfio_device_gfx_plane_info query_region(struct vgpu *v)
{
	struct vfio_device_gfx_plane_info pi;

	ASSERT_OK(query(v, Q_REGION, 0, &pi));
	return pi;
}

struct vfio_device_gfx_plane_info query_dmabuf(struct vgpu *v,
					       uint32_t type)
{
	struct vfio_device_gfx_plane_info pi;

	ASSERT_OK(query(v, Q_DMABUF, type, &pi));
	return pi;
}

void expect_disabled(const char *file, int line,
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
int get_dmabuf(struct vgpu *v, uint32_t id)
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
uint8_t *map_ro(int fd, off_t off, size_t len)
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

uint8_t *map_region(struct vgpu *v, unsigned int index, uint64_t off,
		    size_t len)
{
	return map_ro(v->dev.fd, v->dev.regions[index].offset + off, len);
}

/* len bytes of a region from off, in a malloc()ed buffer. */
uint8_t *read_region(struct vgpu *v, unsigned int index, uint64_t off,
		     size_t len)
{
	uint8_t *buf = malloc(len);

	ASSERT_TRUE(buf);
	ASSERT_OK(vfio_region_read(&v->dev, index, off, buf, len));
	return buf;
}

/* Bytes a consumer reads for an image of this stride and line size. */
uint64_t image_span(uint32_t stride, uint32_t line, uint32_t height)
{
	return (uint64_t)stride * (height - 1) + line;
}

bool expect_region_plane(const char *file, int line, struct vgpu *v,
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

void expect_region_pixels(const char *file, int line, struct vgpu *v,
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

void gfx_plane_path(struct vgpu *v, char *path, size_t len)
{
	snprintf(path, len, "/sys/bus/mdev/devices/%s/ivgpu/gfx_plane",
		 v->uuid);
}

int gfx_plane_set(struct vgpu *v, const char *mode)
{
	char path[256];

	gfx_plane_path(v, path, sizeof(path));
	return sysfs_write(path, mode);
}

/* A TYPE_SMALL vGPU opened with gfx_plane set to mode. */
struct vgpu *vgpu_new_mode(const char *mode)
{
	struct vgpu *v = vgpu_create(TYPE_SMALL);

	ASSERT_OK(gfx_plane_set(v, mode));
	vgpu_open(v);
	return v;
}

/* A linear XRGB8888 plane, 60x48, 256-byte lines (padded: 240 are shown). */
struct plane linear_plane(const struct surface *s)
{
	return (struct plane){
		.format = FMT_XRGB8888, .tiling = TILING_LINEAR,
		.width = 60, .height = 48, .stride_reg = 4,
		.surf = surface_gm(s),
	};
}
