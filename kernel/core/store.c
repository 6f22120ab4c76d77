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
	s->chunks = ivgpu_core_zalloc(s->nchunks * sizeof(*s->chunks));
	return s->chunks ? 0 : -ENOMEM;
}

void ivgpu_store_clear(struct ivgpu_store *s)
{
	u32 i;

	for (i = 0; i < s->nchunks; i++) {
		ivgpu_core_free(s->chunks[i]);
		s->chunks[i] = NULL;
	}
	s->nallocated = 0;
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
	u64 **slot = &s->chunks[idx / WORDS_PER_CHUNK];

	if (!*slot) {
		if (!val)
			return 0;
		*slot = ivgpu_core_zalloc(IVGPU_STORE_CHUNK);
		if (!*slot)
			return -ENOMEM;
		s->nallocated++;
	}
	(*slot)[idx % WORDS_PER_CHUNK] = val;
	return 0;
}
