// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a vGPU's device fd tells about itself: device, region and IRQ info,
 * region bounds, and guest memory mapping through its container.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ivgpu.h"

#define RW	(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)
#define NR_REGIONS	IVGPU_NUM_REGIONS
#define NR_IRQS		5

/* Sizes that depend on the type. */
#define SIZE_LOW_GM	(~0ULL)		/* the aperture */
#define SIZE_FRAME	(~1ULL)		/* the largest frame, 4 bytes a pixel */
#define SIZE_FRAME_META	(~2ULL)		/* that and a metadata page */

struct region_want {
	uint64_t size;
	uint32_t flags;
};

static const struct region_want regions[NR_REGIONS] = {
	[VFIO_PCI_BAR0_REGION_INDEX]	= { IVGPU_BAR0_SIZE, RW },
	[VFIO_PCI_BAR1_REGION_INDEX]	= { 0, 0 },
	[VFIO_PCI_BAR2_REGION_INDEX]	= { SIZE_LOW_GM, RW | VFIO_REGION_INFO_FLAG_MMAP |
						  VFIO_REGION_INFO_FLAG_CAPS },
	[VFIO_PCI_BAR3_REGION_INDEX]	= { 0, 0 },
	[VFIO_PCI_BAR4_REGION_INDEX]	= { 0, 0 },
	[VFIO_PCI_BAR5_REGION_INDEX]	= { 0, 0 },
	[VFIO_PCI_ROM_REGION_INDEX]	= { 0, 0 },
	[VFIO_PCI_CONFIG_REGION_INDEX]	= { IVGPU_CFG_SIZE, RW },
	[VFIO_PCI_VGA_REGION_INDEX]	= { 0, 0 },
	[IVGPU_REGION_EDID]		= { IVGPU_EDID_REGION_SIZE,
					    RW | VFIO_REGION_INFO_FLAG_CAPS },
	[IVGPU_REGION_FRAMEBUFFER]	= { SIZE_FRAME_META,
					    RW | VFIO_REGION_INFO_FLAG_MMAP |
					    VFIO_REGION_INFO_FLAG_CAPS },
	[IVGPU_REGION_PLANE0]		= { SIZE_FRAME, VFIO_REGION_INFO_FLAG_READ |
					    VFIO_REGION_INFO_FLAG_MMAP |
					    VFIO_REGION_INFO_FLAG_CAPS },
	[IVGPU_REGION_PLANE1]		= { SIZE_FRAME, VFIO_REGION_INFO_FLAG_READ |
					    VFIO_REGION_INFO_FLAG_MMAP |
					    VFIO_REGION_INFO_FLAG_CAPS },
	[IVGPU_REGION_OPREGION]		= { IVGPU_OPREGION_SIZE,
					    VFIO_REGION_INFO_FLAG_READ |
					    VFIO_REGION_INFO_FLAG_CAPS },
};

static uint64_t frame_size(const struct ivgpu_type *t)
{
	unsigned int x = 0, y = 0;

	sscanf(t->resolution, "%ux%u", &x, &y);
	return ((uint64_t)x * y * 4 + 4095) & ~4095ULL;
}

struct irq_want {
	uint32_t count;
	uint32_t flags;
};

static const struct irq_want irqs[NR_IRQS] = {
	[VFIO_PCI_INTX_IRQ_INDEX] = { 1, VFIO_IRQ_INFO_EVENTFD |
					 VFIO_IRQ_INFO_MASKABLE |
					 VFIO_IRQ_INFO_AUTOMASKED },
	[VFIO_PCI_MSI_IRQ_INDEX]  = { 1, VFIO_IRQ_INFO_EVENTFD |
					 VFIO_IRQ_INFO_NORESIZE },
	[VFIO_PCI_MSIX_IRQ_INDEX] = { 0, 0 },
	[VFIO_PCI_ERR_IRQ_INDEX]  = { 1, VFIO_IRQ_INFO_EVENTFD },
	[VFIO_PCI_REQ_IRQ_INDEX]  = { 1, VFIO_IRQ_INFO_EVENTFD },
};

TEST(device_info)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_info info = { .argsz = sizeof(info) };

	ASSERT_OK(ioctl(v->dev.fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(info.flags, VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
	EXPECT_EQ(info.num_regions, NR_REGIONS);
	EXPECT_EQ(info.num_irqs, NR_IRQS);
}

TEST(device_info_with_short_argsz_gives_einval)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_info info = { .argsz = 4 };

	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_GET_INFO, &info), EINVAL);
}

static void expect_regions(struct vgpu *v)
{
	unsigned int i;

	for (i = 0; i < NR_REGIONS; i++) {
		struct vfio_region_info *info = vfio_region_info(&v->dev, i);
		uint64_t size = regions[i].size;

		if (size == SIZE_LOW_GM)
			size = v->type->low_gm_mib * MIB;
		else if (size == SIZE_FRAME)
			size = frame_size(v->type);
		else if (size == SIZE_FRAME_META)
			size = frame_size(v->type) + 4096;
		ASSERT_TRUE(info);
		tap_log("%s region %u: offset 0x%llx size 0x%llx flags 0x%x",
			v->type->name, i, (unsigned long long)info->offset,
			(unsigned long long)info->size, info->flags);
		EXPECT_EQ(info->index, i);
		EXPECT_EQ(info->offset, (uint64_t)i << 40);
		EXPECT_EQ(info->size, size);
		EXPECT_EQ(info->flags, regions[i].flags);
		free(info);
	}
}

TEST(region_info_of_every_type)
{
	const struct ivgpu_type *t;

	for_each_type(t)
		expect_regions(vgpu_new(t));
}

TEST(region_info_rejects_bad_index_and_argsz)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_region_info info = { .argsz = sizeof(info) };

	info.index = NR_REGIONS;
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &info),
		     EINVAL);
	info.index = ~0U;
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &info),
		     EINVAL);
	info.index = VFIO_PCI_BAR0_REGION_INDEX;
	info.argsz = 8;
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_GET_REGION_INFO, &info),
		     EINVAL);
}

TEST(irq_info)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_irq_info info;
	unsigned int i;

	for (i = 0; i < NR_IRQS; i++) {
		ASSERT_OK(vfio_irq_info(&v->dev, i, &info));
		tap_log("irq %u: count %u flags 0x%x", i, info.count,
			info.flags);
		EXPECT_EQ(info.index, i);
		EXPECT_EQ(info.count, irqs[i].count);
		EXPECT_EQ(info.flags, irqs[i].flags);
	}
}

TEST(irq_info_rejects_bad_index_and_argsz)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_irq_info info = { .argsz = sizeof(info) };

	info.index = NR_IRQS;
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &info),
		     EINVAL);
	info.index = VFIO_PCI_INTX_IRQ_INDEX;
	info.argsz = 8;
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_GET_IRQ_INFO, &info),
		     EINVAL);
}

/* Any access that does not fit in its region must not succeed in full. */
static void expect_no_access(struct vgpu *v, unsigned int index,
			     uint64_t off)
{
	uint32_t val = 0;

	tap_log("region %u offset 0x%llx", index, (unsigned long long)off);
	EXPECT_NE(vfio_region_read(&v->dev, index, off, &val, sizeof(val)), 0);
	EXPECT_NE(vfio_region_write(&v->dev, index, off, &val, sizeof(val)),
		  0);
}

TEST(access_outside_regions_fails)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	static const unsigned int empty[] = {
		VFIO_PCI_BAR1_REGION_INDEX, VFIO_PCI_BAR3_REGION_INDEX,
		VFIO_PCI_BAR4_REGION_INDEX, VFIO_PCI_BAR5_REGION_INDEX,
		VFIO_PCI_ROM_REGION_INDEX, VFIO_PCI_VGA_REGION_INDEX,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(empty); i++)
		expect_no_access(v, empty[i], 0);
	expect_no_access(v, BAR0, IVGPU_BAR0_SIZE);
	expect_no_access(v, BAR0, IVGPU_BAR0_SIZE - 2);
	expect_no_access(v, BAR2, TYPE_SMALL->low_gm_mib * MIB);
	expect_no_access(v, CONFIG, IVGPU_CFG_SIZE);
	expect_no_access(v, CONFIG, IVGPU_CFG_SIZE - 2);
}

TEST(guest_memory_maps_and_unmaps)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint64_t iova[2];
	void *mem[2];

	mem[0] = vfio_dma_alloc(&v->dev, 2 * MIB, &iova[0]);
	ASSERT_TRUE(mem[0]);
	mem[1] = vfio_dma_alloc(&v->dev, 4096, &iova[1]);
	ASSERT_TRUE(mem[1]);
	EXPECT_NE(iova[0], iova[1]);
	memset(mem[0], 0xa5, 2 * MIB);

	EXPECT_OK(vfio_dma_free(&v->dev, mem[0]));
	EXPECT_OK(vfio_dma_free(&v->dev, mem[1]));
	/* The device still answers after its guest memory went away. */
	EXPECT_EQ(cfg_read16(v, PCI_VENDOR_ID), IVGPU_PCI_VENDOR_ID);
}
