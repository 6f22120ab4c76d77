// SPDX-License-Identifier: GPL-2.0-only
/*
 * B3: VFIO_IOMMU_UNMAP_DMA of K guest pages that GGTT entries pinned,
 * against the same unmap with nothing pinned. With pins, VFIO's type1
 * driver calls the vGPU's dma_unmap callback, which must unpin them before
 * the unmap returns. Only the unmap is timed; each operation first maps
 * the pages again and (with pins) writes their GGTT entries, and clears
 * them after the unmap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

#define BUSY_PAGES	8192	/* other entries pinned in the "busy" case */
#define BUSY_ENTRY	16384

struct unmap_ctx {
	struct vgpu *v;
	uint8_t *buf;		/* the pages, faulted in once */
	uint64_t iova;
	size_t pages;
	bool pin;		/* write their GGTT entries before unmapping */
	uint64_t *ptes;
	uint64_t *zeros;
};

static uint64_t run_unmap(void *ctx, unsigned long n)
{
	struct unmap_ctx *c = ctx;
	uint64_t size = c->pages * PAGE_SZ, ns = 0;
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)c->buf,
			.iova = c->iova,
			.size = size,
		};
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap),
			.iova = c->iova,
			.size = size,
		};
		uint64_t start;
		int ret;

		ASSERT_OK(ioctl(c->v->dev.container, VFIO_IOMMU_MAP_DMA, &map));
		if (c->pin)
			ASSERT_OK(vfio_region_write(&c->v->dev, BAR0, PTE(0),
						    c->ptes, c->pages * 8));
		start = bench_now();
		ret = ioctl(c->v->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap);
		ns += bench_since(start);
		ASSERT_OK(ret);
		ASSERT_EQ(unmap.size, size);
		/* Clear the entries: the next case starts from an empty shadow. */
		if (c->pin)
			ASSERT_OK(vfio_region_write(&c->v->dev, BAR0, PTE(0),
						    c->zeros, c->pages * 8));
	}
	return ns;
}

/* K pages at an IOVA of their own in v's container, entries from 0. */
static struct unmap_ctx *unmap_ctx_new(struct vgpu *v, size_t pages, bool pin)
{
	struct unmap_ctx *c = calloc(1, sizeof(*c));
	size_t k;

	ASSERT_TRUE(c);
	c->v = v;
	c->pages = pages;
	c->pin = pin;
	c->buf = mmap(NULL, pages * PAGE_SZ, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_TRUE(c->buf != MAP_FAILED);
	memset(c->buf, 0x5a, pages * PAGE_SZ);
	c->iova = v->dev.iova_next;
	v->dev.iova_next += pages * PAGE_SZ;
	c->ptes = calloc(pages, 8);
	c->zeros = calloc(pages, 8);
	ASSERT_TRUE(c->ptes && c->zeros);
	for (k = 0; k < pages; k++)
		c->ptes[k] = (c->iova + k * PAGE_SZ) | IVGPU_PTE_PRESENT;
	return c;
}

TEST(B3)
{
	static const size_t ks[] = { 1, 64, 512, 2048 };
	struct vgpu *v = bench_vgpu(TYPE_SMALL, NULL);
	struct vgpu *busy = bench_vgpu(TYPE_SMALL, NULL);
	struct guest_mem other = guest_mem_new(&busy->dev, BUSY_PAGES);
	struct bench_variant var[2 * ARRAY_SIZE(ks) + 1];
	static char keys[2 * ARRAY_SIZE(ks)][16], whats[2 * ARRAY_SIZE(ks)][96];
	int nv = 0;
	unsigned int i;
	char id[32];

	memset(var, 0, sizeof(var));
	for (i = 0; i < ARRAY_SIZE(ks); i++) {
		snprintf(keys[2 * i], sizeof(keys[0]), "p%zu", ks[i]);
		snprintf(whats[2 * i], sizeof(whats[0]),
			 "UNMAP_DMA of %zu page%s, pinned by GGTT entries",
			 ks[i], ks[i] > 1 ? "s" : "");
		var[nv++] = (struct bench_variant){
			keys[2 * i], whats[2 * i], run_unmap,
			unmap_ctx_new(v, ks[i], true), .uuid = v->uuid,
			.clock_pairs = 1 };
		snprintf(keys[2 * i + 1], sizeof(keys[0]), "e%zu", ks[i]);
		snprintf(whats[2 * i + 1], sizeof(whats[0]),
			 "UNMAP_DMA of %zu page%s, not pinned", ks[i],
			 ks[i] > 1 ? "s" : "");
		var[nv++] = (struct bench_variant){
			keys[2 * i + 1], whats[2 * i + 1], run_unmap,
			unmap_ctx_new(v, ks[i], false), .uuid = v->uuid,
			.clock_pairs = 1 };
	}
	ggtt_map(busy, BUSY_ENTRY, &other, 0, BUSY_PAGES);
	var[nv++] = (struct bench_variant){
		"p1busy", "UNMAP_DMA of 1 pinned page, 8192 other entries pinned",
		run_unmap, unmap_ctx_new(busy, 1, true), .uuid = busy->uuid,
		.clock_pairs = 1 };
	bench_run(var, nv, 1);

	for (i = 0; i < ARRAY_SIZE(ks); i++) {
		snprintf(id, sizeof(id), "B3 K=%zu", ks[i]);
		bench_ratio(id, &var[2 * i], &var[2 * i + 1], 0, "");
	}
	bench_ratio("B3 K=1 busy", bench_find(var, nv, "p1busy"),
		    bench_find(var, nv, "p1"), 2.0, "<= 2x K=1");
	bench_value("B3 per pinned page",
		    "unmap with 2048 pinned minus unmap with none, per page",
		    (bench_median_ns(bench_find(var, nv, "p2048")) -
		     bench_median_ns(bench_find(var, nv, "e2048"))) / 2048,
		    "ns", "the dma_unmap callback: unpin, shadow update, zap");
	bench_value("B3 per other entry",
		    "1-page unmap with 8192 other pinned entries minus without, per entry",
		    (bench_median_ns(bench_find(var, nv, "p1busy")) -
		     bench_median_ns(bench_find(var, nv, "p1"))) / BUSY_PAGES,
		    "ns", "entries outside the unmapped range that the callback visits");
}
