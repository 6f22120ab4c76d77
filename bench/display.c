// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display as QEMU's display=on drives it, at 1920x1080 XRGB8888.
 *
 * B4: an unchanged plane: what QEMU does at every display refresh with a
 * dma-buf display, VFIO_DEVICE_QUERY_GFX_PLANE of the primary plane and
 * of the cursor, both answering the ids QEMU already imported.
 *
 * B5: a plane change: the query answers a new dma-buf, QEMU exports it
 * (VFIO_DEVICE_GET_GFX_DMABUF) and the importer maps every page; against
 * udmabuf (a dma-buf of the same size made from a memfd) and, without the
 * mapping, mbochs.
 *
 * B6: a region display frame: QUERY_GFX_PLANE with REGION and reading the
 * frame through the plane region's mapping, against a memcpy of a frame.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/udmabuf.h>

#include "bench.h"

#define XRES		1920
#define YRES		1080
#define FRAME		((size_t)XRES * YRES * 4)	/* 2025 pages */
#define FRAME_PAGES	(FRAME / PAGE_SZ)
#define TYPE_HD		(&ivgpu_types[1])		/* up to 1920x1200 */

#define Q_DMABUF	VFIO_GFX_PLANE_TYPE_DMABUF
#define Q_REGION	VFIO_GFX_PLANE_TYPE_REGION
#define PLANE_PRIMARY	1
#define PLANE_CURSOR	2

/* ---- queries ---- */

struct query_ctx {
	int fd;
	uint32_t flags;
	int nplanes;
	uint32_t plane[2];
	uint32_t id[2];			/* the ids answered last */
	unsigned long changes;		/* answers with another id */
	unsigned int null_calls;	/* > 0: ENOTTY ioctls instead */
};

static uint64_t run_query(void *ctx, unsigned long n)
{
	struct query_ctx *c = ctx;
	struct vfio_device_gfx_plane_info pi;
	uint64_t start = bench_now(), ns;
	unsigned long i, bad = 0;
	int p;

	for (i = 0; i < n; i++) {
		for (p = 0; p < c->nplanes; p++) {
			bad += plane_query(c->fd, c->flags, c->plane[p], &pi) != 0;
			if (pi.dmabuf_id != c->id[p]) {
				c->changes++;
				c->id[p] = pi.dmabuf_id;
			}
		}
	}
	ns = bench_since(start);
	ASSERT_EQ(bad, 0);
	return ns;
}

static uint64_t run_null(void *ctx, unsigned long n)
{
	struct query_ctx *c = ctx;
	uint64_t start = bench_now(), ns;
	unsigned long i, bad = 0;
	unsigned int k;

	for (i = 0; i < n; i++)
		for (k = 0; k < c->null_calls; k++)
			bad += ioctl(c->fd, BENCH_NULL_IOCTL, NULL) != -1 ||
			       errno != ENOTTY;
	ns = bench_since(start);
	ASSERT_EQ(bad, 0);
	return ns;
}

/* ---- guest side ---- */

/* A vGPU (gfx_plane mode) showing a w x h plane from entry 0. */
static struct vgpu *plane_vgpu(const char *mode, uint32_t w, uint32_t h,
			       bool tiled, struct guest_mem *g)
{
	struct vgpu *v = bench_vgpu(TYPE_HD, mode);
	size_t pages = ((size_t)w * 4 * h + PAGE_SZ - 1) / PAGE_SZ;

	*g = guest_mem_new(&v->dev, pages + 4);
	ggtt_map(v, 0, g, 0, pages);
	plane_show(v, w, h, 0, tiled);
	return v;
}

/* The same at 1920x1080. */
static struct vgpu *hd_vgpu(const char *mode, bool tiled, struct guest_mem *g)
{
	return plane_vgpu(mode, XRES, YRES, tiled, g);
}

static int get_dmabuf(int fd, uint32_t id)
{
	return ioctl(fd, VFIO_DEVICE_GET_GFX_DMABUF, &id);
}

/* Map a dma-buf read-only, fault in every page, unmap it. */
static void import_dmabuf(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	touch_pages(p, size);
	munmap(p, size);
}

/* ---- mbochs: a bochs-dispi display of the sample driver ---- */

#define VBE_XRES	1
#define VBE_YRES	2
#define VBE_BPP		3
#define VBE_ENABLE	4
#define VBE_VIRT_WIDTH	6
#define VBE_Y_OFFSET	9
#define VBE_MMIO	0x500

struct mbochs {
	struct mdevice *m;
	uint8_t *mem;		/* BAR0 (video memory), faulted in */
	size_t memsize;
	unsigned int y;		/* Y offset of the next mode */
	unsigned long enomem;	/* first queries of a new mode that failed */
	unsigned long reopens;
};

static void vbe_set(struct mdevice *m, unsigned int index, uint16_t val)
{
	vfio_write16(&m->dev, BAR2, VBE_MMIO + 2 * index, val);
}

/*
 * Set mode XRES x YRES x 32 from line y, and give mbochs all its pages:
 * QEMU's guest would have drawn into them.
 */
static void mbochs_setup(struct mbochs *b, unsigned int y)
{
	size_t off;

	b->memsize = b->m->dev.regions[BAR0].size;
	vbe_set(b->m, VBE_XRES, XRES);
	vbe_set(b->m, VBE_YRES, YRES);
	vbe_set(b->m, VBE_BPP, 32);
	vbe_set(b->m, VBE_VIRT_WIDTH, XRES);
	vbe_set(b->m, VBE_Y_OFFSET, y);
	vbe_set(b->m, VBE_ENABLE, 0x41);	/* enabled, linear framebuffer */
	b->mem = mmap(NULL, b->memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->m->dev.fd, b->m->dev.regions[BAR0].offset);
	ASSERT_TRUE(b->mem != MAP_FAILED);
	for (off = 0; off < b->memsize; off += PAGE_SZ)
		b->mem[off] = (uint8_t)(off >> 12);
}

/*
 * mbochs answers ENOMEM to the first query of a mode it has not seen (it
 * allocates the dma-buf but forgets the pointer) and the right answer to
 * the next one, so a consumer asks twice.
 */
static int mbochs_query(struct mbochs *b, uint32_t plane,
			struct vfio_device_gfx_plane_info *pi)
{
	int ret = plane_query(b->m->dev.fd, Q_DMABUF, plane, pi);

	if (ret && errno == ENOMEM) {
		b->enomem++;
		ret = plane_query(b->m->dev.fd, Q_DMABUF, plane, pi);
	}
	return ret;
}

/* Unmap the video memory before the device is closed and removed. */
static void mbochs_cleanup(void *arg)
{
	struct mbochs *b = arg;

	if (b->mem && b->mem != MAP_FAILED)
		munmap(b->mem, b->memsize);
	b->mem = NULL;
}

static struct mbochs *mbochs_new(const char **why)
{
	struct mbochs *b = calloc(1, sizeof(*b));
	struct vfio_device_gfx_plane_info pi;

	ASSERT_TRUE(b);
	b->m = mdevice_new("mbochs-medium", why);
	if (!b->m)
		return NULL;
	tap_defer(mbochs_cleanup, b);
	mbochs_setup(b, 0);
	ASSERT_OK(mbochs_query(b, PLANE_PRIMARY, &pi));
	ASSERT_EQ(pi.width, XRES);
	return b;
}

/*
 * mbochs keeps a dma-buf per mode until the device is closed, and a
 * second export of one it exported before drops page references it does
 * not hold (mbochs_release_dmabuf() puts them at every release): every
 * export must be of a new mode. Modes differ by their Y offset; when they
 * run out, the device is opened again (untimed), which drops them all.
 */
static void mbochs_next_mode(struct mbochs *b)
{
	if ((b->y + 8) * XRES * 4 + FRAME > b->memsize) {
		mbochs_cleanup(b);
		vfio_close(&b->m->dev);
		b->m->open = false;
		ASSERT_OK(vfio_open_mdev(&b->m->dev, b->m->uuid));
		b->m->open = true;
		b->y = 0;
		b->reopens++;
		mbochs_setup(b, 0);
	}
	b->y += 8;	/* 8 lines of 7680 bytes: the frame stays page-aligned */
	vbe_set(b->m, VBE_Y_OFFSET, b->y);
}

/*
 * A mode change, then query and export. No mapping: mbochs exports its
 * dma-bufs as read-only files (exp_info.flags left 0), so a shared mmap
 * loses VM_SHARED and mbochs_mmap_dmabuf() refuses it (EINVAL); its
 * consumers import through a GPU driver instead. Compare with ivgpu's
 * "export" case.
 */
static uint64_t run_mbochs_change(void *ctx, unsigned long n)
{
	struct mbochs *b = ctx;
	struct vfio_device_gfx_plane_info pi;
	uint64_t ns = 0, start;
	unsigned long i;

	for (i = 0; i < n; i++) {
		int fd;

		mbochs_next_mode(b);
		start = bench_now();
		ASSERT_OK(mbochs_query(b, PLANE_PRIMARY, &pi));
		fd = get_dmabuf(b->m->dev.fd, pi.dmabuf_id);
		ASSERT_GE(fd, 0);
		close(fd);
		ns += bench_since(start);
	}
	return ns;
}

/* ---- B4 ---- */

TEST(B4)
{
	struct guest_mem g;
	struct vgpu *v = hd_vgpu(IVGPU_GFX_PLANE_DMABUF, false, &g);
	struct query_ctx both = { v->dev.fd, Q_DMABUF, 2,
				  { PLANE_PRIMARY, PLANE_CURSOR } };
	struct query_ctx prim = { v->dev.fd, Q_DMABUF, 1, { PLANE_PRIMARY } };
	struct query_ctx curs = { v->dev.fd, Q_DMABUF, 1, { PLANE_CURSOR } };
	struct query_ctx null2 = { .fd = v->dev.fd, .null_calls = 2 };
	struct query_ctx null1 = { .fd = v->dev.fd, .null_calls = 1 };
	struct query_ctx mb = { .flags = Q_DMABUF, .nplanes = 2,
				.plane = { PLANE_PRIMARY, PLANE_CURSOR } };
	struct guest_mem g768, g64;
	struct vgpu *v768 = plane_vgpu(IVGPU_GFX_PLANE_DMABUF, 1024, 768, false, &g768);
	struct vgpu *v64 = plane_vgpu(IVGPU_GFX_PLANE_DMABUF, 256, 256, false, &g64);
	struct query_ctx prim768 = { v768->dev.fd, Q_DMABUF, 1, { PLANE_PRIMARY } };
	struct query_ctx prim64 = { v64->dev.fd, Q_DMABUF, 1, { PLANE_PRIMARY } };
	struct bench_variant var[] = {
		{ "query2", "QUERY_GFX_PLANE primary + cursor, unchanged (ivgpu)",
		  run_query, &both, .uuid = v->uuid },
		{ "null2", "two null ioctls (ENOTTY) on the vGPU fd", run_null, &null2 },
		{ "primary", "QUERY_GFX_PLANE primary, unchanged (ivgpu)",
		  run_query, &prim, .uuid = v->uuid },
		{ "cursor", "QUERY_GFX_PLANE cursor, unchanged (ivgpu)",
		  run_query, &curs, .uuid = v->uuid },
		{ "null1", "one null ioctl (ENOTTY) on the vGPU fd", run_null, &null1 },
		{ "mbochs2", "QUERY_GFX_PLANE primary + cursor, unchanged (mbochs)" },
		{ "primary768", "QUERY_GFX_PLANE primary, unchanged, 1024x768 (768 pages)",
		  run_query, &prim768, .uuid = v768->uuid },
		{ "primary64", "QUERY_GFX_PLANE primary, unchanged, 256x256 (64 pages)",
		  run_query, &prim64, .uuid = v64->uuid },
	};
	int nv = ARRAY_SIZE(var), p, fds[2];
	struct vfio_device_gfx_plane_info pi;
	struct bench_variant *q;
	struct mbochs *b;
	bool unchanged;
	char note[160];

	ggtt_map(v, 2048, &g, FRAME_PAGES, 4);
	cursor_show(v, 2048 * PAGE_SZ);
	/* What QEMU does first: query both planes and import their dma-bufs. */
	for (p = 0; p < 2; p++) {
		ASSERT_OK(plane_query(v->dev.fd, Q_DMABUF, both.plane[p], &pi));
		ASSERT_NE(pi.dmabuf_id, 0);
		both.id[p] = pi.dmabuf_id;
		fds[p] = get_dmabuf(v->dev.fd, pi.dmabuf_id);
		ASSERT_GE(fds[p], 0);
	}
	prim.id[0] = both.id[0];
	curs.id[0] = both.id[1];
	ASSERT_OK(plane_query(v768->dev.fd, Q_DMABUF, PLANE_PRIMARY, &pi));
	prim768.id[0] = pi.dmabuf_id;
	ASSERT_OK(plane_query(v64->dev.fd, Q_DMABUF, PLANE_PRIMARY, &pi));
	prim64.id[0] = pi.dmabuf_id;
	b = mbochs_new(&var[5].skip);
	if (b) {
		mb.fd = b->m->dev.fd;
		ASSERT_OK(mbochs_query(b, PLANE_PRIMARY, &pi));
		mb.id[0] = pi.dmabuf_id;
		var[5].run = run_query;
		var[5].ctx = &mb;
	}
	bench_run(var, nv, 1);

	q = bench_find(var, nv, "query2");
	unchanged = !both.changes && !prim.changes && !curs.changes &&
		    !prim768.changes && !prim64.changes &&
		    !bench_counter(&q->delta, "dmabuf_states") &&
		    !bench_counter(&q->delta, "dmabuf_exports");
	snprintf(note, sizeof(note),
		 "%lu id changes, %lld new plane states, %lld exports while timed",
		 both.changes + prim.changes + curs.changes,
		 bench_counter(&q->delta, "dmabuf_states"),
		 bench_counter(&q->delta, "dmabuf_exports"));
	bench_ratio_ex("B4 unchanged plane", q, bench_find(var, nv, "null2"), 2.0,
		       "<= 2x two null ioctls, zero re-exports", unchanged, note);
	bench_ratio("B4 primary", bench_find(var, nv, "primary"),
		    bench_find(var, nv, "null1"), 0, "");
	bench_ratio("B4 cursor", bench_find(var, nv, "cursor"),
		    bench_find(var, nv, "null1"), 0, "");
	bench_ratio("B4 primary 768 pages", bench_find(var, nv, "primary768"),
		    bench_find(var, nv, "null1"), 0, "");
	bench_ratio("B4 primary 64 pages", bench_find(var, nv, "primary64"),
		    bench_find(var, nv, "null1"), 0, "");
	bench_value("B4 query per page",
		    "unchanged primary query: 2025-page plane minus 64-page plane, per page",
		    (bench_median_ns(bench_find(var, nv, "primary")) -
		     bench_median_ns(bench_find(var, nv, "primary64"))) /
		    (FRAME_PAGES - 64), "ns",
		    "an unchanged plane costs in proportion to its size");
	bench_ratio("B4 vs mbochs", q, bench_find(var, nv, "mbochs2"), 0, "");
	bench_ratio("B4 mbochs/null", bench_find(var, nv, "mbochs2"),
		    bench_find(var, nv, "null2"), 0, "");
	close(fds[0]);
	close(fds[1]);
}

/* ---- B5 ---- */

#define SURFACES	10	/* more than the 8 plane states a vGPU keeps */
#define SURFACE_ENTRIES	2048

/* The guest's side, shared by the cases that flip. */
struct flipper {
	struct vgpu *v;
	unsigned int cur;	/* the surface shown */
	uint32_t id;		/* the id answered last */
};

struct change_ctx {
	struct flipper *f;
	bool import;		/* map the dma-buf and fault every page in */
	unsigned long same;	/* answers that repeated the last id */
};

static uint64_t run_change(void *ctx, unsigned long n)
{
	struct change_ctx *c = ctx;
	struct vfio_device_gfx_plane_info pi;
	uint64_t ns = 0, start;
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct flipper *f = c->f;
		int fd;

		/*
		 * The guest flips to the next surface (untimed): the one shown
		 * SURFACES flips ago, whose plane state the vGPU has dropped.
		 */
		f->cur = (f->cur + 1) % SURFACES;
		bar0_write32(f->v, PLANE_SURF(PIPE_A),
			     f->cur * SURFACE_ENTRIES * PAGE_SZ);
		start = bench_now();
		ASSERT_OK(plane_query(f->v->dev.fd, Q_DMABUF, PLANE_PRIMARY, &pi));
		c->same += pi.dmabuf_id == f->id;
		f->id = pi.dmabuf_id;
		fd = get_dmabuf(f->v->dev.fd, pi.dmabuf_id);
		ASSERT_GE(fd, 0);
		if (c->import)
			import_dmabuf(fd, pi.size);
		close(fd);
		ns += bench_since(start);
	}
	return ns;
}

/* Export the plane state shown now again, and import it: no query. */
static uint64_t run_reexport(void *ctx, unsigned long n)
{
	struct change_ctx *c = ctx;
	uint64_t start = bench_now();
	unsigned long i;

	for (i = 0; i < n; i++) {
		int fd = get_dmabuf(c->f->v->dev.fd, c->f->id);

		ASSERT_GE(fd, 0);
		import_dmabuf(fd, FRAME);
		close(fd);
	}
	return bench_since(start);
}

struct udmabuf_ctx {
	int dev;
	int memfd;
};

static uint64_t run_udmabuf(void *ctx, unsigned long n)
{
	struct udmabuf_ctx *c = ctx;
	uint64_t start = bench_now();
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct udmabuf_create create = {
			.memfd = c->memfd,
			.flags = UDMABUF_FLAGS_CLOEXEC,
			.offset = 0,
			.size = FRAME,
		};
		int fd = ioctl(c->dev, UDMABUF_CREATE, &create);

		ASSERT_GE(fd, 0);
		import_dmabuf(fd, FRAME);
		close(fd);
	}
	return bench_since(start);
}

/* Why there is no /dev/udmabuf, from the kernel's config if it says. */
static const char *udmabuf_missing(void)
{
	static char why[160];
	char path[128], buf[256];
	struct utsname u;
	FILE *f;

	uname(&u);
	snprintf(why, sizeof(why), "no /dev/udmabuf in %s", u.release);
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "r");
	if (!f)
		return why;
	while (fgets(buf, sizeof(buf), f))
		if (strstr(buf, "# CONFIG_UDMABUF is not set"))
			snprintf(why, sizeof(why),
				 "CONFIG_UDMABUF is not set in %s", u.release);
	fclose(f);
	return why;
}

static bool udmabuf_setup(struct udmabuf_ctx *c)
{
	uint8_t *p;

	c->dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (c->dev < 0)
		return false;
	c->memfd = memfd_create("bench-frame", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	ASSERT_GE(c->memfd, 0);
	ASSERT_OK(ftruncate(c->memfd, FRAME));
	ASSERT_OK(fcntl(c->memfd, F_ADD_SEALS, F_SEAL_SHRINK));
	/* The frame exists before it is shown, as a guest's memory does. */
	p = mmap(NULL, FRAME, PROT_READ | PROT_WRITE, MAP_SHARED, c->memfd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	memset(p, 0x5a, FRAME);
	munmap(p, FRAME);
	return true;
}

TEST(B5)
{
	struct vgpu *v = bench_vgpu(TYPE_HD, IVGPU_GFX_PLANE_DMABUF);
	struct guest_mem g = guest_mem_new(&v->dev, SURFACES * FRAME_PAGES);
	struct flipper f = { .v = v };
	struct change_ctx ch = { &f, true }, ex = { &f, false };
	struct udmabuf_ctx ud;
	struct bench_variant var[] = {
		{ "change", "flip, then QUERY + GET_GFX_DMABUF + mmap, fault in every page (ivgpu)",
		  run_change, &ch, .uuid = v->uuid, .clock_pairs = 1 },
		{ "udmabuf", "UDMABUF_CREATE from a memfd + mmap, fault in every page" },
		{ "export", "flip, then QUERY + GET_GFX_DMABUF, no mapping (ivgpu)",
		  run_change, &ex, .uuid = v->uuid, .clock_pairs = 1 },
		{ "mbochs", "mode change, then QUERY + GET_GFX_DMABUF, no mapping (mbochs)" },
		{ "reexport", "GET_GFX_DMABUF of the plane shown + mmap, fault in every page (ivgpu)",
		  run_reexport, &ch, .uuid = v->uuid },
	};
	int nv = ARRAY_SIZE(var);
	struct vfio_device_gfx_plane_info pi;
	struct bench_variant *c;
	struct mbochs *b;
	unsigned int s;
	char note[200];

	for (s = 0; s < SURFACES; s++)
		ggtt_map(v, s * SURFACE_ENTRIES, &g, s * FRAME_PAGES, FRAME_PAGES);
	plane_show(v, XRES, YRES, 0, false);
	ASSERT_OK(plane_query(v->dev.fd, Q_DMABUF, PLANE_PRIMARY, &pi));
	ASSERT_EQ(pi.size, FRAME);
	f.id = pi.dmabuf_id;
	if (udmabuf_setup(&ud)) {
		var[1].run = run_udmabuf;
		var[1].ctx = &ud;
	} else {
		var[1].skip = udmabuf_missing();
	}
	b = mbochs_new(&var[3].skip);
	if (b) {
		var[3].run = run_mbochs_change;
		var[3].ctx = b;
		var[3].clock_pairs = 1;
	}
	bench_run(var, nv, 4);

	c = bench_find(var, nv, "change");
	snprintf(note, sizeof(note), "%lu of %lu queries repeated the last id",
		 ch.same + ex.same, c->ops + bench_find(var, nv, "export")->ops);
	bench_ratio_ex("B5 plane change", c, bench_find(var, nv, "udmabuf"), 1.5,
		       "<= 1.5x udmabuf", ch.same + ex.same == 0, note);
	if (b)
		snprintf(note, sizeof(note),
			 "mbochs: %lu first queries of a new mode answered ENOMEM and were repeated; %lu reopens (untimed); its dma-bufs can't be mmapped",
			 b->enomem, b->reopens);
	bench_ratio_ex("B5 export vs mbochs", bench_find(var, nv, "export"),
		       bench_find(var, nv, "mbochs"), 0, "", true,
		       b ? note : NULL);
	bench_ratio("B5 re-export/udmabuf", bench_find(var, nv, "reexport"),
		    bench_find(var, nv, "udmabuf"), 0, "");
	bench_ratio("B5 change/re-export", c, bench_find(var, nv, "reexport"),
		    0, "");
}

/* ---- B6 ---- */

struct frame_ctx {
	int fd;
	struct vgpu *v;		/* NULL: no query (memcpy) */
	bool query;		/* QUERY_GFX_PLANE REGION each frame */
	bool read;		/* copy the frame out of src */
	const uint8_t *src;	/* the mapping (or memory) to read */
	uint8_t *dst;
	uint32_t index;		/* the region answered */
	uint32_t want_index;	/* for mdpy, which maps its BAR */
	unsigned long changes;
};

static uint64_t run_frame(void *ctx, unsigned long n)
{
	struct frame_ctx *c = ctx;
	struct vfio_device_gfx_plane_info pi;
	uint64_t start = bench_now(), ns;
	unsigned long i, bad = 0;

	for (i = 0; i < n; i++) {
		if (c->query) {
			bad += plane_query(c->fd, Q_REGION, 0, &pi) != 0;
			c->changes += pi.region_index != c->index;
		}
		if (c->read)
			memcpy(c->dst, c->src, FRAME);
	}
	ns = bench_since(start);
	ASSERT_EQ(bad, 0);
	return ns;
}

/* Query once and map the region plane read-only, as QEMU does. */
static const uint8_t *map_plane(struct vgpu *v, uint32_t *index)
{
	struct vfio_device_gfx_plane_info pi;

	ASSERT_OK(plane_query(v->dev.fd, Q_REGION, 0, &pi));
	ASSERT_EQ(pi.width, XRES);
	ASSERT_EQ(pi.stride, XRES * 4);
	*index = pi.region_index;
	return bench_map_ro(v->dev.fd, v->dev.regions[pi.region_index].offset,
			    v->dev.regions[pi.region_index].size);
}

TEST(B6)
{
	struct guest_mem g, gt;
	struct vgpu *v = hd_vgpu(NULL, false, &g);
	struct vgpu *vt = hd_vgpu(NULL, true, &gt);
	uint8_t *dst = malloc(FRAME), *src = malloc(FRAME);
	struct frame_ctx frame = { v->dev.fd, v, true, true };
	struct frame_ctx query = { v->dev.fd, v, true, false };
	struct frame_ctx tiled = { vt->dev.fd, vt, true, true };
	struct frame_ctx mcpy = { .read = true };
	struct frame_ctx mdpy = { .query = true, .read = true };
	struct guest_mem g64;
	struct vgpu *v64 = plane_vgpu(NULL, 256, 256, false, &g64);
	struct frame_ctx query64 = { v64->dev.fd, v64, true, false };
	struct bench_variant var[] = {
		{ "frame", "QUERY (region) + read the frame through the region mmap (ivgpu)",
		  run_frame, &frame, .uuid = v->uuid },
		{ "query", "QUERY (region) alone (ivgpu)", run_frame, &query,
		  .uuid = v->uuid },
		{ "memcpy", "memcpy of one 1920x1080x4 frame", run_frame, &mcpy },
		{ "tiled", "QUERY (region) + read, X-tiled plane: de-tiled at each query (ivgpu)",
		  run_frame, &tiled, .uuid = vt->uuid },
		{ "mdpy", "QUERY (region) + read the frame through the BAR mmap (mdpy)" },
		{ "query64", "QUERY (region) alone, 256x256 (64 pages) (ivgpu)",
		  run_frame, &query64, .uuid = v64->uuid },
	};
	int nv = ARRAY_SIZE(var);
	struct bench_variant *f, *q;
	struct mdevice *m;
	long long copies;
	char note[160];

	ASSERT_TRUE(dst && src);
	memset(dst, 1, FRAME);
	memset(src, 2, FRAME);
	frame.dst = query.dst = tiled.dst = mcpy.dst = mdpy.dst = dst;
	mcpy.src = src;
	frame.src = map_plane(v, &frame.index);
	query.index = frame.index;
	tiled.src = map_plane(vt, &tiled.index);
	{
		struct vfio_device_gfx_plane_info pi;

		ASSERT_OK(plane_query(v64->dev.fd, Q_REGION, 0, &pi));
		query64.index = pi.region_index;
	}
	m = mdevice_new("mdpy-hd", &var[4].skip);
	if (m) {
		struct vfio_device_gfx_plane_info pi;

		ASSERT_OK(plane_query(m->dev.fd, Q_REGION, 0, &pi));
		ASSERT_EQ(pi.width, XRES);
		ASSERT_EQ(pi.height, YRES);
		mdpy.fd = m->dev.fd;
		mdpy.index = pi.region_index;
		/* mdpy's display region is its BAR0 memory. */
		mdpy.src = bench_map_ro(m->dev.fd, m->dev.regions[BAR0].offset,
					m->dev.regions[BAR0].size);
		var[4].run = run_frame;
		var[4].ctx = &mdpy;
	}
	bench_run(var, nv, 2);

	f = bench_find(var, nv, "frame");
	q = bench_find(var, nv, "query");
	copies = bench_counter(&f->delta, "plane_copies") +
		 bench_counter(&q->delta, "plane_copies");
	snprintf(note, sizeof(note),
		 "%lld frames copied by the kernel, %lu region index changes",
		 copies, frame.changes + query.changes);
	bench_ratio_ex("B6 region query", q, bench_find(var, nv, "memcpy"), 0.1,
		       "zero-copy: no kernel copy, query <= 0.1x one memcpy",
		       copies == 0 && !frame.changes && !query.changes, note);
	bench_ratio("B6 region frame", f, bench_find(var, nv, "memcpy"), 0, "");
	bench_value("B6 query per page",
		    "region query: 2025-page plane minus 64-page plane, per page",
		    (bench_median_ns(q) -
		     bench_median_ns(bench_find(var, nv, "query64"))) /
		    (FRAME_PAGES - 64), "ns",
		    "the query looks up every page of an unchanged plane");
	bench_ratio("B6 tiled frame", bench_find(var, nv, "tiled"),
		    bench_find(var, nv, "memcpy"), 0, "");
	bench_ratio("B6 mdpy frame", bench_find(var, nv, "mdpy"),
		    bench_find(var, nv, "memcpy"), 0, "");
	bench_ratio("B6 frame vs mdpy", f, bench_find(var, nv, "mdpy"), 0, "");
}
