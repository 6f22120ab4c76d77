/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The register table: what is special about a register is data (offset,
 * size, flags, handlers); everything not listed is plain storage.
 */
#ifndef IVGPU_CORE_MMIO_H
#define IVGPU_CORE_MMIO_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_store;

#define IVGPU_REG_RO		(1u << 0)	/* writes are dropped */
#define IVGPU_REG_MODE_MASK	(1u << 1)	/* bits 31:16 enable writes to 15:0 */
#define IVGPU_REG_W1C		(1u << 2)	/* writing 1 clears the bit */
#define IVGPU_REG_INTR		(1u << 3)	/* a write may change the IRQ line */
#define IVGPU_REG_VBLANK	(1u << 4)	/* ... which pipes need vblank events */

struct ivgpu_reg {
	u32 offset;		/* first byte */
	u32 size;		/* bytes covered: a run of 32-bit registers */
	u32 flags;		/* IVGPU_REG_* */
	u32 arg;		/* handler argument, e.g. a paired register */
	u32 reset;		/* power-on value of each dword */
	u32 w1c;		/* bits of a plain register that writing 1 clears */
	/*
	 * Optional. Called with the value a write would store after the
	 * flags were applied; returns the value to store.
	 */
	u32 (*write)(struct ivgpu_core *c, const struct ivgpu_reg *r, u32 off,
		     u32 old, u32 new);
	/* Optional. Returns the value a read sees; @val is the stored one. */
	u32 (*read)(struct ivgpu_core *c, const struct ivgpu_reg *r, u32 off,
		    u32 val);
};

/* The entry covering @off, or NULL. */
const struct ivgpu_reg *ivgpu_mmio_lookup(u32 off);
/* Index the table by page, once (ivgpu_core_global_init()). */
void ivgpu_mmio_index(void);

/* Table self-check for the unit tests: sorted, aligned, no overlaps, indexed. */
int ivgpu_mmio_table_check(void);

/* Store every entry's power-on value into @regs (a cleared register file). */
int ivgpu_mmio_power_on(struct ivgpu_store *regs);

/* One 32-bit register; @bytemask selects the bytes a write carries. */
u32 ivgpu_mmio_read32(struct ivgpu_core *c, u32 off);
void ivgpu_mmio_write32(struct ivgpu_core *c, u32 off, u32 val, u32 bytemask);

#endif /* IVGPU_CORE_MMIO_H */
