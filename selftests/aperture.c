// SPDX-License-Identifier: GPL-2.0-only
/*
 * The aperture (BAR2): a window on guest memory through the GGTT. An entry
 * that points at mapped guest memory shows that page, by read/write on the
 * device fd and through mmap(); an entry that points nowhere shows a zero
 * page that drops writes.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ivgpu.h"

#define PAGE		4096UL
#define NR_PAGES	4

/* Guest memory: NR_PAGES pages, page k filled with the byte fill(k). */
struct guest {
	uint8_t *mem;
	uint64_t iova;
};

static uint8_t fill(unsigned int page)
{
	return 0x10 + page;
}

static struct guest guest_new(struct vgpu *v)
{
	struct guest g;
	unsigned int k;

	g.mem = vfio_dma_alloc(&v->dev, NR_PAGES * PAGE, &g.iova);
	ASSERT_TRUE(g.mem);
	for (k = 0; k < NR_PAGES; k++)
		memset(g.mem + k * PAGE, fill(k), PAGE);
	return g;
}

/* Point GGTT entry idx at guest page k. */
static void map_page(struct vgpu *v, uint64_t idx, struct guest *g,
		     unsigned int k)
{
	bar0_write64(v, PTE(idx), (g->iova + k * PAGE) | IVGPU_PTE_PRESENT);
}

static void unmap_page(struct vgpu *v, uint64_t idx)
{
	bar0_write64(v, PTE(idx), 0);
}

static uint64_t aperture_pages(struct vgpu *v)
{
	return v->type->low_gm_mib * MIB / PAGE;
}

/* EXPECT that aperture page idx reads as all bytes equal to val. */
#define EXPECT_APERTURE_PAGE(v, idx, val) \
	expect_page(__FILE__, __LINE__, v, idx, val)

static void expect_page(const char *file, int line, struct vgpu *v,
			uint64_t idx, uint8_t val)
{
	uint8_t buf[PAGE], want[PAGE];

	memset(want, val, sizeof(want));
	if (vfio_region_read(&v->dev, BAR2, idx * PAGE, buf, sizeof(buf)))
		tap_fail(false, file, line, "reading aperture page %llu failed",
			 (unsigned long long)idx);
	else if (memcmp(buf, want, sizeof(buf)))
		tap_fail(false, file, line,
			 "aperture page %llu: byte 0 is 0x%02x, expected all 0x%02x",
			 (unsigned long long)idx, buf[0], val);
}

/* Region @index is read-write with mmap, and one sparse area [off, +size). */
#define EXPECT_ONE_MMAP_AREA(v, index, off, size) \
	expect_one_mmap_area(__FILE__, __LINE__, v, index, off, size)

static void expect_one_mmap_area(const char *file, int line, struct vgpu *v,
				 unsigned int index, uint64_t off, uint64_t size)
{
	struct vfio_region_info *info = vfio_region_info(&v->dev, index);
	struct vfio_region_info_cap_sparse_mmap *sparse;
	const uint32_t flags = VFIO_REGION_INFO_FLAG_READ |
			       VFIO_REGION_INFO_FLAG_WRITE |
			       VFIO_REGION_INFO_FLAG_MMAP |
			       VFIO_REGION_INFO_FLAG_CAPS;

	if (!info) {
		tap_fail(false, file, line, "no info for region %u", index);
		return;
	}
	sparse = (void *)vfio_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	if (info->flags != flags)
		tap_fail(false, file, line, "region %u: flags 0x%x, expected 0x%x",
			 index, info->flags, flags);
	else if (!sparse || sparse->header.version != 1 || sparse->nr_areas != 1)
		tap_fail(false, file, line, "region %u: not one sparse area", index);
	else if (sparse->areas[0].offset != off || sparse->areas[0].size != size)
		tap_fail(false, file, line,
			 "region %u: area 0x%llx+0x%llx, expected 0x%llx+0x%llx",
			 index, (unsigned long long)sparse->areas[0].offset,
			 (unsigned long long)sparse->areas[0].size,
			 (unsigned long long)off, (unsigned long long)size);
	free(info);
}

TEST(bar2_offers_mmap_with_one_sparse_area)
{
	const struct ivgpu_type *t;

	for_each_type(t) {
		struct vgpu *v = vgpu_new(t);

		EXPECT_ONE_MMAP_AREA(v, BAR2, 0, t->low_gm_mib * MIB);
		vgpu_remove(v);
	}
}

/*
 * BAR0 offers one mmap-able area: the GGTT entries past the slice. Every
 * page of it maps one sink page, so a guest clearing the whole GGTT does
 * not trap there; the device fd still reads those entries as 0.
 */
TEST(bar0_maps_the_ggtt_past_the_slice_to_a_sink)
{
	const struct ivgpu_type *t;

	for_each_type(t) {
		struct vgpu *v = vgpu_new(t);
		uint64_t first = IVGPU_GGTT_OFFSET + (uint64_t)(t->low_gm_mib +
				 t->high_gm_mib) * MIB / PAGE * 8;
		volatile uint64_t *a, *b;

		tap_log("%s", t->dir);
		EXPECT_ONE_MMAP_AREA(v, BAR0, first, IVGPU_BAR0_SIZE - first);

		/* Registers and the slice's entries are never mapped. */
		EXPECT_TRUE(!vfio_region_mmap(&v->dev, BAR0, 0, PAGE));
		EXPECT_TRUE(!vfio_region_mmap(&v->dev, BAR0, first - PAGE,
					      2 * PAGE));
		a = vfio_region_mmap(&v->dev, BAR0, first, IVGPU_BAR0_SIZE - first);
		ASSERT_TRUE(a);
		b = a + (IVGPU_BAR0_SIZE - first - PAGE) / 8;
		a[0] = 0x1234567000000001ULL;
		b[1] = 0xabcULL;
		/* One sink page behind every page of the area. */
		EXPECT_EQ(b[0], 0x1234567000000001ULL);
		EXPECT_EQ(a[1], 0xabcULL);
		/* Not GGTT entries: nothing pinned, the fd reads them as 0. */
		EXPECT_EQ(vfio_read64(&v->dev, BAR0, first), 0);
		EXPECT_EQ(vgpu_stat(v, "pins"), 0);
		EXPECT_EQ(vgpu_stat(v, "ggtt_writes"), 0);
		/* A reset clears the sink. */
		ASSERT_OK(vfio_reset(&v->dev));
		EXPECT_EQ(a[0], 0);
		munmap((void *)a, IVGPU_BAR0_SIZE - first);
		vgpu_remove(v);
	}
}

TEST(aperture_reads_guest_memory_through_the_ggtt)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	uint64_t last = aperture_pages(v) - 1;

	map_page(v, 0, &g, 2);
	map_page(v, 5, &g, 0);
	map_page(v, last, &g, 3);
	EXPECT_APERTURE_PAGE(v, 0, fill(2));
	EXPECT_APERTURE_PAGE(v, 5, fill(0));
	EXPECT_APERTURE_PAGE(v, last, fill(3));
	EXPECT_EQ(vfio_read32(&v->dev, BAR2, 5 * PAGE + 100), 0x10101010);
}

TEST(aperture_writes_reach_guest_memory)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	static const uint8_t data[] = "across a page boundary";
	const uint64_t at = 2 * PAGE - 8;

	map_page(v, 1, &g, 0);
	map_page(v, 2, &g, 3);
	vfio_write64(&v->dev, BAR2, PAGE + 16, 0x0123456789abcdefULL);
	EXPECT_EQ(*(uint64_t *)(g.mem + 16), 0x0123456789abcdefULL);

	/* One write spanning two entries lands in two guest pages. */
	ASSERT_OK(vfio_region_write(&v->dev, BAR2, at, data, sizeof(data)));
	EXPECT_MEMEQ(g.mem + PAGE - 8, data, 8);
	EXPECT_MEMEQ(g.mem + 3 * PAGE, data + 8, sizeof(data) - 8);
}

TEST(entries_without_memory_read_zero_and_drop_writes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	const uint64_t nowhere = 0x7000000000ULL;	/* never mapped */

	/* Not present, and present but pointing at unmapped IOVA. */
	bar0_write64(v, PTE(3), nowhere | IVGPU_PTE_PRESENT);
	EXPECT_APERTURE_PAGE(v, 2, 0);
	EXPECT_APERTURE_PAGE(v, 3, 0);
	vfio_write32(&v->dev, BAR2, 2 * PAGE, 0xffffffff);
	vfio_write32(&v->dev, BAR2, 3 * PAGE + 4, 0xffffffff);
	EXPECT_APERTURE_PAGE(v, 2, 0);
	EXPECT_APERTURE_PAGE(v, 3, 0);

	/* Real memory next to them is unaffected. */
	map_page(v, 4, &g, 1);
	EXPECT_APERTURE_PAGE(v, 4, fill(1));
}

TEST(changing_an_entry_moves_the_window)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);

	map_page(v, 0, &g, 0);
	EXPECT_APERTURE_PAGE(v, 0, fill(0));
	map_page(v, 0, &g, 1);
	EXPECT_APERTURE_PAGE(v, 0, fill(1));
	/* Written as two halves, as a 32-bit guest would. */
	bar0_write32(v, PTE(0), (uint32_t)(g.iova + 2 * PAGE) | 1);
	bar0_write32(v, PTE(0) + 4, (g.iova + 2 * PAGE) >> 32);
	EXPECT_APERTURE_PAGE(v, 0, fill(2));
	unmap_page(v, 0);
	EXPECT_APERTURE_PAGE(v, 0, 0);
}

static void unmap_window(void *arg)
{
	munmap(arg, 16 * PAGE);
}

TEST(mmap_follows_the_ggtt)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	uint8_t *win = vfio_region_mmap(&v->dev, BAR2, 0, 16 * PAGE);

	ASSERT_TRUE(win);
	tap_defer(unmap_window, win);

	EXPECT_EQ(win[0], 0);
	map_page(v, 0, &g, 0);
	map_page(v, 15, &g, 3);
	EXPECT_EQ(win[0], fill(0));
	EXPECT_EQ(win[15 * PAGE + PAGE - 1], fill(3));

	/* A changed entry is seen by the existing mapping. */
	map_page(v, 0, &g, 1);
	EXPECT_EQ(win[100], fill(1));
	win[100] = 0xee;
	EXPECT_EQ(g.mem[PAGE + 100], 0xee);

	unmap_page(v, 0);
	EXPECT_EQ(win[100], 0);
}

TEST(mmap_rejects_private_and_out_of_range)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	const uint64_t size = TYPE_SMALL->low_gm_mib * MIB;
	off_t bar2 = v->dev.regions[BAR2].offset;
	void *p;

	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, v->dev.fd, bar2);
	EXPECT_TRUE(p == MAP_FAILED);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, v->dev.fd,
		 bar2 + size - PAGE);
	EXPECT_TRUE(p == MAP_FAILED);
	/* BAR0 is emulated register by register: no mmap. */
	EXPECT_FALSE(vfio_region_mmap(&v->dev, BAR0, 0, PAGE));
}

TEST(dma_unmap_leaves_a_zero_page)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	struct guest again;

	map_page(v, 0, &g, 0);
	map_page(v, 1, &g, 1);
	EXPECT_APERTURE_PAGE(v, 0, fill(0));
	ASSERT_OK(vfio_dma_free(&v->dev, g.mem));
	EXPECT_APERTURE_PAGE(v, 0, 0);
	EXPECT_APERTURE_PAGE(v, 1, 0);

	/* Pointed at memory that is mapped, the entry works again. */
	again = guest_new(v);
	map_page(v, 0, &again, 2);
	EXPECT_APERTURE_PAGE(v, 0, fill(2));
}

/*
 * 40 entries (more than the driver releases at once): ascending pages,
 * descending ones and ten entries on one page. Their mapped window is
 * zapped wherever they are released, a DMA unmap or a reset, and every pin
 * goes back.
 */
#define MANY 40

static uint8_t *many_entries(struct vgpu *v, uint64_t *iova)
{
	uint8_t *mem = vfio_dma_alloc(&v->dev, MANY * PAGE, iova);
	unsigned int k;

	ASSERT_TRUE(mem);
	for (k = 0; k < MANY; k++)
		memset(mem + k * PAGE, fill(k), PAGE);
	for (k = 0; k < MANY; k++) {
		uint64_t page = k < 20 ? k : k < 30 ? 49 - k : 0;

		bar0_write64(v, PTE(k), (*iova + page * PAGE) | IVGPU_PTE_PRESENT);
	}
	return mem;
}

static void unmap_many_window(void *arg)
{
	munmap(arg, MANY * PAGE);
}

static uint8_t *many_window(struct vgpu *v)
{
	uint8_t *win = vfio_region_mmap(&v->dev, BAR2, 0, MANY * PAGE);
	unsigned int k;

	ASSERT_TRUE(win);
	tap_defer(unmap_many_window, win);
	for (k = 0; k < MANY; k++)
		EXPECT_EQ(win[k * PAGE + 7], fill(k < 20 ? k : k < 30 ? 49 - k : 0));
	return win;
}

/* Pages of the window that still show a guest page. */
static unsigned int lit_pages(const uint8_t *win)
{
	unsigned int k, lit = 0;

	for (k = 0; k < MANY; k++)
		lit += win[k * PAGE + 7] != 0;
	return lit;
}

TEST(unmap_of_many_entries_zaps_every_mapped_page)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint64_t iova;
	uint8_t *mem = many_entries(v, &iova);
	uint8_t *win = many_window(v);

	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), MANY);
	ASSERT_OK(vfio_dma_free(&v->dev, mem));
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	EXPECT_EQ(vgpu_stat(v, "dma_invalidated"), MANY);
	EXPECT_EQ(lit_pages(win), 0);
}

TEST(reset_of_many_entries_zaps_every_mapped_page)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint64_t iova;
	uint8_t *mem = many_entries(v, &iova);
	uint8_t *win = many_window(v);

	ASSERT_OK(vfio_reset(&v->dev));
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	EXPECT_EQ(vgpu_stat(v, "unpins"), MANY);
	EXPECT_EQ(lit_pages(win), 0);
	/* The guest's memory is its own again: it can be unmapped. */
	EXPECT_EQ(vfio_dma_free(&v->dev, mem), 0);
}

TEST(reset_clears_the_aperture)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);

	map_page(v, 0, &g, 0);
	vfio_write32(&v->dev, BAR2, 0, 0x12345678);
	ASSERT_OK(vfio_reset(&v->dev));
	EXPECT_EQ(bar0_read64(v, PTE(0)), 0);
	EXPECT_APERTURE_PAGE(v, 0, 0);
	/* The guest memory itself keeps what was written. */
	EXPECT_EQ(*(uint32_t *)g.mem, 0x12345678);
}

TEST(remove_with_entries_pinned)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	unsigned int k;

	for (k = 0; k < NR_PAGES; k++)
		map_page(v, k, &g, k);
	EXPECT_APERTURE_PAGE(v, 3, fill(3));
	vgpu_remove(v);
	EXPECT_FALSE(mdev_exists(v->uuid));
}

TEST(two_instances_see_their_own_memory)
{
	struct vgpu *a = vgpu_new(TYPE_SMALL);
	struct vgpu *b = vgpu_new(TYPE_SMALL);
	struct guest ga = guest_new(a), gb = guest_new(b);

	map_page(a, 0, &ga, 0);
	map_page(b, 0, &gb, 3);
	EXPECT_APERTURE_PAGE(a, 0, fill(0));
	EXPECT_APERTURE_PAGE(b, 0, fill(3));
	EXPECT_APERTURE_PAGE(b, 1, 0);
}

TEST(pins_follow_the_entries)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	long long pins;

	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	map_page(v, 0, &g, 0);
	map_page(v, 1, &g, 1);
	map_page(v, 2, &g, 2);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 3);
	EXPECT_EQ(vgpu_stat(v, "ggtt_present"), 3);

	/* The same address again keeps its pin. */
	pins = vgpu_stat(v, "pins");
	map_page(v, 1, &g, 1);
	EXPECT_EQ(vgpu_stat(v, "pins"), pins);

	/* A changed entry moves its pin; a cleared one drops it. */
	map_page(v, 2, &g, 3);
	unmap_page(v, 0);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 2);
	EXPECT_EQ(vgpu_stat(v, "ggtt_present"), 2);

	/* Unmapping the memory drops the pins in it before it returns. */
	ASSERT_OK(vfio_dma_free(&v->dev, g.mem));
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	EXPECT_EQ(vgpu_stat(v, "dma_invalidated"), 2);
}

TEST(entries_at_unmapped_iova_count_pin_errors)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	bar0_write64(v, PTE(9), 0x7000000000ULL | IVGPU_PTE_PRESENT);
	EXPECT_APERTURE_PAGE(v, 9, 0);
	EXPECT_GE(vgpu_stat(v, "pin_errors"), 1);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
}

TEST(close_releases_every_pin)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	unsigned int k;

	for (k = 0; k < NR_PAGES; k++)
		map_page(v, k, &g, k);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), NR_PAGES);
	/* The device fd only: the guest memory stays mapped. */
	vfio_close_device(&v->dev);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	vgpu_close(v);

	/* Opening starts from power-on state: an empty GGTT. */
	vgpu_open(v);
	EXPECT_EQ(bar0_read64(v, PTE(0)), 0);
	EXPECT_APERTURE_PAGE(v, 0, 0);
}

TEST(mmaps_of_two_instances_stay_apart)
{
	struct vgpu *a = vgpu_new(TYPE_SMALL);
	struct vgpu *b = vgpu_new(TYPE_SMALL);
	struct guest ga = guest_new(a), gb = guest_new(b);
	uint8_t *wa = vfio_region_mmap(&a->dev, BAR2, 0, 16 * PAGE);
	uint8_t *wb = vfio_region_mmap(&b->dev, BAR2, 0, 16 * PAGE);

	ASSERT_TRUE(wa);
	tap_defer(unmap_window, wa);
	ASSERT_TRUE(wb);
	tap_defer(unmap_window, wb);

	map_page(a, 0, &ga, 0);
	map_page(b, 0, &gb, 3);
	EXPECT_EQ(wa[0], fill(0));
	EXPECT_EQ(wb[0], fill(3));
	/* A change in one (and its zap) leaves the other's view right. */
	map_page(a, 0, &ga, 1);
	EXPECT_EQ(wa[0], fill(1));
	EXPECT_EQ(wb[0], fill(3));
	unmap_page(b, 0);
	EXPECT_EQ(wa[0], fill(1));
	EXPECT_EQ(wb[0], 0);
}

TEST(mapping_outlives_the_fds)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct guest g = guest_new(v);
	uint8_t *win = vfio_region_mmap(&v->dev, BAR2, 0, 16 * PAGE);
	char uuid[MDEV_UUID_LEN];

	ASSERT_TRUE(win);
	map_page(v, 0, &g, 2);
	EXPECT_EQ(win[0], fill(2));

	/* Unmap the memory, close every fd: the mapping holds the device. */
	vgpu_close(v);
	EXPECT_EQ(win[0], 0);
	EXPECT_EQ(win[PAGE], 0);

	/* Removal completes once the mapping is gone too. */
	memcpy(uuid, v->uuid, sizeof(uuid));
	munmap(win, 16 * PAGE);
	vgpu_remove(v);
	EXPECT_FALSE(mdev_exists(uuid));
}
