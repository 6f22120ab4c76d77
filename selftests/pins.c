// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pin accounting of the shadow GTT (docs/architecture.md, "GGTT, shadow GTT
 * and aperture" and "Counters"): a present GGTT entry pins the guest page
 * it names once all 8 bytes of it arrived, keeps the pin while its address
 * stays, and drops it when the entry changes or is cleared, when its memory
 * is unmapped, on reset and on close. An entry without memory shows the
 * scratch page until it is used again with its memory mapped. The debugfs
 * counters must follow all of this exactly.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "ivgpu.h"

#define PAGE		4096UL
#define GIB		(1ULL << 30)

static const uint8_t zero_page[PAGE];

/* ---- counters ---- */

enum counter {
	PINNED,		/* pages_pinned */
	PINS,
	UNPINS,
	PIN_ERRORS,
	SCRATCH_HITS,
	INVALIDATED,	/* dma_invalidated */
	PRESENT,	/* ggtt_present */
	NR_COUNTERS
};

static const char *const counter_name[NR_COUNTERS] = {
	[PINNED] = "pages_pinned",
	[PINS] = "pins",
	[UNPINS] = "unpins",
	[PIN_ERRORS] = "pin_errors",
	[SCRATCH_HITS] = "scratch_hits",
	[INVALIDATED] = "dma_invalidated",
	[PRESENT] = "ggtt_present",
};

static void counters_read(struct vgpu *v, long long c[NR_COUNTERS])
{
	int i;

	for (i = 0; i < NR_COUNTERS; i++)
		c[i] = vgpu_stat(v, counter_name[i]);
}

/*
 * Compare every counter with want; a pinned page is one pin not yet
 * undone, so pins - unpins must be pages_pinned too. False on a mismatch
 * (each one recorded as a failure).
 */
static bool counters_match(const char *file, int line, struct vgpu *v,
			   const long long want[NR_COUNTERS])
{
	long long got[NR_COUNTERS];
	bool ok = true;
	int i;

	counters_read(v, got);
	for (i = 0; i < NR_COUNTERS; i++) {
		if (got[i] == want[i])
			continue;
		tap_fail(false, file, line, "%s is %lld, expected %lld",
			 counter_name[i], got[i], want[i]);
		ok = false;
	}
	if (got[PINS] - got[UNPINS] != got[PINNED]) {
		tap_fail(false, file, line,
			 "pins %lld - unpins %lld != pages_pinned %lld",
			 got[PINS], got[UNPINS], got[PINNED]);
		ok = false;
	}
	return ok;
}

#define EXPECT_COUNTERS(v, want) counters_match(__FILE__, __LINE__, v, want)

/* ---- guest memory at an IOVA of the test's choosing ---- */

struct gmem {
	uint8_t *mem;		/* NULL while not mapped */
	uint64_t iova;
	size_t size;
};

/*
 * An IOVA window [base, base + len) of the container that the library's
 * allocator will not hand out, starting on a 4 GiB boundary (so PTEs into
 * it have address bits above 31). Skips the test if the container has no
 * room for it.
 */
static uint64_t iova_window(struct vgpu *v, uint64_t len)
{
	uint64_t base = (v->dev.iova_next + 4 * GIB - 1) & ~(4 * GIB - 1);

	if (!base)
		base = 4 * GIB;
	if (base > v->dev.iova_end || v->dev.iova_end - base < len ||
	    base + len > IVGPU_PTE_ADDR_MASK + PAGE)
		SKIP("no IOVA window of 0x%" PRIx64 " bytes from 0x%" PRIx64,
		     len, base);
	v->dev.iova_next = base + len;
	return base;
}

/* Map size bytes of fresh memory at iova: VFIO_IOMMU_MAP_DMA. */
static void gmem_map(struct vgpu *v, struct gmem *g, uint64_t iova,
		     size_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.iova = iova,
		.size = size,
	};
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(mem != MAP_FAILED);
	memset(mem, 0x5a, size);	/* populated before it is mapped */
	map.vaddr = (uintptr_t)mem;
	ASSERT_OK(ioctl(v->dev.container, VFIO_IOMMU_MAP_DMA, &map));
	*g = (struct gmem){ mem, iova, size };
}

/* VFIO_IOMMU_UNMAP_DMA of all of it, then free the memory. */
static void gmem_unmap(struct vgpu *v, struct gmem *g)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = g->iova,
		.size = g->size,
	};

	ASSERT_OK(ioctl(v->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap));
	ASSERT_EQ(unmap.size, g->size);
	munmap(g->mem, g->size);
	g->mem = NULL;
}

/* Every page k of g filled with the byte base + k. */
static void gmem_fill(struct gmem *g, uint8_t base)
{
	size_t k;

	for (k = 0; k < g->size / PAGE; k++)
		memset(g->mem + k * PAGE, base + k, PAGE);
}

/* ---- GGTT and aperture ---- */

static void pte_write_halves(struct vgpu *v, uint64_t idx, uint64_t pte,
			     bool low_first)
{
	if (low_first) {
		bar0_write32(v, PTE(idx), (uint32_t)pte);
		bar0_write32(v, PTE(idx) + 4, pte >> 32);
	} else {
		bar0_write32(v, PTE(idx) + 4, pte >> 32);
		bar0_write32(v, PTE(idx), (uint32_t)pte);
	}
}

/* Aperture page idx through the device fd (this may pin, see gtt.c). */
static void aperture_read(struct vgpu *v, uint64_t idx, uint8_t *buf)
{
	ASSERT_OK(vfio_region_read(&v->dev, BAR2, idx * PAGE, buf, PAGE));
}

#define EXPECT_APERTURE(v, idx, want) do {				\
	uint8_t __buf[PAGE];						\
									\
	aperture_read(v, idx, __buf);					\
	EXPECT_MEMEQ(__buf, want, PAGE);				\
} while (0)

/* 64 aperture pages, mmapped; freed when the test ends. */
struct window {
	uint8_t *p;
};

static void window_unmap(struct window *w)
{
	if (w->p)
		munmap(w->p, 64 * PAGE);
	w->p = NULL;
}

static void window_cleanup(void *arg)
{
	window_unmap(arg);
	free(arg);
}

/*
 * mmap 64 aperture pages from entry first. Faults never pin: reading
 * through the mapping shows the shadow as it is, and changes no counter.
 */
static struct window *window_map(struct vgpu *v, uint64_t first)
{
	struct window *w = calloc(1, sizeof(*w));

	ASSERT_TRUE(w);
	tap_defer(window_cleanup, w);
	w->p = vfio_region_mmap(&v->dev, BAR2, first * PAGE, 64 * PAGE);
	ASSERT_TRUE(w->p);
	return w;
}

/* ---- 1: a PTE in two halves ---- */

/*
 * Buffers whose IOVAs differ in bits 45:32 and in bits 31:12, so that a
 * half-written PTE names an unmapped page: a shadow that did not wait for
 * both halves would count a pin error (or pin the wrong page).
 */
TEST(split_pte_halves_pin_once)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint64_t base = iova_window(v, 16 * GIB);
	long long want[NR_COUNTERS];
	struct gmem a, b;
	uint64_t pa, pb;
	uint8_t *win;

	gmem_map(v, &a, base + 0x287654000ULL, 2 * PAGE);
	gmem_map(v, &b, base + 0x312345000ULL, 2 * PAGE);
	gmem_fill(&a, 0xa0);
	gmem_fill(&b, 0xb0);
	win = window_map(v, 0)->p;
	tap_log("buffers at IOVA 0x%" PRIx64 " and 0x%" PRIx64, a.iova,
		b.iova);

	/* Low half first (present bit, address bits 31:12), then high. */
	pa = (a.iova + PAGE) | IVGPU_PTE_PRESENT;
	ASSERT_NE(pa >> 32, 0);
	counters_read(v, want);
	bar0_write32(v, PTE(7), (uint32_t)pa);
	want[PRESENT]++;			/* the GGTT holds it already */
	EXPECT_COUNTERS(v, want);		/* but nothing is pinned yet */
	EXPECT_EQ(bar0_read64(v, PTE(7)), (uint32_t)pa);
	bar0_write32(v, PTE(7) + 4, pa >> 32);
	want[PINS]++;
	want[PINNED]++;
	EXPECT_COUNTERS(v, want);
	EXPECT_EQ(bar0_read64(v, PTE(7)), pa);
	EXPECT_EQ(bar0_read32(v, PTE(7)), (uint32_t)pa);
	EXPECT_EQ(bar0_read32(v, PTE(7) + 4), pa >> 32);
	EXPECT_APERTURE(v, 7, a.mem + PAGE);
	EXPECT_MEMEQ(win + 7 * PAGE, a.mem + PAGE, PAGE);

	/* High half first, then low. */
	pb = b.iova | IVGPU_PTE_PRESENT | 0x2;
	bar0_write32(v, PTE(8) + 4, pb >> 32);
	EXPECT_COUNTERS(v, want);
	EXPECT_EQ(bar0_read64(v, PTE(8)), pb & ~0xffffffffULL);
	bar0_write32(v, PTE(8), (uint32_t)pb);
	want[PINS]++;
	want[PINNED]++;
	want[PRESENT]++;
	EXPECT_COUNTERS(v, want);
	EXPECT_EQ(bar0_read64(v, PTE(8)), pb);
	EXPECT_APERTURE(v, 8, b.mem);
	EXPECT_MEMEQ(win + 8 * PAGE, b.mem, PAGE);

	/*
	 * A pinned entry moved to the other buffer in halves, in both
	 * orders: until the second half the shadow (and so the mapping)
	 * still shows the old page, then the pin moves once.
	 */
	pb = (b.iova + PAGE) | IVGPU_PTE_PRESENT;
	bar0_write32(v, PTE(7) + 4, pb >> 32);
	EXPECT_COUNTERS(v, want);
	EXPECT_MEMEQ(win + 7 * PAGE, a.mem + PAGE, PAGE);
	bar0_write32(v, PTE(7), (uint32_t)pb);
	want[PINS]++;
	want[UNPINS]++;
	EXPECT_COUNTERS(v, want);
	EXPECT_EQ(bar0_read64(v, PTE(7)), pb);
	EXPECT_MEMEQ(win + 7 * PAGE, b.mem + PAGE, PAGE);
	EXPECT_APERTURE(v, 7, b.mem + PAGE);

	pa = a.iova | IVGPU_PTE_PRESENT;
	bar0_write32(v, PTE(8), (uint32_t)pa);
	EXPECT_COUNTERS(v, want);
	EXPECT_MEMEQ(win + 8 * PAGE, b.mem, PAGE);
	bar0_write32(v, PTE(8) + 4, pa >> 32);
	want[PINS]++;
	want[UNPINS]++;
	EXPECT_COUNTERS(v, want);
	EXPECT_EQ(bar0_read64(v, PTE(8)), pa);
	EXPECT_MEMEQ(win + 8 * PAGE, a.mem, PAGE);
	EXPECT_APERTURE(v, 8, a.mem);

	/* Cleared in halves: one unpin, once the entry is whole. */
	bar0_write32(v, PTE(8), 0);
	want[PRESENT]--;
	EXPECT_COUNTERS(v, want);
	bar0_write32(v, PTE(8) + 4, 0);
	want[UNPINS]++;
	want[PINNED]--;
	EXPECT_COUNTERS(v, want);
	EXPECT_APERTURE(v, 8, zero_page);
	want[SCRATCH_HITS]++;
	EXPECT_COUNTERS(v, want);
}

/* ---- 2: the same page again ---- */

TEST(rewriting_the_same_page_keeps_one_pin)
{
	static const uint64_t flags[] = { 0x2, 0x6, 0x400, 0xffe, 0x0 };
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	long long want[NR_COUNTERS];
	uint8_t *mem;
	uint64_t iova, pte;
	unsigned int k;

	mem = vfio_dma_alloc(&v->dev, PAGE, &iova);
	ASSERT_TRUE(mem);
	memset(mem, 0x3c, PAGE);
	pte = iova | IVGPU_PTE_PRESENT;

	counters_read(v, want);
	want[PINS]++;
	want[PINNED]++;
	want[PRESENT]++;
	for (k = 0; k < 5; k++) {
		bar0_write64(v, PTE(3), pte);
		EXPECT_COUNTERS(v, want);
	}
	EXPECT_APERTURE(v, 3, mem);

	/* The same address with other flag bits is the same page. */
	for (k = 0; k < ARRAY_SIZE(flags); k++) {
		bar0_write64(v, PTE(3), pte | flags[k]);
		EXPECT_COUNTERS(v, want);
		EXPECT_EQ(bar0_read64(v, PTE(3)), pte | flags[k]);
	}

	/* And so is the same value written again in halves. */
	pte_write_halves(v, 3, pte | 0x2, true);
	EXPECT_COUNTERS(v, want);
	pte_write_halves(v, 3, pte, false);
	EXPECT_COUNTERS(v, want);
	EXPECT_EQ(bar0_read64(v, PTE(3)), pte);
	EXPECT_APERTURE(v, 3, mem);
	EXPECT_COUNTERS(v, want);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 1);
}

/* ---- 3: random operations against a model ---- */

#define WIN_FIRST	512	/* first GGTT entry of the window */
#define WIN_ENTRIES	64
#define NR_SLOTS	4	/* guest memory buffers, at fixed IOVAs */
#define SLOT_PAGES	4	/* pages of a buffer */
#define SLOT_SPAN	8	/* IOVA pages per slot: the rest never mapped */
#define NR_OPS		4000
#define SWEEP_EVERY	64	/* check every entry this often */
#define HISTORY		12

/* What an entry of the window should be, by the documented rules. */
enum pin_state {
	E_ABSENT,	/* not present */
	E_UNRESOLVED,	/* present, no page: shows scratch */
	E_PINNED,	/* present, its page pinned */
};

static const char *const state_name[] = { "absent", "unresolved", "pinned" };

struct model {
	struct vgpu *v;
	uint64_t seed;
	uint64_t rng;
	uint64_t base;			/* IOVA of slot 0 */
	struct window *w;		/* the window's aperture, mmapped */
	uint8_t *win;			/* w->p */
	uint64_t pte[WIN_ENTRIES];
	enum pin_state st[WIN_ENTRIES];
	struct gmem slot[NR_SLOTS];
	unsigned int gen[NR_SLOTS];	/* times the slot was mapped */
	long long c[NR_COUNTERS];	/* what the counters should read */
	unsigned long op;
	char history[HISTORY][112];
};

static uint64_t rnd(struct model *m)	/* splitmix64 */
{
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rnd_below(struct model *m, unsigned int n)
{
	return rnd(m) % n;
}

static void note(struct model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct model *m, const char *fmt, ...)
{
	char *line = m->history[m->op % HISTORY];
	int n = snprintf(line, sizeof(m->history[0]), "op %lu: ", m->op);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(m->history[0]) - n, fmt, ap);
	va_end(ap);
}

static uint64_t slot_iova(struct model *m, unsigned int s)
{
	return m->base + (uint64_t)s * SLOT_SPAN * PAGE;
}

/* The guest memory behind IOVA addr, or NULL if none is mapped there. */
static const uint8_t *model_mem(struct model *m, uint64_t addr)
{
	uint64_t off = addr - m->base;
	uint64_t s = off / (SLOT_SPAN * PAGE), p = off / PAGE % SLOT_SPAN;

	if (addr < m->base || s >= NR_SLOTS || p >= SLOT_PAGES ||
	    !m->slot[s].mem)
		return NULL;
	return m->slot[s].mem + p * PAGE;
}

/* What aperture page i should show. */
static const uint8_t *model_page(struct model *m, unsigned int i)
{
	if (m->st[i] != E_PINNED)
		return zero_page;
	return model_mem(m, m->pte[i] & IVGPU_PTE_ADDR_MASK);
}

static void model_fail(struct model *m) __attribute__((noreturn));

static void model_fail(struct model *m)
{
	unsigned long k, from = m->op >= HISTORY - 1 ? m->op - HISTORY + 1 : 0;

	tap_log("seed %" PRIu64 ", failed at op %lu; the last operations:",
		m->seed, m->op);
	for (k = from; k <= m->op; k++)
		tap_log("  %s", m->history[k % HISTORY]);
	tap_end_test();
}

#define MODEL_CHECK(m, cond, fmt, ...) do {				\
	if (!(cond)) {							\
		tap_fail(false, __FILE__, __LINE__, fmt, ##__VA_ARGS__); \
		model_fail(m);						\
	}								\
} while (0)

/* Compare entry i (GGTT value, and the aperture through the mmap). */
static bool model_entry_ok(struct model *m, unsigned int i)
{
	uint64_t got = bar0_read64(m->v, PTE(WIN_FIRST + i));
	const uint8_t *want = model_page(m, i);

	if (got != m->pte[i]) {
		tap_fail(false, __FILE__, __LINE__,
			 "entry %u reads 0x%" PRIx64 ", expected 0x%" PRIx64,
			 WIN_FIRST + i, got, m->pte[i]);
		return false;
	}
	MODEL_CHECK(m, want, "model: entry %u pinned without memory", i);
	if (memcmp(m->win + i * PAGE, want, PAGE)) {
		tap_fail(false, __FILE__, __LINE__,
			 "aperture page %u (entry 0x%" PRIx64 ", %s) maps other bytes: 0x%08x, expected 0x%08x",
			 WIN_FIRST + i, m->pte[i], state_name[m->st[i]],
			 *(uint32_t *)(m->win + i * PAGE),
			 *(const uint32_t *)want);
		return false;
	}
	return true;
}

/* Check the counters, and entry i (-1: every entry). */
static void model_check(struct model *m, int i)
{
	bool ok;
	int k;

	m->c[PINNED] = m->c[PRESENT] = 0;
	for (k = 0; k < WIN_ENTRIES; k++) {
		m->c[PINNED] += m->st[k] == E_PINNED;
		m->c[PRESENT] += !!(m->pte[k] & IVGPU_PTE_PRESENT);
	}
	ok = counters_match(__FILE__, __LINE__, m->v, m->c);
	if (i >= 0) {
		ok &= model_entry_ok(m, i);
	} else {
		for (k = 0; k < WIN_ENTRIES && ok; k++)
			ok &= model_entry_ok(m, k);
	}
	if (!ok)
		model_fail(m);
}

static void slot_map(struct model *m, unsigned int s)
{
	struct gmem *g = &m->slot[s];
	uint32_t *w;
	size_t k;

	gmem_map(m->v, g, slot_iova(m, s), SLOT_PAGES * PAGE);
	m->gen[s]++;
	/* Every word tells slot, generation, page and offset apart. */
	w = (uint32_t *)g->mem;
	for (k = 0; k < SLOT_PAGES * PAGE / 4; k++)
		w[k] = 0x80000000u | s << 26 | (m->gen[s] & 0x3ff) << 16 | k;
}

/* A page-aligned IOVA: mapped = true asks for one with memory if any. */
static uint64_t pick_addr(struct model *m, bool mapped)
{
	unsigned int s = rnd_below(m, NR_SLOTS), t, p;

	if (mapped) {
		for (t = 0; t < NR_SLOTS; t++, s = (s + 1) % NR_SLOTS)
			if (m->slot[s].mem)
				return slot_iova(m, s) +
				       rnd_below(m, SLOT_PAGES) * PAGE;
		/* Nothing mapped: any page will do. */
	}
	/* A page of the never mapped gap, or of an unmapped slot. */
	p = rnd_below(m, SLOT_SPAN);
	if (m->slot[s].mem)
		p = SLOT_PAGES + p % (SLOT_SPAN - SLOT_PAGES);
	return slot_iova(m, s) + p * PAGE;
}

/* The entry changes from its old value to val (all 8 bytes arrived). */
static void model_write(struct model *m, unsigned int i, uint64_t val)
{
	uint64_t old = m->pte[i], addr = val & IVGPU_PTE_ADDR_MASK;

	m->pte[i] = val;
	if (!(val & IVGPU_PTE_PRESENT)) {
		if (m->st[i] == E_PINNED)
			m->c[UNPINS]++;
		m->st[i] = E_ABSENT;
		return;
	}
	if (m->st[i] == E_PINNED && addr == (old & IVGPU_PTE_ADDR_MASK))
		return;			/* same page: the pin stays */
	if (m->st[i] == E_PINNED)
		m->c[UNPINS]++;
	if (model_mem(m, addr)) {
		m->st[i] = E_PINNED;
		m->c[PINS]++;
	} else {
		m->st[i] = E_UNRESOLVED;
		m->c[PIN_ERRORS]++;
	}
}

/* Entry i is used from the device fd: an unresolved entry pins again. */
static void model_use(struct model *m, unsigned int i)
{
	if (m->st[i] == E_UNRESOLVED) {
		if (model_mem(m, m->pte[i] & IVGPU_PTE_ADDR_MASK)) {
			m->st[i] = E_PINNED;
			m->c[PINS]++;
			return;
		}
		m->c[PIN_ERRORS]++;
	}
	if (m->st[i] != E_PINNED)
		m->c[SCRATCH_HITS]++;
}

static void op_write_pte(struct model *m, unsigned int i)
{
	static const char *const how_name[] = { "", " low half first",
						" high half first" };
	uint64_t old = m->pte[i], val, flags = rnd(m) & 0xffe;
	unsigned int kind = rnd_below(m, 100), how = rnd_below(m, 5);

	if (kind < 40)			/* present, to mapped memory */
		val = pick_addr(m, true) | flags | IVGPU_PTE_PRESENT;
	else if (kind < 60)		/* present, to an unmapped IOVA */
		val = pick_addr(m, false) | flags | IVGPU_PTE_PRESENT;
	else if (kind < 75)		/* not present, maybe an address */
		val = kind & 1 ? 0 : pick_addr(m, true) | flags;
	else if (kind < 90)		/* the same value again */
		val = old;
	else				/* the same address, other flags */
		val = (old & ~0xffeULL) | flags;
	how = how < 3 ? 0 : how - 2;	/* 8 bytes, or halves either way */

	note(m, "entry %u: 0x%" PRIx64 " -> 0x%" PRIx64 "%s (was %s)",
	     WIN_FIRST + i, old, val, how_name[how], state_name[m->st[i]]);
	if (!how)
		bar0_write64(m->v, PTE(WIN_FIRST + i), val);
	else
		pte_write_halves(m->v, WIN_FIRST + i, val, how == 1);
	model_write(m, i, val);
	model_check(m, i);
}

static void op_read_aperture(struct model *m, unsigned int i)
{
	uint8_t buf[PAGE];

	note(m, "read aperture page %u (entry 0x%" PRIx64 ", %s)",
	     WIN_FIRST + i, m->pte[i], state_name[m->st[i]]);
	aperture_read(m->v, WIN_FIRST + i, buf);
	model_use(m, i);
	MODEL_CHECK(m, !memcmp(buf, model_page(m, i), PAGE),
		    "aperture page %u reads 0x%08x, expected 0x%08x (%s)",
		    WIN_FIRST + i, *(uint32_t *)buf,
		    *(const uint32_t *)model_page(m, i), state_name[m->st[i]]);
	model_check(m, i);
}

static void op_write_aperture(struct model *m, unsigned int i)
{
	uint64_t off = rnd_below(m, PAGE / 8) * 8, val = rnd(m);
	const uint8_t *mem;

	note(m, "write aperture page %u +0x%" PRIx64 " (entry 0x%" PRIx64 ", %s)",
	     WIN_FIRST + i, off, m->pte[i], state_name[m->st[i]]);
	ASSERT_OK(vfio_region_write(&m->v->dev, BAR2,
				    (WIN_FIRST + i) * PAGE + off, &val, 8));
	model_use(m, i);
	/* It lands in guest memory if the entry has a page, else nowhere. */
	mem = model_page(m, i);
	if (m->st[i] == E_PINNED)
		MODEL_CHECK(m, !memcmp(mem + off, &val, 8),
			    "aperture write did not reach guest memory");
	model_check(m, i);
}

static void op_unmap(struct model *m, unsigned int s)
{
	uint64_t lo = slot_iova(m, s), hi = lo + SLOT_PAGES * PAGE;
	unsigned int i;

	note(m, "unmap slot %u (IOVA 0x%" PRIx64 ")", s, lo);
	gmem_unmap(m->v, &m->slot[s]);
	for (i = 0; i < WIN_ENTRIES; i++) {
		uint64_t addr = m->pte[i] & IVGPU_PTE_ADDR_MASK;

		if (m->st[i] != E_PINNED || addr < lo || addr >= hi)
			continue;
		m->st[i] = E_UNRESOLVED;
		m->c[UNPINS]++;
		m->c[INVALIDATED]++;
	}
	model_check(m, -1);
}

static void op_map(struct model *m, unsigned int s)
{
	note(m, "map slot %u (IOVA 0x%" PRIx64 ", generation %u)", s,
	     slot_iova(m, s), m->gen[s] + 1);
	slot_map(m, s);
	/* Nothing pins until an entry is used. */
	model_check(m, -1);
}

static void op_reset(struct model *m)
{
	unsigned int i;

	note(m, "VFIO_DEVICE_RESET");
	ASSERT_OK(vfio_reset(&m->v->dev));
	for (i = 0; i < WIN_ENTRIES; i++) {
		if (m->st[i] == E_PINNED)
			m->c[UNPINS]++;
		m->st[i] = E_ABSENT;
		m->pte[i] = 0;
	}
	model_check(m, -1);
}

/* A slot that is (mapped) or is not (!mapped) mapped, or -1. */
static int pick_slot(struct model *m, bool mapped)
{
	unsigned int s = rnd_below(m, NR_SLOTS), t;

	for (t = 0; t < NR_SLOTS; t++, s = (s + 1) % NR_SLOTS)
		if (!!m->slot[s].mem == mapped)
			return s;
	return -1;
}

static void model_step(struct model *m)
{
	unsigned int r = rnd_below(m, 1000), i = rnd_below(m, WIN_ENTRIES);
	int s;

	if (r < 550) {
		op_write_pte(m, i);
	} else if (r < 750) {
		op_read_aperture(m, i);
	} else if (r < 820) {
		op_write_aperture(m, i);
	} else if (r < 995) {
		/* Unmap or map a slot, keeping about half of them mapped. */
		s = pick_slot(m, r < 910);
		if (s < 0)
			s = pick_slot(m, r >= 910);
		if (m->slot[s].mem)
			op_unmap(m, s);
		else
			op_map(m, s);
	} else {
		op_reset(m);
	}
}

TEST(randomized_pin_accounting_is_exact)
{
	struct model *m = calloc(1, sizeof(*m));
	const char *env = getenv("IVGPU_SEED");
	long long got;
	unsigned int i, s;

	ASSERT_TRUE(m);
	m->seed = env && *env ? strtoull(env, NULL, 0) : 1;
	m->rng = m->seed;
	tap_log("seed %" PRIu64, m->seed);

	m->v = vgpu_new(TYPE_SMALL);
	m->base = iova_window(m->v, 4 * GIB);
	m->w = window_map(m->v, WIN_FIRST);
	m->win = m->w->p;
	counters_read(m->v, m->c);
	for (s = 0; s < NR_SLOTS; s++)
		if (s % 2 == 0)
			slot_map(m, s);
	note(m, "start");
	model_check(m, -1);

	for (m->op = 1; m->op <= NR_OPS; m->op++) {
		model_step(m);
		if (m->op % SWEEP_EVERY == 0)
			model_check(m, -1);
	}

	/* Use every entry from the device fd: what is mapped pins again. */
	for (i = 0; i < WIN_ENTRIES; i++, m->op++)
		op_read_aperture(m, i);
	model_check(m, -1);
	tap_log("%lld pins, %lld pin errors, %lld invalidated, %lld pinned at the end",
		m->c[PINS], m->c[PIN_ERRORS], m->c[INVALIDATED],
		m->c[PINNED]);

	/* Close releases every pin (the guest memory stays mapped). */
	window_unmap(m->w);
	vfio_close_device(&m->v->dev);
	EXPECT_EQ(vgpu_stat(m->v, "pages_pinned"), 0);
	got = vgpu_stat(m->v, "unpins");
	EXPECT_EQ(got, m->c[UNPINS] + m->c[PINNED]);
	EXPECT_EQ(vgpu_stat(m->v, "pins"), m->c[PINS]);
	EXPECT_EQ(vgpu_stat(m->v, "pins") - got, 0);
	EXPECT_EQ(vgpu_stat(m->v, "ggtt_present"), 0);
	free(m);
}

/* ---- 4: unmapping one of several buffers ---- */

TEST(unmap_of_a_partial_range)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	long long want[NR_COUNTERS];
	uint8_t *below, *mid, *above, *win, buf[PAGE];
	uint64_t ib, im, ia;
	unsigned int k;

	/* Three buffers back to back: the middle one is unmapped. */
	below = vfio_dma_alloc(&v->dev, 4 * PAGE, &ib);
	mid = vfio_dma_alloc(&v->dev, 4 * PAGE, &im);
	above = vfio_dma_alloc(&v->dev, 4 * PAGE, &ia);
	ASSERT_TRUE(below && mid && above);
	ASSERT_EQ(im, ib + 4 * PAGE);
	ASSERT_EQ(ia, im + 4 * PAGE);
	for (k = 0; k < 4; k++) {
		memset(below + k * PAGE, 0x10 + k, PAGE);
		memset(mid + k * PAGE, 0x20 + k, PAGE);
		memset(above + k * PAGE, 0x30 + k, PAGE);
	}
	win = window_map(v, 0)->p;

	/*
	 * Entries 0-3: the middle buffer's pages (3, 2, 1, 0); entry 4: the
	 * last page below it, entry 5: the first page above it; entries 6
	 * and 7: the middle buffer's first and last page again.
	 */
	counters_read(v, want);
	for (k = 0; k < 4; k++)
		bar0_write64(v, PTE(k), (im + (3 - k) * PAGE) | 1);
	bar0_write64(v, PTE(4), (ib + 3 * PAGE) | 1);
	bar0_write64(v, PTE(5), ia | 1);
	bar0_write64(v, PTE(6), im | 1);
	bar0_write64(v, PTE(7), (im + 3 * PAGE) | 1);
	want[PINS] += 8;
	want[PINNED] += 8;
	want[PRESENT] += 8;
	EXPECT_COUNTERS(v, want);
	EXPECT_MEMEQ(win + 0 * PAGE, mid + 3 * PAGE, PAGE);
	EXPECT_MEMEQ(win + 6 * PAGE, mid, PAGE);

	ASSERT_OK(vfio_dma_free(&v->dev, mid));
	want[UNPINS] += 6;
	want[PINNED] -= 6;
	want[INVALIDATED] += 6;
	EXPECT_COUNTERS(v, want);

	/* Through the mapping (which never pins) ... */
	for (k = 0; k < 8; k++) {
		const uint8_t *page = zero_page;

		if (k == 4)
			page = below + 3 * PAGE;
		else if (k == 5)
			page = above;
		EXPECT_MEMEQ(win + k * PAGE, page, PAGE);
	}
	/* ... and through the fd, where each unbacked entry retries. */
	for (k = 0; k < 8; k++) {
		aperture_read(v, k, buf);
		if (k == 4) {
			EXPECT_MEMEQ(buf, below + 3 * PAGE, PAGE);
		} else if (k == 5) {
			EXPECT_MEMEQ(buf, above, PAGE);
		} else {
			EXPECT_MEMEQ(buf, zero_page, PAGE);
			want[PIN_ERRORS]++;
			want[SCRATCH_HITS]++;
		}
	}
	EXPECT_COUNTERS(v, want);
	/* The entries themselves are unchanged and still present. */
	EXPECT_EQ(bar0_read64(v, PTE(0)), (im + 3 * PAGE) | 1);
	EXPECT_EQ(bar0_read64(v, PTE(6)), im | 1);

	/* The neighbours are only dropped with their own memory. */
	ASSERT_OK(vfio_dma_free(&v->dev, above));
	want[UNPINS]++;
	want[PINNED]--;
	want[INVALIDATED]++;
	EXPECT_COUNTERS(v, want);
	EXPECT_MEMEQ(win + 5 * PAGE, zero_page, PAGE);
	EXPECT_MEMEQ(win + 4 * PAGE, below + 3 * PAGE, PAGE);
}

/*
 * Hundreds of entries on one page (a guest's scratch page) and one entry on
 * each neighbour: unmapping the shared page unpins every entry on it and no
 * other, and the entries pin again once the page is mapped again.
 */
TEST(unmap_of_a_page_many_entries_share)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint64_t iova = iova_window(v, 3 * PAGE);
	long long want[NR_COUNTERS];
	uint8_t buf[PAGE], *win;
	struct gmem g[3];
	unsigned int k;

	for (k = 0; k < 3; k++) {
		gmem_map(v, &g[k], iova + k * PAGE, PAGE);
		memset(g[k].mem, 0x41 + k, PAGE);
	}
	win = window_map(v, 0)->p;

	/* Entry 0 on page 0, entry 63 on page 2, the other 300 on page 1. */
	counters_read(v, want);
	bar0_write64(v, PTE(0), iova | 1);
	bar0_write64(v, PTE(63), (iova + 2 * PAGE) | 1);
	for (k = 1; k <= 301; k++)
		if (k != 63)
			bar0_write64(v, PTE(k), (iova + PAGE) | 1);
	want[PINS] += 302;
	want[PINNED] += 302;
	want[PRESENT] += 302;
	EXPECT_COUNTERS(v, want);

	gmem_unmap(v, &g[1]);
	want[UNPINS] += 300;
	want[PINNED] -= 300;
	want[INVALIDATED] += 300;
	EXPECT_COUNTERS(v, want);
	EXPECT_MEMEQ(win, g[0].mem, PAGE);
	EXPECT_MEMEQ(win + 40 * PAGE, zero_page, PAGE);
	EXPECT_MEMEQ(win + 63 * PAGE, g[2].mem, PAGE);

	/* Mapped again, an entry on it pins on its next use. */
	gmem_map(v, &g[1], iova + PAGE, PAGE);
	aperture_read(v, 40, buf);
	EXPECT_MEMEQ(buf, g[1].mem, PAGE);
	want[PINS]++;
	want[PINNED]++;
	EXPECT_COUNTERS(v, want);
	EXPECT_MEMEQ(win + 40 * PAGE, g[1].mem, PAGE);
	for (k = 0; k < 3; k++)
		gmem_unmap(v, &g[k]);
}

/* ---- 5: a part-written entry when the pins go away ---- */

/* VmLck of this process in kB: VFIO accounts pinned pages there. */
static long vm_locked_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	ASSERT_TRUE(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * Entry 0 pinned on page 0 of a fresh buffer, then only the low half of a
 * PTE for page 1 written: the pin that must go is page 0's.
 */
static struct gmem half_written_entry(struct vgpu *v, long locked_before)
{
	struct gmem g;

	gmem_map(v, &g, iova_window(v, 2 * PAGE), 2 * PAGE);
	bar0_write64(v, PTE(0), g.iova | IVGPU_PTE_PRESENT);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 1);
	EXPECT_EQ(vm_locked_kb(), locked_before + 4);
	bar0_write32(v, PTE(0), (uint32_t)(g.iova + PAGE) | IVGPU_PTE_PRESENT);
	return g;
}

TEST(reset_with_a_half_written_entry_unpins_the_pinned_page)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	long locked = vm_locked_kb();
	struct gmem g = half_written_entry(v, locked);

	ASSERT_OK(vfio_reset(&v->dev));
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	EXPECT_EQ(vgpu_stat(v, "unpins"), 1);
	EXPECT_EQ(vm_locked_kb(), locked);
	gmem_unmap(v, &g);	/* with a leaked pin, the IOMMU driver BUGs */
	EXPECT_EQ(vm_locked_kb(), locked);
}

TEST(unmap_under_a_half_written_entry_unpins_the_pinned_page)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	long locked = vm_locked_kb();
	struct gmem g = half_written_entry(v, locked);
	uint64_t iova = g.iova;

	gmem_unmap(v, &g);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	EXPECT_EQ(vgpu_stat(v, "dma_invalidated"), 1);
	EXPECT_EQ(vm_locked_kb(), locked);
	/* The second half completes a PTE into memory that is gone. */
	bar0_write32(v, PTE(0) + 4, (iova + PAGE) >> 32);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
	EXPECT_EQ(vgpu_stat(v, "pin_errors"), 1);
	EXPECT_EQ(bar0_read64(v, PTE(0)), (iova + PAGE) | IVGPU_PTE_PRESENT);
}

TEST(close_with_a_half_written_entry_unpins_the_pinned_page)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	long locked = vm_locked_kb();
	struct gmem g = half_written_entry(v, locked);

	vfio_close_device(&v->dev);
	EXPECT_EQ(vm_locked_kb(), locked);
	gmem_unmap(v, &g);
	EXPECT_EQ(vm_locked_kb(), locked);
}
