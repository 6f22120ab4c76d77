// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display (docs/display.md): VFIO_DEVICE_QUERY_GFX_PLANE with region
 * and dma-buf planes, the gfx_plane attribute, the framebuffer region and
 * the EDID region of the virtual monitor. The guest side is played by
 * programming plane registers and GGTT entries through BAR0, over guest
 * memory whose every 32-bit word is different, so that each pixel seen
 * through a region, a mapping or a dma-buf can be traced to its source.
 *
 * This file: probing, the gfx_plane attribute and region planes;
 * display_badplane.c: values the plane can't show; display_dmabuf.c:
 * dma-buf planes and the cursor; display_fbregion.c: the framebuffer
 * region; display_common.c: the helpers they share (display.h).
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include "display.h"

/* =================================================================== */
/* 1. Probing and the disabled plane                                    */
/* =================================================================== */

TEST(probe_offers_region_by_default)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi;

	EXPECT_OK(query(v, Q_PROBE | Q_REGION, 0, &pi));
	EXPECT_ERRNO(query(v, Q_PROBE | Q_DMABUF, PLANE_PRIMARY, &pi), EINVAL);
}

TEST(query_rejects_other_flag_combinations)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi;

	EXPECT_ERRNO(query(v, 0, 0, &pi), EINVAL);
	EXPECT_ERRNO(query(v, Q_PROBE, 0, &pi), EINVAL);
	EXPECT_ERRNO(query(v, Q_PROBE | Q_REGION | Q_DMABUF, 0, &pi), EINVAL);
	EXPECT_ERRNO(query(v, Q_REGION | Q_DMABUF, 0, &pi), EINVAL);
	EXPECT_ERRNO(query(v, Q_REGION | (1u << 3), 0, &pi), EINVAL);
}

TEST(query_rejects_a_short_argsz)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi = {
		.argsz = offsetof(struct vfio_device_gfx_plane_info, drm_plane_type),
		.flags = Q_PROBE | Q_REGION,
	};

	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi), EINVAL);
	pi.argsz = 8;
	pi.flags = Q_REGION;
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi), EINVAL);
	/* Everything but the index/id. */
	pi.argsz = offsetof(struct vfio_device_gfx_plane_info, region_index);
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi), EINVAL);
	/* Up to the index/id (the struct without its tail padding) is enough. */
	pi.argsz = offsetof(struct vfio_device_gfx_plane_info, region_index) + 4;
	EXPECT_OK(ioctl(v->dev.fd, VFIO_DEVICE_QUERY_GFX_PLANE, &pi));
}

TEST(disabled_plane_answers_zeros)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi;

	/* Fresh device: no pipe enabled. */
	pi = query_region(v);
	EXPECT_DISABLED(&pi);
	ASSERT_OK(query(v, Q_REGION, PLANE_PRIMARY, &pi));
	EXPECT_DISABLED(&pi);

	/* A pipe without a plane. */
	bar0_write32(v, TRANSCONF(PIPE_A), TRANSCONF_ENABLE);
	pi = query_region(v);
	EXPECT_DISABLED(&pi);
}

/* =================================================================== */
/* 2. The gfx_plane attribute                                           */
/* =================================================================== */

TEST(gfx_plane_attribute)
{
	struct vgpu *v = vgpu_create(TYPE_SMALL);
	char path[256], buf[64];

	gfx_plane_path(v, path, sizeof(path));
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "region\n");

	EXPECT_EQ(gfx_plane_set(v, "bogus"), -EINVAL);
	EXPECT_EQ(gfx_plane_set(v, "regio"), -EINVAL);
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "region\n");

	EXPECT_OK(gfx_plane_set(v, "both"));
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "both\n");
	/* As echo writes it, with a newline. */
	EXPECT_OK(gfx_plane_set(v, "dmabuf\n"));
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "dmabuf\n");

	/* Not while the device is open. */
	vgpu_open(v);
	EXPECT_EQ(gfx_plane_set(v, "region"), -EBUSY);
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "dmabuf\n");

	/* Closed again, it can change. */
	vgpu_close(v);
	EXPECT_OK(gfx_plane_set(v, "region"));
	ASSERT_GE(sysfs_read(path, buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "region\n");
}

TEST(dmabuf_mode_probes_dmabuf_only)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct vfio_device_gfx_plane_info pi;

	EXPECT_OK(query(v, Q_PROBE | Q_DMABUF, PLANE_PRIMARY, &pi));
	EXPECT_ERRNO(query(v, Q_PROBE | Q_REGION, 0, &pi), EINVAL);
}

TEST(both_mode_probes_both)
{
	struct vgpu *v = vgpu_new_mode("both");
	struct vfio_device_gfx_plane_info pi;

	EXPECT_OK(query(v, Q_PROBE | Q_DMABUF, PLANE_PRIMARY, &pi));
	EXPECT_OK(query(v, Q_PROBE | Q_REGION, 0, &pi));
	EXPECT_ERRNO(query(v, Q_PROBE | Q_REGION | Q_DMABUF, 0, &pi), EINVAL);
}

/* =================================================================== */
/* 3. Region planes                                                     */
/* =================================================================== */

TEST(display_regions_are_typed)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	static const struct {
		unsigned int index;
		uint32_t flags, type, subtype;
		uint64_t size;
	} want[] = {
		{ IVGPU_REGION_EDID,
		  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		  VFIO_REGION_TYPE_GFX, VFIO_REGION_SUBTYPE_GFX_EDID,
		  IVGPU_EDID_REGION_SIZE },
		{ IVGPU_REGION_FRAMEBUFFER,
		  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
		  VFIO_REGION_INFO_FLAG_MMAP,
		  IVGPU_REGION_TYPE, IVGPU_REGION_SUBTYPE_FRAMEBUFFER,
		  SMALL_FRAME + IVGPU_FB_META_SIZE },
		{ IVGPU_REGION_PLANE0,
		  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP,
		  IVGPU_REGION_TYPE, IVGPU_REGION_SUBTYPE_PLANE, SMALL_FRAME },
		{ IVGPU_REGION_PLANE1,
		  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP,
		  IVGPU_REGION_TYPE, IVGPU_REGION_SUBTYPE_PLANE, SMALL_FRAME },
	};
	unsigned int i;

	EXPECT_EQ(v->dev.info.num_regions, IVGPU_NUM_REGIONS);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		struct vfio_region_info *info =
			vfio_region_info(&v->dev, want[i].index);
		struct vfio_region_info_cap_type *type;

		ASSERT_TRUE(info);
		tap_log("region %u: flags 0x%x size 0x%llx", want[i].index,
			info->flags, (unsigned long long)info->size);
		EXPECT_EQ(info->flags,
			  want[i].flags | VFIO_REGION_INFO_FLAG_CAPS);
		EXPECT_EQ(info->size, want[i].size);
		type = (void *)vfio_region_cap(info, VFIO_REGION_INFO_CAP_TYPE);
		EXPECT_TRUE(type);
		if (type) {
			EXPECT_EQ(type->type, want[i].type);
			EXPECT_EQ(type->subtype, want[i].subtype);
		}
		free(info);
	}
}

TEST(plane_region_is_read_only)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	off_t off = v->dev.regions[IVGPU_REGION_PLANE0].offset;
	uint32_t val = 0x12345678;
	void *p;

	EXPECT_EQ(pwrite(v->dev.fd, &val, 4, off), -1);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, v->dev.fd,
		 off);
	EXPECT_TRUE(p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	/* Private mappings are not offered either. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, v->dev.fd, off);
	EXPECT_TRUE(p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
}

TEST(linear_plane_is_shown_without_a_copy)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s1 = surface_new(v, 4, 16, 1), s2, s3;
	struct plane p = linear_plane(&s1);
	struct vfio_device_gfx_plane_info pi;
	uint32_t lb = plane_line(&p), index;
	uint8_t *map, *want;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	EXPECT_EQ(pi.drm_format, DRM_XRGB8888);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s1);
	index = pi.region_index;

	/* The same state answers the same. */
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_EQ(pi.stride, 256);

	/* The view is the guest's own pages: new bytes show at once. */
	map = map_region(v, index, 0, v->dev.regions[index].size);
	surface_fill(&s1, 2);
	want = want_image(&p, &s1);
	EXPECT_IMAGE(map, 256, want, lb, p.height);
	free(want);

	/* A flip: once queried, the existing mapping shows the new surface. */
	s2 = surface_new(v, 4, 64, 3);
	p.surf = surface_gm(&s2);
	bar0_write32(v, PLANE_SURF(PIPE_A), p.surf);
	want = want_image(&p, &s2);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 256);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_IMAGE(map, 256, want, lb, p.height);
	free(want);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s2);

	/* A GGTT change under the plane: the mapping follows it too. */
	s3 = surface_new(v, 4, 64, 4);
	want = want_image(&p, &s3);
	EXPECT_IMAGE(map, 256, want, lb, p.height);
	free(want);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s3);
}

/* The page faults this process takes to read one byte of each of @pages. */
static long faults_to_read(volatile const uint8_t *map, size_t pages)
{
	struct rusage before, after;
	size_t n;

	getrusage(RUSAGE_SELF, &before);
	for (n = 0; n < pages; n++)
		(void)map[n * 4096];
	getrusage(RUSAGE_SELF, &after);
	return after.ru_minflt - before.ru_minflt;
}

/*
 * Flip pipe A's plane @p to surface @s, query, and check that QEMU's way of
 * reading the frame right after its query (through its mapping @map of
 * the plane region) takes no page fault: the query mapped the new view.
 */
static void flip_and_read(struct vgpu *v, struct plane *p,
			  const struct surface *s, const uint8_t *map,
			  uint32_t index)
{
	uint32_t lb = plane_line(p);
	size_t pages = ((size_t)(p->height - 1) * 256 + lb + 4095) / 4096;
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want;

	p->surf = surface_gm(s);
	bar0_write32(v, PLANE_SURF(PIPE_A), p->surf);
	want = want_image(p, s);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_EQ(faults_to_read(map, pages), 0);
	EXPECT_IMAGE(map, 256, want, lb, p->height);
	free(want);
}

TEST(a_flip_is_mapped_by_the_query_that_shows_it)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s1 = surface_new(v, 8, 16, 1);
	struct surface s2 = surface_new(v, 8, 64, 3);
	struct plane p = linear_plane(&s1);
	struct vfio_device_gfx_plane_info pi;
	const uint8_t *map;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	map = map_region(v, pi.region_index, 0,
			 v->dev.regions[pi.region_index].size);
	flip_and_read(v, &p, &s2, map, pi.region_index);
	flip_and_read(v, &p, &s1, map, pi.region_index);	/* and back */
}

TEST(flip_counts_and_raises_flip_done)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	uint32_t flips;
	int i;

	bar0_write32(v, PIPE_ISR(PIPE_A) + IMR, ~FLIP_DONE);
	plane_program(v, PIPE_A, &p);
	flips = bar0_read32(v, PIPE_FLIPCOUNT(PIPE_A));
	EXPECT_EQ(flips, 1);
	/* Wait for the flip-done of programming, then clear it. */
	for (i = 0; i < 100 && !(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR) &
				 FLIP_DONE); i++)
		usleep(10000);
	bar0_write32(v, PIPE_ISR(PIPE_A) + IIR, FLIP_DONE);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR) & FLIP_DONE, 0);

	bar0_write32(v, PLANE_SURF(PIPE_A), p.surf);
	EXPECT_EQ(bar0_read32(v, PIPE_FLIPCOUNT(PIPE_A)), flips + 1);
	for (i = 0; i < 100 && !(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR) &
				 FLIP_DONE); i++)
		usleep(10000);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR) & FLIP_DONE,
		  FLIP_DONE);
}

TEST(region_index_changes_with_geometry)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint32_t last;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	last = pi.region_index;

	/* Format: RGB565, 2 bytes a pixel, the stride stays 256. */
	p.format = FMT_RGB565;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 256);
	EXPECT_EQ(pi.drm_format, DRM_RGB565);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Stride. */
	p.stride_reg = 8;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 512);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Width. */
	p.width = 100;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 512);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Height. */
	p.height = 40;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 512);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Back to XRGB8888 at the same size. */
	p.format = FMT_XRGB8888;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 512);
	EXPECT_NE(pi.region_index, last);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	last = pi.region_index;

	/* Nothing but the surface moves: the index stays. */
	surface_map_at(&s, 200);
	p.surf = 200 * PAGE;
	bar0_write32(v, PLANE_SURF(PIPE_A), p.surf);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, last);
}

TEST(formats_map_to_fourccs)
{
	static const struct {
		uint32_t format, ctl, fourcc;
	} formats[] = {
		{ FMT_XRGB8888, 0, DRM_XRGB8888 },
		{ FMT_XRGB8888, PLANE_CTL_ALPHA, DRM_ARGB8888 },
		{ FMT_XRGB8888, 3u << 4, DRM_ARGB8888 },
		{ FMT_XRGB8888, PLANE_CTL_ORDER_RGBX, DRM_XBGR8888 },
		{ FMT_XRGB8888, PLANE_CTL_ORDER_RGBX | PLANE_CTL_ALPHA,
		  DRM_ABGR8888 },
		{ FMT_XRGB2101010, 0, DRM_XRGB2101010 },
		{ FMT_XRGB2101010, PLANE_CTL_ORDER_RGBX, DRM_XBGR2101010 },
		{ FMT_RGB565, 0, DRM_RGB565 },
	};
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		p.format = formats[i].format;
		p.ctl = formats[i].ctl;
		plane_program(v, PIPE_A, &p);
		pi = query_region(v);
		EXPECT_EQ(pi.drm_format, formats[i].fourcc);
		EXPECT_REGION_PLANE(v, &pi, &p, 256);
		EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	}
}

TEST(x_tiled_plane_is_detiled)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	/* 200x20 XRGB8888: 800 bytes a line, 2 tiles across, 3 tile rows. */
	struct surface s = surface_new(v, 6, 32, 1);
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 200, .height = 20, .stride_reg = 2,
		.surf = surface_gm(&s),
	};
	struct vfio_device_gfx_plane_info pi;
	uint32_t index;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 800));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
	index = pi.region_index;

	/* Each query copies again. */
	surface_fill(&s, 2);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);

	/* Panned inside the tiles, RGB565. */
	p.format = FMT_RGB565;
	p.width = 250;
	p.height = 13;
	p.x = 7;
	p.y = 5;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 500));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
}

TEST(panned_plane_is_copied)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;

	/* x 3, y 2: the first visible pixel is 524 bytes into a page. */
	p.x = 3;
	p.y = 2;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 240));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);

	/* A copy is taken at each query. */
	surface_fill(&s, 2);
	pi = query_region(v);
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
}

TEST(mapping_follows_copies_and_pans)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	/* 64 pixels at 256 bytes a line: in place or copied, the stride is 256. */
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_LINEAR,
		.width = 64, .height = 48, .stride_reg = 4,
		.surf = surface_gm(&s),
	};
	struct vfio_device_gfx_plane_info pi;
	uint32_t index;
	uint8_t *map, *want;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	index = pi.region_index;
	map = map_region(v, index, 0, v->dev.regions[index].size);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, 256, want, 256, p.height);
	free(want);

	/* One line down: copied now, same geometry, same index and mapping. */
	p.y = 1;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	EXPECT_EQ(pi.region_index, index);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, 256, want, 256, p.height);
	free(want);

	/* The copy is refreshed in place at the next query. */
	surface_fill(&s, 2);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, 256, want, 256, p.height);
	free(want);

	/* Back to the top: in place again. */
	p.y = 0;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_EQ(pi.region_index, index);
	surface_fill(&s, 3);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, 256, want, 256, p.height);
	free(want);

	/* Off: the mapping no longer shows guest memory. */
	bar0_write32(v, PLANE_CTL(PIPE_A), 0);
	pi = query_region(v);
	EXPECT_DISABLED(&pi);
	EXPECT_ALL_ZERO(map, 256 * 48);
}

TEST(page_aligned_pan_is_not_copied)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;

	/* y 16 at 256 bytes a line: the first visible pixel starts page 1. */
	p.y = 16;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
}

TEST(large_stride_plane_fits_the_region)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	/* 1024x768 with 8 KiB lines: 6 MiB of memory behind a 3 MiB frame. */
	struct surface s = surface_new(v, 1536, 4096, 1);
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_LINEAR,
		.width = SMALL_XRES, .height = SMALL_YRES, .stride_reg = 128,
		.surf = surface_gm(&s),
	};
	struct vfio_device_gfx_plane_info pi;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	tap_log("1024x768 with 8192-byte lines: stride %u, size %u",
		pi.stride, pi.size);
	ASSERT_TRUE(pi.stride == 8192 || pi.stride == 4096);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, pi.stride));
	EXPECT_REGION_PIXELS(v, &pi, &p, &s);
}

TEST(disabled_plane_after_being_shown)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));

	/* The plane off. */
	bar0_write32(v, PLANE_CTL(PIPE_A), 0);
	pi = query_region(v);
	EXPECT_DISABLED(&pi);

	/* On again, then the pipe off. */
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 256);
	bar0_write32(v, TRANSCONF(PIPE_A), 0);
	pi = query_region(v);
	EXPECT_DISABLED(&pi);

	/* On again, then a device reset. */
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	EXPECT_REGION_PLANE(v, &pi, &p, 256);
	ASSERT_OK(vfio_reset(&v->dev));
	pi = query_region(v);
	EXPECT_DISABLED(&pi);
}

TEST(first_enabled_pipe_is_shown)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface sa = surface_new(v, 4, 16, 1);
	struct surface sb = surface_new(v, 4, 64, 2);
	struct plane pa = linear_plane(&sa), pb = linear_plane(&sb);
	struct vfio_device_gfx_plane_info pi;

	pb.width = 50;
	pb.height = 40;
	plane_program(v, PIPE_B, &pb);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &pb, 256));
	EXPECT_REGION_PIXELS(v, &pi, &pb, &sb);

	plane_program(v, PIPE_A, &pa);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &pa, 256));
	EXPECT_REGION_PIXELS(v, &pi, &pa, &sa);

	bar0_write32(v, TRANSCONF(PIPE_A), 0);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &pb, 256));
	EXPECT_REGION_PIXELS(v, &pi, &pb, &sb);
}

TEST(unmapped_guest_memory_reads_as_zeros)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint32_t lb = plane_line(&p);
	uint8_t *map, *got, *want;
	size_t span;

	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, 256));
	span = image_span(pi.stride, lb, p.height);
	map = map_region(v, pi.region_index, 0,
			 v->dev.regions[pi.region_index].size);
	want = want_image(&p, &s);
	EXPECT_IMAGE(map, pi.stride, want, lb, p.height);
	free(want);

	/* The memory goes away under the live plane and mapping. */
	ASSERT_OK(vfio_dma_free(&v->dev, s.mem));
	EXPECT_ALL_ZERO(map, span);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, pi.stride));
	got = read_region(v, pi.region_index, 0,
			  image_span(pi.stride, lb, p.height));
	EXPECT_ALL_ZERO(got, image_span(pi.stride, lb, p.height));
	free(got);
	map = map_region(v, pi.region_index, 0,
			 v->dev.regions[pi.region_index].size);
	EXPECT_ALL_ZERO(map, image_span(pi.stride, lb, p.height));

	/* The same for a copied (panned) plane. */
	p.x = 1;
	plane_program(v, PIPE_A, &p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, &p, lb));
	got = read_region(v, pi.region_index, 0, (size_t)lb * p.height);
	EXPECT_ALL_ZERO(got, (size_t)lb * p.height);
	free(got);
}
