// SPDX-License-Identifier: GPL-2.0-only
/*
 * B1: a 4-byte register access through the device fd, as QEMU forwards a
 * trapped guest MMIO access, against a null ioctl on the same fd and the
 * config space of the sample drivers.
 *
 * B2: GGTT PTE writes: the same page again, a new page (one pin and one
 * unpin), a page the container does not map, and a 512-entry batch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"

/* One fd, one offset, one kind of access. */
struct access {
	int fd;
	off_t off;
	unsigned int len;	/* pread/pwrite size */
	uint64_t val;		/* what a write writes */
	unsigned long cmd;	/* ioctl */
	void *arg;
	int want_errno;		/* ioctl: 0 = success, else errno */
	unsigned int calls;	/* ioctls per operation */
};

static uint64_t run_pread(void *ctx, unsigned long n)
{
	struct access *a = ctx;
	uint64_t buf, start = bench_now(), ns;
	unsigned long i, bad = 0;

	for (i = 0; i < n; i++)
		bad += pread(a->fd, &buf, a->len, a->off) != a->len;
	ns = bench_since(start);
	ASSERT_EQ(bad, 0);
	return ns;
}

static uint64_t run_pwrite(void *ctx, unsigned long n)
{
	struct access *a = ctx;
	uint64_t start = bench_now(), ns;
	unsigned long i, bad = 0;

	for (i = 0; i < n; i++)
		bad += pwrite(a->fd, &a->val, a->len, a->off) != a->len;
	ns = bench_since(start);
	ASSERT_EQ(bad, 0);
	return ns;
}

static uint64_t run_ioctl(void *ctx, unsigned long n)
{
	struct access *a = ctx;
	uint64_t start = bench_now(), ns;
	unsigned long i, bad = 0;
	unsigned int c;

	for (i = 0; i < n; i++) {
		for (c = 0; c < a->calls; c++) {
			int ret = ioctl(a->fd, a->cmd, a->arg);

			bad += a->want_errno ? ret != -1 || errno != a->want_errno :
					       ret != 0;
		}
	}
	ns = bench_since(start);
	ASSERT_EQ(bad, 0);
	return ns;
}

/* A config-space read (or write) of a sample driver's device. */
static void peer_access(struct bench_variant *var, struct access *a,
			const char *type, bool write)
{
	struct mdevice *m = mdevice_new(type, &var->skip);

	if (!m)
		return;
	a->fd = m->dev.fd;
	a->off = m->dev.regions[VFIO_PCI_CONFIG_REGION_INDEX].offset +
		 (write ? PCI_BASE_ADDRESS_0 : 0);
	a->len = 4;
	a->val = 0;
	var->ctx = a;
	var->run = write ? run_pwrite : run_pread;
}

TEST(B1)
{
	struct vgpu *v = bench_vgpu(TYPE_SMALL, NULL);
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint64_t bar0 = v->dev.regions[BAR0].offset;
	struct access rd = { v->dev.fd, bar0 + SCRATCH_REG, 4 };
	struct access wr = { v->dev.fd, bar0 + SCRATCH_REG, 4, 0x5a5a5a5a };
	struct access cfg = { v->dev.fd, v->dev.regions[CONFIG].offset, 4 };
	/* BAR0 [2, 8 MiB): no registers; the core answers before any lookup. */
	struct access hole = { v->dev.fd, bar0 + 4 * MIB, 4 };
	struct access holew = { v->dev.fd, bar0 + 4 * MIB, 4, 0x5a5a5a5a };
	struct access null = { .fd = v->dev.fd, .cmd = BENCH_NULL_IOCTL,
			       .want_errno = ENOTTY, .calls = 1 };
	struct access gi = { .fd = v->dev.fd, .cmd = VFIO_DEVICE_GET_INFO,
			     .arg = &info, .calls = 1 };
	struct access mdpy_rd = { 0 }, mdpy_wr = { 0 }, mtty_rd = { 0 };
	struct bench_variant var[] = {
		{ "read", "ivgpu BAR0 pread, 4 B register", run_pread, &rd },
		{ "write", "ivgpu BAR0 pwrite, 4 B register", run_pwrite, &wr },
		{ "null", "null ioctl (ENOTTY) on the vGPU fd", run_ioctl, &null },
		{ "getinfo", "VFIO_DEVICE_GET_INFO on the vGPU fd", run_ioctl, &gi },
		{ "cfg", "ivgpu config pread, 4 B", run_pread, &cfg },
		{ "hole", "ivgpu BAR0 pread, 4 B, no register there", run_pread, &hole },
		{ "holew", "ivgpu BAR0 pwrite, 4 B, no register there", run_pwrite, &holew },
		{ "mdpy_cfg", "mdpy config pread, 4 B" },
		{ "mdpy_cfgw", "mdpy config pwrite, 4 B (BAR0 address)" },
		{ "mtty_cfg", "mtty config pread, 4 B" },
	};
	int nv = ARRAY_SIZE(var), i;

	peer_access(bench_find(var, nv, "mdpy_cfg"), &mdpy_rd, "mdpy-vga", false);
	peer_access(bench_find(var, nv, "mdpy_cfgw"), &mdpy_wr, "mdpy-vga", true);
	peer_access(bench_find(var, nv, "mtty_cfg"), &mtty_rd, "mtty-1", false);
	for (i = 0; i < nv; i++)
		if (var[i].ctx && ((struct access *)var[i].ctx)->fd == v->dev.fd)
			var[i].uuid = v->uuid;
	bench_run(var, nv, 1);

#define V(k) bench_find(var, nv, k)
	bench_ratio("B1 read", V("read"), V("null"), 1.2, "<= 1.2x null ioctl");
	bench_ratio("B1 write", V("write"), V("null"), 1.2, "<= 1.2x null ioctl");
	bench_ratio("B1 read/mdpy", V("read"), V("mdpy_cfg"), 1.0,
		    "not slower than mdpy");
	bench_ratio("B1 write/mdpy", V("write"), V("mdpy_cfgw"), 1.0,
		    "not slower than mdpy");
	bench_ratio("B1 read/getinfo", V("read"), V("getinfo"), 0, "");
	bench_ratio("B1 cfg/mdpy", V("cfg"), V("mdpy_cfg"), 0, "");
	bench_ratio("B1 read/mtty", V("read"), V("mtty_cfg"), 0, "");
	bench_ratio("B1 mdpy/null", V("mdpy_cfg"), V("null"), 0, "");
	bench_ratio("B1 hole/mdpy", V("hole"), V("mdpy_cfg"), 0, "");
	bench_value("B1 register dispatch", "read of a register minus read of the hole",
		    bench_median_ns(V("read")) - bench_median_ns(V("hole")), "ns",
		    "register table lookup and storage");
	bench_value("B1 write dispatch", "write of a register minus write of the hole",
		    bench_median_ns(V("write")) - bench_median_ns(V("holew")), "ns",
		    "register table lookup, storage, write handler");
	bench_value("B1 region path", "read of the hole minus mdpy's config read",
		    bench_median_ns(V("hole")) - bench_median_ns(V("mdpy_cfg")), "ns",
		    "ivgpu's region access path over mdpy's");
#undef V
}

/* ---- B2 ---- */

#define NEW_ENTRIES	64	/* entries the "new page" case cycles through */
#define NEW_FIRST	16	/* GGTT entry of the first */
#define BATCH		512
#define BATCH_FIRST	4096
#define SAME_ENTRY	1
#define BAD_ENTRY	8

struct pte_ctx {
	struct vgpu *v;
	struct guest_mem g;
	unsigned long k;		/* operations done (new page, batch) */
	uint64_t batch[2][BATCH];	/* two page sets for the batch */
};

static uint64_t pte_of(const struct guest_mem *g, size_t page)
{
	return (g->iova + page * PAGE_SZ) | IVGPU_PTE_PRESENT;
}

/*
 * Entry NEW_FIRST + e shows page e of set 0 (pages [0, 64)) or set 1
 * (pages [64, 128)); each pass over the entries switches set, so every
 * write changes the page: one pin, one unpin.
 */
static uint64_t run_pte_new(void *ctx, unsigned long n)
{
	struct pte_ctx *c = ctx;
	int fd = c->v->dev.fd;
	uint64_t bar0 = c->v->dev.regions[BAR0].offset, start, ns;
	unsigned long i, bad = 0;

	start = bench_now();
	for (i = 0; i < n; i++, c->k++) {
		unsigned long e = c->k % NEW_ENTRIES;
		unsigned long set = (c->k / NEW_ENTRIES + 1) & 1;
		uint64_t pte = pte_of(&c->g, set * NEW_ENTRIES + e);

		bad += pwrite(fd, &pte, 8, bar0 + PTE(NEW_FIRST + e)) != 8;
	}
	ns = bench_since(start);
	ASSERT_EQ(bad, 0);
	return ns;
}

static uint64_t run_pte_batch(void *ctx, unsigned long n)
{
	struct pte_ctx *c = ctx;
	int fd = c->v->dev.fd;
	uint64_t off = c->v->dev.regions[BAR0].offset + PTE(BATCH_FIRST);
	uint64_t start, ns;
	unsigned long i, bad = 0;

	start = bench_now();
	for (i = 0; i < n; i++, c->k++)
		bad += pwrite(fd, c->batch[(c->k + 1) & 1], sizeof(c->batch[0]),
			      off) != sizeof(c->batch[0]);
	ns = bench_since(start);
	ASSERT_EQ(bad, 0);
	return ns;
}

TEST(B2)
{
	struct vgpu *v = bench_vgpu(TYPE_SMALL, NULL);
	uint64_t bar0 = v->dev.regions[BAR0].offset;
	/* pages: [0, 128) new-page sets, [128, 1152) batch sets, 1152 same */
	struct guest_mem g = guest_mem_new(&v->dev, 2 * NEW_ENTRIES + 2 * BATCH + 1);
	struct pte_ctx newc = { .v = v, .g = g }, batchc = { .v = v, .g = g };
	struct access regw = { v->dev.fd, bar0 + SCRATCH_REG, 4, 0x5a5a5a5a };
	struct access same = { v->dev.fd, bar0 + PTE(SAME_ENTRY), 8,
			       pte_of(&g, 2 * NEW_ENTRIES + 2 * BATCH) };
	/* An IOVA just past the last mapping: not mapped in the container. */
	struct access inval = { v->dev.fd, bar0 + PTE(BAD_ENTRY), 8,
				(v->dev.iova_next + 64 * MIB) | IVGPU_PTE_PRESENT };
	struct bench_variant var[] = {
		{ "regw", "ivgpu BAR0 pwrite, 4 B register (B1)", run_pwrite, &regw },
		{ "same", "PTE pwrite, 8 B, same page again", run_pwrite, &same },
		{ "new", "PTE pwrite, 8 B, new page (pin + unpin)", run_pte_new, &newc },
		{ "invalid", "PTE pwrite, 8 B, IOVA not mapped (pin fails)",
		  run_pwrite, &inval },
		{ "batch", "PTE pwrite of 512 entries (4 KiB), new pages, per entry",
		  run_pte_batch, &batchc, .units = BATCH },
	};
	int nv = ARRAY_SIZE(var), i, k;
	double pin;

	for (k = 0; k < BATCH; k++) {
		batchc.batch[0][k] = pte_of(&g, 2 * NEW_ENTRIES + k);
		batchc.batch[1][k] = pte_of(&g, 2 * NEW_ENTRIES + BATCH + k);
	}
	/* Start state: set 0 everywhere, the same-page entry present. */
	ggtt_map(v, NEW_FIRST, &g, 0, NEW_ENTRIES);
	ggtt_map(v, BATCH_FIRST, &g, 2 * NEW_ENTRIES, BATCH);
	ggtt_map(v, SAME_ENTRY, &g, 2 * NEW_ENTRIES + 2 * BATCH, 1);
	for (i = 0; i < nv; i++)
		var[i].uuid = v->uuid;
	bench_run(var, nv, 1);

#define V(k) bench_find(var, nv, k)
	bench_ratio("B2 same page", V("same"), V("regw"), 1.5,
		    "<= 1.5x B1 write");
	bench_ratio("B2 new page", V("new"), V("regw"), 0, "");
	bench_ratio("B2 invalid page", V("invalid"), V("regw"), 0, "");
	bench_ratio("B2 batch/entry", V("batch"), V("regw"), 0, "");
	pin = bench_median_ns(V("new")) - bench_median_ns(V("same"));
	bench_value("B2 pin cost", "new page minus same page: one pin + one unpin",
		    pin, "ns", "vfio_pin_pages + vfio_unpin_pages of one page");
	bench_value("B2 batch pin cost",
		    "batch entry minus same page: one pin + one unpin",
		    bench_median_ns(V("batch")) - bench_median_ns(V("same")),
		    "ns", "per entry, 512 entries per pwrite");
#undef V
}
