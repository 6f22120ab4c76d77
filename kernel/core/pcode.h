/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCODE mailbox: the guest's requests to the power controller.
 */
#ifndef IVGPU_CORE_PCODE_H
#define IVGPU_CORE_PCODE_H

#include "platform.h"

struct ivgpu_core;
struct ivgpu_reg;

/* GEN6_PCODE_MAILBOX write: a command with READY completes at once. */
u32 ivgpu_pcode_mailbox_write(struct ivgpu_core *c, const struct ivgpu_reg *r,
			      u32 off, u32 old, u32 new);

#endif /* IVGPU_CORE_PCODE_H */
