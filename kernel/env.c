// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's environment inside the kernel (see platform.h). Memory is for
 * the lazily filled tables, allocated from process context.
 */
#include <linux/slab.h>
#include "core/platform.h"

void *ivgpu_core_zalloc(size_t size)
{
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

void ivgpu_core_free(void *p)
{
	kfree(p);
}
