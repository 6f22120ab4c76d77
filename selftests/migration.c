// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live migration, VFIO migration v2, driven as QEMU 8.1 and later drive it:
 * vGPU A with a live display (an image in guest memory through the GGTT,
 * plane and cursor registers, a new EDID, MSI) is saved; vGPU B of the
 * same type, with the same guest memory mapped in its container, loads the
 * stream and must then show the same pixels, read back the same registers
 * and deliver interrupts. Streams that do not validate leave B in ERROR
 * until a reset.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ivgpu.h"
#include "mig.h"

#define TYPE_MEDIUM	(&ivgpu_types[1])	/* 1920x1200 */
#define PAGE		4096UL
#define WIDTH		1920
#define HEIGHT		1080
#define FB_BYTES	(WIDTH * HEIGHT * 4UL)
#define CURSOR_BYTES	(64 * 64 * 4UL)
#define FB_GM		(64 * PAGE)		/* graphics address of the image */
#define CURSOR_GM	(4096 * PAGE)

#define PLANE_CTL_A	0x70180
#define PLANE_STRIDE_A	0x70188
#define PLANE_SIZE_A	0x70190
#define PLANE_SURF_A	0x7019c
#define CURCNTR_A	0x70080
#define CURBASE_A	0x70084
#define CURPOS_A	0x70088

#define EDID		IVGPU_REGION_EDID
#define EDID_FIELD(f)	offsetof(struct vfio_region_gfx_edid, f)

/* ---- the protocol ---- */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ---- a guest with a live display ---- */

struct guest {
	uint8_t *mem;		/* the image, then the cursor */
	uint64_t iova;
	size_t size;
};

static void guest_new(struct guest *g, struct vgpu *v)
{
	size_t i;

	g->size = FB_BYTES + CURSOR_BYTES;
	g->mem = vfio_dma_alloc(&v->dev, g->size, &g->iova);
	ASSERT_TRUE(g->mem);
	srandom(11);
	for (i = 0; i < g->size; i += 4) {
		uint32_t px = random();

		memcpy(g->mem + i, &px, 4);
	}
}

/* The same memory, at the same IOVA, in @v's container. */
static void guest_map(struct guest *g, struct vgpu *v)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)g->mem,
		.iova = g->iova,
		.size = g->size,
	};

	ASSERT_OK(ioctl(v->dev.container, VFIO_IOMMU_MAP_DMA, &map));
}

static void map_gm(struct vgpu *v, uint64_t gm, uint64_t iova, size_t len)
{
	size_t i;

	for (i = 0; i < len / PAGE; i++)
		bar0_write64(v, PTE(gm / PAGE + i),
			     (iova + i * PAGE) | IVGPU_PTE_PRESENT);
}

static uint8_t edid_blob[128];

/* What a guest driver and QEMU have done by the time it migrates. */
static void guest_show(struct guest *g, struct vgpu *v, int msi_fd)
{
	uint32_t i, sum = 0;

	map_gm(v, FB_GM, g->iova, FB_BYTES);
	map_gm(v, CURSOR_GM, g->iova + FB_BYTES, CURSOR_BYTES);
	bar0_write32(v, TRANSCONF(PIPE_A), TRANSCONF_ENABLE);
	bar0_write32(v, PLANE_STRIDE_A, WIDTH * 4 / 64);
	bar0_write32(v, PLANE_SIZE_A, (HEIGHT - 1) << 16 | (WIDTH - 1));
	bar0_write32(v, PLANE_CTL_A, 1u << 31 | 4u << 24);
	bar0_write32(v, PLANE_SURF_A, FB_GM);
	bar0_write32(v, CURCNTR_A, 0x27);
	bar0_write32(v, CURBASE_A, CURSOR_GM);
	bar0_write32(v, CURPOS_A, 200 << 16 | 300);
	pv_write32(v, IVGPU_PV_CURSOR_X_HOT, 5);
	pv_write32(v, IVGPU_PV_CURSOR_Y_HOT, 9);
	bar0_write32(v, SCRATCH_REG, 0x5eed1234);

	/* QEMU's EDID update: link down, blob, size, link up. */
	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   edid_blob, sizeof(edid_blob)));
	edid_blob[12] = 0x42;		/* a new serial number */
	for (i = 0; i < 127; i++)
		sum += edid_blob[i];
	edid_blob[127] = (uint8_t)(0x100 - sum);
	vfio_region_write_n(&v->dev, EDID, EDID_FIELD(link_state), 4, 2);
	ASSERT_OK(vfio_region_write(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				    edid_blob, sizeof(edid_blob)));
	vfio_region_write_n(&v->dev, EDID, EDID_FIELD(edid_size), 4, 128);
	vfio_region_write_n(&v->dev, EDID, EDID_FIELD(link_state), 4, 1);

	/* MSI on, vblank interrupts on pipe A. */
	cfg_write16(v, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_write32(v, IVGPU_CFG_MSI_CAP + PCI_MSI_ADDRESS_LO, 0xfee00000);
	cfg_write16(v, IVGPU_CFG_MSI_CAP + PCI_MSI_DATA_32, 0x4041);
	cfg_write16(v, IVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_MSI_IRQ_INDEX, msi_fd));
	bar0_write32(v, PIPE_ISR(PIPE_A) + IER, VBLANK);
	bar0_write32(v, MASTER_IRQ, MASTER_ENABLE);
}

/* Registers that must read back the same after migration. */
static const uint32_t regs_kept[] = {
	TRANSCONF(PIPE_A), PLANE_STRIDE_A, PLANE_SIZE_A, PLANE_CTL_A,
	PLANE_SURF_A, CURCNTR_A, CURBASE_A, CURPOS_A, SCRATCH_REG,
	PIPE_ISR(PIPE_A) + IER, IVGPU_PVINFO_OFFSET + IVGPU_PV_VGT_ID,
	IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_X_HOT,
	IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_Y_HOT,
	IVGPU_PVINFO_OFFSET + IVGPU_PV_MAPPABLE_SIZE,
};

static uint8_t *region_plane(struct vgpu *v, struct vfio_device_gfx_plane_info *p)
{
	uint8_t *buf;

	memset(p, 0, sizeof(*p));
	p->argsz = sizeof(*p);
	p->flags = VFIO_GFX_PLANE_TYPE_REGION;
	p->drm_plane_type = 1;
	ASSERT_OK(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, p));
	ASSERT_EQ(p->width, WIDTH);
	buf = malloc((size_t)p->stride * p->height);
	ASSERT_TRUE(buf);
	ASSERT_OK(vfio_region_read(&v->dev, p->region_index, 0, buf,
				   (size_t)p->stride * p->height));
	return buf;
}

/* The dma-buf of @type's plane, mapped; its info in *@p. */
static uint8_t *dmabuf_plane(struct vgpu *v, uint32_t type,
			     struct vfio_device_gfx_plane_info *p)
{
	uint8_t *map;
	int fd;

	memset(p, 0, sizeof(*p));
	p->argsz = sizeof(*p);
	p->flags = VFIO_GFX_PLANE_TYPE_DMABUF;
	p->drm_plane_type = type;
	ASSERT_OK(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, p));
	ASSERT_NE(p->dmabuf_id, 0);
	fd = ioctl(v->dev.fd, VFIO_DEVICE_GET_GFX_DMABUF, &p->dmabuf_id);
	ASSERT_TRUE(fd >= 0);
	map = mmap(NULL, p->size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	close(fd);
	return map;
}

static struct vgpu *vgpu_both(const struct ivgpu_type *t)
{
	struct vgpu *v = vgpu_create(t);
	char path[256];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/ivgpu/gfx_plane",
		 v->uuid);
	ASSERT_OK(sysfs_write(path, "both"));
	vgpu_open(v);
	return v;
}

/* Save @a (RUNNING) to a stream: through PRE_COPY where the kernel has it. */
static void save(struct vgpu *a, struct stream *s, bool precopy)
{
	double t0, t1;
	int fd, none;

	if (precopy) {
		struct vfio_precopy_info info = { .argsz = sizeof(info) };

		ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_PRE_COPY, &fd));
		ASSERT_TRUE(fd >= 0);
		ASSERT_OK(ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info));
		EXPECT_NE(info.initial_bytes, 0);
		EXPECT_EQ(info.dirty_bytes, 0);
		stream_read(s, fd);
		EXPECT_EQ(s->len, info.initial_bytes);
		ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_PRE_COPY_P2P, &none));
		t0 = now_us();
		ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_STOP_COPY, &none));
		EXPECT_EQ(none, -1);	/* the same file carries on */
	} else {
		t0 = now_us();
		ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_STOP_COPY, &fd));
		ASSERT_TRUE(fd >= 0);
	}
	{
		size_t before = s->len;

		stream_read(s, fd);
		t1 = now_us();
		tap_log("B11: stop-copy of a live 1920x1080 plane: %zu bytes in %.0f us",
			s->len - before, t1 - t0);
	}
	close(fd);
	ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_STOP, NULL));
}

/* Load @s into @b: STOP -> RESUMING, write, -> STOP. 0 or -errno. */
static int load(struct vgpu *b, const uint8_t *data, size_t len)
{
	int fd, ret;

	ASSERT_OK(mig_set_state(b, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_OK(mig_set_state(b, VFIO_DEVICE_STATE_RESUMING, &fd));
	ASSERT_TRUE(fd >= 0);
	ret = stream_write(fd, data, len);
	close(fd);
	if (ret)
		return ret;
	return mig_set_state(b, VFIO_DEVICE_STATE_STOP, NULL);
}

TEST(migration_is_offered)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint32_t want = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;
	char path[256], buf[64] = "";
	FILE *f;

	if (kernel_has_precopy())
		want |= VFIO_MIGRATION_PRE_COPY;
	EXPECT_EQ(mig_flags(v), want);
	EXPECT_EQ(mig_get_state(v), VFIO_DEVICE_STATE_RUNNING);
	snprintf(path, sizeof(path),
		 "/sys/bus/mdev/devices/%s/ivgpu/migration_compat", v->uuid);
	f = fopen(path, "r");
	ASSERT_TRUE(f);
	ASSERT_TRUE(fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ(buf, "ivgpu-V5_1024x768 stream 1\n");
}

static void migrate_live_display(bool precopy)
{
	struct vgpu *a = vgpu_both(TYPE_MEDIUM), *b = vgpu_both(TYPE_MEDIUM);
	struct vfio_device_gfx_plane_info pa, pb;
	uint8_t *fa, *fb, got[128];
	struct stream s = { 0 };
	struct guest g;
	int msi_a = vfio_eventfd(), msi_b = vfio_eventfd();
	uint32_t before[ARRAY_SIZE(regs_kept)], frm;
	unsigned int i;

	ASSERT_TRUE(msi_a >= 0 && msi_b >= 0);
	guest_new(&g, a);
	guest_map(&g, b);
	guest_show(&g, a, msi_a);
	fa = region_plane(a, &pa);
	for (i = 0; i < ARRAY_SIZE(regs_kept); i++)
		before[i] = bar0_read32(a, regs_kept[i]);
	ASSERT_TRUE(vfio_eventfd_wait(msi_a, 1000) > 0);	/* A's vblanks flow */

	save(a, &s, precopy);
	/* Stopped, A changes nothing on its own and interrupts nobody. */
	vfio_eventfd_wait(msi_a, 0);
	frm = bar0_read32(a, PIPE_FRMCOUNT(PIPE_A));
	usleep(100 * 1000);
	EXPECT_EQ(bar0_read32(a, PIPE_FRMCOUNT(PIPE_A)), frm);
	EXPECT_EQ(vfio_eventfd_wait(msi_a, 0), 0);

	ASSERT_EQ(load(b, s.data, s.len), 0);
	EXPECT_EQ(mig_get_state(b), VFIO_DEVICE_STATE_STOP);
	/* QEMU sets up B's interrupts, then lets it run. */
	ASSERT_OK(vfio_irq_set_eventfd(&b->dev, VFIO_PCI_MSI_IRQ_INDEX, msi_b));
	ASSERT_OK(mig_set_state(b, VFIO_DEVICE_STATE_RUNNING, NULL));

	for (i = 0; i < ARRAY_SIZE(regs_kept); i++)
		EXPECT_EQ(bar0_read32(b, regs_kept[i]), before[i]);
	EXPECT_EQ(cfg_read16(b, IVGPU_CFG_MSI_CAP + PCI_MSI_FLAGS) &
		  PCI_MSI_FLAGS_ENABLE, PCI_MSI_FLAGS_ENABLE);
	EXPECT_EQ(vgpu_stat(b, "pages_pinned"), 0);	/* pinned as used */

	/* The same pixels, through the region and the dma-buf. */
	fb = region_plane(b, &pb);
	EXPECT_EQ(pb.drm_format, pa.drm_format);
	EXPECT_EQ(pb.height, pa.height);
	EXPECT_EQ(pb.stride, pa.stride);
	EXPECT_MEMEQ(fb, fa, (size_t)pa.stride * pa.height);
	EXPECT_MEMEQ(fb, g.mem, FB_BYTES);
	{
		struct vfio_device_gfx_plane_info da, db;
		uint8_t *ma = dmabuf_plane(a, 1, &da), *mb = dmabuf_plane(b, 1, &db);
		uint8_t *ca, *cb;
		struct vfio_device_gfx_plane_info ka, kb;

		EXPECT_EQ(db.size, da.size);
		EXPECT_MEMEQ(mb, ma, FB_BYTES);
		ca = dmabuf_plane(a, 2, &ka);
		cb = dmabuf_plane(b, 2, &kb);
		EXPECT_MEMEQ(cb, ca, CURSOR_BYTES);
		EXPECT_EQ(kb.x_pos, 300);
		EXPECT_EQ(kb.y_pos, 200);
		EXPECT_EQ(kb.x_hot, 5);
		EXPECT_EQ(kb.y_hot, 9);
		munmap(ma, da.size);
		munmap(mb, db.size);
		munmap(ca, ka.size);
		munmap(cb, kb.size);
	}
	/* The monitor QEMU set up on A. */
	ASSERT_OK(vfio_region_read(&b->dev, EDID, IVGPU_EDID_BLOB_OFFSET, got,
				   sizeof(got)));
	EXPECT_MEMEQ(got, edid_blob, sizeof(got));
	/*
	 * Interrupts flow on B: the vblank A had latched arrives, and once
	 * the guest acknowledges it, the next ones, up to one of a frame
	 * after @frm. The counter follows the clock and the events the tick:
	 * the first may still be the vblank of the frame @frm began with, if
	 * the tick came late (seen under a debug kernel).
	 */
	EXPECT_TRUE(vfio_eventfd_wait(msi_b, 1000) > 0);
	bar0_write32(b, PIPE_ISR(PIPE_A) + IIR, VBLANK);
	frm = bar0_read32(b, PIPE_FRMCOUNT(PIPE_A));
	for (i = 0; i < 2; i++) {
		EXPECT_TRUE(vfio_eventfd_wait(msi_b, 1000) > 0);
		bar0_write32(b, PIPE_ISR(PIPE_A) + IIR, VBLANK);
		if (bar0_read32(b, PIPE_FRMCOUNT(PIPE_A)) != frm)
			break;
	}
	EXPECT_NE(bar0_read32(b, PIPE_FRMCOUNT(PIPE_A)), frm);
	free(fa);
	free(fb);
	free(s.data);
}

TEST(live_display_migrates_through_stop_copy)
{
	migrate_live_display(false);
}

TEST(live_display_migrates_through_pre_copy)
{
	if (!kernel_has_precopy())
		SKIP("the kernel's VFIO has no PRE_COPY (added in 6.2)");
	migrate_live_display(true);
}

TEST(pre_copy_changes_reach_the_destination)
{
	struct vgpu *a, *b;
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	struct stream s = { 0 };
	int fd, none;

	if (!kernel_has_precopy())
		SKIP("the kernel's VFIO has no PRE_COPY (added in 6.2)");
	a = vgpu_new(TYPE_SMALL);
	b = vgpu_new(TYPE_SMALL);
	bar0_write32(a, SCRATCH_REG, 1);
	ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_PRE_COPY, &fd));
	stream_read(&s, fd);
	/* Still running: the guest writes on. */
	bar0_write32(a, SCRATCH_REG, 2);
	ASSERT_OK(ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info));
	EXPECT_EQ(info.initial_bytes, 0);
	ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_STOP_COPY, &none));
	/* Outside PRE_COPY the ioctl is refused. */
	EXPECT_ERRNO(ioctl(fd, VFIO_MIG_GET_PRECOPY_INFO, &info), EINVAL);
	stream_read(&s, fd);
	close(fd);
	ASSERT_EQ(load(b, s.data, s.len), 0);
	EXPECT_EQ(bar0_read32(b, SCRATCH_REG), 2);
	free(s.data);
}

/* A stream from @a (small type), saved through STOP_COPY. */
static struct stream small_stream(void)
{
	struct vgpu *a = vgpu_new(TYPE_SMALL);
	struct stream s = { 0 };
	int fd;

	bar0_write32(a, SCRATCH_REG, 0xabc);
	ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	stream_read(&s, fd);
	close(fd);
	ASSERT_TRUE(s.len > 32);
	return s;
}

/* @b refused a stream with @err: ERROR until reset, then usable. */
static void expect_error_until_reset(struct vgpu *b, int got, int err)
{
	uint32_t id = pv_read32(b, IVGPU_PV_VGT_ID);

	EXPECT_EQ(got, -err);
	EXPECT_EQ(mig_get_state(b), VFIO_DEVICE_STATE_ERROR);
	EXPECT_EQ(mig_set_state(b, VFIO_DEVICE_STATE_RUNNING, NULL), -EINVAL);
	EXPECT_EQ(mig_set_state(b, VFIO_DEVICE_STATE_STOP, NULL), -EINVAL);
	EXPECT_EQ(mig_get_state(b), VFIO_DEVICE_STATE_ERROR);
	ASSERT_OK(vfio_reset(&b->dev));
	EXPECT_EQ(mig_get_state(b), VFIO_DEVICE_STATE_RUNNING);
	bar0_write32(b, SCRATCH_REG, 7);
	EXPECT_EQ(bar0_read32(b, SCRATCH_REG), 7);
	EXPECT_EQ(pv_read32(b, IVGPU_PV_VGT_ID), id);	/* nothing was loaded */
}

TEST(bad_streams_leave_the_device_in_error_until_reset)
{
	struct stream s = small_stream();
	struct vgpu *b = vgpu_new(TYPE_SMALL);
	uint8_t *bad = malloc(s.len);

	memcpy(bad, s.data, s.len);
	bad[0] ^= 0xff;
	expect_error_until_reset(b, load(b, bad, s.len), EINVAL);
	memcpy(bad, s.data, s.len);
	bad[8]++;			/* a newer major version */
	expect_error_until_reset(b, load(b, bad, s.len), EPROTONOSUPPORT);
	expect_error_until_reset(b, load(b, s.data, s.len - 100), EINVAL);
	expect_error_until_reset(b, load(b, s.data, 0), EINVAL);
	/* And the real one still loads. */
	ASSERT_EQ(load(b, s.data, s.len), 0);
	EXPECT_EQ(bar0_read32(b, SCRATCH_REG), 0xabc);
	free(bad);
	free(s.data);
}

static uint32_t le32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * Offsets where a frame, a section or a register/GGTT chunk record of @s
 * starts (docs/migration.md has the layout); at most @max of them.
 */
static size_t stream_boundaries(const struct stream *s, size_t *cut, size_t max)
{
	size_t n = 0, off = 0;

	while (off < s->len && n < max) {
		uint64_t body;
		size_t sec, end;

		memcpy(&body, s->data + off + 24, 8);
		end = off + 32 + body;
		cut[n++] = off;
		for (sec = off + 32; sec < end && n < max;) {
			uint32_t id = le32_at(s->data + sec);
			uint32_t bytes = le32_at(s->data + sec + 4), rec;

			cut[n++] = sec;
			for (rec = 8; (id == 3 || id == 4) && rec < 8 + bytes &&
			     n < max; rec += 4 + 4096)
				cut[n++] = sec + rec;
			sec += 8 + bytes;
		}
		off = end;
	}
	return n;
}

/*
 * A stream cut anywhere short of its end is incomplete, also where it
 * ends on a whole frame: the pre-copy one (6.2 and later), which the
 * stop-copy frame must follow.
 */
TEST(a_stream_cut_at_any_record_boundary_is_refused)
{
	struct vgpu *a = vgpu_new(TYPE_SMALL), *b = vgpu_new(TYPE_SMALL);
	bool precopy = kernel_has_precopy();
	struct stream s = { 0 };
	size_t cut[4096], n, i, pre_len = 0, bad = 0;
	int fd, none;

	bar0_write32(a, SCRATCH_REG, 0x1234);
	if (precopy) {
		ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_PRE_COPY, &fd));
		stream_read(&s, fd);
		pre_len = s.len;
		bar0_write32(a, SCRATCH_REG, 0x5678);
		ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_STOP_COPY, &none));
	} else {
		ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	}
	stream_read(&s, fd);
	close(fd);
	n = stream_boundaries(&s, cut, ARRAY_SIZE(cut));
	ASSERT_TRUE(n > 6 && n < ARRAY_SIZE(cut));
	tap_log("%zu frame, section and record boundaries in a %zu-byte stream%s",
		n, s.len, precopy ? " (pre-copy frame, then stop-copy)" : "");
	for (i = 0; i < n; i++) {
		int ret = load(b, s.data, cut[i]);
		int state = mig_get_state(b);

		if ((ret != -EINVAL || state != VFIO_DEVICE_STATE_ERROR) && !bad++)
			tap_log("cut at byte %zu of %zu: load returned %d, state %d",
				cut[i], s.len, ret, state);
		ASSERT_OK(vfio_reset(&b->dev));
	}
	EXPECT_EQ(bad, 0);
	if (precopy) {
		/* The boundary between the pre-copy and the stop-copy frame. */
		for (i = 0; i < n && cut[i] != pre_len; i++)
			;
		EXPECT_TRUE(i < n && pre_len > 0 && pre_len < s.len);
		expect_error_until_reset(b, load(b, s.data, pre_len), EINVAL);
	}
	ASSERT_EQ(load(b, s.data, s.len), 0);
	EXPECT_EQ(bar0_read32(b, SCRATCH_REG), precopy ? 0x5678 : 0x1234);
	free(s.data);
}

TEST(a_stream_of_another_type_is_refused)
{
	struct stream s = small_stream();
	struct vgpu *b = vgpu_new(TYPE_MEDIUM);

	expect_error_until_reset(b, load(b, s.data, s.len), EINVAL);
	free(s.data);
}

TEST(oversized_stream_write_fails)
{
	struct vgpu *b = vgpu_new(TYPE_SMALL);
	size_t len = 64 << 20;
	uint8_t *junk = calloc(1, len);
	int fd, ret;

	ASSERT_TRUE(junk);
	ASSERT_OK(mig_set_state(b, VFIO_DEVICE_STATE_STOP, NULL));
	ASSERT_OK(mig_set_state(b, VFIO_DEVICE_STATE_RESUMING, &fd));
	ret = stream_write(fd, junk, len);
	EXPECT_EQ(ret, -EFBIG);
	close(fd);
	ASSERT_OK(vfio_reset(&b->dev));
	EXPECT_EQ(mig_get_state(b), VFIO_DEVICE_STATE_RUNNING);
	free(junk);
}

TEST(data_fd_is_cut_off_by_reset)
{
	struct vgpu *a = vgpu_new(TYPE_SMALL);
	char byte;
	int fd;

	ASSERT_OK(mig_set_state(a, VFIO_DEVICE_STATE_STOP_COPY, &fd));
	ASSERT_OK(vfio_reset(&a->dev));
	EXPECT_EQ(mig_get_state(a), VFIO_DEVICE_STATE_RUNNING);
	EXPECT_ERRNO(read(fd, &byte, 1), ENODEV);
	close(fd);
}
