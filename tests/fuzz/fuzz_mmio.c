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
#include "gt.h"
#include "interrupt.h"
#include "mmio.h"
#include "monitor.h"
#include "pcode.h"
#include "ports.h"
#include "power.h"
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

/* Every entry of the register table, for the power-on values. */
static const struct ivgpu_reg *table[256];
static unsigned int ntable;

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

		if (r && r->offset == off) {
			add_reg(r->offset, r->size);
			if (ntable < ARRAY_SIZE(table))
				table[ntable++] = r;
		}
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
	for (i = 0; i < IVGPU_PORTS; i++)
		add_reg(DP_TP_CTL(i), 4);
	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		add_reg(TRANS_VTOTAL(pipe), 4);
		add_reg(TRANS_DDI_FUNC_CTL(pipe), 4);	/* which pipe is shown */
	}
	add_reg(GEN6_PCODE_DATA, 8);		/* and DATA1 */
	add_reg(EDP_PSR_IMR, 4);
	add_reg(GMBUS0, 4);
	FUZZ_CHECK(ntable < ARRAY_SIZE(table) && nregs < ARRAY_SIZE(regs),
		   "%u table entries, %u targets: make the arrays larger",
		   ntable, nregs);
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

/* The enable registers of DPLL 0..3, in the order of DPLL_STATUS. */
static const u32 dpll_ctl[] = { LCPLL1_CTL, LCPLL2_CTL, WRPLL_CTL1, WRPLL_CTL2 };

/*
 * What a register with a read handler shows, from regs.h and the rules in
 * docs/architecture.md. *@exact is cleared where only bounds are known (the
 * scan line, which depends on the clock); then the value is checked here.
 */
static u32 model_read(struct ivgpu_core *c, const struct ivgpu_reg *r, u32 d,
		      u32 stored, u32 got, u32 mask, bool *exact)
{
	u32 want = 0, i, vt, vtotal, vdisplay, ctl;

	*exact = true;
	if (r->read == ivgpu_intr_master_read)
		return (stored & GEN8_MASTER_IRQ_CONTROL) | fuzz_intr_pending(c);
	if (r->read == ivgpu_power_dpll_status_read) {
		for (i = 0; i < ARRAY_SIZE(dpll_ctl); i++)
			if (ivgpu_reg_get(c, dpll_ctl[i]) & LCPLL_PLL_ENABLE)
				want |= 1u << (8 * i);
		return want;
	}
	if (r->read == ivgpu_ports_dp_tp_status_read) {
		ctl = ivgpu_reg_get(c, d - 4);
		return stored | (((ctl >> 8) & 7) == 2 ? DP_TP_STATUS_IDLE_DONE : 0);
	}
	if (r->read == ivgpu_display_frmcount_read) {
		if (!c->clock_on ||
		    !(ivgpu_reg_get(c, TRANSCONF(r->arg)) & TRANSCONF_ENABLE))
			return stored;
		return stored + (u32)(unit_now_ns / IVGPU_FRAME_NS -
				      c->frame_base[r->arg]);
	}
	FUZZ_CHECK(r->read == ivgpu_display_pipedsl_read,
		   "read handler of %#x not in the model", d);
	if (!(ivgpu_reg_get(c, TRANSCONF(r->arg)) & TRANSCONF_ENABLE))
		return stored;
	*exact = false;
	vt = ivgpu_reg_get(c, TRANS_VTOTAL(r->arg));
	vtotal = (vt >> 16 & 0x1fff) + 1;
	vdisplay = (vt & 0x1fff) + 1;
	if (vdisplay >= vtotal)
		vtotal = 1125;
	if (mask == ~0u)
		FUZZ_CHECK(got >= 1 && got <= vtotal && got <= 0x1fff,
			   "PIPEDSL(%u) reads %u, vtotal %u", r->arg, got, vtotal);
	return got;
}

/*
 * A register read shows the stored bits, or what the read handler's model
 * says.
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

		if (r && r->read) {
			bool exact;

			want = model_read(c, r, d, want, got & mask, mask, &exact);
			if (!exact)
				continue;
		}
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
 * The PCODE mailbox as docs/architecture.md describes it: the error code a
 * command with READY gets, and what DATA holds afterwards.
 */
static u32 model_pcode(u32 cmd, u32 data, u32 *reply)
{
	*reply = data;
	switch (cmd) {
	case 0x6:	/* memory latencies */
		*reply = data ? 0x61514b3d : 0x1e1a1100;
		return 0;
	case 0x7:	/* CDCLK: prepare for a change, or a voltage level */
		if (data == 0x3) {
			*reply = 0x1;
			return 0;
		}
		return data <= 3 ? 0 : 0x3;
	case 0x21:	/* SAGV: disable, enable */
		if (data == 0x0) {
			*reply = 0x1;
			return 0;
		}
		return data == 0x3 ? 0 : 0x3;
	}
	return 0x1;
}

/*
 * The value a write handler stores, from the value the flags produced:
 * the rules of docs/architecture.md, written out independently of the core.
 * False for handlers whose effect the caller checks otherwise.
 */
static bool model_handler(const struct ivgpu_reg *r, u32 new, u32 *want)
{
	u32 req;

	if (r->write == ivgpu_gt_mi_mode_write) {
		*want = new | MODE_IDLE;
	} else if (r->write == ivgpu_gt_reset_ctl_write) {
		*want = (new & ~6u) | (new & 1 ? 2 : 0);
	} else if (r->write == ivgpu_gt_self_clear_write) {
		*want = 0;
	} else if (r->write == ivgpu_power_well_write) {
		req = new & 0xaaaaaaaa;
		*want = req | req >> 1;
	} else if (r->write == ivgpu_power_ack_write) {
		*want = (new & ~(1u << 30)) | (new >> 1 & (1u << 30));
	} else if (r->write == ivgpu_ports_ddi_buf_write) {
		*want = (new & ~0x80u) | (new & (1u << 31) ? 0 : 0x80);
	} else if (r->write == ivgpu_ports_aux_write) {
		*want = new & ~(DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR |
				DP_AUX_CH_CTL_RECEIVE_ERROR);
		if (*want & DP_AUX_CH_CTL_SEND_BUSY)
			*want = (*want & ~(DP_AUX_CH_CTL_SEND_BUSY |
					   DP_AUX_CH_CTL_SIZE_MASK)) |
				DP_AUX_CH_CTL_DONE | DP_AUX_CH_CTL_TIME_OUT_ERROR;
	} else if (r->write == ivgpu_ports_gmbus1_write) {
		*want = new & ~GMBUS_SW_RDY;
	} else {
		return false;	/* transconf, surf, master, forcewake, pcode */
	}
	return true;
}

/* GMBUS2 after a GMBUS1 write of @new that found GMBUS2 at @gmbus2. */
static u32 model_gmbus2(u32 new, u32 gmbus2)
{
	if (new & GMBUS_SW_CLR_INT)
		return 0;
	return new & GMBUS_SW_RDY ? GMBUS_SATOER : gmbus2;
}

/*
 * A register write, and what each dword it covers must hold afterwards
 * according to the entry's flags and handler. Side effects on other
 * registers (GMBUS2, the PCODE data, interrupts) are checked here or
 * through the shared invariants.
 */
static void reg_write(struct ivgpu_core *c, u32 off, u64 val, u32 bytes)
{
	u32 first = off & ~3u, n = bytes == 8 ? 2 : 1;
	u32 old[2], mask[2], data[2], i;
	u32 gmbus2 = ivgpu_reg_get(c, GMBUS2);
	u32 pdata = ivgpu_reg_get(c, GEN6_PCODE_DATA);
	u64 nomem = c->stats.nomem, rejected = c->stats.pcode_rejected;
	u64 want_rejected = rejected;

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
		u32 d = first + 4 * i, now = ivgpu_reg_get(c, d), want, err;
		const struct ivgpu_reg *r = ivgpu_mmio_lookup(d);
		u32 flags = r ? r->flags : 0, w = data[i] & mask[i];

		if (flags & IVGPU_REG_RO) {
			want = old[i];
		} else if (flags & IVGPU_REG_W1C) {
			want = old[i] & ~w;
		} else if (flags & IVGPU_REG_MODE_MASK) {
			u32 m = w >> 16;

			want = (old[i] & ~m & 0xffff) | (data[i] & m);
		} else {
			want = (old[i] & ~mask[i]) | w;
		}
		if (r && r->w1c)
			want = (want & ~r->w1c) | (old[i] & r->w1c & ~w);

		if (d == DP_AUX_CH_CTL_D) {
			if (w & DP_AUX_CH_CTL_SEND_BUSY)
				FUZZ_CHECK((now & (DP_AUX_CH_CTL_SEND_BUSY |
						   DP_AUX_CH_CTL_DONE)) ==
					   DP_AUX_CH_CTL_DONE &&
					   (now & DP_AUX_CH_CTL_SIZE_MASK) >> 20 <= 20,
					   "AUX control %#x after sending", now);
			continue;
		} else if (r && r->offset == FENCE_REG_GEN6_BASE) {
			if ((d - r->offset) / 8 >= c->type->fences)
				want = old[i];
		} else if (d == GEN6_PCODE_MAILBOX) {
			if (want & GEN6_PCODE_READY) {
				u32 reply;

				err = model_pcode(want & 0xff, pdata, &reply);
				want = (want & ~(GEN6_PCODE_READY | 0xff)) | err;
				want_rejected += err != 0;
				/* the reply stays unless DATA was written too */
				if (n == 1)
					FUZZ_CHECK(ivgpu_reg_get(c, GEN6_PCODE_DATA) == reply,
						   "PCODE %#x on %#x replied %#x, expected %#x",
						   data[i] & 0xff, pdata,
						   ivgpu_reg_get(c, GEN6_PCODE_DATA), reply);
			}
		} else if (d == GMBUS2 && i == 1) {
			want = model_gmbus2(data[0], gmbus2);
		} else if (d == FORCEWAKE_RENDER_GEN9 || d == FORCEWAKE_MEDIA_GEN9 ||
			   d == FORCEWAKE_BLITTER_GEN9) {
			/* stored as masked; the acks are a shared invariant */
		} else if (r && r->write && !model_handler(r, want, &want)) {
			continue;	/* transconf, surf, master */
		}
		if (d == GMBUS1 && n == 1)
			FUZZ_CHECK(ivgpu_reg_get(c, GMBUS2) ==
				   model_gmbus2(want | (w & GMBUS_SW_RDY), gmbus2),
				   "GMBUS2 %#x after GMBUS1 %#x",
				   ivgpu_reg_get(c, GMBUS2), w);
		FUZZ_CHECK(now == want,
			   "%u-byte write of %#llx at %#x: dword %#x holds %#x, expected %#x (was %#x, flags %#x)",
			   bytes, (unsigned long long)val, off, d, now, want,
			   old[i], flags);
	}
	FUZZ_CHECK(c->stats.pcode_rejected == want_rejected,
		   "%llu PCODE commands rejected, expected %llu",
		   (unsigned long long)c->stats.pcode_rejected,
		   (unsigned long long)want_rejected);
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

/* After init or reset every entry of the table holds its power-on value. */
static void check_power_on(struct ivgpu_core *c)
{
	unsigned int i;
	u32 off;

	if (c->stats.nomem)
		return;
	for (i = 0; i < ntable; i++)
		for (off = table[i]->offset;
		     off < table[i]->offset + table[i]->size; off += 4)
			if (table[i]->offset != IVGPU_PVINFO_OFFSET &&
			    table[i]->offset != SDEISR)
				FUZZ_CHECK(ivgpu_reg_get(c, off) == table[i]->reset,
					   "%#x holds %#x after reset, not %#x",
					   off, ivgpu_reg_get(c, off),
					   table[i]->reset);
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
		/* Events only: the frame counter follows the clock. */
		frames = ivgpu_mmio_read32(c, PIPE_FRMCOUNT(0));
		for (sel = 0; sel <= variant; sel++)
			ivgpu_display_vblank(c);
		FUZZ_CHECK(ivgpu_mmio_read32(c, PIPE_FRMCOUNT(0)) == frames,
			   "a vblank moved the frame counter");
		FUZZ_CHECK(!(c->flips_pending & ivgpu_display_enabled_pipes(c)),
			   "flips still pending after a vblank: %#x",
			   c->flips_pending);
		break;
	case MMIO_RESET:
		ivgpu_core_reset(c);
		FUZZ_CHECK(!c->ggtt_present && !c->ggtt.nallocated &&
			   !c->intr_asserted && !c->flips_pending,
			   "state left after reset");
		check_power_on(c);
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
		sel = c->monitor.link_state;
		ivgpu_reg_set(c, PCH_PORT_HOTPLUG, 0);
		FUZZ_CHECK(!ivgpu_monitor_region_write(c, IVGPU_EDID_REG_LINK_STATE,
						       variant & 1 ? IVGPU_LINK_DOWN :
						       IVGPU_LINK_UP, 4),
			   "link change refused with the generated EDID");
		if (!c->stats.nomem)
			FUZZ_CHECK(ivgpu_reg_get(c, PCH_PORT_HOTPLUG) ==
				   (sel != c->monitor.link_state ?
				    PORTD_HOTPLUG_LONG_DETECT : 0),
				   "PCH_PORT_HOTPLUG %#x after link %u -> %u",
				   ivgpu_reg_get(c, PCH_PORT_HOTPLUG), sel,
				   c->monitor.link_state);
		break;
	case MMIO_CLOCK:
		/* Variant bit 0: the device stops or starts (frame clock). */
		if (variant & 1) {
			frames = ivgpu_mmio_read32(c, PIPE_FRMCOUNT(0));
			ivgpu_display_clock(c, !c->clock_on);
			FUZZ_CHECK(ivgpu_mmio_read32(c, PIPE_FRMCOUNT(0)) ==
				   frames || c->stats.nomem,
				   "the frame counter jumped when the clock %s",
				   c->clock_on ? "started" : "stopped");
		}
		unit_now_ns += in_u32(in);
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
	unit_now_ns = 0;
	if (head & 0x80)
		unit_alloc_fail_after = in_u8(&in);
	c = fuzz_core_new(head & 3, in_u8(&in));
	if (c) {
		check_power_on(c);
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
