/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Gen8+ interrupt hierarchy: events latch into IIRs unless masked, IER
 * selects which latched bits reach the master register, and the master's
 * enable bit gates the interrupt line.
 */
#ifndef IVGPU_CORE_INTERRUPT_H
#define IVGPU_CORE_INTERRUPT_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_reg;

/* An event: @bit of the block whose ISR is at @isr (e.g. GEN8_DE_PIPE_ISR). */
void ivgpu_intr_raise(struct ivgpu_core *c, u32 isr, u32 bit);

/* Recompute c->intr_asserted after an interrupt register changed. */
void ivgpu_intr_update(struct ivgpu_core *c);

/* Register handlers for the table. */
u32 ivgpu_intr_master_read(struct ivgpu_core *c, const struct ivgpu_reg *r,
			   u32 off, u32 val);
u32 ivgpu_intr_master_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			    u32 off, u32 old, u32 new);

#endif /* IVGPU_CORE_INTERRUPT_H */
