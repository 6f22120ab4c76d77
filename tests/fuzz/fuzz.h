/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared pieces of the libFuzzer targets over kernel/core/: a reader that
 * turns the input into values (zeros once it runs out), a check that aborts
 * with a message, the input formats (mkseeds.c writes them too), and the
 * checks every target runs on a core.
 */
#ifndef IVGPU_FUZZ_H
#define IVGPU_FUZZ_H

#include "platform.h"

struct ivgpu_core;

/* ---- input ---- */

struct fuzz_in {
	const u8 *p;
	size_t n;
};

static inline u8 in_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

/* @bytes (at most 8) little-endian bytes. */
static inline u64 in_le(struct fuzz_in *in, u32 bytes)
{
	u64 v = 0;
	u32 i;

	for (i = 0; i < bytes; i++)
		v |= (u64)in_u8(in) << (8 * i);
	return v;
}

static inline u16 in_u16(struct fuzz_in *in) { return (u16)in_le(in, 2); }
static inline u32 in_u32(struct fuzz_in *in) { return (u32)in_le(in, 4); }
static inline u64 in_u64(struct fuzz_in *in) { return in_le(in, 8); }

/* ---- checks ---- */

void fuzz_fail(const char *file, int line, const char *cond,
	       const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

/* Abort (a crash for libFuzzer) with "FUZZ CHECK FAILED" and the message. */
#define FUZZ_CHECK(cond, ...)						\
	do {								\
		if (!(cond))						\
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* printf to stderr when FUZZ_TRACE is set in the environment (debugging). */
void fuzz_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A new core of @type, allocated with calloc (the core's own allocations go
 * through ivgpu_core_zalloc, see tests/unit/env.c). NULL if init failed,
 * which is only allowed while allocations are made to fail.
 */
struct ivgpu_core *fuzz_core_new(u32 type, u32 vgt_id);
void fuzz_core_free(struct ivgpu_core *c);

/*
 * Cheap invariants, after every operation: GGTT accounting bounds, the
 * interrupt line against the registers, pending flips, and (while no
 * allocation failed) what reset and the monitor put in the registers.
 */
void fuzz_core_check(struct ivgpu_core *c);

/* Master-register bits of the interrupt blocks with a latched, enabled event. */
u32 fuzz_intr_pending(const struct ivgpu_core *c);

/*
 * Expensive ones, at the end of an input: the GGTT present count and both
 * stores' chunk counts recounted from the stores.
 */
void fuzz_core_check_full(struct ivgpu_core *c);

/*
 * Decode @plane; check the description against the registers, the type and
 * the slice; copy it into a buffer of exactly width * cpp * height bytes
 * through a page callback that fails on a page outside the decoded surface,
 * and compare copied bytes with an independent address computation.
 * Returns what ivgpu_fb_decode() returned.
 */
int fuzz_fb_check(struct ivgpu_core *c, int plane);

/* ---- input formats ---- */

/*
 * fuzz_mmio: byte 0 picks the type (bits 0-1, modulo 3); bit 7 makes the
 * allocations fail after the count in the next byte (from core init on).
 * Byte 1 (or 2) is the vgt_id. Then operations: an opcode byte (bits 0-3
 * the operation modulo MMIO_OPS, bits 4-5 the access size 1 << n, bits 6-7
 * a variant) and its arguments.
 */
enum {
	MMIO_REG_READ,		/* u8 register index, u16 position inside it */
	MMIO_REG_WRITE,		/* same, then the value (access size bytes) */
	MMIO_ANY_READ,		/* u32 offset below IVGPU_BAR0_SIZE */
	MMIO_ANY_WRITE,		/* u32 offset, then the value */
	MMIO_GGTT_WRITE,	/* u32 entry (bit 31: outside the slice), u8 byte, value; variant bit 0: ivgpu_ggtt_write */
	MMIO_GGTT_SPLIT,	/* u32 entry, u64 PTE as two 4-byte halves; variant bit 0: high half first */
	MMIO_GGTT_READ,		/* u32 entry, u8 byte */
	MMIO_CFG_READ,		/* u8 offset (access size 1, 2 or 4) */
	MMIO_CFG_WRITE,		/* u8 offset, u32 value */
	MMIO_VBLANK,		/* variant + 1 vblanks */
	MMIO_RESET,
	/*
	 * Variant: the pipe. u8 choice (bits 0-1 format, 2 X-tiled, 3 RGBX,
	 * 4 alpha, 5 a raw PLANE_CTL follows, 6 raw stride, 7 raw offset),
	 * u16 width, u16 height, u16 stride, u16 x, u16 y, u32 surface
	 * [, u32 PLANE_CTL]: TRANSCONF and the plane registers, in BAR0.
	 */
	MMIO_PLANE,
	/* Variant: the pipe. u8 mode (bits 0-1; bit 2: raw, bits 3-7), u32 base, u32 position. */
	MMIO_CURSOR,
	MMIO_DECODE,		/* decode and copy both planes now */
	MMIO_LINK,		/* variant bit 0: link down, else up (EDID region) */
	MMIO_CLOCK,		/* variant bit 0: the frame clock stops or starts; u32 ns the clock moves on */
	MMIO_OPS
};

/*
 * fuzz_fbdec: byte 0 picks the type (bits 0-1) and, bit 2, shaped values
 * (sizes and addresses folded into the type's range) instead of raw ones;
 * byte 1 bits 0-2: TRANSCONF enable per pipe. Then per pipe (3) the u32s
 * PLANE_CTL, PLANE_SIZE, PLANE_STRIDE, PLANE_OFFSET, PLANE_SURF, CURCNTR,
 * CURBASE, CURPOS; then the cursor hotspot x, y.
 */
#define FBDEC_SHAPED	0x04

/*
 * fuzz_edid: byte 0 picks the mode (bits 0-3, modulo EDID_MODES) and the
 * type (bits 4-5, modulo 3).
 */
enum {
	EDID_BLOB,		/* the rest is an EDID: validate, preferred, link up with it */
	EDID_GENERATE,		/* u16 xres, u16 yres folded into [640, 3840] x [480, 2160] */
	EDID_PROTOCOL,		/* operations below, until the input ends */
	EDID_MODES
};

/*
 * EDID_PROTOCOL operations: an opcode byte (bits 0-3 the operation modulo
 * EOP_OPS, bits 4-5 the access size 1 << n, at most 4, bits 6-7 a variant)
 * and its arguments.
 */
enum {
	EOP_REGION_WRITE,	/* u16 offset in the region, value (size bytes) */
	EOP_REGION_READ,	/* u16 offset */
	EOP_HEADER_WRITE,	/* u8 field (offset / 4), u32 value; variant bit 0: value mod 0x802 */
	EOP_LINK,		/* variant bit 0: down, else up */
	EOP_SIZE,		/* u16 size (mod 0x820) */
	EOP_BLOB,		/* u16 offset, u8 length - 1, then the bytes, one write each */
	EOP_GENERATE,		/* u16 xres, u16 yres as for EDID_GENERATE: write that EDID and its size; variant bit 0: u8 byte, u8 bit to flip first */
	EOP_AUX_DATA,		/* u8 byte in the data registers (mod 20), value (size bytes) */
	EOP_AUX_CTL,		/* u32 value for DP_AUX_CH_CTL_D; variant bit 0: with SEND_BUSY */
	EOP_AUX_I2C,		/* u8 segment, u8 offset, u8 length - 1 (mod 16): read the EDID over I2C-over-AUX and compare */
	EOP_AUX_DPCD,		/* u32 address, u8 length - 1 (mod 16): native read and compare; address below 0x810 unless variant bit 0 */
	EOP_RESET,		/* ivgpu_core_reset (the monitor stays) */
	EOP_NEW_USER,		/* ivgpu_monitor_init */
	EOP_OPS
};

#endif /* IVGPU_FUZZ_H */
