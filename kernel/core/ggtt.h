/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's GGTT: 8-byte PTEs in BAR0 from +8 MiB. Only the instance's
 * slice is backed; other entries read as zero and drop writes.
 */
#ifndef IVGPU_CORE_GGTT_H
#define IVGPU_CORE_GGTT_H

#include "platform.h"

struct ivgpu_core;

/* @off is relative to the GGTT start, aligned to @bytes (1, 2, 4 or 8). */
u64 ivgpu_ggtt_read(struct ivgpu_core *c, u32 off, u32 bytes);
void ivgpu_ggtt_write(struct ivgpu_core *c, u32 off, u64 val, u32 bytes);

/* Entry @idx of the slice (the caller checks idx < c->ggtt_entries). */
u64 ivgpu_ggtt_entry(const struct ivgpu_core *c, u64 idx);

#endif /* IVGPU_CORE_GGTT_H */
