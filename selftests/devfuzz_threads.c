// SPDX-License-Identifier: GPL-2.0-only
/*
 * devfuzz: several threads on one vGPU at once (concurrent_operations):
 * the guest (GGTT entries, planes, cursor, the aperture), the VFIO user's
 * memory mapped and unmapped, the display consumer (queries, regions,
 * dma-bufs, the framebuffer) and resets, interrupt routing and an
 * aperture mapping.
 */
#define _GNU_SOURCE
#include "devfuzz.h"

/* ---- several threads on one vGPU ---- */

#define C_SLOTS		4	/* guest memory buffers at fixed IOVAs */
#define C_PAGES		16
#define C_ENTRIES	64

struct conc {
	struct vgpu *v;
	uint64_t base;			/* IOVA of buffer 0 */
	uint8_t *mem[C_SLOTS];
	atomic_bool mapped[C_SLOTS];
	atomic_bool stop;
	atomic_ulong ops;
	uint32_t plane_bytes;
};

static uint64_t c_rnd(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

struct worker {
	pthread_t thread;
	struct conc *c;
	uint64_t rng;
	void *(*fn)(void *);
	unsigned long errors;
	char what[160];
};

#define W_FAIL(w, ...) do {						\
	if (!(w)->errors++)						\
		snprintf((w)->what, sizeof((w)->what), __VA_ARGS__);	\
} while (0)

/* The guest: GGTT entries, planes, cursor, the aperture. */
static void *w_guest(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	uint8_t buf[64];

	while (!atomic_load(&c->stop)) {
		uint64_t r = c_rnd(&w->rng), idx = r % C_ENTRIES, val = 0;
		unsigned int slot = (r >> 8) % C_SLOTS;

		if ((r >> 16) % 8)
			val = (c->base + (slot * C_PAGES + (r >> 24) % C_PAGES) * PAGE) |
			      IVGPU_PTE_PRESENT;
		if (vfio_region_write_n(&c->v->dev, BAR0, PTE(idx), 8, val))
			W_FAIL(w, "PTE write");
		if (vfio_region_read(&c->v->dev, BAR2, ((r >> 32) % C_ENTRIES) * PAGE,
				     buf, sizeof(buf)))
			W_FAIL(w, "aperture read");
		if (!((r >> 40) % 64)) {
			uint32_t h = 1 + (r >> 48) % 64;

			vfio_region_write_n(&c->v->dev, BAR0, GFX_PLANE_STRIDE(0), 4, 4);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_PLANE_SIZE(0), 4,
					    (h - 1) << 16 | 63);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_PLANE_CTL(0), 4,
					    GFX_CTL_ENABLE | GFX_FMT_XRGB8888 |
					    ((r >> 56) & 1) << 10);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_PLANE_SURF(0), 4,
					    ((r >> 58) % 4) * PAGE);
			vfio_region_write_n(&c->v->dev, BAR0, TRANSCONF(0), 4,
					    TRANSCONF_ENABLE);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_CURCNTR(0), 4,
					    (r >> 60) & 1 ? 0x27 : 0);
			vfio_region_write_n(&c->v->dev, BAR0, GFX_CURBASE(0), 4,
					    32 * PAGE);
		}
		atomic_fetch_add(&c->ops, 1);
	}
	return NULL;
}

/* The VFIO user's memory: buffers mapped and unmapped under it all. */
static void *w_memory(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;

	while (!atomic_load(&c->stop)) {
		uint64_t r = c_rnd(&w->rng);
		unsigned int slot = r % C_SLOTS;
		uint64_t iova = c->base + slot * C_PAGES * PAGE;

		if (atomic_load(&c->mapped[slot])) {
			struct vfio_iommu_type1_dma_unmap unmap = {
				.argsz = sizeof(unmap), .iova = iova,
				.size = C_PAGES * PAGE,
			};

			if (ioctl(c->v->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ||
			    unmap.size != C_PAGES * PAGE)
				W_FAIL(w, "unmap: %s", strerror(errno));
			atomic_store(&c->mapped[slot], false);
		} else {
			struct vfio_iommu_type1_dma_map map = {
				.argsz = sizeof(map),
				.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
				.vaddr = (uintptr_t)c->mem[slot], .iova = iova,
				.size = C_PAGES * PAGE,
			};

			if (ioctl(c->v->dev.container, VFIO_IOMMU_MAP_DMA, &map))
				W_FAIL(w, "map: %s", strerror(errno));
			atomic_store(&c->mapped[slot], true);
		}
		atomic_fetch_add(&c->ops, 1);
		usleep((r >> 32) % 2000);
	}
	return NULL;
}

/* The display consumer: queries, regions, dma-bufs, the framebuffer. */
static void *w_display(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	struct vfio_device_gfx_plane_info pi;
	uint8_t buf[256], val;
	uint64_t fbmeta = c->v->dev.regions[FB].size - IVGPU_FB_META_SIZE;

	while (!atomic_load(&c->stop)) {
		uint64_t r = c_rnd(&w->rng);
		uint8_t *p;
		int fd;

		if (gfx_query(c->v, Q_REGION, 0, &pi))
			W_FAIL(w, "region query: %s", strerror(errno));
		else if (pi.region_index) {
			if (vfio_region_read(&c->v->dev, pi.region_index,
					     (r % (pi.size / PAGE)) * PAGE, buf,
					     sizeof(buf)))
				W_FAIL(w, "plane region read");
			p = mmap(NULL, pi.size, PROT_READ, MAP_SHARED, c->v->dev.fd,
				 (off_t)pi.region_index << 40);
			if (p == MAP_FAILED) {
				W_FAIL(w, "plane region mmap: %s", strerror(errno));
			} else {
				if (gfx_probe(p + (r >> 8) % pi.size, false, &val))
					W_FAIL(w, "plane region mapping faulted");
				munmap(p, pi.size);
			}
		}
		if (gfx_query(c->v, Q_DMABUF, (r >> 20) & 1 ? GFX_CURSOR : GFX_PRIMARY,
			      &pi)) {
			W_FAIL(w, "dma-buf query: %s", strerror(errno));
		} else if (pi.dmabuf_id) {
			fd = gfx_get_dmabuf(c->v, pi.dmabuf_id);
			/* A reset on another thread may have dropped it. */
			if (fd < 0 && errno != ENOENT) {
				W_FAIL(w, "GET_GFX_DMABUF: %s", strerror(errno));
			} else if (fd >= 0) {
				p = mmap(NULL, pi.size, PROT_READ, MAP_SHARED, fd, 0);
				if (p == MAP_FAILED) {
					W_FAIL(w, "dma-buf mmap: %s", strerror(errno));
				} else {
					if (gfx_probe(p + (r >> 24) % pi.size, false, &val))
						W_FAIL(w, "dma-buf mapping faulted");
					munmap(p, pi.size);
				}
				close(fd);
			}
		}
		if (!((r >> 40) % 8) &&
		    vfio_region_write_n(&c->v->dev, FB, fbmeta +
					offsetof(struct vfio_framebuffer, state), 4,
					VFIO_FB_STATE_REQUEST_UPDATE))
			W_FAIL(w, "framebuffer update");
		atomic_fetch_add(&c->ops, 1);
	}
	return NULL;
}

/* Resets, interrupt routing, an aperture mapping. */
static void *w_control(void *arg)
{
	struct worker *w = arg;
	struct conc *c = w->c;
	int evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint8_t *ap, val;

	ap = mmap(NULL, C_ENTRIES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		  c->v->dev.fd, (off_t)BAR2 << 40);
	if (ap == MAP_FAILED)
		W_FAIL(w, "aperture mmap: %s", strerror(errno));
	while (!atomic_load(&c->stop)) {
		uint64_t r = c_rnd(&w->rng);

		switch (r % 8) {
		case 0:
			if (vfio_reset(&c->v->dev))
				W_FAIL(w, "reset");
			break;
		case 1:
		case 2:
			if (vfio_irq_set_eventfd(&c->v->dev, (r >> 8) % 2 ?
						 VFIO_PCI_MSI_IRQ_INDEX :
						 VFIO_PCI_INTX_IRQ_INDEX,
						 (r >> 9) % 2 ? evfd : -1))
				W_FAIL(w, "SET_IRQS");
			break;
		default:
			if (ap != MAP_FAILED &&
			    gfx_probe(ap + (r >> 16) % (C_ENTRIES * PAGE), true, &val))
				W_FAIL(w, "aperture mapping faulted");
			break;
		}
		atomic_fetch_add(&c->ops, 1);
		usleep(1000 + (r >> 32) % 20000);
	}
	if (ap != MAP_FAILED)
		munmap(ap, C_ENTRIES * PAGE);
	close(evfd);
	return NULL;
}

TEST(concurrent_operations)
{
	double secs = fuzz_seconds() * 0.3;
	struct conc c = { 0 };
	struct worker w[4] = {
		{ .fn = w_guest }, { .fn = w_memory }, { .fn = w_display },
		{ .fn = w_control },
	};
	unsigned int i;
	long long pinned;

	seed_init();
	gfx_probe_init();
	c.v = vgpu_create(&ivgpu_types[below(IVGPU_NR_TYPES)]);
	ASSERT_OK(gfx_plane_set(c.v->uuid, "both"));
	vgpu_open(c.v);
	c.base = (c.v->dev.iova_next + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	c.v->dev.iova_next = c.base + C_SLOTS * C_PAGES * PAGE;
	for (i = 0; i < C_SLOTS; i++) {
		c.mem[i] = mmap(NULL, C_PAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		ASSERT_TRUE(c.mem[i] != MAP_FAILED);
		memset(c.mem[i], 0x40 + i, C_PAGES * PAGE);
	}
	tap_log("seed %" PRIu64 ", %s, %.1f s", F.seed, c.v->type->dir, secs);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		w[i].c = &c;
		w[i].rng = F.seed + i;
		ASSERT_OK(pthread_create(&w[i].thread, NULL, w[i].fn, &w[i]));
	}
	usleep(secs * 1e6);
	atomic_store(&c.stop, true);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].errors)
			tap_fail(false, __FILE__, __LINE__,
				 "thread %u: %lu errors, the first: %s", i,
				 w[i].errors, w[i].what);
	}
	tap_log("%lu operations", (unsigned long)atomic_load(&c.ops));

	ASSERT_OK(vfio_reset(&c.v->dev));
	pinned = vgpu_stat(c.v, "pages_pinned");
	EXPECT_EQ(pinned, 0);
	for (i = 0; i < C_SLOTS; i++) {
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap),
			.iova = c.base + i * C_PAGES * PAGE,
			.size = C_PAGES * PAGE,
		};

		if (atomic_load(&c.mapped[i]))
			EXPECT_OK(ioctl(c.v->dev.container, VFIO_IOMMU_UNMAP_DMA,
					&unmap));
	}
	vgpu_close(c.v);
	EXPECT_EQ(vgpu_stat(c.v, "pages_pinned"), 0);
	vgpu_remove(c.v);
	EXPECT_FALSE(mdev_exists(c.v->uuid));
}
