/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulated PCI config space of a vGPU.
 */
#ifndef IVGPU_CORE_CFG_H
#define IVGPU_CORE_CFG_H

#include "platform.h"

struct ivgpu_type;

#define IVGPU_CFG_BYTES 256

struct ivgpu_cfg {
	u8 regs[IVGPU_CFG_BYTES];	/* current contents */
	u8 wmask[IVGPU_CFG_BYTES];	/* bits a write may change */
	u8 w1cmask[IVGPU_CFG_BYTES];	/* bits a write of 1 clears */
};

void ivgpu_cfg_init(struct ivgpu_cfg *cfg, const struct ivgpu_type *type);

/* @off + @bytes must lie inside the 256 bytes; @bytes is 1, 2 or 4. */
u32 ivgpu_cfg_read(const struct ivgpu_cfg *cfg, u32 off, u32 bytes);
void ivgpu_cfg_write(struct ivgpu_cfg *cfg, u32 off, u32 val, u32 bytes);

#endif /* IVGPU_CORE_CFG_H */
