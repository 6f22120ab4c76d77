// SPDX-License-Identifier: GPL-2.0-only
/*
 * GGTT entry storage. An access narrower than 8 bytes reads or merges its
 * bytes into the entry, so a PTE written as two 4-byte halves reads back
 * exactly as written.
 */
#include "ggtt.h"
#include "core.h"
#include <linux/ivgpu.h>

static u64 bytes_mask(u32 bytes)
{
	return bytes == 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

u64 ivgpu_ggtt_read(struct ivgpu_core *c, u32 off, u32 bytes)
{
	u64 idx = off / 8;
	u32 shift = 8 * (off % 8);

	if (idx >= c->ggtt_entries)
		return 0;
	return (ivgpu_store_get(&c->ggtt, idx) >> shift) & bytes_mask(bytes);
}

void ivgpu_ggtt_write(struct ivgpu_core *c, u32 off, u64 val, u32 bytes)
{
	u64 idx = off / 8;
	u32 shift = 8 * (off % 8);
	u64 mask = bytes_mask(bytes) << shift;
	u64 old, pte;

	if (idx >= c->ggtt_entries) {
		c->stats.ggtt_dropped++;
		return;
	}
	c->stats.ggtt_writes++;
	old = ivgpu_store_get(&c->ggtt, idx);
	pte = (old & ~mask) | ((val << shift) & mask);
	if (ivgpu_store_set(&c->ggtt, idx, pte)) {
		c->stats.nomem++;
		return;
	}
	if ((pte & ~old) & IVGPU_PTE_PRESENT)
		c->ggtt_present++;
	else if ((old & ~pte) & IVGPU_PTE_PRESENT)
		c->ggtt_present--;
}

u64 ivgpu_ggtt_entry(const struct ivgpu_core *c, u64 idx)
{
	return ivgpu_store_get(&c->ggtt, idx);
}
