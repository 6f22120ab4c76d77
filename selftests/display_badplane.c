// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display (docs/display.md): values the plane can't show. An unknown
 * format, Y tiling, a stride shorter than a line, a surface outside the
 * slice and a size above the type's maximum disable the plane and count
 * an fb_error.
 */
#define _GNU_SOURCE
#include "display.h"

/* =================================================================== */
/* 4. Values the plane can't show                                       */
/* =================================================================== */

/* p makes the plane disabled and counts an fb_error; it never fails. */
#define EXPECT_BAD_PLANE(v, p) expect_bad_plane(__FILE__, __LINE__, v, p)

static void expect_bad_plane(const char *file, int line, struct vgpu *v,
			     const struct plane *p)
{
	long long before = vgpu_stat(v, "fb_errors");
	struct vfio_device_gfx_plane_info pi;

	plane_program(v, PIPE_A, p);
	if (query(v, Q_REGION, 0, &pi)) {
		tap_fail(false, file, line, "query failed: %s",
			 strerror(errno));
		return;
	}
	expect_disabled(file, line, &pi);
	if (vgpu_stat(v, "fb_errors") <= before)
		tap_fail(false, file, line, "fb_errors stayed at %lld", before);
}

/* A good plane first, so that each bad value is seen to switch it off. */
static struct vgpu *vgpu_with_plane(struct surface *s, struct plane *p)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_device_gfx_plane_info pi;

	*s = surface_new(v, 8, 16, 1);
	*p = linear_plane(s);
	plane_program(v, PIPE_A, p);
	pi = query_region(v);
	ASSERT_TRUE(EXPECT_REGION_PLANE(v, &pi, p, 256));
	EXPECT_EQ(vgpu_stat(v, "fb_errors"), 0);
	return v;
}

TEST(unknown_format_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);
	static const uint32_t formats[] = { 0, 1, 3, 6, 8, 15 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		bad = p;
		bad.format = formats[i];
		EXPECT_BAD_PLANE(v, &bad);
	}
}

TEST(y_tiling_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);
	static const uint32_t tilings[] = { TILING_Y, TILING_YF, 2, 7 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tilings); i++) {
		bad = p;
		bad.tiling = tilings[i];
		EXPECT_BAD_PLANE(v, &bad);
	}
}

TEST(short_stride_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);

	/* 100 pixels are 400 bytes: 256 is too short. */
	bad = p;
	bad.width = 100;
	EXPECT_BAD_PLANE(v, &bad);
	/* 60 pixels from x 5 end at byte 260. */
	bad = p;
	bad.x = 5;
	EXPECT_BAD_PLANE(v, &bad);
	/* No stride at all. */
	bad = p;
	bad.stride_reg = 0;
	EXPECT_BAD_PLANE(v, &bad);
	/* X-tiled: one 512-byte tile is too short for 200 pixels. */
	bad = p;
	bad.tiling = TILING_X;
	bad.width = 200;
	bad.stride_reg = 1;
	EXPECT_BAD_PLANE(v, &bad);
}

TEST(surface_outside_the_slice_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);

	bad = p;
	bad.surf = SMALL_GM;
	EXPECT_BAD_PLANE(v, &bad);
	bad.surf = 0xfffff000;
	EXPECT_BAD_PLANE(v, &bad);
	/* Starts in the last page, needs three. */
	bad.surf = SMALL_GM - PAGE;
	EXPECT_BAD_PLANE(v, &bad);

	/* The last three pages hold it exactly. */
	bad.surf = SMALL_GM - 3 * PAGE;
	plane_program(v, PIPE_A, &bad);
	{
		long long before = vgpu_stat(v, "fb_errors");
		struct vfio_device_gfx_plane_info pi = query_region(v);

		EXPECT_REGION_PLANE(v, &pi, &bad, 256);
		EXPECT_EQ(vgpu_stat(v, "fb_errors"), before);
	}
}

TEST(size_above_the_type_maximum_disables_the_plane)
{
	struct surface s;
	struct plane p, bad;
	struct vgpu *v = vgpu_with_plane(&s, &p);

	/* Strides are long enough; only the size is wrong. */
	bad = p;
	bad.width = SMALL_XRES + 1;
	bad.height = 2;
	bad.stride_reg = 65;
	EXPECT_BAD_PLANE(v, &bad);
	bad = p;
	bad.height = SMALL_YRES + 1;
	bad.width = 1;
	bad.stride_reg = 1;
	EXPECT_BAD_PLANE(v, &bad);

	/* The maximum itself is fine (the pixels are not looked at). */
	bad = p;
	bad.width = SMALL_XRES;
	bad.height = SMALL_YRES;
	bad.stride_reg = 64;
	plane_program(v, PIPE_A, &bad);
	{
		long long before = vgpu_stat(v, "fb_errors");
		struct vfio_device_gfx_plane_info pi = query_region(v);

		EXPECT_REGION_PLANE(v, &pi, &bad, 4096);
		EXPECT_EQ(vgpu_stat(v, "fb_errors"), before);
	}
}
