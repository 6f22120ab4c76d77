// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instance lifecycle: remove while the device is open (the request
 * interrupt, and waiting for the user to let go), open after remove,
 * repeated and concurrent create/remove.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ivgpu.h"

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

TEST(remove_while_open_signals_the_request_eventfd)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct remover r;
	int req = vfio_eventfd();

	ASSERT_GE(req, 0);
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_REQ_IRQ_INDEX, req));

	remover_start(&r, v);
	EXPECT_GT(vfio_eventfd_wait(req, 5000), 0);
	/*
	 * Until the user lets go, the device answers. (Its bus link in
	 * /sys/bus/mdev/devices is already gone: the driver core removes it
	 * before it unbinds the driver.)
	 */
	EXPECT_FALSE(atomic_load(&r.done));
	EXPECT_EQ(bar0_read64(v, IVGPU_PVINFO_OFFSET), IVGPU_VGT_MAGIC);

	vgpu_close(v);
	EXPECT_EQ(remover_finish(&r, 20), 0);
	EXPECT_FALSE(mdev_exists(r.uuid));
	close(req);
}

TEST(remove_without_request_eventfd_waits_for_close)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct remover r;

	remover_start(&r, v);
	msleep(1500);
	EXPECT_FALSE(atomic_load(&r.done));
	EXPECT_EQ(cfg_read16(v, PCI_VENDOR_ID), IVGPU_PCI_VENDOR_ID);

	vgpu_close(v);
	EXPECT_EQ(remover_finish(&r, 20), 0);
	EXPECT_FALSE(mdev_exists(r.uuid));
}

TEST(remove_completes_at_once_when_closed)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct remover r;

	vgpu_close(v);
	remover_start(&r, v);
	EXPECT_EQ(remover_finish(&r, 5), 0);
	EXPECT_FALSE(mdev_exists(r.uuid));
}

TEST(removed_instance_cannot_be_opened)
{
	struct vgpu *v = vgpu_create(TYPE_SMALL);
	struct vfio_dev dev;

	vgpu_remove(v);
	EXPECT_EQ(vfio_open_mdev(&dev, v->uuid), -ENOENT);
}

TEST(close_and_reopen)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int i;

	for (i = 0; i < 5; i++) {
		vgpu_close(v);
		vgpu_open(v);
		EXPECT_EQ(bar0_read64(v, IVGPU_PVINFO_OFFSET), IVGPU_VGT_MAGIC);
		EXPECT_EQ(cfg_read16(v, PCI_DEVICE_ID), IVGPU_PCI_DEVICE_ID);
	}
}

TEST(create_open_remove_cycles_leak_nothing)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	int i;

	for (i = 0; i < 30; i++) {
		struct vgpu *v = vgpu_new(&ivgpu_types[i % IVGPU_NR_TYPES]);

		ASSERT_EQ(bar0_read64(v, IVGPU_PVINFO_OFFSET), IVGPU_VGT_MAGIC);
		vgpu_remove(v);
	}
	EXPECT_AVAILABLE(&budget);
}

#define NR_THREADS	8

struct creator {
	pthread_t thread;
	char uuid[MDEV_UUID_LEN];
	int ret;
};

static void *creator_main(void *arg)
{
	struct creator *c = arg;

	c->ret = mdev_create(ivgpu_parent(), TYPE_SMALL->dir, c->uuid);
	return NULL;
}

static void run_creators(struct creator *c, int n)
{
	int i;

	ivgpu_parent();		/* look it up before the threads race */
	for (i = 0; i < n; i++)
		ASSERT_OK(pthread_create(&c[i].thread, NULL, creator_main,
					 &c[i]));
	for (i = 0; i < n; i++)
		pthread_join(c[i].thread, NULL);
}

static void remove_uuid(void *arg)
{
	mdev_remove(arg);
}

TEST(concurrent_creates_of_distinct_uuids)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	struct creator c[NR_THREADS];
	uint32_t ids[NR_THREADS];
	int i, j;

	for (i = 0; i < NR_THREADS; i++)
		uuid_gen(c[i].uuid);
	run_creators(c, NR_THREADS);
	for (i = 0; i < NR_THREADS; i++) {
		EXPECT_OK(c[i].ret);
		if (!c[i].ret) {
			tap_defer(remove_uuid, c[i].uuid);
			budget_take(&budget, TYPE_SMALL);
		}
	}
	EXPECT_AVAILABLE(&budget);

	/* Every instance got its own vgt_id. */
	for (i = 0; i < NR_THREADS; i++) {
		struct vfio_dev dev;

		ASSERT_OK(vfio_open_mdev(&dev, c[i].uuid));
		ids[i] = vfio_read32(&dev, BAR0,
				     IVGPU_PVINFO_OFFSET + IVGPU_PV_VGT_ID);
		vfio_close(&dev);
		for (j = 0; j < i; j++)
			EXPECT_NE(ids[i], ids[j]);
	}
}

TEST(concurrent_creates_of_one_uuid)
{
	struct ivgpu_budget budget = IVGPU_DEFAULT_BUDGET;
	struct creator c[NR_THREADS];
	int i, created = 0, exists = 0;

	uuid_gen(c[0].uuid);
	for (i = 1; i < NR_THREADS; i++)
		memcpy(c[i].uuid, c[0].uuid, sizeof(c[i].uuid));
	run_creators(c, NR_THREADS);
	for (i = 0; i < NR_THREADS; i++) {
		created += c[i].ret == 0;
		exists += c[i].ret == -EEXIST;
	}
	if (created)
		tap_defer(remove_uuid, c[0].uuid);
	EXPECT_EQ(created, 1);
	EXPECT_EQ(exists, NR_THREADS - 1);
	budget_take(&budget, TYPE_SMALL);
	EXPECT_AVAILABLE(&budget);
}

TEST(remove_while_the_clock_runs_and_irqs_are_routed)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int msi = vfio_eventfd(), req = vfio_eventfd();
	struct remover r;

	ASSERT_GE(msi, 0);
	ASSERT_GE(req, 0);
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_MSI_IRQ_INDEX, msi));
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_REQ_IRQ_INDEX, req));
	cfg_write16(v, IVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
	bar0_write32(v, PIPE_ISR(PIPE_A) + IMR, ~VBLANK);
	bar0_write32(v, PIPE_ISR(PIPE_A) + IER, VBLANK);
	bar0_write32(v, MASTER_IRQ, MASTER_ENABLE);
	bar0_write32(v, TRANSCONF(PIPE_A), TRANSCONF_ENABLE);
	EXPECT_GT(vfio_eventfd_wait(msi, 1000), 0);

	remover_start(&r, v);
	EXPECT_GT(vfio_eventfd_wait(req, 5000), 0);
	vgpu_close(v);
	EXPECT_EQ(remover_finish(&r, 20), 0);
	close(msi);
	close(req);
}

/* Threads doing what a guest and QEMU may do at once. */
struct hammer {
	pthread_t thread;
	struct vgpu *v;
	uint64_t iova;		/* 4 pages of guest memory */
	int kind;
	atomic_bool *stop;
	int errors;
};

static void hammer_once(struct hammer *h, unsigned int n)
{
	struct vfio_dev *d = &h->v->dev;
	uint64_t val;

	switch (h->kind) {
	case 0:		/* registers and the PV page */
		h->errors += !!vfio_region_write_n(d, BAR0, SCRATCH_REG, 4, n);
		h->errors += !!vfio_region_read_n(d, BAR0, IVGPU_PVINFO_OFFSET,
						  8, &val);
		break;
	case 1:		/* GGTT entries (pins) and the aperture */
		val = (h->iova + (n % 4) * 4096) | IVGPU_PTE_PRESENT;
		h->errors += !!vfio_region_write_n(d, BAR0, PTE(n % 8), 8, val);
		h->errors += !!vfio_region_read_n(d, BAR2, (n % 8) * 4096, 4,
						  &val);
		break;
	case 2:		/* config space and pipe enables */
		h->errors += !!vfio_region_write_n(d, CONFIG, PCI_COMMAND, 2,
						   n & 0x7);
		h->errors += !!vfio_region_write_n(d, BAR0, TRANSCONF(PIPE_A),
						   4, (n & 1) << 31);
		break;
	default:	/* resets and interrupt routing */
		h->errors += !!vfio_reset(d);
		h->errors += !!vfio_irq_disable(d, VFIO_PCI_INTX_IRQ_INDEX);
		break;
	}
}

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	unsigned int n;

	for (n = 0; !atomic_load(h->stop); n++)
		hammer_once(h, n);
	return NULL;
}

TEST(concurrent_access_resets_and_irq_changes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct hammer h[4];
	atomic_bool stop = false;
	uint64_t iova;
	int i;

	ASSERT_TRUE(vfio_dma_alloc(&v->dev, 4 * 4096, &iova));
	for (i = 0; i < 4; i++) {
		h[i] = (struct hammer){
			.v = v, .iova = iova, .kind = i, .stop = &stop,
		};
		ASSERT_OK(pthread_create(&h[i].thread, NULL, hammer_main, &h[i]));
	}
	msleep(2000);
	atomic_store(&stop, true);
	for (i = 0; i < 4; i++) {
		pthread_join(h[i].thread, NULL);
		EXPECT_EQ(h[i].errors, 0);
	}
	ASSERT_OK(vfio_reset(&v->dev));
	EXPECT_EQ(bar0_read64(v, IVGPU_PVINFO_OFFSET), IVGPU_VGT_MAGIC);
	EXPECT_EQ(vgpu_stat(v, "pages_pinned"), 0);
}
