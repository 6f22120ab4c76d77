// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: BAR0, GGTT and config-space accesses, vblanks, resets
 * and hotplugs on one vGPU, in the order and sizes the input says (format
 * in fuzz.h). Every access keeps the glue's contract (core.h): offsets below
 * IVGPU_BAR0_SIZE, sizes 1, 2, 4 or 8, aligned to their size. A model of
 * the register flags checks each write's effect; the shared invariants run
 * after every operation; at the end both planes are decoded and copied.
 */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz.h"
#include "env.h"
#include "core.h"
#include "display.h"
#include "ggtt.h"
#include "mmio.h"
#include "monitor.h"
#include "regs.h"
#include "fbdec.h"
#include "types.h"
#include <linux/ivgpu.h>

/* Registers worth hitting: [offset, offset + size). */
struct target_reg {
	u32 offset, size;
};

static struct target_reg regs[256];
static unsigned int nregs;

static void add_reg(u32 offset, u32 size)
{
	if (nregs < ARRAY_SIZE(regs))
		regs[nregs++] = (struct target_reg){ offset, size };
}

/* The register table (found through ivgpu_mmio_lookup), then regs.h. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	u32 off, pipe, i;

	for (off = 0; off < IVGPU_MMIO_SIZE; off += 4) {
		const struct ivgpu_reg *r = ivgpu_mmio_lookup(off);

		if (r && r->offset == off)
			add_reg(r->offset, r->size);
	}
	for (i = 0; i < 4; i++)
		add_reg(GEN8_GT_ISR(i) + IRQ_IMR, 4);
	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		add_reg(GEN8_DE_PIPE_ISR(pipe) + IRQ_IMR, 4);
		add_reg(PIPE_FRMCOUNT(pipe), 8);	/* and FLIPCOUNT */
		add_reg(PIPESRC(pipe), 4);
		add_reg(CURCNTR(pipe), 12);		/* CURBASE, CURPOS */
		add_reg(PLANE_CTL(pipe), 4);
		add_reg(PLANE_STRIDE(pipe), 12);	/* POS, SIZE */
		add_reg(PLANE_OFFSET(pipe), 4);
	}
	add_reg(GEN8_DE_PORT_ISR + IRQ_IMR, 4);
	add_reg(GEN8_DE_MISC_ISR + IRQ_IMR, 4);
	add_reg(SDEISR + IRQ_IMR, 4);
	add_reg(DP_AUX_CH_DATA_D(0), 20);
	add_reg(IVGPU_PVINFO_OFFSET + IVGPU_PV_GUEST_AREA, 0x800);
	add_reg(IVGPU_MMIO_SIZE - 8, 8);
	add_reg(IVGPU_GGTT_OFFSET - 8, 16);
	add_reg(IVGPU_BAR0_SIZE - 8, 8);
	return 0;
}

static u64 size_mask(u32 bytes)
{
	return bytes == 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

/*
 * A register read shows the stored bits, but for the master register, which
 * adds the pending blocks to its enable bit.
 */
static void check_reg_read(struct ivgpu_core *c, u32 off, u32 bytes, u64 v)
{
	u32 n = bytes == 8 ? 2 : 1, i;

	for (i = 0; i < n; i++) {
		u32 d = (off & ~3u) + 4 * i, want = ivgpu_reg_get(c, d);
		u32 shift = bytes == 8 ? 0 : 8 * (off & 3);
		u32 got = bytes == 8 ? (u32)(v >> (32 * i)) : (u32)(v << shift);
		u32 mask = bytes >= 4 ? ~0u : (u32)size_mask(bytes) << shift;
		const struct ivgpu_reg *r = ivgpu_mmio_lookup(d);

		if (d == GEN8_MASTER_IRQ)
			want = (want & GEN8_MASTER_IRQ_CONTROL) | fuzz_intr_pending(c);
		else if (r && r->read)
			continue;	/* a handler this model does not know */
		FUZZ_CHECK((got & mask) == (want & mask),
			   "%u-byte read at %#x: dword %#x reads %#x, holds %#x",
			   bytes, off, d, got & mask, want & mask);
	}
}

static u64 bar0_read(struct ivgpu_core *c, u32 off, u32 bytes)
{
	u64 v = ivgpu_core_bar0_read(c, off, bytes);

	FUZZ_CHECK(!(v & ~size_mask(bytes)), "%u-byte read at %#x gave %#llx",
		   bytes, off, (unsigned long long)v);
	if (off >= IVGPU_MMIO_SIZE && off < IVGPU_GGTT_OFFSET)
		FUZZ_CHECK(!v, "read %#llx from the hole at %#x",
			   (unsigned long long)v, off);
	if (off >= IVGPU_GGTT_OFFSET &&
	    (off - IVGPU_GGTT_OFFSET) / 8 >= c->ggtt_entries)
		FUZZ_CHECK(!v, "read %#llx from GGTT entry %u outside the slice",
			   (unsigned long long)v, (off - IVGPU_GGTT_OFFSET) / 8);
	if (off < IVGPU_MMIO_SIZE)
		check_reg_read(c, off, bytes, v);
	return v;
}

/*
 * A register write, and what each dword it covers must hold afterwards
 * according to the entry's flags. Writes with side effects on other
 * registers (AUX, forcewake, interrupts) are checked through the shared
 * invariants instead.
 */
static void reg_write(struct ivgpu_core *c, u32 off, u64 val, u32 bytes)
{
	u32 first = off & ~3u, n = bytes == 8 ? 2 : 1;
	u32 old[2], mask[2], data[2], i;
	u64 nomem = c->stats.nomem;

	val &= size_mask(bytes);
	for (i = 0; i < n && off < IVGPU_MMIO_SIZE; i++) {
		u32 shift = bytes == 8 ? 0 : 8 * (off & 3);

		old[i] = ivgpu_reg_get(c, first + 4 * i);
		mask[i] = bytes >= 4 ? ~0u : (u32)size_mask(bytes) << shift;
		data[i] = bytes == 8 ? (u32)(val >> (32 * i)) : (u32)val << shift;
	}
	ivgpu_core_bar0_write(c, off, val, bytes);
	if (off >= IVGPU_MMIO_SIZE || c->stats.nomem != nomem)
		return;

	for (i = 0; i < n; i++) {
		u32 d = first + 4 * i, now = ivgpu_reg_get(c, d), want;
		const struct ivgpu_reg *r = ivgpu_mmio_lookup(d);
		u32 flags = r ? r->flags : 0;

		if (flags & IVGPU_REG_RO) {
			want = old[i];
		} else if (flags & IVGPU_REG_W1C) {
			want = old[i] & ~(data[i] & mask[i]);
		} else if (flags & IVGPU_REG_MODE_MASK) {
			u32 m = (data[i] & mask[i]) >> 16;

			want = (old[i] & ~m & 0xffff) | (data[i] & m);
		} else if (d == DP_AUX_CH_CTL_D) {
			if ((data[i] & mask[i]) & DP_AUX_CH_CTL_SEND_BUSY)
				FUZZ_CHECK((now & (DP_AUX_CH_CTL_SEND_BUSY |
						   DP_AUX_CH_CTL_DONE)) ==
					   DP_AUX_CH_CTL_DONE &&
					   (now & DP_AUX_CH_CTL_SIZE_MASK) >> 20 <= 20,
					   "AUX control %#x after sending", now);
			continue;
		} else if (r && r->offset == FENCE_REG_GEN6_BASE) {
			want = (d - r->offset) / 8 < c->type->fences ?
			       (old[i] & ~mask[i]) | (data[i] & mask[i]) : old[i];
		} else if (r && r->write) {
			continue;	/* transconf, surf, master */
		} else {
			want = (old[i] & ~mask[i]) | (data[i] & mask[i]);
		}
		FUZZ_CHECK(now == want,
			   "%u-byte write of %#llx at %#x: dword %#x holds %#x, expected %#x (was %#x, flags %#x)",
			   bytes, (unsigned long long)val, off, d, now, want,
			   old[i], flags);
	}
}

static u32 pick_reg(struct fuzz_in *in, u32 bytes)
{
	const struct target_reg *r = &regs[in_u8(in) % nregs];
	u32 off = r->offset + in_u16(in) % r->size;

	off &= ~(bytes - 1);
	if (off >= IVGPU_BAR0_SIZE)
		off = IVGPU_BAR0_SIZE - bytes;
	return off;
}

/* An entry inside the slice, or (bit 31) one past it, inside the GGTT. */
static u32 pick_entry(struct ivgpu_core *c, u32 sel)
{
	u32 total = IVGPU_GGTT_SIZE / 8, entries = (u32)c->ggtt_entries;

	if (sel & 0x80000000u)
		return entries + (sel & 0x7fffffff) % (total - entries);
	return sel % entries;
}

static void ggtt_write(struct ivgpu_core *c, u32 off, u64 val, u32 bytes,
		       bool direct)
{
	u64 idx = off / 8, shift = 8 * (off % 8);
	u64 mask = size_mask(bytes) << shift;
	u64 old = idx < c->ggtt_entries ? ivgpu_ggtt_entry(c, idx) : 0;
	u64 present = c->ggtt_present, nomem = c->stats.nomem;
	u64 dropped = c->stats.ggtt_dropped, want;

	if (direct)
		ivgpu_ggtt_write(c, off, val, bytes);
	else
		ivgpu_core_bar0_write(c, IVGPU_GGTT_OFFSET + off, val, bytes);
	if (idx >= c->ggtt_entries) {
		FUZZ_CHECK(c->stats.ggtt_dropped == dropped + 1 &&
			   c->ggtt_present == present,
			   "write to entry %llu outside the slice",
			   (unsigned long long)idx);
		return;
	}
	if (c->stats.nomem != nomem) {
		FUZZ_CHECK(ivgpu_ggtt_entry(c, idx) == old &&
			   c->ggtt_present == present, "failed write stored");
		return;
	}
	want = (old & ~mask) | ((val << shift) & mask);
	FUZZ_CHECK(ivgpu_ggtt_entry(c, idx) == want,
		   "entry %llu holds %#llx, expected %#llx",
		   (unsigned long long)idx,
		   (unsigned long long)ivgpu_ggtt_entry(c, idx),
		   (unsigned long long)want);
	FUZZ_CHECK(c->ggtt_present == present - (old & IVGPU_PTE_PRESENT) +
		   (want & IVGPU_PTE_PRESENT), "present count %llu, was %llu",
		   (unsigned long long)c->ggtt_present,
		   (unsigned long long)present);
	FUZZ_CHECK(bar0_read(c, IVGPU_GGTT_OFFSET + off, bytes) ==
		   (val & size_mask(bytes)), "read back");
}

static void cfg_access(struct ivgpu_core *c, struct fuzz_in *in, u32 bytes,
		       bool write)
{
	u32 off, val, i;
	u8 before[IVGPU_CFG_BYTES];

	if (bytes > 4)
		bytes = 4;
	off = in_u8(in) & ~(bytes - 1);
	if (!write) {
		val = ivgpu_cfg_read(&c->cfg, off, bytes);
		FUZZ_CHECK(!(val & ~size_mask(bytes)), "config read %#x", val);
		return;
	}
	val = in_u32(in);
	memcpy(before, c->cfg.regs, sizeof(before));
	ivgpu_cfg_write(&c->cfg, off, val, bytes);
	/* Only the bytes written, and only their writable or W1C bits. */
	for (i = 0; i < IVGPU_CFG_BYTES; i++) {
		u8 changed = before[i] ^ c->cfg.regs[i];
		bool hit = i >= off && i < off + bytes;

		FUZZ_CHECK(!changed || (hit &&
			   !(changed & ~(c->cfg.wmask[i] | c->cfg.w1cmask[i]))),
			   "%u-byte write of %#x at %#x changed byte %#x from %#x to %#x",
			   bytes, val, off, i, before[i], c->cfg.regs[i]);
	}
}

/* Program a primary plane the way a driver would, with fuzzed values. */
static void plane_setup(struct ivgpu_core *c, struct fuzz_in *in, u32 pipe)
{
	static const u32 formats[] = {
		PLANE_CTL_FORMAT_XRGB_8888, PLANE_CTL_FORMAT_XRGB_2101010,
		PLANE_CTL_FORMAT_RGB_565, PLANE_CTL_FORMAT_XRGB_8888,
	};
	const struct ivgpu_type *t = c->type;
	u32 sel, w, h, stride, x, y, surf, ctl;

	sel = in_u8(in);
	w = 1 + in_u16(in) % (t->max_xres + 64);
	h = 1 + in_u16(in) % (t->max_yres + 64);
	stride = in_u16(in);
	x = in_u16(in);
	y = in_u16(in);
	surf = in_u32(in) % (u32)(ivgpu_type_gm_size(t) + 0x100000);
	ctl = PLANE_CTL_ENABLE | formats[sel & 3] << PLANE_CTL_FORMAT_SHIFT;
	if (sel & 4)
		ctl |= PLANE_CTL_TILED_X;
	if (sel & 8)
		ctl |= PLANE_CTL_ORDER_RGBX;
	if (sel & 16)
		ctl |= 1u << 4;		/* alpha */
	if (sel & 32)
		ctl = in_u32(in);	/* anything */
	reg_write(c, TRANSCONF(pipe), TRANSCONF_ENABLE, 4);
	reg_write(c, PLANE_CTL(pipe), ctl, 4);
	reg_write(c, PLANE_SIZE(pipe), (h - 1) << 16 | (w - 1), 4);
	reg_write(c, PLANE_STRIDE(pipe), sel & 64 ? stride : stride % 256, 4);
	reg_write(c, PLANE_OFFSET(pipe), sel & 128 ? (u32)y << 16 | x :
		  (u32)(y % 64) << 16 | x % 64, 4);
	reg_write(c, PLANE_SURF(pipe), surf, 4);
}

static void cursor_setup(struct ivgpu_core *c, struct fuzz_in *in, u32 pipe)
{
	static const u32 modes[] = {
		MCURSOR_MODE_64_ARGB, MCURSOR_MODE_128_ARGB,
		MCURSOR_MODE_256_ARGB, 0,
	};
	u32 sel, base, pos, mode;

	sel = in_u8(in);
	base = in_u32(in);
	pos = in_u32(in);
	mode = sel & 4 ? sel >> 3 : modes[sel & 3];

	reg_write(c, TRANSCONF(pipe), TRANSCONF_ENABLE, 4);
	reg_write(c, CURCNTR(pipe), mode, 4);
	reg_write(c, CURBASE(pipe),
		  base % (u32)(ivgpu_type_gm_size(c->type) + 0x100000), 4);
	reg_write(c, CURPOS(pipe), pos, 4);
}

static void check_transcoders(struct ivgpu_core *c)
{
	u32 pipe, v;

	if (c->stats.nomem)
		return;
	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		v = ivgpu_reg_get(c, TRANSCONF(pipe));
		FUZZ_CHECK(!(v & TRANSCONF_ENABLE) == !(v & TRANSCONF_STATE_ENABLE),
			   "TRANSCONF(%u) %#x", pipe, v);
	}
}

static void run_op(struct ivgpu_core *c, struct fuzz_in *in)
{
	u8 opcode = in_u8(in);
	u32 op = (opcode & 0xf) % MMIO_OPS;
	u32 bytes = 1u << ((opcode >> 4) & 3), variant = opcode >> 6;
	u32 off, sel, pipe;
	u64 val, frames;

	switch (op) {
	case MMIO_REG_READ:
		bar0_read(c, pick_reg(in, bytes), bytes);
		break;
	case MMIO_REG_WRITE:
		off = pick_reg(in, bytes);
		reg_write(c, off, in_le(in, bytes), bytes);
		break;
	case MMIO_ANY_READ:
		off = (in_u32(in) % IVGPU_BAR0_SIZE) & ~(bytes - 1);
		bar0_read(c, off, bytes);
		break;
	case MMIO_ANY_WRITE:
		off = (in_u32(in) % IVGPU_BAR0_SIZE) & ~(bytes - 1);
		val = in_le(in, bytes);
		if (off >= IVGPU_GGTT_OFFSET)
			ggtt_write(c, off - IVGPU_GGTT_OFFSET, val, bytes, false);
		else
			reg_write(c, off, val, bytes);
		break;
	case MMIO_GGTT_WRITE:
		sel = pick_entry(c, in_u32(in));
		off = sel * 8 + ((in_u8(in) % 8) & ~(bytes - 1));
		ggtt_write(c, off, in_le(in, bytes), bytes, variant & 1);
		break;
	case MMIO_GGTT_SPLIT:
		sel = pick_entry(c, in_u32(in));
		val = in_u64(in);
		ggtt_write(c, sel * 8 + (variant & 1 ? 4 : 0),
			   variant & 1 ? val >> 32 : val, 4, false);
		ggtt_write(c, sel * 8 + (variant & 1 ? 0 : 4),
			   variant & 1 ? val : val >> 32, 4, false);
		if (sel < c->ggtt_entries && !c->stats.nomem)
			FUZZ_CHECK(bar0_read(c, IVGPU_GGTT_OFFSET + sel * 8, 8) == val,
				   "PTE %u written in halves reads back differently",
				   sel);
		break;
	case MMIO_GGTT_READ:
		sel = pick_entry(c, in_u32(in));
		off = sel * 8 + ((in_u8(in) % 8) & ~(bytes - 1));
		bar0_read(c, IVGPU_GGTT_OFFSET + off, bytes);
		break;
	case MMIO_CFG_READ:
	case MMIO_CFG_WRITE:
		cfg_access(c, in, bytes, op == MMIO_CFG_WRITE);
		break;
	case MMIO_VBLANK:
		frames = ivgpu_reg_get(c, PIPE_FRMCOUNT(0));
		for (sel = 0; sel <= variant; sel++)
			ivgpu_display_vblank(c);
		if (!c->stats.nomem &&
		    (ivgpu_reg_get(c, TRANSCONF(0)) & TRANSCONF_ENABLE))
			FUZZ_CHECK(ivgpu_reg_get(c, PIPE_FRMCOUNT(0)) ==
				   (u32)(frames + variant + 1), "frame counter");
		FUZZ_CHECK(!(c->flips_pending & ivgpu_display_enabled_pipes(c)),
			   "flips still pending after a vblank: %#x",
			   c->flips_pending);
		break;
	case MMIO_RESET:
		ivgpu_core_reset(c);
		FUZZ_CHECK(!c->ggtt_present && !c->ggtt.nallocated &&
			   !c->intr_asserted && !c->flips_pending,
			   "state left after reset");
		break;
	case MMIO_PLANE:
		pipe = variant % IVGPU_PIPES;
		plane_setup(c, in, pipe);
		break;
	case MMIO_CURSOR:
		pipe = variant % IVGPU_PIPES;
		cursor_setup(c, in, pipe);
		break;
	case MMIO_DECODE:
		fuzz_fb_check(c, IVGPU_PLANE_PRIMARY);
		fuzz_fb_check(c, IVGPU_PLANE_CURSOR);
		break;
	case MMIO_LINK:
		FUZZ_CHECK(!ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
						       variant & 1 ? IVGPU_LINK_DOWN :
						       IVGPU_LINK_UP, 4),
			   "link change refused with the generated EDID");
		break;
	}
	fuzz_core_check(c);
	check_transcoders(c);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct ivgpu_core *c;
	u8 head = in_u8(&in);

	unit_alloc_fail_after = -1;
	if (head & 0x80)
		unit_alloc_fail_after = in_u8(&in);
	c = fuzz_core_new(head & 3, in_u8(&in));
	if (c) {
		while (in.n)
			run_op(c, &in);
		fuzz_core_check_full(c);
		fuzz_fb_check(c, IVGPU_PLANE_PRIMARY);
		fuzz_fb_check(c, IVGPU_PLANE_CURSOR);
		fuzz_fb_check(c, 0);
		fuzz_core_free(c);
	}
	unit_alloc_fail_after = -1;
	return 0;
}
