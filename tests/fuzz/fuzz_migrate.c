// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the migration stream loader. Byte 0: bits 0-1 the
 * type (modulo 3); bit 2 mutate mode; bit 7 allocations fail after the
 * count in byte 1.
 *   raw mode: the rest of the input is the stream, loaded into a new core;
 *   mutate mode: a busy core of the type is saved, then the input's
 *   (u32 position, u8 xor) pairs flip bytes of that stream (a position with
 *   bit 31 set truncates it there instead), and the result is loaded.
 * A refused stream must leave the core exactly as it was; a loaded one
 * must hold every invariant and survive a second save and load unchanged.
 */
#include <stdlib.h>
#include "fuzz.h"
#include "core.h"
#include "display.h"
#include "env.h"
#include "fbdec.h"
#include "migrate.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

#define MIG_MUTATE	0x04
#define MIG_ALLOC_FAIL	0x80

/* What a refused load must not change, and a repeated load must give. */
static void expect_same(const struct ivgpu_core *a, const struct ivgpu_core *b,
			const char *what)
{
	u64 i;

	FUZZ_CHECK(!memcmp(a->cfg.regs, b->cfg.regs, sizeof(a->cfg.regs)),
		   "%s: config space differs", what);
	FUZZ_CHECK(a->ggtt_present == b->ggtt_present && a->flips_pending ==
		   b->flips_pending && a->intr_asserted == b->intr_asserted,
		   "%s: core state differs", what);
	FUZZ_CHECK(!memcmp(&a->monitor, &b->monitor, sizeof(a->monitor)),
		   "%s: monitor differs", what);
	for (i = 0; i < IVGPU_MMIO_SIZE / 8; i++)
		FUZZ_CHECK(ivgpu_store_get(&a->regs, i) == ivgpu_store_get(&b->regs, i),
			   "%s: register word %llu differs", what,
			   (unsigned long long)i);
	for (i = 0; i < a->ggtt_entries; i++)
		FUZZ_CHECK(ivgpu_store_get(&a->ggtt, i) == ivgpu_store_get(&b->ggtt, i),
			   "%s: GGTT entry %llu differs", what, (unsigned long long)i);
}

static u8 *save(const struct ivgpu_core *c, u64 *len)
{
	u8 *buf;

	*len = ivgpu_migrate_size(c);
	buf = malloc(*len);
	FUZZ_CHECK(buf != NULL, "malloc");
	FUZZ_CHECK(ivgpu_migrate_save(c, buf, *len, true) == *len, "save");
	FUZZ_CHECK(*len <= ivgpu_migrate_max_size(c), "frame above the maximum");
	return buf;
}

/* Something in every section. */
static void make_busy(struct ivgpu_core *c)
{
	u32 i;

	ivgpu_cfg_write(&c->cfg, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
	for (i = 0; i < 16; i++)
		ivgpu_core_bar0_write(c, IVGPU_GGTT_OFFSET + 8 * (3 + 600 * i),
				      (0x100000ull * i) | IVGPU_PTE_PRESENT, 8);
	ivgpu_core_bar0_write(c, TRANSCONF(1), TRANSCONF_ENABLE, 4);
	ivgpu_core_bar0_write(c, PLANE_SURF(1), 0x3000, 4);
	ivgpu_core_bar0_write(c, 0x1ff000, 0xfeed, 4);
	ivgpu_core_bar0_write(c, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL, 4);
	ivgpu_core_bar0_write(c, GEN8_DE_PIPE_ISR(1) + IRQ_IER, GEN8_PIPE_VBLANK, 4);
	ivgpu_display_vblank(c);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fuzz_in in = { data, size };
	u8 head = in_u8(&in);
	long fail_after = head & MIG_ALLOC_FAIL ? in_u8(&in) : -1;
	struct ivgpu_core *c, *ref, *src;
	u8 *stream;
	u64 len;
	int ret;

	c = fuzz_core_new(head & 3, 2);
	ref = fuzz_core_new(head & 3, 2);
	FUZZ_CHECK(c && ref, "init failed");
	if (head & MIG_MUTATE) {
		src = fuzz_core_new(head & 3, 1);
		FUZZ_CHECK(src != NULL, "init failed");
		make_busy(src);
		stream = save(src, &len);
		fuzz_core_free(src);
		while (in.n >= 5) {
			u32 pos = in_u32(&in);
			u8 x = in_u8(&in);

			if (pos & 0x80000000u) {
				len = (pos & 0x7fffffff) % (len + 1);
				continue;
			}
			if (len)
				stream[pos % len] ^= x;
		}
	} else {
		len = in.n;
		stream = malloc(len ? len : 1);
		FUZZ_CHECK(stream != NULL, "malloc");
		memcpy(stream, in.p, len);
	}

	unit_alloc_fail_after = fail_after;
	ret = ivgpu_migrate_load(c, stream, len, NULL);
	unit_alloc_fail_after = -1;
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EPROTONOSUPPORT ||
		   (ret == -ENOMEM && fail_after >= 0), "load returned %d", ret);
	if (ret) {
		expect_same(ref, c, "refused load");
	} else {
		u8 *again;
		u64 len2;

		fuzz_core_check(c);
		fuzz_core_check_full(c);
		fuzz_fb_check(c, IVGPU_PLANE_PRIMARY);
		fuzz_fb_check(c, IVGPU_PLANE_CURSOR);
		again = save(c, &len2);
		FUZZ_CHECK(ivgpu_migrate_load(ref, again, len2, NULL) == 0,
			   "a saved state does not load");
		expect_same(c, ref, "second load");
		free(again);
	}
	free(stream);
	fuzz_core_free(c);
	fuzz_core_free(ref);
	return 0;
}
