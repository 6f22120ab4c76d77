// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checks shared by the fuzz targets (see fuzz.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "fuzz.h"
#include "env.h"
#include "core.h"
#include "fbdec.h"
#include "monitor.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

void fuzz_fail(const char *file, int line, const char *cond,
	       const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FUZZ CHECK FAILED: %s:%d: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fuzz_trace(const char *fmt, ...)
{
	static int on = -1;
	va_list ap;

	if (on < 0)
		on = getenv("FUZZ_TRACE") != NULL;
	if (!on)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

struct ivgpu_core *fuzz_core_new(u32 type, u32 vgt_id)
{
	struct ivgpu_core *c = calloc(1, sizeof(*c));
	int ret;

	FUZZ_CHECK(c != NULL, "calloc");
	ret = ivgpu_core_init(c, &ivgpu_types[type % IVGPU_NUM_TYPES], vgt_id);
	if (ret) {
		FUZZ_CHECK(ret == -ENOMEM && unit_alloc_fail_after == 0,
			   "init returned %d", ret);
		free(c);
		return NULL;
	}
	fuzz_core_check(c);
	return c;
}

void fuzz_core_free(struct ivgpu_core *c)
{
	ivgpu_core_fini(c);
	free(c);
}

/*
 * The interrupt blocks and the master bit each one sets, from regs.h and
 * the Gen8+ layout, written out here rather than taken from interrupt.c.
 */
static const struct {
	u32 isr, master_bit;
} blocks[] = {
	{ GEN8_GT_ISR(0), 0x3 }, { GEN8_GT_ISR(1), 0xc },
	{ GEN8_GT_ISR(2), 0x10 }, { GEN8_GT_ISR(3), 0x40 },
	{ GEN8_DE_PIPE_ISR(0), GEN8_DE_PIPE_IRQ(0) },
	{ GEN8_DE_PIPE_ISR(1), GEN8_DE_PIPE_IRQ(1) },
	{ GEN8_DE_PIPE_ISR(2), GEN8_DE_PIPE_IRQ(2) },
	{ GEN8_DE_PORT_ISR, GEN8_DE_PORT_IRQ },
	{ GEN8_DE_MISC_ISR, GEN8_DE_MISC_IRQ },
	{ SDEISR, GEN8_DE_PCH_IRQ },
};

u32 fuzz_intr_pending(const struct ivgpu_core *c)
{
	u32 bits = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(blocks); i++)
		if (ivgpu_reg_get(c, blocks[i].isr + IRQ_IIR) &
		    ivgpu_reg_get(c, blocks[i].isr + IRQ_IER))
			bits |= blocks[i].master_bit;
	return bits;
}

void fuzz_core_check(struct ivgpu_core *c)
{
	const struct ivgpu_type *t = c->type;
	const struct ivgpu_monitor *m = &c->monitor;
	bool line = (ivgpu_reg_get(c, GEN8_MASTER_IRQ) & GEN8_MASTER_IRQ_CONTROL) &&
		    fuzz_intr_pending(c);
	u32 pm, bar;

	FUZZ_CHECK(c->ggtt_entries == ivgpu_type_gm_size(t) / 4096,
		   "%llu entries", (unsigned long long)c->ggtt_entries);
	FUZZ_CHECK(c->ggtt_present <= c->ggtt_entries, "%llu present of %llu",
		   (unsigned long long)c->ggtt_present,
		   (unsigned long long)c->ggtt_entries);
	FUZZ_CHECK(c->intr_asserted == line,
		   "line %d, registers say %d (master %#x, pending %#x)",
		   c->intr_asserted, line, ivgpu_reg_get(c, GEN8_MASTER_IRQ),
		   fuzz_intr_pending(c));
	FUZZ_CHECK(!(c->flips_pending & ~((1u << IVGPU_PIPES) - 1)),
		   "flips_pending %#x", c->flips_pending);

	FUZZ_CHECK(m->link_state == IVGPU_LINK_UP ||
		   m->link_state == IVGPU_LINK_DOWN, "link %u", m->link_state);
	FUZZ_CHECK(m->edid_size >= 1 && m->edid_size <= IVGPU_EDID_MAX_SIZE,
		   "EDID size %u", m->edid_size);

	/* Config space: identity, BAR sizes and the PM state stay sane. */
	FUZZ_CHECK(ivgpu_cfg_read(&c->cfg, PCI_VENDOR_ID, 2) == IVGPU_PCI_VENDOR_ID &&
		   ivgpu_cfg_read(&c->cfg, PCI_DEVICE_ID, 2) == IVGPU_PCI_DEVICE_ID,
		   "identity %#x", ivgpu_cfg_read(&c->cfg, 0, 4));
	FUZZ_CHECK(ivgpu_cfg_read(&c->cfg, IVGPU_CFG_GMCH_CTRL, 2) ==
		   IVGPU_GMCH_CTRL_VALUE, "GMCH_CTRL");
	pm = ivgpu_cfg_read(&c->cfg, IVGPU_CFG_PM_CAP + PCI_PM_CTRL, 2) &
	     PCI_PM_CTRL_STATE_MASK;
	FUZZ_CHECK(pm == 0 || pm == 3, "power state D%u", pm);
	bar = ivgpu_cfg_read(&c->cfg, PCI_BASE_ADDRESS_0, 4);
	FUZZ_CHECK((bar & 0xf) == 0x4 && !(bar & (IVGPU_BAR0_SIZE - 1) & ~0xfu),
		   "BAR0 %#x", bar);
	bar = ivgpu_cfg_read(&c->cfg, PCI_BASE_ADDRESS_2, 4);
	FUZZ_CHECK((bar & 0xf) == 0xc &&
		   !(bar & (u32)(ivgpu_type_low_gm(t) - 1) & ~0xfu),
		   "BAR2 %#x", bar);

	if (c->stats.nomem)
		return;	/* a register write may have been dropped */
	FUZZ_CHECK(!!(ivgpu_reg_get(c, SDEISR) & SDE_PORTD_HOTPLUG_CPT) ==
		   (m->link_state == IVGPU_LINK_UP), "SDEISR %#x, link %u",
		   ivgpu_reg_get(c, SDEISR), m->link_state);
	FUZZ_CHECK(ivgpu_reg_get(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_MAGIC) ==
		   (u32)IVGPU_VGT_MAGIC &&
		   ivgpu_reg_get(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_MAGIC + 4) ==
		   (u32)(IVGPU_VGT_MAGIC >> 32), "PV magic");
	FUZZ_CHECK(ivgpu_reg_get(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_VGT_ID) ==
		   c->vgt_id, "PV vgt_id");
	FUZZ_CHECK(ivgpu_reg_get(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_FENCE_NUM) ==
		   t->fences, "PV fences");
	FUZZ_CHECK(ivgpu_reg_get(c, FORCEWAKE_ACK_RENDER_GEN9) ==
		   ivgpu_reg_get(c, FORCEWAKE_RENDER_GEN9) &&
		   ivgpu_reg_get(c, FORCEWAKE_ACK_MEDIA_GEN9) ==
		   ivgpu_reg_get(c, FORCEWAKE_MEDIA_GEN9) &&
		   ivgpu_reg_get(c, FORCEWAKE_ACK_GT_GEN9) ==
		   ivgpu_reg_get(c, FORCEWAKE_BLITTER_GEN9),
		   "forcewake acks do not mirror the requests");
}

static u32 store_count(const struct ivgpu_store *s, u64 words, u64 *present)
{
	u32 i, n = 0, j;

	for (i = 0; i < s->nchunks; i++) {
		if (!s->chunks[i])
			continue;
		n += ivgpu_store_own(s, i);
		if (!present)
			continue;
		for (j = 0; j < IVGPU_STORE_CHUNK / 8; j++)
			if ((u64)i * (IVGPU_STORE_CHUNK / 8) + j < words)
				*present += s->chunks[i][j] & IVGPU_PTE_PRESENT;
	}
	return n;
}

void fuzz_core_check_full(struct ivgpu_core *c)
{
	u64 present = 0;
	u32 n;

	fuzz_core_check(c);
	FUZZ_CHECK(c->regs.nchunks == IVGPU_MMIO_SIZE / IVGPU_STORE_CHUNK,
		   "%u register chunks", c->regs.nchunks);
	FUZZ_CHECK(c->ggtt.nchunks ==
		   (c->ggtt_entries * 8 + IVGPU_STORE_CHUNK - 1) / IVGPU_STORE_CHUNK,
		   "%u GGTT chunks", c->ggtt.nchunks);
	n = store_count(&c->regs, 0, NULL);
	FUZZ_CHECK(n == c->regs.nallocated, "%u register chunks, %u counted",
		   c->regs.nallocated, n);
	n = store_count(&c->ggtt, c->ggtt_entries, &present);
	FUZZ_CHECK(n == c->ggtt.nallocated, "%u GGTT chunks, %u counted",
		   c->ggtt.nallocated, n);
	FUZZ_CHECK(present == c->ggtt_present, "ggtt_present %llu, counted %llu",
		   (unsigned long long)c->ggtt_present,
		   (unsigned long long)present);
}

/* ---- framebuffer ---- */

/*
 * The fake graphics memory: page n of a surface is pattern page n % NPAT,
 * whose bytes are a hash of their position, so a byte copied from the wrong
 * place shows.
 */
#define NPAT 5
static u8 pattern[NPAT][4096];

static u8 pattern_at(u64 off)
{
	return pattern[(off / 4096) % NPAT][off % 4096];
}

static void pattern_init(void)
{
	static bool done;
	u32 i, k;

	if (done)
		return;
	for (k = 0; k < NPAT; k++)
		for (i = 0; i < 4096; i++)
			pattern[k][i] = (u8)(((k * 4096u + i) * 2654435761u) >> 24);
	done = true;
}

struct copy_ctx {
	const struct ivgpu_fb *fb;
	u64 calls;
};

static const u8 *fake_page(void *ctx, u64 n)
{
	struct copy_ctx *cc = ctx;

	FUZZ_CHECK(n < cc->fb->size / 4096,
		   "page %llu of a %llu-byte surface", (unsigned long long)n,
		   (unsigned long long)cc->fb->size);
	cc->calls++;
	return pattern[n % NPAT];
}

/*
 * Byte @b of pixel (@x, @y) of the visible rectangle, as an offset from
 * gm_base: linear lines, or X tiles of 8 rows of 512 bytes (4 KiB each)
 * laid out left to right, stride / 512 tiles per tile row.
 */
static u64 surface_offset(const struct ivgpu_fb *fb, u32 x, u32 y, u32 b)
{
	u64 xb = (u64)(fb->x_off + x) * fb->cpp + b;
	u64 row = (u64)fb->y_off + y;

	if (fb->modifier == IVGPU_MOD_LINEAR)
		return row * fb->stride + xb;
	return (row / 8) * (fb->stride / 512) * 4096 + (xb / 512) * 4096 +
	       (row % 8) * 512 + xb % 512;
}

static void check_pixel(const struct ivgpu_fb *fb, const u8 *dst, u32 x, u32 y)
{
	u32 b;

	for (b = 0; b < fb->cpp; b++) {
		u64 off = surface_offset(fb, x, y, b);
		u8 got = dst[((u64)y * fb->width + x) * fb->cpp + b];

		FUZZ_CHECK(got == pattern_at(off),
			   "pixel (%u, %u) byte %u: %#x, surface byte %llu holds %#x",
			   x, y, b, got, (unsigned long long)off, pattern_at(off));
	}
}

static u32 cpp_of(u32 format)
{
	switch (format) {
	case IVGPU_FMT_XRGB8888:
	case IVGPU_FMT_ARGB8888:
	case IVGPU_FMT_XBGR8888:
	case IVGPU_FMT_ABGR8888:
	case IVGPU_FMT_XRGB2101010:
	case IVGPU_FMT_XBGR2101010:
		return 4;
	case IVGPU_FMT_RGB565:
		return 2;
	}
	return 0;
}

static void check_fb(struct ivgpu_core *c, int plane, const struct ivgpu_fb *fb)
{
	const struct ivgpu_type *t = c->type;
	u64 gm = ivgpu_type_gm_size(t);
	int first = -1, routed = -1, pipe;

	/* The enabled pipe driving port D, else the first enabled one. */
	for (pipe = IVGPU_PIPES - 1; pipe >= 0; pipe--) {
		u32 ddi = ivgpu_reg_get(c, TRANS_DDI_FUNC_CTL(pipe));

		if (!(ivgpu_reg_get(c, TRANSCONF(pipe)) & TRANSCONF_ENABLE))
			continue;
		first = pipe;
		if ((ddi & TRANS_DDI_FUNC_ENABLE) &&
		    (ddi & TRANS_DDI_PORT_MASK) == TRANS_DDI_PORT_D)
			routed = pipe;
	}
	if (routed >= 0)
		first = routed;
	FUZZ_CHECK(fb->pipe == first, "pipe %d, shown should be %d", fb->pipe, first);
	FUZZ_CHECK(cpp_of(fb->drm_format) && cpp_of(fb->drm_format) == fb->cpp,
		   "format %#x with cpp %u", fb->drm_format, fb->cpp);
	FUZZ_CHECK(fb->width >= 1 && fb->height >= 1 &&
		   fb->width <= IVGPU_FB_MAX_DIM && fb->height <= IVGPU_FB_MAX_DIM,
		   "%ux%u", fb->width, fb->height);
	if (plane == IVGPU_PLANE_PRIMARY) {
		FUZZ_CHECK(fb->width <= t->max_xres && fb->height <= t->max_yres,
			   "%ux%u on a %ux%u type", fb->width, fb->height,
			   t->max_xres, t->max_yres);
		FUZZ_CHECK(fb->x_off < 8192 && fb->y_off < 8192, "offset %u,%u",
			   fb->x_off, fb->y_off);
	} else {
		FUZZ_CHECK((fb->width == 64 || fb->width == 128 || fb->width == 256) &&
			   fb->height == fb->width, "cursor %ux%u",
			   fb->width, fb->height);
		FUZZ_CHECK(fb->drm_format == IVGPU_FMT_ARGB8888 &&
			   fb->modifier == IVGPU_MOD_LINEAR &&
			   fb->stride == fb->width * 4 && !fb->x_off && !fb->y_off,
			   "cursor layout");
		FUZZ_CHECK(fb->x_pos >= -8191 && fb->x_pos <= 8191 &&
			   fb->y_pos >= -8191 && fb->y_pos <= 8191,
			   "cursor at %d,%d", fb->x_pos, fb->y_pos);
	}
	if (fb->modifier == IVGPU_MOD_LINEAR)
		FUZZ_CHECK(fb->stride && fb->stride % 64 == 0, "linear stride %u",
			   fb->stride);
	else
		FUZZ_CHECK(fb->modifier == IVGPU_MOD_X_TILED && fb->stride &&
			   fb->stride % 512 == 0, "modifier %#llx stride %u",
			   (unsigned long long)fb->modifier, fb->stride);
	FUZZ_CHECK((u64)(fb->x_off + fb->width) * fb->cpp <= fb->stride,
		   "%u pixels from %u at %u bytes each in a %u-byte line",
		   fb->width, fb->x_off, fb->cpp, fb->stride);
	FUZZ_CHECK(fb->gm_base % 4096 == 0 && fb->size && fb->size % 4096 == 0,
		   "base %#llx size %#llx", (unsigned long long)fb->gm_base,
		   (unsigned long long)fb->size);
	FUZZ_CHECK(fb->gm_base < gm && fb->size <= gm - fb->gm_base,
		   "surface [%#llx, +%#llx) outside %#llx bytes of GM",
		   (unsigned long long)fb->gm_base,
		   (unsigned long long)fb->size, (unsigned long long)gm);
	/* The last byte of the last line and of the first, both in the surface. */
	FUZZ_CHECK(surface_offset(fb, fb->width - 1, fb->height - 1, fb->cpp - 1) <
		   fb->size && surface_offset(fb, fb->width - 1, 0, fb->cpp - 1) <
		   fb->size, "visible rectangle past the surface");
	if (fb->modifier == IVGPU_MOD_LINEAR)
		FUZZ_CHECK(ivgpu_fb_linear_offset(fb) ==
			   surface_offset(fb, 0, 0, 0), "linear offset");
}

int fuzz_fb_check(struct ivgpu_core *c, int plane)
{
	static const struct ivgpu_fb zero;
	u64 errors = c->stats.fb_errors;
	struct copy_ctx cc;
	struct ivgpu_fb fb;
	u64 line, bytes;
	u32 i, x, y;
	u8 *dst;
	int ret;

	memset(&fb, 0xa5, sizeof(fb));
	ret = ivgpu_fb_decode(c, plane, &fb);
	fuzz_trace("decode plane %d: %d, pipe %d %ux%u cpp %u stride %u at %u,%u modifier %#llx base %#llx size %#llx\n",
		   plane, ret, fb.pipe, fb.width, fb.height, fb.cpp, fb.stride,
		   fb.x_off, fb.y_off, (unsigned long long)fb.modifier,
		   (unsigned long long)fb.gm_base, (unsigned long long)fb.size);
	FUZZ_CHECK(c->stats.fb_errors == errors + (ret == -EINVAL),
		   "fb_errors %llu -> %llu for %d",
		   (unsigned long long)errors,
		   (unsigned long long)c->stats.fb_errors, ret);
	if (ret) {
		FUZZ_CHECK(ret == -ENOENT || ret == -EINVAL, "decode returned %d",
			   ret);
		FUZZ_CHECK(!memcmp(&fb, &zero, sizeof(fb)),
			   "a failed decode left the description filled");
		return ret;
	}
	FUZZ_CHECK(plane == IVGPU_PLANE_PRIMARY || plane == IVGPU_PLANE_CURSOR,
		   "plane %d decoded", plane);
	check_fb(c, plane, &fb);

	pattern_init();
	line = (u64)fb.width * fb.cpp;
	bytes = line * fb.height;
	dst = malloc(bytes);
	FUZZ_CHECK(dst != NULL, "malloc(%llu)", (unsigned long long)bytes);
	memset(dst, 0x5a, bytes);
	cc.fb = &fb;
	cc.calls = 0;
	ivgpu_fb_copy(&fb, fake_page, &cc, dst, (u32)line);
	FUZZ_CHECK(cc.calls >= fb.height, "%llu page lookups for %u lines",
		   (unsigned long long)cc.calls, fb.height);

	if (bytes <= 16384) {
		for (y = 0; y < fb.height; y++)
			for (x = 0; x < fb.width; x++)
				check_pixel(&fb, dst, x, y);
	} else {
		u32 seed = fb.width * 2654435761u ^ fb.height ^ fb.stride;

		check_pixel(&fb, dst, 0, 0);
		check_pixel(&fb, dst, fb.width - 1, 0);
		check_pixel(&fb, dst, 0, fb.height - 1);
		check_pixel(&fb, dst, fb.width - 1, fb.height - 1);
		for (i = 0; i < 60; i++) {
			seed = seed * 1103515245u + 12345u;
			x = (seed >> 8) % fb.width;
			seed = seed * 1103515245u + 12345u;
			y = (seed >> 8) % fb.height;
			check_pixel(&fb, dst, x, y);
		}
	}
	free(dst);
	return 0;
}
