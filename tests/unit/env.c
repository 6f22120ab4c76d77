// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's environment in userspace (see kernel/core/platform.h), with a
 * knob to make allocations fail for the error-path tests and a clock the
 * tests set.
 */
#include <stdlib.h>
#include "env.h"

long unit_alloc_fail_after = -1;	/* fail once this many succeeded; -1 never */
u64 unit_now_ns;			/* what ivgpu_core_now_ns() returns */
unsigned long unit_refused;		/* calls of ivgpu_core_refused() */

void *ivgpu_core_zalloc(size_t size)
{
	if (unit_alloc_fail_after == 0)
		return NULL;
	if (unit_alloc_fail_after > 0)
		unit_alloc_fail_after--;
	return calloc(1, size);
}

void ivgpu_core_free(void *p)
{
	free(p);
}

u64 ivgpu_core_now_ns(void)
{
	return unit_now_ns;
}

void ivgpu_core_refused(const struct ivgpu_core *c, const char *what,
			u32 off, u32 val)
{
	unit_refused++;
}

/* What the module does at load: before any test makes a core. */
__attribute__((constructor)) static void unit_core_global_init(void)
{
	if (ivgpu_core_global_init())
		abort();
}

__attribute__((destructor)) static void unit_core_global_fini(void)
{
	ivgpu_core_global_fini();
}
