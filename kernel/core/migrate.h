/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The device-state stream of a vGPU, for live migration.
 *
 * A stream is one or more frames; each frame is a whole device state and
 * the last one wins (pre-copy sends a frame early, stop-copy the final one).
 * The final frame says so in its flags, and a stream is complete only when
 * it ends with that frame: a stream cut after its pre-copy frame is refused
 * like any other truncated one.
 * A frame is a 32-byte header, then sections, all little endian:
 *
 *   header:  u64 magic, u16 major, u16 minor, u32 header size,
 *            u32 type (index in ivgpu_types), u32 flags (IVGPU_MIG_FINAL),
 *            u64 bytes of sections that follow
 *   section: u32 id, u32 bytes, then that many bytes
 *
 * Sections: config space (256 bytes); core state (u32 flips_pending);
 * register file and GGTT as (u32 chunk index, 4 KiB) records of the
 * chunks that are not all zero; the monitor (EDID, its size, link state,
 * DPCD, DDC offset and segment). Guest memory is not in the stream: the
 * destination pins the pages again as they are used.
 */
#ifndef IVGPU_CORE_MIGRATE_H
#define IVGPU_CORE_MIGRATE_H

#include "platform.h"

struct ivgpu_core;

#define IVGPU_MIG_MAGIC		0x47494d5550475649ull	/* "IVGPUMIG" */
#define IVGPU_MIG_MAJOR		1
#define IVGPU_MIG_MINOR		1	/* 1: IVGPU_MIG_FINAL */
#define IVGPU_MIG_HEADER	32u
#define IVGPU_MIG_FINAL		(1u << 0)	/* frame flag: the stream ends here */

/* Bytes ivgpu_migrate_save() writes for @c now. */
u64 ivgpu_migrate_size(const struct ivgpu_core *c);

/* The largest frame any state of @c's type can give. */
u64 ivgpu_migrate_max_size(const struct ivgpu_core *c);

/*
 * Write one frame of @c's state into @buf (@len from ivgpu_migrate_size);
 * @final marks the frame that completes the stream (stop-copy's).
 */
u64 ivgpu_migrate_save(const struct ivgpu_core *c, u8 *buf, u64 len,
		       bool final);

/*
 * Check every frame of @buf, then make the last one @c's state. Nothing
 * changes unless all of it is valid. Returns 0; -EINVAL for a stream that
 * is malformed, truncated (it does not end with its final frame, or goes
 * on after it), of another type or holds values the device could not hold; -EPROTONOSUPPORT for a newer major version; -ENOMEM.
 * @why, if not NULL, gets a short reason.
 */
int ivgpu_migrate_load(struct ivgpu_core *c, const u8 *buf, u64 len,
		       const char **why);

#endif /* IVGPU_CORE_MIGRATE_H */
