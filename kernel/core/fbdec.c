// SPDX-License-Identifier: GPL-2.0-only
/*
 * Framebuffer decoding and copying. Every value comes from the guest, so
 * each is checked before use, with 64-bit arithmetic where sizes multiply.
 */
#include "fbdec.h"
#include "core.h"
#include "display.h"
#include "regs.h"
#include "types.h"
#include <linux/ivgpu.h>

#define PAGE_4K 4096u

static u64 round_up_4k(u64 x)
{
	return (x + PAGE_4K - 1) & ~(u64)(PAGE_4K - 1);
}

/* PLANE_CTL format and order -> fourcc and bytes per pixel; 0 if unknown. */
static u32 ivgpu_fb_format(u32 ctl, u32 *cpp)
{
	u32 fmt = (ctl & PLANE_CTL_FORMAT_MASK) >> PLANE_CTL_FORMAT_SHIFT;
	bool rgbx = ctl & PLANE_CTL_ORDER_RGBX;
	bool alpha = ctl & PLANE_CTL_ALPHA_MASK;

	switch (fmt) {
	case PLANE_CTL_FORMAT_XRGB_8888:
		*cpp = 4;
		if (rgbx)
			return alpha ? IVGPU_FMT_ABGR8888 : IVGPU_FMT_XBGR8888;
		return alpha ? IVGPU_FMT_ARGB8888 : IVGPU_FMT_XRGB8888;
	case PLANE_CTL_FORMAT_XRGB_2101010:
		*cpp = 4;
		return rgbx ? IVGPU_FMT_XBGR2101010 : IVGPU_FMT_XRGB2101010;
	case PLANE_CTL_FORMAT_RGB_565:
		*cpp = 2;
		return IVGPU_FMT_RGB565;
	}
	return 0;
}

/*
 * The pipe the monitor on port D shows: the enabled pipe whose transcoder
 * drives port D (as i915 routes it); without one (a driver that only
 * enables a pipe and its planes), the first enabled pipe.
 */
static int ivgpu_fb_shown_pipe(const struct ivgpu_core *c)
{
	u32 pipes = ivgpu_display_enabled_pipes(c);
	int pipe, first = -1;

	for (pipe = 0; pipe < IVGPU_PIPES; pipe++) {
		u32 ddi = ivgpu_reg_get(c, TRANS_DDI_FUNC_CTL(pipe));

		if (!(pipes & (1u << pipe)))
			continue;
		if ((ddi & TRANS_DDI_FUNC_ENABLE) &&
		    (ddi & TRANS_DDI_PORT_MASK) == TRANS_DDI_PORT_D)
			return pipe;
		if (first < 0)
			first = pipe;
	}
	return first;
}

/* The surface must lie inside the instance's graphics memory. */
static bool ivgpu_fb_in_slice(const struct ivgpu_core *c,
			      const struct ivgpu_fb *fb)
{
	u64 gm = ivgpu_type_gm_size(c->type);

	return fb->gm_base < gm && fb->size <= gm - fb->gm_base;
}

static int ivgpu_fb_decode_primary(struct ivgpu_core *c, int pipe,
				   struct ivgpu_fb *fb)
{
	u32 ctl = ivgpu_reg_get(c, PLANE_CTL(pipe));
	u32 size = ivgpu_reg_get(c, PLANE_SIZE(pipe));
	u32 offset = ivgpu_reg_get(c, PLANE_OFFSET(pipe));
	u32 stride = ivgpu_reg_get(c, PLANE_STRIDE(pipe)) & PLANE_STRIDE_MASK;
	u64 end;

	if (!(ctl & PLANE_CTL_ENABLE))
		return -ENOENT;
	fb->drm_format = ivgpu_fb_format(ctl, &fb->cpp);
	if (!fb->drm_format)
		return -EINVAL;

	fb->width = (size & 0x1fff) + 1;
	fb->height = ((size >> 16) & 0x1fff) + 1;
	if (fb->width > c->type->max_xres || fb->height > c->type->max_yres)
		return -EINVAL;
	fb->x_off = offset & 0x1fff;
	fb->y_off = (offset >> 16) & 0x1fff;
	fb->gm_base = ivgpu_reg_get(c, PLANE_SURF(pipe)) & PLANE_SURF_ADDR_MASK;

	switch (ctl & PLANE_CTL_TILED_MASK) {
	case PLANE_CTL_TILED_LINEAR:
		fb->modifier = IVGPU_MOD_LINEAR;
		fb->stride = stride * 64;
		end = ivgpu_fb_linear_offset(fb) +
		      (u64)(fb->height - 1) * fb->stride +
		      (u64)fb->width * fb->cpp;
		break;
	case PLANE_CTL_TILED_X:
		fb->modifier = IVGPU_MOD_X_TILED;
		fb->stride = stride * IVGPU_XTILE_WIDTH;
		end = (u64)(fb->y_off + fb->height + IVGPU_XTILE_ROWS - 1) /
		      IVGPU_XTILE_ROWS * IVGPU_XTILE_ROWS * fb->stride;
		break;
	default:
		return -EINVAL;	/* Y and Yf tiling are not offered */
	}
	if ((u64)(fb->x_off + fb->width) * fb->cpp > fb->stride)
		return -EINVAL;
	fb->size = round_up_4k(end);
	return ivgpu_fb_in_slice(c, fb) ? 0 : -EINVAL;
}

/* A 13-bit magnitude with a sign bit, as CURPOS holds each coordinate. */
static s32 ivgpu_fb_cursor_coord(u32 v)
{
	s32 mag = v & CURSOR_POS_MASK;

	return v & CURSOR_POS_SIGN ? -mag : mag;
}

static int ivgpu_fb_decode_cursor(struct ivgpu_core *c, int pipe,
				  struct ivgpu_fb *fb)
{
	u32 mode = ivgpu_reg_get(c, CURCNTR(pipe)) & MCURSOR_MODE_MASK;
	u32 pos = ivgpu_reg_get(c, CURPOS(pipe));

	switch (mode) {
	case 0:
		return -ENOENT;
	case MCURSOR_MODE_64_ARGB:
		fb->width = 64;
		break;
	case MCURSOR_MODE_128_ARGB:
		fb->width = 128;
		break;
	case MCURSOR_MODE_256_ARGB:
		fb->width = 256;
		break;
	default:
		return -EINVAL;
	}
	fb->height = fb->width;
	fb->drm_format = IVGPU_FMT_ARGB8888;
	fb->modifier = IVGPU_MOD_LINEAR;
	fb->cpp = 4;
	fb->stride = fb->width * 4;
	fb->gm_base = ivgpu_reg_get(c, CURBASE(pipe)) & PLANE_SURF_ADDR_MASK;
	fb->size = round_up_4k((u64)fb->stride * fb->height);
	fb->x_pos = ivgpu_fb_cursor_coord(pos);
	fb->y_pos = ivgpu_fb_cursor_coord(pos >> 16);
	fb->x_hot = ivgpu_reg_get(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_X_HOT);
	fb->y_hot = ivgpu_reg_get(c, IVGPU_PVINFO_OFFSET + IVGPU_PV_CURSOR_Y_HOT);
	return ivgpu_fb_in_slice(c, fb) ? 0 : -EINVAL;
}

int ivgpu_fb_decode(struct ivgpu_core *c, int plane, struct ivgpu_fb *fb)
{
	int pipe = ivgpu_fb_shown_pipe(c);
	int ret;

	memset(fb, 0, sizeof(*fb));
	if (pipe < 0)
		return -ENOENT;
	fb->pipe = pipe;
	if (plane == IVGPU_PLANE_PRIMARY)
		ret = ivgpu_fb_decode_primary(c, pipe, fb);
	else if (plane == IVGPU_PLANE_CURSOR)
		ret = ivgpu_fb_decode_cursor(c, pipe, fb);
	else
		ret = -EINVAL;
	if (ret == -EINVAL)
		c->stats.fb_errors++;
	if (ret)
		memset(fb, 0, sizeof(*fb));
	return ret;
}

/* Address of byte (@xb, @y) of the surface, relative to gm_base. */
static u64 ivgpu_fb_byte(const struct ivgpu_fb *fb, u32 xb, u32 y)
{
	if (fb->modifier == IVGPU_MOD_LINEAR)
		return (u64)y * fb->stride + xb;
	return (u64)(y / IVGPU_XTILE_ROWS) * fb->stride * IVGPU_XTILE_ROWS +
	       (u64)(xb / IVGPU_XTILE_WIDTH) * PAGE_4K +
	       (y % IVGPU_XTILE_ROWS) * IVGPU_XTILE_WIDTH +
	       xb % IVGPU_XTILE_WIDTH;
}

/*
 * Line by line, in runs that stay inside one 4 KiB page of the surface: an
 * X tile row is 512 contiguous bytes, a linear line crosses pages anywhere.
 */
void ivgpu_fb_copy(const struct ivgpu_fb *fb,
		   const u8 *(*page)(void *ctx, u64 n), void *ctx,
		   u8 *dst, u32 dst_stride)
{
	u32 line = fb->width * fb->cpp;
	u32 y;

	for (y = 0; y < fb->height; y++) {
		u32 xb = fb->x_off * fb->cpp, done = 0;

		while (done < line) {
			u64 src = ivgpu_fb_byte(fb, xb + done, fb->y_off + y);
			u32 in_page = src % PAGE_4K;
			u32 n = line - done;

			if (n > PAGE_4K - in_page)
				n = PAGE_4K - in_page;
			if (fb->modifier != IVGPU_MOD_LINEAR &&
			    n > IVGPU_XTILE_WIDTH - (xb + done) % IVGPU_XTILE_WIDTH)
				n = IVGPU_XTILE_WIDTH - (xb + done) % IVGPU_XTILE_WIDTH;
			memcpy(dst + (u64)y * dst_stride + done,
			       page(ctx, src / PAGE_4K) + in_page, n);
			done += n;
		}
	}
}
