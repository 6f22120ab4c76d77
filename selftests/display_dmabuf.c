// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display (docs/display.md): dma-buf planes. The dma-buf of a linear
 * plane, ids that follow flips, the last eight plane states kept, the
 * X-tiled modifier, panned planes, the cursor, and dma-bufs that outlive
 * unmapped guest memory, a reset, a close and a remove.
 */
#define _GNU_SOURCE
#include "display.h"

/* =================================================================== */
/* 5. Dma-buf planes                                                    */
/* =================================================================== */

/* EXPECT that a dma-buf fd is as documented and shows len bytes of want. */
#define EXPECT_DMABUF(fd, want, len) \
	expect_dmabuf(__FILE__, __LINE__, fd, want, len)

static void expect_dmabuf(const char *file, int line, int fd,
			  const uint8_t *want, size_t len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	uint8_t *map;

	if (size != (off_t)len)
		tap_fail(false, file, line, "dma-buf size %lld, expected %zu",
			 (long long)size, len);
	if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		tap_fail(false, file, line, "dma-buf fd without FD_CLOEXEC");
	if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
		tap_fail(false, file, line, "dma-buf fd not O_RDWR");
	map = map_ro(fd, 0, len);
	expect_image(file, line, "dma-buf", map, len, want, len, 1);
}

TEST(dmabuf_of_a_linear_plane)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want;
	uint32_t id;
	int fd, fd2;

	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_DISABLED(&pi);

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.drm_format, DRM_XRGB8888);
	EXPECT_EQ(pi.drm_format_mod, 0);
	EXPECT_EQ(pi.width, 60);
	EXPECT_EQ(pi.height, 48);
	EXPECT_EQ(pi.stride, 256);
	EXPECT_EQ(pi.size, 3 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	id = pi.dmabuf_id;

	/* The same state, the same id. */
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.dmabuf_id, id);

	fd = get_dmabuf(v, id);
	ASSERT_GE(fd, 0);
	want = surface_linear(&s, 3 * PAGE);
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	free(want);

	/* Each call gives a new fd on the same pages. */
	fd2 = get_dmabuf(v, id);
	ASSERT_GE(fd2, 0);
	EXPECT_NE(fd2, fd);
	surface_fill(&s, 2);
	want = surface_linear(&s, 3 * PAGE);
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	EXPECT_DMABUF(fd2, want, 3 * PAGE);
	free(want);
}

TEST(dmabuf_ids_follow_flips)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s1 = surface_new(v, 4, 16, 1);
	struct surface s2 = surface_new(v, 4, 64, 2);
	struct plane p = linear_plane(&s1);
	struct vfio_device_gfx_plane_info pi;
	uint32_t id1, id2, bogus;
	uint8_t *want;
	int fd1, fd2;

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	id1 = pi.dmabuf_id;
	ASSERT_NE(id1, 0);
	fd1 = get_dmabuf(v, id1);
	ASSERT_GE(fd1, 0);

	/* Flip: a new id showing the new buffer. */
	bar0_write32(v, PLANE_SURF(PIPE_A), surface_gm(&s2));
	pi = query_dmabuf(v, PLANE_PRIMARY);
	id2 = pi.dmabuf_id;
	ASSERT_NE(id2, 0);
	EXPECT_NE(id2, id1);
	EXPECT_EQ(pi.stride, 256);
	fd2 = get_dmabuf(v, id2);
	ASSERT_GE(fd2, 0);
	want = surface_linear(&s2, 3 * PAGE);
	EXPECT_DMABUF(fd2, want, 3 * PAGE);
	free(want);

	/* The old dma-buf still shows the old buffer's pages, as they are. */
	surface_fill(&s1, 3);
	want = surface_linear(&s1, 3 * PAGE);
	EXPECT_DMABUF(fd1, want, 3 * PAGE);
	free(want);

	/* Flipping back is the first state again: its id is still held. */
	bar0_write32(v, PLANE_SURF(PIPE_A), surface_gm(&s1));
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.dmabuf_id, id1);
	EXPECT_GE(get_dmabuf(v, id1), 0);

	/* An id never handed out. */
	bogus = (id1 > id2 ? id1 : id2) + 0x10000;
	EXPECT_ERRNO(get_dmabuf(v, bogus), ENOENT);
	EXPECT_ERRNO(get_dmabuf(v, 0), ENOENT);
}

TEST(dmabuf_states_kept_are_the_last_eight)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s[9];
	struct plane p;
	struct vfio_device_gfx_plane_info pi;
	uint32_t ids[9];
	uint8_t *want;
	int fd0 = -1, k, j;

	/* Nine buffers, flipped through: nine states. */
	for (k = 0; k < 9; k++) {
		s[k] = surface_new(v, 3, 1000 + 4 * k, k + 1);
		p = linear_plane(&s[k]);
		if (k == 0)
			plane_program(v, PIPE_A, &p);
		else
			bar0_write32(v, PLANE_SURF(PIPE_A), p.surf);
		pi = query_dmabuf(v, PLANE_PRIMARY);
		ids[k] = pi.dmabuf_id;
		ASSERT_NE(ids[k], 0);
		for (j = 0; j < k; j++)
			EXPECT_NE(ids[k], ids[j]);
		if (k == 0) {
			fd0 = get_dmabuf(v, ids[0]);
			ASSERT_GE(fd0, 0);
		}
	}
	/* The first is gone; its fd lives on. */
	EXPECT_ERRNO(get_dmabuf(v, ids[0]), ENOENT);
	for (k = 1; k < 9; k++) {
		int fd = get_dmabuf(v, ids[k]);

		EXPECT_GE(fd, 0);
		if (fd < 0)
			continue;
		want = surface_linear(&s[k], 3 * PAGE);
		EXPECT_DMABUF(fd, want, 3 * PAGE);
		free(want);
	}
	want = surface_linear(&s[0], 3 * PAGE);
	EXPECT_DMABUF(fd0, want, 3 * PAGE);
	free(want);

	/* The same pages at another place in graphics memory show the same. */
	surface_map_at(&s[8], 2000);
	bar0_write32(v, PLANE_SURF(PIPE_A), 2000 * PAGE);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	tap_log("state 8 moved in graphics memory: id %u (was %u)",
		pi.dmabuf_id, ids[8]);
	EXPECT_NE(pi.dmabuf_id, 0);
}

TEST(x_tiled_dmabuf_has_the_x_modifier)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 6, 32, 1);
	struct plane p = {
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 200, .height = 20, .stride_reg = 2,
		.surf = surface_gm(&s),
	};
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want;
	int fd;

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.drm_format, DRM_XRGB8888);
	EXPECT_EQ(pi.drm_format_mod, MOD_X_TILED);
	EXPECT_EQ(pi.width, 200);
	EXPECT_EQ(pi.height, 20);
	EXPECT_EQ(pi.stride, 1024);
	/* Three rows of tiles, two tiles each. */
	EXPECT_EQ(pi.size, 6 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	want = surface_linear(&s, 6 * PAGE);
	EXPECT_DMABUF(fd, want, 6 * PAGE);
	free(want);
}

TEST(panned_dmabuf_plane_reads_as_disabled)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;

	p.x = 3;
	p.y = 2;
	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_DISABLED(&pi);

	/* X-tiled, starting inside a tile row. */
	p = (struct plane){
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 100, .height = 10, .stride_reg = 1, .y = 3,
		.surf = surface_gm(&s),
	};
	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_DISABLED(&pi);
}

TEST(cursor_dmabuf)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 16, 300, 1);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want;
	int fd;

	EXPECT_EQ(pv_read32(v, IVGPU_PV_CURSOR_X_HOT), IVGPU_PV_CURSOR_HOT_NONE);
	EXPECT_EQ(pv_read32(v, IVGPU_PV_CURSOR_Y_HOT), IVGPU_PV_CURSOR_HOT_NONE);

	/* No pipe, then a pipe without a cursor. */
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_DISABLED(&pi);
	bar0_write32(v, TRANSCONF(PIPE_A), TRANSCONF_ENABLE);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_DISABLED(&pi);

	/* 64x64 ARGB at x 10, y -5. */
	bar0_write32(v, CURBASE(PIPE_A), surface_gm(&s));
	bar0_write32(v, CURPOS(PIPE_A), 10 | 5u << 16 | 1u << 31);
	bar0_write32(v, CURCNTR(PIPE_A), 0x27);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_EQ(pi.drm_format, DRM_ARGB8888);
	EXPECT_EQ(pi.drm_format_mod, 0);
	EXPECT_EQ(pi.width, 64);
	EXPECT_EQ(pi.height, 64);
	EXPECT_EQ(pi.stride, 256);
	EXPECT_EQ(pi.size, 4 * PAGE);
	EXPECT_EQ(pi.x_pos, 10);
	EXPECT_EQ(pi.y_pos, (uint32_t)-5);
	EXPECT_EQ(pi.x_hot, IVGPU_PV_CURSOR_HOT_NONE);
	EXPECT_EQ(pi.y_hot, IVGPU_PV_CURSOR_HOT_NONE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	want = surface_linear(&s, 4 * PAGE);
	EXPECT_DMABUF(fd, want, 4 * PAGE);
	free(want);

	/* The guest sets the hotspot and moves the cursor to x -7, y 20. */
	pv_write32(v, IVGPU_PV_CURSOR_X_HOT, 3);
	pv_write32(v, IVGPU_PV_CURSOR_Y_HOT, 9);
	bar0_write32(v, CURPOS(PIPE_A), 7 | 1u << 15 | 20u << 16);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_EQ(pi.x_pos, (uint32_t)-7);
	EXPECT_EQ(pi.y_pos, 20);
	EXPECT_EQ(pi.x_hot, 3);
	EXPECT_EQ(pi.y_hot, 9);

	/* 128x128. */
	bar0_write32(v, CURCNTR(PIPE_A), 0x22);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_EQ(pi.width, 128);
	EXPECT_EQ(pi.height, 128);
	EXPECT_EQ(pi.stride, 512);
	EXPECT_EQ(pi.size, 16 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	want = surface_linear(&s, 16 * PAGE);
	EXPECT_DMABUF(fd, want, 16 * PAGE);
	free(want);

	/* Off. */
	bar0_write32(v, CURCNTR(PIPE_A), 0);
	pi = query_dmabuf(v, PLANE_CURSOR);
	EXPECT_DISABLED(&pi);
}

TEST(dmabuf_outlives_unmapped_guest_memory)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want = surface_linear(&s, 3 * PAGE);
	uint32_t id;
	int fd, fd2;

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	id = pi.dmabuf_id;
	ASSERT_NE(id, 0);
	fd = get_dmabuf(v, id);
	ASSERT_GE(fd, 0);
	EXPECT_DMABUF(fd, want, 3 * PAGE);

	/* Unmapped (and freed by this process): the dma-buf keeps its pages. */
	ASSERT_OK(vfio_dma_free(&v->dev, s.mem));
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_NE(pi.dmabuf_id, id);
	if (pi.dmabuf_id) {
		fd2 = get_dmabuf(v, pi.dmabuf_id);
		EXPECT_GE(fd2, 0);
	}
	/* The fd made before still maps. */
	EXPECT_DMABUF(fd, want, 3 * PAGE);

	/* A rewritten GGTT: the next query is a new state again. */
	s = surface_new(v, 4, 16, 2);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_NE(pi.dmabuf_id, id);
	EXPECT_NE(pi.dmabuf_id, 0);
	free(want);
}

TEST(dmabuf_survives_reset_close_and_remove)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 4, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *want = surface_linear(&s, 3 * PAGE);
	int fd;

	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);

	/* A reset turns the plane off; the dma-buf stays as it was. */
	ASSERT_OK(vfio_reset(&v->dev));
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_DISABLED(&pi);
	EXPECT_DMABUF(fd, want, 3 * PAGE);

	/* Closed (guest memory unmapped and freed), then removed. */
	vgpu_close(v);
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	vgpu_remove(v);
	EXPECT_DMABUF(fd, want, 3 * PAGE);
	free(want);
}

TEST(dmabuf_of_a_plane_panned_to_a_boundary)
{
	struct vgpu *v = vgpu_new_mode("dmabuf");
	struct surface s = surface_new(v, 8, 16, 1);
	struct plane p = linear_plane(&s);
	struct vfio_device_gfx_plane_info pi;
	uint8_t *all = surface_linear(&s, 8 * PAGE);
	int fd;

	/* Linear, y 16 at 256 bytes a line: from page 1 of the surface. */
	p.y = 16;
	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.drm_format_mod, 0);
	EXPECT_EQ(pi.width, 60);
	EXPECT_EQ(pi.height, 48);
	EXPECT_EQ(pi.stride, 256);
	EXPECT_EQ(pi.size, 3 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	EXPECT_DMABUF(fd, all + PAGE, 3 * PAGE);

	/* X-tiled, y 8: from the second row of tiles (2 pages in). */
	p = (struct plane){
		.format = FMT_XRGB8888, .tiling = TILING_X,
		.width = 200, .height = 20, .stride_reg = 2, .y = 8,
		.surf = surface_gm(&s),
	};
	plane_program(v, PIPE_A, &p);
	pi = query_dmabuf(v, PLANE_PRIMARY);
	EXPECT_EQ(pi.drm_format_mod, MOD_X_TILED);
	EXPECT_EQ(pi.width, 200);
	EXPECT_EQ(pi.height, 20);
	EXPECT_EQ(pi.stride, 1024);
	EXPECT_EQ(pi.size, 6 * PAGE);
	ASSERT_NE(pi.dmabuf_id, 0);
	fd = get_dmabuf(v, pi.dmabuf_id);
	ASSERT_GE(fd, 0);
	EXPECT_DMABUF(fd, all + 2 * PAGE, 6 * PAGE);
	free(all);
}
