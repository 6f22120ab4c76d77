// SPDX-License-Identifier: GPL-2.0-only
/*
 * BAR0 register dispatch.
 */
#include "mmio.h"
#include "core.h"
#include "display.h"
#include "interrupt.h"
#include "monitor.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

/* Forcewake: the acknowledge register mirrors the granted domains. */
static u32 forcewake_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			   u32 off, u32 old, u32 new)
{
	ivgpu_reg_set(c, r->arg, new & 0xffff);
	return new;
}

/* Fence registers past the instance's fence count do not exist. */
static u32 fence_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
		       u32 off, u32 old, u32 new)
{
	u32 fence = (off - r->offset) / 8;

	return fence < c->type->fences ? new : old;
}

/* Sorted by offset. */
static const struct ivgpu_reg ivgpu_regs[] = {
	{ .offset = FORCEWAKE_ACK_RENDER_GEN9, .size = 4,
	  .flags = IVGPU_REG_RO },
	{ .offset = FORCEWAKE_ACK_MEDIA_GEN9, .size = 4,
	  .flags = IVGPU_REG_RO },
	{ .offset = FORCEWAKE_BLITTER_GEN9, .size = 4,
	  .flags = IVGPU_REG_MODE_MASK, .arg = FORCEWAKE_ACK_GT_GEN9,
	  .write = forcewake_write },
	{ .offset = FORCEWAKE_MEDIA_GEN9, .size = 4,
	  .flags = IVGPU_REG_MODE_MASK, .arg = FORCEWAKE_ACK_MEDIA_GEN9,
	  .write = forcewake_write },
	{ .offset = FORCEWAKE_RENDER_GEN9, .size = 4,
	  .flags = IVGPU_REG_MODE_MASK, .arg = FORCEWAKE_ACK_RENDER_GEN9,
	  .write = forcewake_write },
	{ .offset = GEN8_MASTER_IRQ, .size = 4, .flags = IVGPU_REG_INTR,
	  .read = ivgpu_intr_master_read, .write = ivgpu_intr_master_write },
	/* render and blitter interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_GT_ISR(0), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_GT_ISR(0) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_GT_ISR(0) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* video interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_GT_ISR(1), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_GT_ISR(1) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_GT_ISR(1) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* power management interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_GT_ISR(2), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_GT_ISR(2) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_GT_ISR(2) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* video enhancement interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_GT_ISR(3), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_GT_ISR(3) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_GT_ISR(3) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* pipe A interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_PIPE_ISR(0), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_PIPE_ISR(0) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_PIPE_ISR(0) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* pipe B interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_PIPE_ISR(1), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_PIPE_ISR(1) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_PIPE_ISR(1) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* pipe C interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_PIPE_ISR(2), .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_PIPE_ISR(2) + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_PIPE_ISR(2) + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* display ports interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_PORT_ISR, .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_PORT_ISR + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_PORT_ISR + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	/* display misc interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = GEN8_DE_MISC_ISR, .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = GEN8_DE_MISC_ISR + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = GEN8_DE_MISC_ISR + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	{ .offset = DP_AUX_CH_CTL_D, .size = 4, .flags = IVGPU_REG_INTR,
	  .write = ivgpu_monitor_aux_ctl_write },
	{ .offset = TRANSCONF(0), .size = 4,
	  .write = ivgpu_display_transconf_write },
	{ .offset = PLANE_SURF(0), .size = 4, .arg = 0,
	  .write = ivgpu_display_surf_write },
	{ .offset = TRANSCONF(1), .size = 4,
	  .write = ivgpu_display_transconf_write },
	{ .offset = PLANE_SURF(1), .size = 4, .arg = 1,
	  .write = ivgpu_display_surf_write },
	{ .offset = TRANSCONF(2), .size = 4,
	  .write = ivgpu_display_transconf_write },
	{ .offset = PLANE_SURF(2), .size = 4, .arg = 2,
	  .write = ivgpu_display_surf_write },
	/* PV info: the host half is read-only, the guest half plain storage. */
	{ .offset = IVGPU_PVINFO_OFFSET, .size = IVGPU_PV_GUEST_AREA,
	  .flags = IVGPU_REG_RO },
	/* south display (PCH) interrupts: ISR, IMR (plain), IIR, IER */
	{ .offset = SDEISR, .size = 4, .flags = IVGPU_REG_RO },
	{ .offset = SDEISR + IRQ_IIR, .size = 4,
	  .flags = IVGPU_REG_W1C | IVGPU_REG_INTR },
	{ .offset = SDEISR + IRQ_IER, .size = 4, .flags = IVGPU_REG_INTR },
	{ .offset = FENCE_REG_GEN6_BASE, .size = FENCE_REG_MAX * 8,
	  .write = fence_write },
	{ .offset = FORCEWAKE_ACK_GT_GEN9, .size = 4,
	  .flags = IVGPU_REG_RO },
};

const struct ivgpu_reg *ivgpu_mmio_lookup(u32 off)
{
	unsigned int lo = 0, hi = ARRAY_SIZE(ivgpu_regs);

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct ivgpu_reg *r = &ivgpu_regs[mid];

		if (off < r->offset)
			hi = mid;
		else if (off >= r->offset + r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

int ivgpu_mmio_table_check(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ivgpu_regs); i++) {
		const struct ivgpu_reg *r = &ivgpu_regs[i];

		if (r->offset % 4 || r->size % 4 || !r->size ||
		    r->offset + r->size > IVGPU_MMIO_SIZE)
			return -EINVAL;
		if (i && r->offset < ivgpu_regs[i - 1].offset +
				     ivgpu_regs[i - 1].size)
			return -EINVAL;
	}
	return 0;
}

void ivgpu_reg_set(struct ivgpu_core *c, u32 off, u32 val)
{
	u64 word = ivgpu_store_get(&c->regs, off / 8);
	u32 shift = 8 * (off & 4);

	word = (word & ~(0xffffffffull << shift)) | ((u64)val << shift);
	if (ivgpu_store_set(&c->regs, off / 8, word))
		c->stats.nomem++;
}

u32 ivgpu_mmio_read32(struct ivgpu_core *c, u32 off)
{
	const struct ivgpu_reg *r = ivgpu_mmio_lookup(off);
	u32 val = ivgpu_reg_get(c, off);

	c->stats.mmio_reads++;
	return r && r->read ? r->read(c, r, off, val) : val;
}

void ivgpu_mmio_write32(struct ivgpu_core *c, u32 off, u32 val, u32 bytemask)
{
	const struct ivgpu_reg *r = ivgpu_mmio_lookup(off);
	u32 flags = r ? r->flags : 0;
	u32 old = ivgpu_reg_get(c, off);
	u32 new, m;

	c->stats.mmio_writes++;
	val &= bytemask;
	if (flags & IVGPU_REG_RO) {
		c->stats.ro_writes++;
		return;
	}
	if (flags & IVGPU_REG_MODE_MASK) {
		m = val >> 16;
		new = (old & ~m & 0xffff) | (val & m);
	} else if (flags & IVGPU_REG_W1C) {
		new = old & ~val;
	} else {
		new = (old & ~bytemask) | val;
	}
	if (r && r->write)
		new = r->write(c, r, off, old, new);
	if (new != old)
		ivgpu_reg_set(c, off, new);
	if (flags & IVGPU_REG_INTR)
		ivgpu_intr_update(c);
}
