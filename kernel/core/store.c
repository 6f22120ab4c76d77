// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lazily filled word store.
 */
#include "store.h"

#define WORDS_PER_CHUNK (IVGPU_STORE_CHUNK / 8)

int ivgpu_store_init(struct ivgpu_store *s, u64 size)
{
	s->nchunks = (u32)((size + IVGPU_STORE_CHUNK - 1) / IVGPU_STORE_CHUNK);
	s->nallocated = 0;
	s->shared = NULL;
	s->chunks = ivgpu_core_zalloc(s->nchunks * sizeof(*s->chunks));
	return s->chunks ? 0 : -ENOMEM;
}

/* Free the chunks of its own; every slot shows what it shares, or zero. */
static void ivgpu_store_reset_slots(struct ivgpu_store *s)
{
	u32 i;

	for (i = 0; i < s->nchunks; i++) {
		if (ivgpu_store_own(s, i))
			ivgpu_core_free(s->chunks[i]);
		s->chunks[i] = s->shared ? s->shared[i] : NULL;
	}
	s->nallocated = 0;
}

void ivgpu_store_clear(struct ivgpu_store *s)
{
	/* Without a chunk of its own, every slot is what a clear puts there. */
	if (s->nallocated)
		ivgpu_store_reset_slots(s);
}

void ivgpu_store_share(struct ivgpu_store *s, const struct ivgpu_store *from)
{
	ivgpu_store_clear(s);
	s->shared = from->chunks;
	ivgpu_store_reset_slots(s);
}

void ivgpu_store_fini(struct ivgpu_store *s)
{
	if (!s->chunks)
		return;
	ivgpu_store_clear(s);
	ivgpu_core_free(s->chunks);
	s->chunks = NULL;
}

int ivgpu_store_set(struct ivgpu_store *s, u64 idx, u64 val)
{
	u32 i = idx / WORDS_PER_CHUNK;
	u64 *chunk = s->chunks[i];

	if (chunk && chunk[idx % WORDS_PER_CHUNK] == val)
		return 0;
	if (!chunk && !val)
		return 0;
	if (!chunk || !ivgpu_store_own(s, i)) {
		u64 *own = ivgpu_core_zalloc(IVGPU_STORE_CHUNK);

		if (!own)
			return -ENOMEM;
		if (chunk)
			memcpy(own, chunk, IVGPU_STORE_CHUNK);
		s->chunks[i] = chunk = own;
		s->nallocated++;
	}
	chunk[idx % WORDS_PER_CHUNK] = val;
	return 0;
}
