/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef IVGPU_UNIT_H
#define IVGPU_UNIT_H

#include "core.h"

/* A core of type @t, as the module makes one for a new vGPU; asserts. */
struct ivgpu_core *new_core(const struct ivgpu_type *t, u32 id);
void free_core(struct ivgpu_core *c);

/* Userspace writing @size bytes of EDID into the EDID region's blob. */
void edid_blob_write(struct ivgpu_core *c, const u8 *blob, u32 size);

#endif
