// SPDX-License-Identifier: GPL-2.0-only
/* Helpers the core's unit test programs share. */
#include <stdlib.h>
#include "tap.h"
#include "monitor.h"
#include "unit.h"
#include <linux/ivgpu.h>

struct ivgpu_core *new_core(const struct ivgpu_type *t, u32 id)
{
	struct ivgpu_core *c = calloc(1, sizeof(*c));

	ASSERT_TRUE(c != NULL);
	ASSERT_EQ(ivgpu_core_init(c, t, id), 0);
	return c;
}

void free_core(struct ivgpu_core *c)
{
	ivgpu_core_fini(c);
	free(c);
}

void edid_blob_write(struct ivgpu_core *c, const u8 *blob, u32 size)
{
	u32 i;

	for (i = 0; i < size; i++)
		ivgpu_monitor_region_write(c, IVGPU_EDID_BLOB_OFFSET + i, blob[i], 1);
}
