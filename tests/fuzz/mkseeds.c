// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the seed corpus: a few inputs per target, in the formats fuzz.h
 * describes, each reaching a path a random input rarely finds (a plane
 * that decodes, an EDID that validates, a full region protocol).
 *
 *   mkseeds DIR     writes DIR/<target>/<name>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"
#include "edid.h"
#include "migrate.h"
#include "monitor.h"
#include "core.h"
#include "types.h"
#include "regs.h"
#include <linux/ivgpu.h>

static const char *dir;

struct buf {
	u8 b[4096];
	size_t n;
};

static void le(struct buf *s, u64 v, u32 bytes)
{
	u32 i;

	for (i = 0; i < bytes; i++)
		s->b[s->n++] = (u8)(v >> (8 * i));
}

static void put(const char *target, const char *name, const struct buf *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, target);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->b, 1, s->n, f) != s->n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* ---- fuzz_mmio ---- */

static u8 sz(u32 bytes)
{
	return (u8)((bytes == 8 ? 3 : bytes == 4 ? 2 : bytes == 2 ? 1 : 0) << 4);
}

static void mmio_read(struct buf *s, u32 off, u32 bytes)
{
	le(s, MMIO_ANY_READ | sz(bytes), 1);
	le(s, off, 4);
}

static void mmio_write(struct buf *s, u32 off, u64 val, u32 bytes)
{
	le(s, MMIO_ANY_WRITE | sz(bytes), 1);
	le(s, off, 4);
	le(s, val, bytes);
}

static void mmio_op(struct buf *s, u32 op, u32 variant)
{
	le(s, op | variant << 6, 1);
}

static void seeds_mmio(void)
{
	struct buf s;

	/* Driver load: PV magic, forcewake, interrupts, a pipe and a vblank. */
	s.n = 0;
	le(&s, 1, 1);			/* V5_1920x1200 */
	le(&s, 1, 1);			/* vgt_id */
	mmio_read(&s, IVGPU_PVINFO_OFFSET + IVGPU_PV_MAGIC, 8);
	mmio_write(&s, FORCEWAKE_RENDER_GEN9, 0x00010001, 4);
	mmio_read(&s, FORCEWAKE_ACK_RENDER_GEN9, 4);
	mmio_write(&s, GEN8_DE_PIPE_ISR(0) + IRQ_IER, GEN8_PIPE_VBLANK, 4);
	mmio_write(&s, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL, 4);
	mmio_write(&s, TRANSCONF(0), TRANSCONF_ENABLE, 4);
	mmio_op(&s, MMIO_VBLANK, 0);
	mmio_read(&s, GEN8_MASTER_IRQ, 4);
	mmio_write(&s, GEN8_DE_PIPE_ISR(0) + IRQ_IIR, GEN8_PIPE_VBLANK, 1);
	mmio_write(&s, IVGPU_PVINFO_OFFSET + IVGPU_PV_DISPLAY_READY, 1, 4);
	mmio_write(&s, FENCE_REG_GEN6_BASE + 8 * 5, 0x12345678000ull, 8);
	put("mmio", "driver-load", &s);

	/* A linear XRGB8888 plane programmed register by register. */
	s.n = 0;
	le(&s, 0, 1);			/* V5_1024x768 */
	le(&s, 2, 1);
	mmio_write(&s, TRANSCONF(0), TRANSCONF_ENABLE, 4);
	mmio_write(&s, PLANE_CTL(0), PLANE_CTL_ENABLE |
		   PLANE_CTL_FORMAT_XRGB_8888 << PLANE_CTL_FORMAT_SHIFT, 4);
	mmio_write(&s, PLANE_SIZE(0), 767u << 16 | 1023, 4);
	mmio_write(&s, PLANE_STRIDE(0), 4096 / 64, 4);
	mmio_write(&s, PLANE_OFFSET(0), 0, 4);
	mmio_write(&s, PLANE_SURF(0), 0x100000, 4);
	mmio_op(&s, MMIO_DECODE, 0);
	mmio_op(&s, MMIO_VBLANK, 1);
	put("mmio", "plane-linear-xrgb8888", &s);

	/* The plane macro: X-tiled 800x600 at (8, 4) of 4 KiB lines, pipe B. */
	s.n = 0;
	le(&s, 1, 1);
	le(&s, 3, 1);
	mmio_op(&s, MMIO_PLANE, 1);
	le(&s, 0x04 | 0x80, 1);		/* XRGB8888, X-tiled, raw offset */
	le(&s, 799, 2);
	le(&s, 599, 2);
	le(&s, 8, 2);			/* 8 x 512 bytes */
	le(&s, 8, 2);
	le(&s, 4, 2);
	le(&s, 0x200000, 4);
	mmio_op(&s, MMIO_CURSOR, 1);
	le(&s, 0, 1);			/* 64x64 ARGB */
	le(&s, 0x300000, 4);
	le(&s, 100u << 16 | 0x8000 | 5, 4);
	mmio_op(&s, MMIO_DECODE, 0);
	put("mmio", "plane-xtiled-and-cursor", &s);

	/* GGTT: whole, split, past the slice, read, reset. */
	s.n = 0;
	le(&s, 2, 1);			/* V5_3840x2160 */
	le(&s, 4, 1);
	le(&s, MMIO_GGTT_WRITE | sz(8), 1);
	le(&s, 0, 4);
	le(&s, 0, 1);
	le(&s, 0x1234000 | IVGPU_PTE_PRESENT, 8);
	le(&s, MMIO_GGTT_SPLIT | 1 << 6, 1);
	le(&s, 5, 4);
	le(&s, 0x0000000123456001ull, 8);
	le(&s, MMIO_GGTT_WRITE | sz(4), 1);
	le(&s, 0x80000010u, 4);		/* past the slice */
	le(&s, 0, 1);
	le(&s, 0x5001, 4);
	le(&s, MMIO_GGTT_READ | sz(2), 1);
	le(&s, 5, 4);
	le(&s, 2, 1);
	le(&s, MMIO_GGTT_WRITE | sz(1) | 1 << 6, 1);	/* ivgpu_ggtt_write */
	le(&s, 5, 4);
	le(&s, 0, 1);
	le(&s, 0, 1);			/* clears the present bit */
	mmio_write(&s, IVGPU_GGTT_OFFSET + 8 * 7, 0xabc001, 8);
	mmio_op(&s, MMIO_RESET, 0);
	put("mmio", "ggtt", &s);

	/* Config space: command, BAR sizing, power states, MSI. */
	s.n = 0;
	le(&s, 0, 1);
	le(&s, 5, 1);
	le(&s, MMIO_CFG_WRITE | sz(2), 1);
	le(&s, PCI_COMMAND, 1);
	le(&s, 0xffff, 4);
	le(&s, MMIO_CFG_WRITE | sz(4), 1);
	le(&s, PCI_BASE_ADDRESS_0, 1);
	le(&s, 0xffffffff, 4);
	le(&s, MMIO_CFG_READ | sz(4), 1);
	le(&s, PCI_BASE_ADDRESS_0, 1);
	le(&s, MMIO_CFG_WRITE | sz(2), 1);
	le(&s, IVGPU_CFG_PM_CAP + PCI_PM_CTRL, 1);
	le(&s, 3, 4);
	le(&s, MMIO_CFG_WRITE | sz(1), 1);
	le(&s, IVGPU_CFG_PM_CAP + PCI_PM_CTRL, 1);
	le(&s, 1, 4);			/* D1: refused */
	le(&s, MMIO_CFG_WRITE | sz(2), 1);
	le(&s, PCI_STATUS, 1);
	le(&s, 0xffff, 4);
	le(&s, MMIO_CFG_WRITE | sz(2), 1);
	le(&s, IVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS, 1);
	le(&s, PCI_MSI_FLAGS_ENABLE, 4);
	put("mmio", "config-space", &s);

	/* Hotplug and AUX through BAR0, with the port interrupt enabled. */
	s.n = 0;
	le(&s, 1, 1);
	le(&s, 6, 1);
	mmio_write(&s, SDEISR + IRQ_IER, SDE_PORTD_HOTPLUG_CPT, 4);
	mmio_write(&s, GEN8_DE_PORT_ISR + IRQ_IER, GEN9_AUX_CHANNEL_D, 4);
	mmio_write(&s, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL, 4);
	mmio_op(&s, MMIO_LINK, 1);
	mmio_op(&s, MMIO_LINK, 0);
	mmio_write(&s, DP_AUX_CH_DATA_D(0), 0x90000003, 4);	/* DPCD 0, 4 bytes */
	mmio_write(&s, DP_AUX_CH_CTL_D, DP_AUX_CH_CTL_SEND_BUSY |
		   DP_AUX_CH_CTL_INTERRUPT | 4u << DP_AUX_CH_CTL_SIZE_SHIFT, 4);
	mmio_read(&s, DP_AUX_CH_DATA_D(0), 8);
	mmio_write(&s, SDEISR + IRQ_IIR, ~0u, 4);
	put("mmio", "hotplug-aux", &s);

	/*
	 * What a guest i915 does while it probes a Skylake GT2: the engine
	 * reset handshake, PCODE requests, power wells, the display PLL,
	 * DDI buffers and transports, AUX and GMBUS without a sink, and the
	 * scan line of a running pipe.
	 */
	s.n = 0;
	le(&s, 0, 1);
	le(&s, 2, 1);
	mmio_write(&s, RING_MI_MODE(RENDER_RING_BASE), 0x01000100, 4);
	mmio_read(&s, RING_MI_MODE(RENDER_RING_BASE), 4);
	mmio_write(&s, RING_RESET_CTL(BLT_RING_BASE), 0x00010001, 4);
	mmio_read(&s, RING_RESET_CTL(BLT_RING_BASE), 4);
	mmio_write(&s, GEN6_GDRST, 1, 4);
	mmio_write(&s, GEN6_PCODE_DATA, 1, 8);
	mmio_write(&s, GEN6_PCODE_MAILBOX, GEN6_PCODE_READY |
		   GEN9_PCODE_READ_MEM_LATENCY, 4);
	mmio_write(&s, GEN6_PCODE_DATA, SKL_CDCLK_PREPARE_FOR_CHANGE, 4);
	mmio_write(&s, GEN6_PCODE_MAILBOX, GEN6_PCODE_READY |
		   SKL_PCODE_CDCLK_CONTROL, 4);
	mmio_write(&s, GEN6_PCODE_DATA, GEN9_SAGV_DISABLE, 4);
	mmio_write(&s, GEN6_PCODE_MAILBOX, GEN6_PCODE_READY |
		   GEN9_PCODE_SAGV_CONTROL, 4);
	mmio_write(&s, GEN6_PCODE_DATA, 2, 4);
	mmio_write(&s, GEN6_PCODE_MAILBOX, GEN6_PCODE_READY |
		   SKL_PCODE_CDCLK_CONTROL, 4);
	mmio_write(&s, GEN6_PCODE_MAILBOX, GEN6_PCODE_READY | 0x1a, 4);
	mmio_write(&s, HSW_PWR_WELL_CTL2, 0xa0000202, 4);
	mmio_write(&s, DBUF_CTL, DBUF_POWER_REQUEST, 4);
	mmio_write(&s, WRPLL_CTL1, LCPLL_PLL_ENABLE, 4);
	mmio_read(&s, DPLL_STATUS, 4);
	mmio_write(&s, DDI_BUF_CTL(3), DDI_BUF_CTL_ENABLE, 4);
	mmio_write(&s, DP_TP_CTL(3), 0x80000200, 4);
	mmio_read(&s, DP_TP_STATUS(3), 4);
	mmio_write(&s, DP_AUX_CH_CTL(1), DP_AUX_CH_CTL_SEND_BUSY |
		   DP_AUX_CH_CTL_INTERRUPT, 4);
	mmio_write(&s, GMBUS1, GMBUS_SW_RDY | 0xa1, 4);
	mmio_read(&s, GMBUS2, 4);
	mmio_write(&s, GMBUS1, GMBUS_SW_CLR_INT, 4);
	mmio_write(&s, PCH_PORT_HOTPLUG, 0x00100000, 4);
	mmio_op(&s, MMIO_LINK, 1);
	mmio_write(&s, PCH_PORT_HOTPLUG, 0x00120000, 4);
	mmio_write(&s, TRANS_VTOTAL(0), (1125 - 1) << 16 | (1080 - 1), 4);
	mmio_write(&s, TRANSCONF(0), TRANSCONF_ENABLE, 4);
	mmio_op(&s, MMIO_VBLANK, 0);
	mmio_op(&s, MMIO_CLOCK, 0);
	le(&s, 5000000, 4);
	mmio_read(&s, PIPEDSL(0), 4);
	mmio_op(&s, MMIO_RESET, 0);
	put("mmio", "guest-probe", &s);

	/* Allocations fail: during init, then during use. */
	s.n = 0;
	le(&s, 0x80, 1);
	le(&s, 1, 1);
	le(&s, 1, 1);
	put("mmio", "alloc-fail-init", &s);
	s.n = 0;
	le(&s, 0x80 | 1, 1);
	le(&s, 6, 1);
	le(&s, 1, 1);
	mmio_write(&s, TRANSCONF(0), TRANSCONF_ENABLE, 4);
	mmio_write(&s, 0x2000, 1, 4);
	le(&s, MMIO_GGTT_WRITE | sz(8), 1);
	le(&s, 4096, 4);
	le(&s, 0, 1);
	le(&s, 0x1001, 8);
	mmio_op(&s, MMIO_VBLANK, 0);
	put("mmio", "alloc-fail-later", &s);
}

/* ---- fuzz_fbdec ---- */

struct pipe_regs {
	u32 ctl, size, stride, offset, surf, curcntr, curbase, curpos;
};

static void fbdec(const char *name, u8 head, u8 pipes,
		  const struct pipe_regs p[3], u32 xhot, u32 yhot)
{
	struct buf s;
	int i;

	s.n = 0;
	le(&s, head, 1);
	le(&s, pipes, 1);
	for (i = 0; i < 3; i++) {
		le(&s, p[i].ctl, 4);
		le(&s, p[i].size, 4);
		le(&s, p[i].stride, 4);
		le(&s, p[i].offset, 4);
		le(&s, p[i].surf, 4);
		le(&s, p[i].curcntr, 4);
		le(&s, p[i].curbase, 4);
		le(&s, p[i].curpos, 4);
	}
	le(&s, xhot, 4);
	le(&s, yhot, 4);
	put("fbdec", name, &s);
}

#define CTL(fmt) (PLANE_CTL_ENABLE | (u32)(fmt) << PLANE_CTL_FORMAT_SHIFT)

static void seeds_fbdec(void)
{
	struct pipe_regs p[3];

	memset(p, 0, sizeof(p));
	p[0] = (struct pipe_regs){ CTL(PLANE_CTL_FORMAT_XRGB_8888),
		767u << 16 | 1023, 4096 / 64, 0, 0x100000,
		MCURSOR_MODE_64_ARGB, 0x400000, 10u << 16 | 20 };
	fbdec("linear-xrgb8888-1024x768", 0, 1, p, 0xffffffff, 0xffffffff);

	memset(p, 0, sizeof(p));
	p[1] = (struct pipe_regs){ CTL(PLANE_CTL_FORMAT_RGB_565) | PLANE_CTL_TILED_X,
		99u << 16 | 199, 1, 3u << 16 | 5, 0x1000,
		MCURSOR_MODE_128_ARGB, 0x8000, 0x8005u << 16 | 0x8010 };
	fbdec("xtiled-rgb565-offset", 1, 2, p, 3, 4);

	memset(p, 0, sizeof(p));
	p[0] = (struct pipe_regs){ CTL(PLANE_CTL_FORMAT_XRGB_2101010) |
		PLANE_CTL_ORDER_RGBX, 0x00ff01ff, 0x7ff, 0x00100010, 0xdeadb000,
		MCURSOR_MODE_256_ARGB, 0xfeed0000, 0 };
	fbdec("shaped-xbgr2101010", 2 | FBDEC_SHAPED, 7, p, 0, 0);

	memset(p, 0, sizeof(p));
	p[2] = (struct pipe_regs){ 0, 0, 0, 0, 0,
		MCURSOR_MODE_256_ARGB, 0x10000, 0x9fffu << 16 | 0x9fff };
	fbdec("cursor-only-pipe-c", 2, 4, p, 255, 255);
}

/* ---- fuzz_edid ---- */

static void edid_blob(const char *name, u32 type, u32 x, u32 y, int flip)
{
	u8 e[IVGPU_EDID_MAX];
	u32 n = ivgpu_edid_generate(e, x, y);
	struct buf s;

	if (flip >= 0)
		e[flip] ^= 0x10;
	if (flip == -2) {
		/* A valid EDID whose first descriptor is not a timing. */
		u8 sum = 0;
		u32 i;

		e[54] = e[55] = 0;
		for (i = 0; i < 127; i++)
			sum += e[i];
		e[127] = (u8)(0x100 - sum);
	}
	s.n = 0;
	le(&s, EDID_BLOB | type << 4, 1);
	memcpy(s.b + s.n, e, n);
	s.n += n;
	put("edid", name, &s);
}

static u8 eop(u32 op, u32 bytes, u32 variant)
{
	return (u8)(op | sz(bytes) | variant << 6);
}

static void seeds_edid(void)
{
	struct buf s;

	edid_blob("blob-1024x768", 0, 1024, 768, -1);
	edid_blob("blob-3840x2160-cta", 2, 3840, 2160, -1);
	edid_blob("blob-bad-checksum", 1, 1920, 1200, 100);
	edid_blob("blob-too-large-for-type", 0, 1920, 1080, -1);
	edid_blob("blob-no-preferred-timing", 1, 1280, 1024, -2);

	s.n = 0;
	le(&s, EDID_GENERATE, 1);
	le(&s, 1920 - 640, 2);
	le(&s, 1080 - 480, 2);
	put("edid", "generate-1920x1080", &s);

	/* QEMU's sequence, then the guest reads it over AUX. */
	s.n = 0;
	le(&s, EDID_PROTOCOL | 1 << 4, 1);
	le(&s, eop(EOP_LINK, 4, 1), 1);			/* down */
	le(&s, eop(EOP_GENERATE, 4, 0), 1);
	le(&s, 1280 - 640, 2);
	le(&s, 800 - 480, 2);
	le(&s, eop(EOP_LINK, 4, 0), 1);			/* up */
	le(&s, eop(EOP_REGION_READ, 4, 0), 1);
	le(&s, IVGPU_EDID_REG_SIZE, 2);
	le(&s, eop(EOP_AUX_I2C, 4, 0), 1);
	le(&s, 0, 1);
	le(&s, 0, 1);
	le(&s, 15, 1);
	le(&s, eop(EOP_AUX_DPCD, 4, 0), 1);
	le(&s, 0x200, 4);
	le(&s, 7, 1);
	le(&s, eop(EOP_REGION_WRITE, 4, 0), 1);		/* blob while up: -EBUSY */
	le(&s, IVGPU_EDID_BLOB_OFFSET, 2);
	le(&s, 0, 4);
	le(&s, eop(EOP_HEADER_WRITE, 4, 0), 1);		/* read-only field */
	le(&s, IVGPU_EDID_REG_MAX_XRES / 4, 1);
	le(&s, 1, 4);
	le(&s, eop(EOP_RESET, 4, 0), 1);
	put("edid", "protocol-qemu", &s);

	/* A broken EDID refused at link up, then raw AUX traffic. */
	s.n = 0;
	le(&s, EDID_PROTOCOL | 2 << 4, 1);
	le(&s, eop(EOP_LINK, 4, 1), 1);
	le(&s, eop(EOP_GENERATE, 4, 1), 1);		/* with a bit flipped */
	le(&s, 3840 - 640, 2);
	le(&s, 2160 - 480, 2);
	le(&s, 200, 1);
	le(&s, 3, 1);
	le(&s, eop(EOP_LINK, 4, 0), 1);			/* refused */
	le(&s, eop(EOP_AUX_I2C, 4, 0), 1);		/* times out */
	le(&s, 1, 1);
	le(&s, 0, 1);
	le(&s, 3, 1);
	le(&s, eop(EOP_BLOB, 1, 0), 1);
	le(&s, 200, 2);
	le(&s, 0, 1);
	le(&s, 0x10, 1);				/* byte 200 of the blob */
	le(&s, eop(EOP_NEW_USER, 4, 0), 1);
	le(&s, eop(EOP_AUX_DATA, 4, 0), 1);
	le(&s, 0, 1);
	le(&s, 0x40005000, 4);				/* I2C write MOT, offset */
	le(&s, eop(EOP_AUX_DATA, 4, 0), 1);
	le(&s, 4, 1);
	le(&s, 0x80000000, 4);
	le(&s, eop(EOP_AUX_CTL, 4, 1), 1);
	le(&s, DP_AUX_CH_CTL_INTERRUPT | 5u << DP_AUX_CH_CTL_SIZE_SHIFT, 4);
	le(&s, eop(EOP_AUX_I2C, 4, 0), 1);		/* segment 1 of a 256-byte EDID */
	le(&s, 1, 1);
	le(&s, 250, 1);
	le(&s, 15, 1);
	put("edid", "protocol-refused-and-aux", &s);
}

/* ---- fuzz_migrate ---- */

/* A raw stream of a fresh core of each type, and a mutate-mode input. */
static void seeds_migrate(void)
{
	static const u8 mutate[] = {
		0x05,	/* type 1, mutate */
		0x40, 0x00, 0x00, 0x00, 0x01,	/* flip a bit at 64 */
		0x20, 0x01, 0x00, 0x00, 0x80,	/* and at 288 */
	};
	char path[512];
	u32 t;
	FILE *f;

	snprintf(path, sizeof(path), "%s/migrate", dir);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	for (t = 0; t < IVGPU_NUM_TYPES; t++) {
		struct ivgpu_core *c = calloc(1, sizeof(*c));
		u64 len;
		u8 *buf;

		if (!c || ivgpu_core_init(c, &ivgpu_types[t], 1))
			exit(1);
		len = ivgpu_migrate_size(c);
		buf = malloc(len);
		if (!buf || ivgpu_migrate_save(c, buf, len, true) != len)
			exit(1);
		snprintf(path, sizeof(path), "%s/migrate/raw-type%u", dir, t);
		f = fopen(path, "wb");
		if (!f || fputc(t, f) == EOF || fwrite(buf, 1, len, f) != len ||
		    fclose(f)) {
			perror(path);
			exit(1);
		}
		free(buf);
		ivgpu_core_fini(c);
		free(c);
	}
	snprintf(path, sizeof(path), "%s/migrate/mutate-two-bits", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(mutate, 1, sizeof(mutate), f) != sizeof(mutate) ||
	    fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) && errno != EEXIST) {
		perror(dir);
		return 1;
	}
	seeds_mmio();
	seeds_fbdec();
	seeds_edid();
	seeds_migrate();
	return 0;
}
