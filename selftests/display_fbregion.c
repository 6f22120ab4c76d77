// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display (docs/display.md): the framebuffer region. Its layout, an
 * update that copies (and de-tiles) the plane, writes it refuses, a
 * disabled plane.
 */
#define _GNU_SOURCE
#include "display.h"

/* =================================================================== */
/* 6. The framebuffer region                                            */
/* =================================================================== */

#define FB	IVGPU_REGION_FRAMEBUFFER

static uint64_t fb_meta(struct vgpu *v)
{
	return IVGPU_FB_META_OFFSET(v->dev.regions[FB].size);
}

/* Request an update; the description that results. */
static struct vfio_framebuffer fb_update(struct vgpu *v)
{
	struct vfio_framebuffer fb;

	ASSERT_OK(vfio_region_write_n(&v->dev, FB, fb_meta(v) +
				      offsetof(struct vfio_framebuffer, state),
				      4, VFIO_FB_STATE_REQUEST_UPDATE));
	memset(&fb, 0xa5, sizeof(fb));
	ASSERT_OK(vfio_region_read(&v->dev, FB, fb_meta(v), &fb, sizeof(fb)));
	EXPECT_EQ(fb.argsz, sizeof(fb));
	EXPECT_EQ(fb.state, VFIO_FB_STATE_UPDATE_COMPLETE);
	return fb;
}

#define EXPECT_FB(v, fb, p, s) expect_fb(__FILE__, __LINE__, v, fb, p, s)

static void expect_fb(const char *file, int line, struct vgpu *v,
		      const struct vfio_framebuffer *fb, const struct plane *p,
		      const struct surface *s)
{
	uint32_t lb = plane_line(p);
	uint8_t *want, *got, *map;

	if (fb->format != plane_fourcc(p) || fb->offset != 0 ||
	    fb->width != p->width || fb->height != p->height ||
	    fb->stride != lb) {
		tap_fail(false, file, line,
			 "framebuffer: format 0x%x offset %u %ux%u stride %u, expected 0x%x offset 0 %ux%u stride %u",
			 fb->format, fb->offset, fb->width, fb->height,
			 fb->stride, plane_fourcc(p), p->width, p->height, lb);
		return;
	}
	want = want_image(p, s);
	got = read_region(v, FB, 0, (size_t)lb * p->height);
	expect_image(file, line, "pread", got, lb, want, lb, p->height);
	map = map_region(v, FB, 0, SMALL_FRAME);
	expect_image(file, line, "mmap", map, lb, want, lb, p->height);
	free(got);
	free(want);
}

TEST(framebuffer_region_layout)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_region_info *info = vfio_region_info(&v->dev, FB);
	struct vfio_region_info_cap_sparse_mmap *sparse;
	struct vfio_framebuffer fb;
	off_t off = v->dev.regions[FB].offset;
	void *p;

	ASSERT_TRUE(info);
	EXPECT_EQ(info->size, SMALL_FRAME + PAGE);
	sparse = (void *)vfio_region_cap(info, VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	EXPECT_TRUE(sparse);
	if (sparse) {
		ASSERT_EQ(sparse->nr_areas, 1);
		EXPECT_EQ(sparse->areas[0].offset, 0);
		EXPECT_EQ(sparse->areas[0].size, SMALL_FRAME);
	}
	free(info);

	/* Before any update nothing is described. */
	ASSERT_OK(vfio_region_read(&v->dev, FB, fb_meta(v), &fb, sizeof(fb)));
	tap_log("argsz before the first update: %u", fb.argsz);
	EXPECT_EQ(fb.format, 0);
	EXPECT_EQ(fb.width, 0);
	EXPECT_EQ(fb.height, 0);
	EXPECT_EQ(fb.stride, 0);

	/* The pixels map read-only; the metadata page does not map. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, v->dev.fd, off);
	EXPECT_TRUE(p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, v->dev.fd,
		 off + SMALL_FRAME);
	EXPECT_TRUE(p == MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	map_ro(v->dev.fd, off, SMALL_FRAME);
	/* The pixel part is not written through the fd either. */
	EXPECT_NE(vfio_region_write_n(&v->dev, FB, 0, 4, 0x12345678), 0);
}

TEST(framebuffer_update_copies_the_plane)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_framebuffer fb;
	uint8_t *early = map_region(v, FB, 0, SMALL_FRAME), *want;

	/* A mapping made before the first update shows zeros, then pixels. */
	EXPECT_ALL_ZERO(early, PAGE);
	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);
	want = want_image(&p, &s);
	EXPECT_IMAGE(early, plane_line(&p), want, plane_line(&p), p.height);
	free(want);

	/* The copy is taken when asked for, not before. */
	surface_fill(&s, 2);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);

	/* Panned RGB565. */
	p.format = FMT_RGB565;
	p.x = 9;
	p.y = 3;
	p.width = 90;
	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);
}

TEST(framebuffer_update_detiles)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 6, 32, 1);
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 200, .height = 20, .stride_reg = 2,
		.surf = surface_gm(&s),
	};
	struct vfio_framebuffer fb;

	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);
}

TEST(framebuffer_rejects_bad_writes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	uint64_t meta = fb_meta(v);
	struct vfio_framebuffer fb;
	int ret;

	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);

	EXPECT_EQ(vfio_region_write_n(&v->dev, FB, meta +
				      offsetof(struct vfio_framebuffer, state),
				      4, 5), -EINVAL);
	EXPECT_EQ(vfio_region_write_n(&v->dev, FB, meta +
				      offsetof(struct vfio_framebuffer, state),
				      4, VFIO_FB_STATE_UPDATE_COMPLETE), -EINVAL);
	EXPECT_EQ(vfio_region_write_n(&v->dev, FB, meta +
				      offsetof(struct vfio_framebuffer, state),
				      4, 0), -EINVAL);

	/* The other fields are read-only. */
	ret = vfio_region_write_n(&v->dev, FB, meta +
				  offsetof(struct vfio_framebuffer, format),
				  4, DRM_RGB565);
	tap_log("write to format: %d", ret);
	EXPECT_TRUE(ret == -EPERM || ret == -EINVAL);
	ret = vfio_region_write_n(&v->dev, FB, meta +
				  offsetof(struct vfio_framebuffer, width),
				  4, 7);
	EXPECT_TRUE(ret == -EPERM || ret == -EINVAL);

	ASSERT_OK(vfio_region_read(&v->dev, FB, meta, &fb, sizeof(fb)));
	EXPECT_EQ(fb.format, DRM_XRGB8888);
	EXPECT_EQ(fb.width, 60);
	EXPECT_EQ(fb.state, VFIO_FB_STATE_UPDATE_COMPLETE);
}

TEST(framebuffer_of_a_disabled_plane)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_framebuffer fb;

	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_FB(v, &fb, &p, &s);

	bar0_write32(v, PLANE_CTL(PIPE_A), 0);
	fb = fb_update(v);
	EXPECT_EQ(fb.format, 0);
	EXPECT_EQ(fb.width, 0);
	EXPECT_EQ(fb.height, 0);
	EXPECT_EQ(fb.stride, 0);

	/* A plane it can't show is disabled too. */
	p.tiling = TILING_Y;
	plane_program(v, PIPE_A, &p);
	fb = fb_update(v);
	EXPECT_EQ(fb.format, 0);
	EXPECT_EQ(fb.width, 0);
	EXPECT_EQ(fb.height, 0);
	EXPECT_EQ(fb.stride, 0);
}
