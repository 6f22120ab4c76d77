// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupt latching and the master line.
 */
#include "interrupt.h"
#include "core.h"
#include "regs.h"

/* The blocks that feed the master register, and the bit each one sets. */
static const struct {
	u32 isr;
	u32 master_bit;
} ivgpu_intr_blocks[] = {
	{ GEN8_GT_ISR(0), 0x3 },	/* render, blitter */
	{ GEN8_GT_ISR(1), 0xc },	/* video */
	{ GEN8_GT_ISR(2), 0x10 },	/* power management */
	{ GEN8_GT_ISR(3), 0x40 },	/* video enhancement */
	{ GEN8_DE_PIPE_ISR(0), GEN8_DE_PIPE_IRQ(0) },
	{ GEN8_DE_PIPE_ISR(1), GEN8_DE_PIPE_IRQ(1) },
	{ GEN8_DE_PIPE_ISR(2), GEN8_DE_PIPE_IRQ(2) },
	{ GEN8_DE_PORT_ISR, GEN8_DE_PORT_IRQ },
	{ GEN8_DE_MISC_ISR, GEN8_DE_MISC_IRQ },
	{ SDEISR, GEN8_DE_PCH_IRQ },
};

/* Master bits of the blocks with a latched and enabled event. */
static u32 ivgpu_intr_pending(const struct ivgpu_core *c)
{
	u32 pending = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ivgpu_intr_blocks); i++) {
		u32 isr = ivgpu_intr_blocks[i].isr;

		if (ivgpu_reg_get(c, isr + IRQ_IIR) &
		    ivgpu_reg_get(c, isr + IRQ_IER))
			pending |= ivgpu_intr_blocks[i].master_bit;
	}
	return pending;
}

void ivgpu_intr_update(struct ivgpu_core *c)
{
	bool asserted = (ivgpu_reg_get(c, GEN8_MASTER_IRQ) &
			 GEN8_MASTER_IRQ_CONTROL) && ivgpu_intr_pending(c);

	if (asserted != c->intr_asserted)
		c->intr_changed = true;
	c->intr_asserted = asserted;
}

void ivgpu_intr_raise(struct ivgpu_core *c, u32 isr, u32 bit)
{
	c->stats.events++;
	if (ivgpu_reg_get(c, isr + IRQ_IMR) & bit)
		return;
	ivgpu_reg_set(c, isr + IRQ_IIR, ivgpu_reg_get(c, isr + IRQ_IIR) | bit);
	ivgpu_intr_update(c);
}

u32 ivgpu_intr_master_read(struct ivgpu_core *c, const struct ivgpu_reg *r,
			   u32 off, u32 val)
{
	return (val & GEN8_MASTER_IRQ_CONTROL) | ivgpu_intr_pending(c);
}

/* Only the enable bit is stored; the rest is status. */
u32 ivgpu_intr_master_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			    u32 off, u32 old, u32 new)
{
	return new & GEN8_MASTER_IRQ_CONTROL;
}
