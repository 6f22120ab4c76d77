/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A lazily filled array of little chunks: reads of a chunk never written
 * return zero, and a chunk is allocated on the first non-zero write. Used for
 * the register file and the GGTT, where a guest touches a small part of a
 * large address space.
 *
 * A store may share another's chunks (ivgpu_store_share()): a cleared store
 * then reads as that one does, and a chunk is copied on its first write that
 * changes it. Every vGPU's register file shares the power-on one this way.
 */
#ifndef IVGPU_CORE_STORE_H
#define IVGPU_CORE_STORE_H

#include "platform.h"

#define IVGPU_STORE_CHUNK	4096u

struct ivgpu_store {
	u64 **chunks;		/* nchunks pointers, NULL = all zero */
	u64 *const *shared;	/* NULL, or the chunks a cleared store shows */
	u32 nchunks;
	u32 nallocated;		/* chunks of its own currently allocated */
};

int ivgpu_store_init(struct ivgpu_store *s, u64 size);
void ivgpu_store_fini(struct ivgpu_store *s);
/* Back to all zero, or to what @s shares. */
void ivgpu_store_clear(struct ivgpu_store *s);
/*
 * Share @from's chunks (a store of the same size that is never written or
 * freed while @s lives) and clear @s to them.
 */
void ivgpu_store_share(struct ivgpu_store *s, const struct ivgpu_store *from);

/* Chunk @i is @s's own (allocated, not shared). */
static inline bool ivgpu_store_own(const struct ivgpu_store *s, u32 i)
{
	return s->chunks[i] && (!s->shared || s->chunks[i] != s->shared[i]);
}

/* @idx counts 64-bit words; the caller range-checks it. */
static inline u64 ivgpu_store_get(const struct ivgpu_store *s, u64 idx)
{
	const u64 *c = s->chunks[idx / (IVGPU_STORE_CHUNK / 8)];

	return c ? c[idx % (IVGPU_STORE_CHUNK / 8)] : 0;
}

/* Returns -ENOMEM (and stores nothing) if a chunk can't be allocated. */
int ivgpu_store_set(struct ivgpu_store *s, u64 idx, u64 val);

#endif /* IVGPU_CORE_STORE_H */
