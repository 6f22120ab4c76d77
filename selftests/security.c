// SPDX-License-Identifier: GPL-2.0-only
/*
 * Security properties (docs/security.md): what a guest (registers, GGTT
 * entries, planes) and a VFIO user (regions, mmaps, DMA maps, ioctls) can
 * reach. A GGTT entry reaches only memory the container maps, never other
 * host memory; region and mmap offsets and lengths are range-checked;
 * display mappings stay read-only; guest-triggered kernel log lines are
 * rate-limited; nothing one user of a vGPU leaves behind shows to the next.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "gfx.h"
#include "ivgpu.h"

#define PAGE		GFX_PAGE
#define FB		IVGPU_REGION_FRAMEBUFFER
#define EDID		IVGPU_REGION_EDID
#define PLANE0		IVGPU_REGION_PLANE0
#define PLANE1		IVGPU_REGION_PLANE1

/* The test plane: 64x64 XRGB8888, 256-byte lines: entries 0..3. */
#define PLANE_W		64
#define PLANE_H		64
#define PLANE_BYTES	(PLANE_W * PLANE_H * 4)
#define PLANE_PAGES	(PLANE_BYTES / PAGE)

static void unmap_cleanup(void *arg)
{
	size_t *m = arg;

	munmap((void *)m[0], m[1]);
	free(m);
}

/* mmap that the test end undoes; MAP_FAILED is returned as NULL. */
static void *map_fd(int fd, off_t off, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	size_t *m;

	if (p == MAP_FAILED)
		return NULL;
	m = malloc(2 * sizeof(*m));
	ASSERT_TRUE(m);
	m[0] = (size_t)p;
	m[1] = len;
	tap_defer(unmap_cleanup, m);
	return p;
}

static void *map_region(struct vgpu *v, unsigned int index, uint64_t off,
			size_t len, int prot)
{
	return map_fd(v->dev.fd, v->dev.regions[index].offset + off, len, prot);
}

static void close_fd(void *arg)
{
	close((int)(long)arg);
}

static struct vgpu *vgpu_new_mode(const struct ivgpu_type *t,
				  const char *mode)
{
	struct vgpu *v = vgpu_create(t);

	ASSERT_OK(gfx_plane_set(v->uuid, mode));
	vgpu_open(v);
	return v;
}

/* Aperture page idx through the device fd. */
static void aperture_read(struct vgpu *v, uint64_t idx, uint8_t *buf)
{
	ASSERT_OK(vfio_region_read(&v->dev, BAR2, idx * PAGE, buf, PAGE));
}

/* An IOVA range of the container that the library's allocator skips. */
static uint64_t iova_reserve(struct vgpu *v, uint64_t len)
{
	uint64_t iova = v->dev.iova_next;

	ASSERT_LE(len, v->dev.iova_end - iova);
	v->dev.iova_next += len;
	return iova;
}

/* VFIO_IOMMU_MAP_DMA of [vaddr, vaddr + len) at iova: 0 or -errno. */
static int dma_map(struct vgpu *v, void *vaddr, uint64_t iova, size_t len,
		   uint32_t flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = flags,
		.vaddr = (uintptr_t)vaddr, .iova = iova, .size = len,
	};

	return ioctl(v->dev.container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

static int dma_unmap(struct vgpu *v, uint64_t iova, size_t len)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = len,
	};

	return ioctl(v->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}

/* The host-physical address of the page at p (root reads PFNs), or 0. */
static uint64_t phys_addr(const void *p)
{
	uint64_t ent = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t off = (off_t)((uintptr_t)p / PAGE) * 8;

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent), off) != sizeof(ent))
		ent = 0;
	close(fd);
	if (!(ent & (1ULL << 63)))
		return 0;
	return (ent & ((1ULL << 55) - 1)) * PAGE;
}

/*
 * EXPECT that everything that shows graphics memory [0, PLANE_BYTES) shows
 * only zeros: the aperture through the fd and an mmap, the plane region
 * (read and mmap), the framebuffer region and the primary plane's dma-buf.
 */
#define EXPECT_PLANE_ZERO(v, what) expect_plane_zero(__FILE__, __LINE__, v, what)

static void expect_plane_zero(const char *file, int line, struct vgpu *v,
			      const char *what)
{
	static uint8_t buf[PLANE_BYTES];
	struct vfio_device_gfx_plane_info pi;
	uint8_t *map;
	size_t size;
	uint64_t k;
	int fd;

	for (k = 0; k < PLANE_PAGES; k++) {
		aperture_read(v, k, buf + k * PAGE);
	}
	if (!gfx_all(buf, 0, PLANE_BYTES))
		tap_fail(false, file, line, "%s: the aperture shows data", what);
	map = map_region(v, BAR2, 0, PLANE_BYTES, PROT_READ);
	if (!map || !gfx_all(map, 0, PLANE_BYTES))
		tap_fail(false, file, line, "%s: the aperture mmap shows data", what);

	gfx_plane_linear(v, PIPE_A, 0, PLANE_W, PLANE_H, PLANE_W * 4 / 64);
	if (gfx_query(v, VFIO_GFX_PLANE_TYPE_REGION, 0, &pi) ||
	    (pi.region_index != PLANE0 && pi.region_index != PLANE1) ||
	    pi.size < PLANE_BYTES) {
		tap_fail(false, file, line, "%s: no region plane (index %u size %u)",
			 what, pi.region_index, pi.size);
		return;
	}
	if (vfio_region_read(&v->dev, pi.region_index, 0, buf, PLANE_BYTES) ||
	    !gfx_all(buf, 0, PLANE_BYTES))
		tap_fail(false, file, line, "%s: the plane region shows data", what);
	map = map_region(v, pi.region_index, 0, PLANE_BYTES, PROT_READ);
	if (!map || !gfx_all(map, 0, PLANE_BYTES))
		tap_fail(false, file, line, "%s: the plane region mmap shows data",
			 what);

	if (vfio_region_write_n(&v->dev, FB, IVGPU_FB_META_OFFSET(v->dev.regions[FB].size) +
				offsetof(struct vfio_framebuffer, state), 4,
				VFIO_FB_STATE_REQUEST_UPDATE) ||
	    vfio_region_read(&v->dev, FB, 0, buf, PLANE_BYTES) ||
	    !gfx_all(buf, 0, PLANE_BYTES))
		tap_fail(false, file, line, "%s: the framebuffer region shows data",
			 what);

	fd = gfx_primary_dmabuf(v, &size);
	tap_defer(close_fd, (void *)(long)fd);
	map = size >= PLANE_BYTES ? map_fd(fd, 0, PLANE_BYTES, PROT_READ) : NULL;
	if (!map || !gfx_all(map, 0, PLANE_BYTES))
		tap_fail(false, file, line, "%s: the dma-buf shows data", what);
}

/* ---- 1. A GGTT entry reaches only memory the container maps ---- */

TEST(ptes_to_unmapped_addresses_show_zeros_never_host_memory)
{
	struct vgpu *v = vgpu_new_mode(TYPE_SMALL, "both");
	uint8_t *secret;
	uint64_t addrs[6], stale, iova_gap, pa;
	void *mem;
	unsigned int i, n = 0;
	uint64_t k;

	/* Host memory with a pattern, nowhere mapped for DMA. */
	secret = mmap(NULL, PLANE_BYTES, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_TRUE(secret != MAP_FAILED);
	memset(secret, 0xc5, PLANE_BYTES);

	/* Guest memory that was mapped, then unmapped. */
	mem = vfio_dma_alloc(&v->dev, PLANE_BYTES, &stale);
	ASSERT_TRUE(mem);
	memset(mem, 0xc6, PLANE_BYTES);
	ASSERT_OK(vfio_dma_free(&v->dev, mem));
	iova_gap = iova_reserve(v, 64 * PAGE) + 16 * PAGE;

	addrs[n++] = stale;				/* unmapped again */
	addrs[n++] = iova_gap;				/* never mapped */
	addrs[n++] = (uintptr_t)secret;			/* its virtual address */
	pa = phys_addr(secret);
	if (pa)
		addrs[n++] = pa;			/* its physical address */
	else
		tap_log("no physical address from /proc/self/pagemap");
	addrs[n++] = 0;					/* address 0 */
	addrs[n++] = IVGPU_PTE_ADDR_MASK - (PLANE_PAGES - 1) * PAGE;	/* the top */

	for (i = 0; i < n; i++) {
		long long errors = vgpu_stat(v, "pin_errors");
		char what[64];

		snprintf(what, sizeof(what), "entries at 0x%" PRIx64, addrs[i]);
		tap_log("%s", what);
		for (k = 0; k < PLANE_PAGES; k++)
			bar0_write64(v, PTE(k), (addrs[i] + k * PAGE) |
				     IVGPU_PTE_PRESENT);
		EXPECT_PLANE_ZERO(v, what);
		EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
		EXPECT_GE(vgpu_stat(v, "pin_errors"), errors + PLANE_PAGES);
	}
	munmap(secret, PLANE_BYTES);
}

TEST(read_only_guest_memory_is_not_written_through_the_vgpu)
{
	struct vgpu *v = vgpu_new_mode(TYPE_SMALL, "both");
	uint64_t iova = iova_reserve(v, PLANE_BYTES), k;
	uint8_t page[PAGE], *ro, *ap, *dmap;
	size_t size;
	int fd;

	ro = mmap(NULL, PLANE_BYTES, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	memset(ro, 0x11, PLANE_BYTES);
	ASSERT_OK(dma_map(v, ro, iova, PLANE_BYTES, VFIO_DMA_MAP_FLAG_READ));
	for (k = 0; k < PLANE_PAGES; k++)
		bar0_write64(v, PTE(k), (iova + k * PAGE) | IVGPU_PTE_PRESENT);

	/* The aperture through the fd and through an mmap. */
	memset(page, 0x22, PAGE);
	EXPECT_OK(vfio_region_write(&v->dev, BAR2, 0, page, PAGE));
	ap = map_region(v, BAR2, 0, PLANE_BYTES, PROT_READ | PROT_WRITE);
	ASSERT_TRUE(ap);
	EXPECT_EQ(gfx_probe_fill(ap + PAGE, 0x33, PAGE), 0);
	/* A dma-buf of a plane over it, mapped writable by an importer. */
	gfx_plane_linear(v, PIPE_A, 0, PLANE_W, PLANE_H, PLANE_W * 4 / 64);
	fd = gfx_primary_dmabuf(v, &size);
	tap_defer(close_fd, (void *)(long)fd);
	dmap = map_fd(fd, 0, PLANE_BYTES, PROT_READ | PROT_WRITE);
	ASSERT_TRUE(dmap);
	EXPECT_EQ(gfx_probe_fill(dmap + 2 * PAGE, 0x44, PAGE), 0);

	EXPECT_TRUE(gfx_all(ro, 0x11, PLANE_BYTES));
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	EXPECT_GE(vgpu_stat(v, "pin_errors"), 1);
	EXPECT_OK(dma_unmap(v, iova, PLANE_BYTES));
	munmap(ro, PLANE_BYTES);
}

/*
 * Memory of the vGPU's own mappings (aperture, plane region, dma-buf) put
 * in the container: PFN mappings of pages VFIO did not get from the
 * process's memory, which it refuses to pin. No entry reaches them.
 */
TEST(ptes_to_the_vgpus_own_mappings_get_the_scratch_page)
{
	struct vgpu *v = vgpu_new_mode(TYPE_SMALL, "both");
	struct vfio_device_gfx_plane_info pi;
	uint64_t giova, iova, k;
	uint8_t *g, *maps[3], buf[PAGE];
	const char *names[3] = { "aperture mmap", "plane region mmap",
				 "dma-buf mmap" };
	size_t size;
	unsigned int i;
	int fd;

	g = vfio_dma_alloc(&v->dev, PLANE_BYTES, &giova);
	ASSERT_TRUE(g);
	memset(g, 0x66, PLANE_BYTES);
	for (k = 0; k < PLANE_PAGES; k++)
		bar0_write64(v, PTE(k), (giova + k * PAGE) | IVGPU_PTE_PRESENT);
	gfx_plane_linear(v, PIPE_A, 0, PLANE_W, PLANE_H, PLANE_W * 4 / 64);
	ASSERT_OK(gfx_query(v, VFIO_GFX_PLANE_TYPE_REGION, 0, &pi));
	ASSERT_NE(pi.region_index, 0);

	maps[0] = map_region(v, BAR2, 0, PLANE_BYTES, PROT_READ | PROT_WRITE);
	maps[1] = map_region(v, pi.region_index, 0, PLANE_BYTES, PROT_READ);
	fd = gfx_primary_dmabuf(v, &size);
	tap_defer(close_fd, (void *)(long)fd);
	maps[2] = map_fd(fd, 0, PLANE_BYTES, PROT_READ | PROT_WRITE);
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(maps[i]);
		EXPECT_TRUE(gfx_all(maps[i], 0x66, PLANE_BYTES));
	}

	for (i = 0; i < 3; i++) {
		long long pinned = vgpu_stat(v, "pages_pinned");
		int ret;

		iova = iova_reserve(v, PLANE_BYTES);
		ret = dma_map(v, maps[i], iova,  PLANE_BYTES,
			      VFIO_DMA_MAP_FLAG_READ |
			      (i == 1 ? 0 : VFIO_DMA_MAP_FLAG_WRITE));
		tap_log("%s in the container: %s", names[i],
			ret ? strerror(-ret) : "mapped");
		if (ret)
			continue;	/* refused at map time: nothing to reach */
		bar0_write64(v, PTE(100), iova | IVGPU_PTE_PRESENT);
		aperture_read(v, 100, buf);
		EXPECT_TRUE(gfx_all(buf, 0, PAGE));
		EXPECT_EQ(vgpu_stat(v, "pages_pinned"), pinned);
		bar0_write64(v, PTE(100), 0);
		EXPECT_OK(dma_unmap(v, iova, PLANE_BYTES));
	}
}

TEST(ggtt_writes_past_the_slice_reach_nothing)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint64_t entries = type_gm_mib(TYPE_SMALL) * MIB / PAGE, iova;
	static const uint64_t past[] = { 0, 1, 2, 4095, 65536 };
	uint8_t *g, buf[PAGE];
	long long dropped = vgpu_stat(v, "ggtt_dropped");
	unsigned int i;

	g = vfio_dma_alloc(&v->dev, PAGE, &iova);
	ASSERT_TRUE(g);
	memset(g, 0x77, PAGE);
	for (i = 0; i < ARRAY_SIZE(past); i++) {
		uint64_t idx = entries + past[i];

		if (idx >= IVGPU_GGTT_SIZE / 8)
			continue;
		bar0_write64(v, PTE(idx), iova | IVGPU_PTE_PRESENT);
		EXPECT_EQ(bar0_read64(v, PTE(idx)), 0);
	}
	bar0_write64(v, PTE(IVGPU_GGTT_SIZE / 8 - 1), iova | IVGPU_PTE_PRESENT);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	EXPECT_GE(vgpu_stat(v, "ggtt_dropped"), dropped + 5);

	/* The last entry of the slice is the vGPU's, and works. */
	bar0_write64(v, PTE(entries - 1), iova | IVGPU_PTE_PRESENT);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 1);
	/* Its aperture is the low part only: that entry is not in BAR2. */
	EXPECT_NE(vfio_region_read(&v->dev, BAR2, (entries - 1) * PAGE, buf,
				   PAGE), 0);
}

/* ---- 2. Region and mmap offsets and lengths are range-checked ---- */

struct mmap_case {
	uint64_t off;
	uint64_t len;
};

static bool mmap_ok(struct vgpu *v, uint64_t pos, uint64_t len, int prot,
		    int flags, int *err)
{
	void *p = mmap(NULL, len, prot, flags, v->dev.fd, (off_t)pos);

	*err = errno;
	if (p == MAP_FAILED)
		return false;
	munmap(p, len);
	return true;
}

TEST(mmap_offsets_and_lengths_are_range_checked)
{
	const struct ivgpu_type *t = TYPE_SMALL;
	struct vgpu *v = vgpu_new(t);
	uint64_t frame = gfx_frame_size(t);
	uint64_t msize[IVGPU_NUM_REGIONS] = {
		[BAR2] = t->low_gm_mib * MIB,
		[FB] = frame, [PLANE0] = frame, [PLANE1] = frame,
	};
	static const uint64_t far_index[] = { IVGPU_NUM_REGIONS, 15, 16, 255,
					      0xffff, 0x7fffff };
	unsigned int i, j;
	int err;

	for (i = 0; i < IVGPU_NUM_REGIONS; i++) {
		uint64_t base = (uint64_t)i << 40, m = msize[i];
		int prot = i == BAR2 ? PROT_READ | PROT_WRITE : PROT_READ;
		const struct mmap_case bad[] = {
			{ m, PAGE },			/* at the end */
			{ m - PAGE, 2 * PAGE },		/* across the end */
			{ 0, m + PAGE },		/* longer */
			{ PAGE, m },			/* shifted */
			{ (1ULL << 40) - PAGE, 2 * PAGE },	/* into the next index */
			{ 0, 1ULL << 40 },		/* the whole index */
			{ m + (1ULL << 39), PAGE },	/* far past the end */
		};

		if (!m) {
			/* No mmap at all. */
			EXPECT_FALSE(mmap_ok(v, base, PAGE, PROT_READ, MAP_SHARED,
					     &err));
			EXPECT_EQ(err, EINVAL);
			continue;
		}
		tap_log("region %u: %" PRIu64 " bytes mmap-able", i, m);
		EXPECT_TRUE(mmap_ok(v, base, PAGE, prot, MAP_SHARED, &err));
		EXPECT_TRUE(mmap_ok(v, base + m - PAGE, PAGE, prot, MAP_SHARED,
				    &err));
		EXPECT_TRUE(mmap_ok(v, base, m, prot, MAP_SHARED, &err));
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			if (bad[j].off + bad[j].len <= m)
				continue;
			errno = 0;
			if (mmap_ok(v, base + bad[j].off, bad[j].len, prot,
				    MAP_SHARED, &err))
				tap_fail(false, __FILE__, __LINE__,
					 "region %u: mmap of 0x%" PRIx64 " bytes at 0x%" PRIx64 " succeeded",
					 i, bad[j].len, bad[j].off);
			else if (err != EINVAL && err != ENOMEM)
				tap_fail(false, __FILE__, __LINE__,
					 "region %u: mmap at 0x%" PRIx64 ": %s",
					 i, bad[j].off, strerror(err));
		}
		/* Private mappings and unaligned offsets. */
		EXPECT_FALSE(mmap_ok(v, base, PAGE, PROT_READ, MAP_PRIVATE, &err));
		EXPECT_EQ(err, EINVAL);
		EXPECT_FALSE(mmap_ok(v, base + 1, PAGE, PROT_READ, MAP_SHARED, &err));
		EXPECT_EQ(err, EINVAL);
	}
	/* The framebuffer region's metadata page is not mmap-able. */
	EXPECT_FALSE(mmap_ok(v, ((uint64_t)FB << 40) + frame, PAGE, PROT_READ,
			     MAP_SHARED, &err));
	EXPECT_EQ(err, EINVAL);

	/* Indexes past the last region, and offsets at the top of off_t. */
	for (i = 0; i < ARRAY_SIZE(far_index); i++) {
		EXPECT_FALSE(mmap_ok(v, far_index[i] << 40, PAGE, PROT_READ,
				     MAP_SHARED, &err));
		EXPECT_EQ(err, EINVAL);
	}
	EXPECT_FALSE(mmap_ok(v, 0x7ffffffffffff000ULL, 2 * PAGE, PROT_READ,
			     MAP_SHARED, &err));
	EXPECT_TRUE(err == EINVAL || err == EOVERFLOW);
	EXPECT_FALSE(mmap_ok(v, 0xfffffffffffff000ULL, PAGE, PROT_READ,
			     MAP_SHARED, &err));
	EXPECT_TRUE(err == EINVAL || err == EOVERFLOW);
	EXPECT_FALSE(mmap_ok(v, ((uint64_t)BAR2 << 40) + (1ULL << 39),
			     1ULL << 46, PROT_READ, MAP_SHARED, &err));
}

TEST(display_mappings_stay_read_only)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	static const unsigned int ro[] = { FB, PLANE0, PLANE1 };
	unsigned int i;
	uint8_t *p, val;
	int err;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		uint64_t base = (uint64_t)ro[i] << 40;

		tap_log("region %u", ro[i]);
		EXPECT_FALSE(mmap_ok(v, base, PAGE, PROT_READ | PROT_WRITE,
				     MAP_SHARED, &err));
		EXPECT_EQ(err, EINVAL);
		EXPECT_FALSE(mmap_ok(v, base, PAGE, PROT_WRITE, MAP_SHARED, &err));
		EXPECT_EQ(err, EINVAL);
		p = map_region(v, ro[i], 0, 2 * PAGE, PROT_READ);
		ASSERT_TRUE(p);
		EXPECT_ERRNO(mprotect(p, PAGE, PROT_READ | PROT_WRITE), EACCES);
		EXPECT_EQ(gfx_probe(p, false, &val), 0);
		EXPECT_EQ(gfx_probe(p, true, &val), SIGSEGV);
		/* No growing (VM_DONTEXPAND); shrinking is fine. */
		EXPECT_TRUE(mremap(p, 2 * PAGE, 4 * PAGE, 0) == MAP_FAILED);
		EXPECT_EQ(gfx_probe(p + PAGE, false, &val), 0);
		EXPECT_TRUE(mremap(p, 2 * PAGE, PAGE, 0) != MAP_FAILED);
	}
	/* The aperture is writable but does not grow either. */
	p = map_region(v, BAR2, 0, 2 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_TRUE(p);
	EXPECT_TRUE(mremap(p, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED);
	EXPECT_EQ(gfx_probe(p + PAGE, true, &val), 0);
}

TEST(dmabuf_mmap_is_range_checked)
{
	struct vgpu *v = vgpu_new_mode(TYPE_SMALL, "dmabuf");
	uint8_t *p, val;
	size_t size;
	void *q;
	int fd;

	gfx_plane_linear(v, PIPE_A, 0, PLANE_W, PLANE_H, PLANE_W * 4 / 64);
	fd = gfx_primary_dmabuf(v, &size);
	tap_defer(close_fd, (void *)(long)fd);
	EXPECT_EQ(size, PLANE_BYTES);
	EXPECT_EQ(lseek(fd, 0, SEEK_END), (off_t)PLANE_BYTES);

	q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PLANE_BYTES);
	EXPECT_TRUE(q == MAP_FAILED);
	q = mmap(NULL, PLANE_BYTES + PAGE, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_TRUE(q == MAP_FAILED);
	q = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, PLANE_BYTES - PAGE);
	EXPECT_TRUE(q == MAP_FAILED);
	q = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_TRUE(q == MAP_FAILED);
	q = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0x7ffffffffffff000LL);
	EXPECT_TRUE(q == MAP_FAILED);

	p = map_fd(fd, PAGE, PLANE_BYTES - PAGE, PROT_READ);
	ASSERT_TRUE(p);
	EXPECT_EQ(gfx_probe(p + PLANE_BYTES - 2 * PAGE, false, &val), 0);
	EXPECT_TRUE(mremap(p, PLANE_BYTES - PAGE, PLANE_BYTES + PAGE,
			   MREMAP_MAYMOVE) == MAP_FAILED);
}

TEST(region_access_is_range_checked)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	unsigned int i;
	uint8_t buf[64];
	off_t pos;

	memset(buf, 0, sizeof(buf));
	for (i = 0; i < IVGPU_NUM_REGIONS; i++) {
		uint64_t size = v->dev.regions[i].size;
		off_t base = (off_t)((uint64_t)i << 40);

		/* Past the end, in the index's unused offsets. */
		EXPECT_ERRNO(pread(v->dev.fd, buf, 4, base + size), EINVAL);
		EXPECT_ERRNO(pread(v->dev.fd, buf, 4, base + (1LL << 40) - 4),
			     EINVAL);
		EXPECT_ERRNO(pwrite(v->dev.fd, buf, 4, base + size), EINVAL);
		if (!size)
			continue;
		/* Across the end: cut at the region's end, nothing beyond. */
		EXPECT_EQ(pread(v->dev.fd, buf, sizeof(buf), base + size - 1), 1);
	}
	for (pos = IVGPU_NUM_REGIONS; pos < 20; pos++)
		EXPECT_ERRNO(pread(v->dev.fd, buf, 4, pos << 40), EINVAL);
	EXPECT_ERRNO(pread(v->dev.fd, buf, 4, 0x7fffffLL << 40), EINVAL);
	EXPECT_ERRNO(pread(v->dev.fd, buf, 4, -4096), EINVAL);
	/* Read-only regions refuse writes, as documented. */
	EXPECT_ERRNO(pwrite(v->dev.fd, buf, 4, (off_t)PLANE0 << 40), EINVAL);
	EXPECT_ERRNO(pwrite(v->dev.fd, buf, 4,
			    (off_t)IVGPU_REGION_OPREGION << 40), EINVAL);
	EXPECT_ERRNO(pwrite(v->dev.fd, buf, 4, (off_t)FB << 40), EPERM);
	EXPECT_ERRNO(pwrite(v->dev.fd, buf, 4, (off_t)EDID << 40), EPERM);
	/* A buffer the process can't access. */
	{
		void *none = mmap(NULL, PAGE, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_TRUE(none != MAP_FAILED);
		EXPECT_ERRNO(pread(v->dev.fd, none, 8, 0), EFAULT);
		EXPECT_ERRNO(pwrite(v->dev.fd, none, 8, SCRATCH_REG), EFAULT);
		EXPECT_ERRNO(pread(v->dev.fd, none, 8, (off_t)BAR2 << 40), EFAULT);
		EXPECT_ERRNO(pread(v->dev.fd, none, 8, (off_t)PLANE0 << 40), EFAULT);
		munmap(none, PAGE);
	}
}

/* ---- 3. Guest-triggered kernel log lines are rate-limited ---- */

#define DYNDBG		"/sys/kernel/debug/dynamic_debug/control"

static void dyndbg_off(void *arg)
{
	(void)arg;
	sysfs_write(DYNDBG, "module ivgpu -p");
}

/* Records in the kernel log since fd was opened that mention ivgpu. */
static unsigned int kmsg_count_ivgpu(int fd, char *first, size_t len)
{
	char record[8192];
	unsigned int n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, record, sizeof(record) - 1);
		if (r < 0 && errno == EPIPE)
			continue;
		if (r <= 0)
			return n;
		record[r] = '\0';
		if (!strstr(record, "ivgpu"))
			continue;
		if (!n++ && first) {
			snprintf(first, len, "%.200s", strchr(record, ';') ?
				 strchr(record, ';') + 1 : record);
			first[strcspn(first, "\n")] = '\0';
		}
	}
}

TEST(guest_triggered_log_lines_are_rate_limited)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint64_t entries = type_gm_mib(TYPE_SMALL) * MIB / PAGE;
	static uint64_t ptes[8192];
	struct timespec t0, t1;
	unsigned int i, round, lines, bound, floods = 0;
	bool dyndbg;
	char first[256] = "";
	double secs;
	int kmsg;

	dyndbg = !sysfs_write(DYNDBG, "module ivgpu +p");
	if (dyndbg)
		tap_defer(dyndbg_off, NULL);
	else
		tap_log("no dynamic debug control: only default log levels are seen");
	kmsg = kmsg_open();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (round = 0; round < 4; round++) {
		/* 8192 writes to entries outside the slice. */
		for (i = 0; i < ARRAY_SIZE(ptes); i++)
			ptes[i] = (0x100000000ULL + i * PAGE) | IVGPU_PTE_PRESENT;
		ASSERT_OK(vfio_region_write(&v->dev, BAR0, PTE(entries), ptes,
					    sizeof(ptes)));
		/* 8192 entries in the slice at unmapped IOVAs: pin errors. */
		for (i = 0; i < ARRAY_SIZE(ptes); i++)
			ptes[i] = (0x7000000000ULL + (round * 8192ULL + i) * PAGE) |
				  IVGPU_PTE_PRESENT;
		ASSERT_OK(vfio_region_write(&v->dev, BAR0, PTE(0), ptes,
					    sizeof(ptes)));
		/* 1000 refused EDID writes (the blob while the link is up). */
		for (i = 0; i < 1000; i++)
			EXPECT_EQ(vfio_region_write_n(&v->dev, EDID,
						      IVGPU_EDID_BLOB_OFFSET, 4, i),
				  -EBUSY);
		floods += 2 * ARRAY_SIZE(ptes) + 1000;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	EXPECT_GE(vgpu_stat(v, "ggtt_dropped"), 4 * 8192);
	EXPECT_GE(vgpu_stat(v, "pin_errors"), 4 * 8192);

	/*
	 * Three call sites, each at most a burst of 10 lines and one
	 * "callbacks suppressed" line per 5 s interval (and the intervals
	 * that started before the flood).
	 */
	bound = 3 * 11 * ((unsigned int)(secs / 5) + 2);
	usleep(200 * 1000);
	lines = kmsg_count_ivgpu(kmsg, first, sizeof(first));
	tap_log("%u guest-triggered events in %.1f s: %u log lines (bound %u)%s%s",
		floods, secs, lines, bound, lines ? "; first: " : "", first);
	EXPECT_LE(lines, bound);
	if (dyndbg)
		EXPECT_GE(lines, 1);	/* the messages exist: it is the limit */
	else
		EXPECT_EQ(lines, 0);
	close(kmsg);
}

/* ---- 4. Nothing one user leaves behind shows to the next ---- */

/*
 * Graphics memory no guest page backs shows the vGPU's scratch page, which
 * a reset and a new open clear. A dma-buf of such a plane holds that page:
 * kept past close, it must not let its holder read or write what the next
 * user of the vGPU sees.
 */
TEST(scratch_page_is_not_shared_with_the_next_user)
{
	struct vgpu *v = vgpu_new_mode(TYPE_SMALL, "dmabuf");
	uint8_t buf[PAGE], *old, *ap;
	size_t size;
	int fd;

	/* The first user: a plane over unbacked memory; its dma-buf, mapped. */
	gfx_plane_linear(v, PIPE_A, 0, PLANE_W, PLANE_H, PLANE_W * 4 / 64);
	fd = gfx_primary_dmabuf(v, &size);
	tap_defer(close_fd, (void *)(long)fd);
	old = map_fd(fd, 0, PLANE_BYTES, PROT_READ | PROT_WRITE);
	ASSERT_TRUE(old);
	EXPECT_TRUE(gfx_all(old, 0, PLANE_BYTES));

	/* The next user opens the vGPU; the first keeps its dma-buf. */
	vgpu_close(v);
	vgpu_open(v);
	aperture_read(v, 0, buf);
	EXPECT_TRUE(gfx_all(buf, 0, PAGE));

	/* The old holder writes: the new user must still read zeros... */
	EXPECT_EQ(gfx_probe_fill(old, 0xa5, PLANE_BYTES), 0);
	aperture_read(v, 0, buf);
	if (!gfx_all(buf, 0, PAGE))
		tap_fail(false, __FILE__, __LINE__,
			 "an unbacked aperture page of the next user shows 0x%02x, written through the first user's dma-buf",
			 buf[0]);
	/* ...and what the new user writes must not reach the old holder. */
	memset(old, 0, PLANE_BYTES);
	ap = map_region(v, BAR2, 0, PAGE, PROT_READ | PROT_WRITE);
	ASSERT_TRUE(ap);
	memset(ap, 0x5a, PAGE);
	if (!gfx_all(old, 0, PAGE))
		tap_fail(false, __FILE__, __LINE__,
			 "the first user's dma-buf shows 0x%02x, written by the next user",
			 old[0]);
}

TEST(scratch_pages_are_per_vgpu)
{
	struct vgpu *a = vgpu_new(TYPE_SMALL);
	struct vgpu *b = vgpu_new(TYPE_SMALL);
	uint8_t *wa, *wb, buf[PAGE];

	wa = map_region(a, BAR2, 0, 4 * PAGE, PROT_READ | PROT_WRITE);
	wb = map_region(b, BAR2, 0, 4 * PAGE, PROT_READ | PROT_WRITE);
	ASSERT_TRUE(wa && wb);
	/* Unbacked: a's writes land in a's scratch page (as documented). */
	memset(wa, 0x3c, PAGE);
	EXPECT_EQ(wa[PAGE], 0x3c);
	EXPECT_TRUE(gfx_all(wb, 0, 4 * PAGE));
	aperture_read(b, 2, buf);
	EXPECT_TRUE(gfx_all(buf, 0, PAGE));
	/* A reset clears it. */
	ASSERT_OK(vfio_reset(&a->dev));
	aperture_read(a, 0, buf);
	EXPECT_TRUE(gfx_all(buf, 0, PAGE));
}

static void __attribute__((constructor)) security_init(void)
{
	gfx_probe_init();
}
