// SPDX-License-Identifier: GPL-2.0-only
/*
 * devfuzz: what the guest does. GGTT entries at mapped, unmapped and
 * garbage addresses, written whole, in halves or in bytes and read back;
 * plane and cursor registers; the AUX channel; guest memory DMA-mapped
 * and unmapped under whatever uses it.
 */
#define _GNU_SOURCE
#include "devfuzz.h"

/* ---- GGTT entries ---- */

/* A guest page the slot has mapped, or 0. */
static uint64_t mapped_page(struct fz_slot *s)
{
	struct fz_buf *b;

	if (!s->nr_bufs)
		return 0;
	b = &s->bufs[below(s->nr_bufs)];
	return b->iova + below(b->len / PAGE) * PAGE;
}

static uint64_t pick_pte(struct fz_slot *s)
{
	uint64_t page = mapped_page(s);

	switch (below(10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (page)
			return page | IVGPU_PTE_PRESENT;
		/* fall through */
	case 4:	/* garbage in the bits around the address */
		return (page ? page : s->v->dev.iova_next + below(1 << 20) * PAGE) |
		       IVGPU_PTE_PRESENT | (rnd() & ~IVGPU_PTE_ADDR_MASK);
	case 5:	/* unmapped */
		return ((s->v->dev.iova_next + below(1ULL << 30)) &
			IVGPU_PTE_ADDR_MASK) | IVGPU_PTE_PRESENT;
	case 6:
		return rnd();
	case 7:
		return page;	/* not present */
	default:
		return 0;
	}
}

static uint64_t pick_entry(struct fz_slot *s)
{
	uint64_t n = slot_entries(s);

	switch (below(10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return below(64);
	case 4:
		return below(n);
	case 5:
		return n - 1 - below(4);
	case 6:
		return n + below(4096);
	case 7:
		return below(IVGPU_GGTT_SIZE / 8);
	default:
		return 16 + below(1024);	/* where planes go */
	}
}

void op_pte(void)
{
	struct fz_slot *s = any_slot();
	uint64_t idx = pick_entry(s), pte = pick_pte(s), got;
	unsigned int how = below(10), i;
	bool whole = true;

	note("PTE %" PRIu64 " of %" PRIu64 " := 0x%" PRIx64 " (%s)", idx,
	     slot_entries(s), pte, how < 7 ? "8 bytes" : how < 9 ? "halves" :
	     "bytes");
	if (how < 7) {
		bar0_write64(s->v, PTE(idx), pte);
	} else if (how < 9) {
		bool hi_first = chance(50);

		bar0_write32(s->v, PTE(idx) + (hi_first ? 4 : 0),
			     hi_first ? pte >> 32 : (uint32_t)pte);
		if (chance(90))
			bar0_write32(s->v, PTE(idx) + (hi_first ? 0 : 4),
				     hi_first ? (uint32_t)pte : pte >> 32);
		else
			whole = false;
	} else {
		unsigned int order[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };

		for (i = 7; i > 0; i--) {
			unsigned int j = below(i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < 8; i++) {
			if (i == 7 && chance(20)) {
				whole = false;
				break;
			}
			bar0_write8(s->v, PTE(idx) + order[i], pte >> (8 * order[i]));
		}
	}
	if (!whole)
		return;
	got = bar0_read64(s->v, PTE(idx));
	if (idx < slot_entries(s))
		CHECK(got == pte, "entry %" PRIu64 " reads 0x%" PRIx64 ", written 0x%" PRIx64,
		      idx, got, pte);
	else
		CHECK(got == 0, "entry %" PRIu64 " past the slice reads 0x%" PRIx64,
		      idx, got);
}

/* ---- plane, cursor and AUX registers ---- */

void op_plane(void)
{
	struct fz_slot *s = any_slot();
	int pipe = chance(80) ? 0 : below(3);
	uint32_t maxx, maxy, w, h, fmt, tiling, stride, ctl, surf, cpp;

	gfx_max_res(s->t, &maxx, &maxy);
	fmt = chance(85) ? PICK(4u, 4u, 2u, 14u) : below(16);
	tiling = chance(85) ? PICK(0u, 0u, 1u) : below(8);
	w = PICK(64u, 1 + (uint32_t)below(maxx), maxx, maxx + 1 + (uint32_t)below(8),
		 1 + (uint32_t)below(8192));
	h = PICK(64u, 1 + (uint32_t)below(maxy), maxy, maxy + 1 + (uint32_t)below(8),
		 1 + (uint32_t)below(8192));
	if (chance(40)) {	/* small, so that surfaces fit */
		w = 1 + below(256);
		h = 1 + below(256);
	}
	cpp = fmt == 14 ? 2 : 4;
	stride = tiling == 1 ? (w * cpp + 511) / 512 : (w * cpp + 63) / 64;
	if (chance(20))
		stride = below(2048);
	ctl = GFX_CTL_ENABLE | fmt << 24 | tiling << 10 |
	      (chance(20) ? 1u << 20 : 0) | (chance(20) ? (uint32_t)below(4) << 4 : 0);
	if (chance(10))
		ctl = rnd();
	if (chance(5))
		ctl = 0;
	surf = PICK((uint32_t)(16 * PAGE), (uint32_t)(below(slot_entries(s)) * PAGE),
		    (uint32_t)(slot_gm(s) - (1 + below(4)) * PAGE), (uint32_t)rnd(),
		    (uint32_t)(16 * PAGE));
	note("plane pipe %d ctl 0x%x %ux%u stride %u surf 0x%x", pipe, ctl, w, h,
	     stride, surf);
	bar0_write32(s->v, GFX_PIPESRC(pipe), (w - 1) << 16 | (h - 1));
	bar0_write32(s->v, GFX_PLANE_STRIDE(pipe), stride);
	bar0_write32(s->v, GFX_PLANE_SIZE(pipe), ((h - 1) & 0xffff) << 16 |
						  ((w - 1) & 0xffff));
	bar0_write32(s->v, GFX_PLANE_OFFSET(pipe), chance(70) ? 0 :
		     chance(50) ? (uint32_t)(below(16) << 16 | below(64)) :
		     (uint32_t)rnd());
	bar0_write32(s->v, GFX_PLANE_CTL(pipe), ctl);
	bar0_write32(s->v, GFX_PLANE_SURF(pipe), surf);
	bar0_write32(s->v, TRANSCONF(pipe), chance(85) ? TRANSCONF_ENABLE : 0);
}

void op_cursor(void)
{
	struct fz_slot *s = any_slot();
	int pipe = chance(80) ? 0 : below(3);
	uint32_t cntr = chance(80) ? PICK(0u, 0x27u, 0x22u, 0x23u) : (uint32_t)rnd();
	uint32_t base = PICK((uint32_t)(32 * PAGE),
			     (uint32_t)(below(slot_entries(s)) * PAGE),
			     (uint32_t)(slot_gm(s) - PAGE), (uint32_t)rnd());

	note("cursor pipe %d cntr 0x%x base 0x%x", pipe, cntr, base);
	bar0_write32(s->v, GFX_CURCNTR(pipe), cntr);
	bar0_write32(s->v, GFX_CURBASE(pipe), base);
	bar0_write32(s->v, GFX_CURPOS(pipe), rnd());
	if (chance(30))
		pv_write32(s->v, IVGPU_PV_CURSOR_X_HOT + 4 * below(2), rnd());
}

/* The guest's AUX channel (port D): any message size and content. */
#define AUX_CTL			0x64310
#define AUX_DATA(i)		(0x64314 + 4 * (i))
#define  AUX_SEND_BUSY		(1u << 31)
#define  AUX_DONE		(1u << 30)
#define  AUX_INTERRUPT		(1u << 29)
#define  AUX_TIME_OUT		(1u << 28)
#define  AUX_SIZE(x)		(((x) >> 20) & 0x1f)

void op_aux(void)
{
	struct fz_slot *s = any_slot();
	uint32_t cmd = PICK(0x9u, 0x8u, 0x1u, 0x0u, 0x5u, 0x4u, (uint32_t)below(16));
	uint32_t addr = chance(50) ? (uint32_t)below(1 << 20) : PICK(0x50u, 0x30u, 0x200u);
	uint32_t size = chance(80) ? 3 + below(18) : below(32), ctl, got, i;
	bool up = edid_read32(s, EDID_LINK) == LINK_UP;

	bar0_write32(s->v, AUX_DATA(0), cmd << 28 | addr << 8 | (uint32_t)below(256));
	for (i = 1; i < 5; i++)
		bar0_write32(s->v, AUX_DATA(i), rnd());
	ctl = AUX_SEND_BUSY | size << 20 | (chance(30) ? AUX_INTERRUPT : 0);
	note("AUX cmd 0x%x addr 0x%x size %u (link %s)", cmd, addr, size,
	     up ? "up" : "down");
	bar0_write32(s->v, AUX_CTL, ctl);
	got = bar0_read32(s->v, AUX_CTL);
	CHECK((got & AUX_DONE) && !(got & AUX_SEND_BUSY) && AUX_SIZE(got) <= 20,
	      "AUX_CTL reads 0x%x", got);
	CHECK(!!(got & AUX_TIME_OUT) == (size < 3 || !up), "AUX_CTL reads 0x%x", got);
}

/* ---- guest memory ---- */

void op_dma_map(void)
{
	struct fz_slot *s = any_slot();
	struct fz_buf *b;
	size_t len = PAGE * (1 + below(16));

	if (s->nr_bufs == MAX_BUFS)
		return;
	b = &s->bufs[s->nr_bufs];
	b->mem = vfio_dma_alloc(&s->v->dev, len, &b->iova);
	note("DMA map %zu bytes at 0x%" PRIx64, len, b->iova);
	CHECK(b->mem, "vfio_dma_alloc: %s", strerror(errno));
	if (!b->mem)
		return;
	b->len = len;
	memset(b->mem, (int)below(256), len);
	s->nr_bufs++;
}

void op_dma_unmap_slot(struct fz_slot *s, unsigned int i)
{
	long long pinned;
	int r;

	pinned = vgpu_stat(s->v, "pages_pinned");
	if ((unsigned long)pinned > F.max_pinned)
		F.max_pinned = pinned;
	note("DMA unmap %zu bytes at 0x%" PRIx64 " (%lld pinned)", s->bufs[i].len,
	     s->bufs[i].iova, pinned);
	r = vfio_dma_free(&s->v->dev, s->bufs[i].mem);
	CHECK(r == 0, "vfio_dma_free: %s", strerror(-r));
	s->bufs[i] = s->bufs[--s->nr_bufs];
	/* Whatever showed that memory still reads. */
	if (F.nr_dmabufs && F.dmabufs[0].p)
		touch(F.dmabufs[0].p, F.dmabufs[0].len, F.dmabufs[0].prot, 2,
		      "dma-buf after unmap");
}

void op_dma_unmap(void)
{
	struct fz_slot *s = any_slot();

	if (s->nr_bufs)
		op_dma_unmap_slot(s, below(s->nr_bufs));
}
