// SPDX-License-Identifier: GPL-2.0-only
/*
 * EDID 1.4 generation (base block plus an optional CTA-861 extension) and
 * validation.
 */
#include "edid.h"

static const u8 ivgpu_edid_header[8] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

struct ivgpu_timing {
	u32 clock_10khz;
	u32 hactive, hblank, hfront, hsync;
	u32 vactive, vblank, vfront, vsync;
};

/* VESA CVT reduced blanking (v1) at 60 Hz. */
static void ivgpu_cvt_rb(u32 x, u32 y, struct ivgpu_timing *t)
{
	/* Line period estimate in ns: what 460 us of blanking leaves. */
	u64 hperiod_ns = (16666667ull - 460000) / y;
	u32 vbi = (u32)(460000 / hperiod_ns) + 1;
	u32 vsync;
	u64 clock;

	if (x * 3 == y * 4)
		vsync = 4;
	else if (x * 9 == y * 16)
		vsync = 5;
	else if (x * 10 == y * 16)
		vsync = 6;
	else if (x * 4 == y * 5 || x * 9 == y * 15)
		vsync = 7;
	else
		vsync = 10;
	if (vbi < 3 + vsync + 6)
		vbi = 3 + vsync + 6;

	t->hactive = x;
	t->hblank = 160;
	t->hfront = 48;
	t->hsync = 32;
	t->vactive = y;
	t->vblank = vbi;
	t->vfront = 3;
	t->vsync = vsync;
	/* Pixel clock in Hz, down to a multiple of 0.25 MHz, then 10 kHz units. */
	clock = 60ull * (x + 160) * (y + vbi);
	clock -= clock % 250000;
	t->clock_10khz = (u32)(clock / 10000);
}

/* An 18-byte detailed timing descriptor. */
static void ivgpu_edid_dtd(u8 *d, const struct ivgpu_timing *t)
{
	u32 hmm = t->hactive * 264 / 1000, vmm = t->vactive * 264 / 1000;

	d[0] = t->clock_10khz & 0xff;
	d[1] = t->clock_10khz >> 8;
	d[2] = t->hactive & 0xff;
	d[3] = t->hblank & 0xff;
	d[4] = (t->hactive >> 8) << 4 | (t->hblank >> 8);
	d[5] = t->vactive & 0xff;
	d[6] = t->vblank & 0xff;
	d[7] = (t->vactive >> 8) << 4 | (t->vblank >> 8);
	d[8] = t->hfront & 0xff;
	d[9] = t->hsync & 0xff;
	d[10] = (t->vfront & 0xf) << 4 | (t->vsync & 0xf);
	d[11] = (t->hfront >> 8) << 6 | (t->hsync >> 8) << 4 |
		(t->vfront >> 4) << 2 | (t->vsync >> 4);
	d[12] = hmm & 0xff;	/* image size at about 96 dpi */
	d[13] = vmm & 0xff;
	d[14] = (hmm >> 8) << 4 | (vmm >> 8);
	d[17] = 0x1a;		/* digital separate sync, +hsync, -vsync */
}

/* A text descriptor: @tag, the text, a line feed, then spaces. */
static void ivgpu_edid_text(u8 *d, u8 tag, const char *text)
{
	u32 len = strlen(text);

	d[3] = tag;
	memset(d + 5, ' ', 13);
	memcpy(d + 5, text, len);
	if (len < 13)
		d[5 + len] = '\n';
}

static void ivgpu_edid_checksum(u8 *block)
{
	u8 sum = 0;
	u32 i;

	for (i = 0; i < IVGPU_EDID_BLOCK - 1; i++)
		sum += block[i];
	block[IVGPU_EDID_BLOCK - 1] = (u8)(0x100 - sum);
}

/* Standard timings (2 bytes each) of common modes that fit the monitor. */
static void ivgpu_edid_standard(u8 *s, u32 xres, u32 yres)
{
	static const struct {
		u16 x, y;
		u8 aspect;	/* 0 16:10, 1 4:3, 2 5:4, 3 16:9 */
	} modes[] = {
		{ 1280, 720, 3 }, { 1280, 800, 0 }, { 1280, 1024, 2 },
		{ 1440, 900, 0 }, { 1600, 900, 3 }, { 1680, 1050, 0 },
		{ 1920, 1080, 3 }, { 1920, 1200, 0 },
	};
	u32 i, n = 0;

	for (i = 0; i < 16; i++)
		s[i] = 0x01;	/* unused */
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (modes[i].x > xres || modes[i].y > yres)
			continue;
		s[2 * n] = (u8)(modes[i].x / 8 - 31);
		s[2 * n + 1] = (u8)(modes[i].aspect << 6);	/* 60 Hz */
		n++;
	}
}

u32 ivgpu_edid_generate(u8 buf[IVGPU_EDID_MAX], u32 xres, u32 yres)
{
	static const u8 srgb_chroma[10] = {
		0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54
	};
	bool ext = xres > 1920 || yres > 1200;
	struct ivgpu_timing t;
	u8 *b = buf, *x = buf + IVGPU_EDID_BLOCK;

	memset(buf, 0, IVGPU_EDID_MAX);
	ivgpu_cvt_rb(xres, yres, &t);

	memcpy(b, ivgpu_edid_header, sizeof(ivgpu_edid_header));
	b[8] = 0x26;		/* manufacturer "IVG" */
	b[9] = 0xc7;
	b[10] = 0x01;		/* product 1 */
	b[16] = 1;		/* week 1 of 2026 */
	b[17] = 2026 - 1990;
	b[18] = 1;		/* EDID 1.4 */
	b[19] = 4;
	b[20] = 0xa5;		/* digital, 8 bits per colour, DisplayPort */
	b[21] = (u8)((xres * 264 / 1000 + 5) / 10);	/* size in cm */
	b[22] = (u8)((yres * 264 / 1000 + 5) / 10);
	b[23] = 120;		/* gamma 2.2 */
	b[24] = 0x07;		/* RGB 4:4:4, sRGB, preferred mode, continuous */
	memcpy(b + 25, srgb_chroma, sizeof(srgb_chroma));
	b[35] = 0x21;		/* 640x480@60, 800x600@60 */
	b[36] = xres >= 1024 && yres >= 768 ? 0x08 : 0;	/* 1024x768@60 */
	ivgpu_edid_standard(b + 38, xres, yres);

	ivgpu_edid_dtd(b + 54, &t);
	/*
	 * Range limits: 50-61 Hz, 30-160 kHz, and a pixel clock (in 10 MHz
	 * units) that covers the preferred mode and the DMT timings the
	 * standard and established codes stand for (up to 193.25 MHz).
	 */
	b[72 + 3] = 0xfd;
	b[72 + 5] = 50;
	b[72 + 6] = 61;
	b[72 + 7] = 30;
	b[72 + 8] = 160;
	b[72 + 9] = (u8)((max_t(u32, t.clock_10khz, 20000) + 999) / 1000);
	b[72 + 10] = 0x01;	/* range limits only */
	b[72 + 11] = '\n';
	memset(b + 72 + 12, ' ', 6);
	ivgpu_edid_text(b + 90, 0xfc, "ivgpu");
	ivgpu_edid_text(b + 108, 0xff, "0001");
	b[126] = ext;
	ivgpu_edid_checksum(b);
	if (!ext)
		return IVGPU_EDID_BLOCK;

	/*
	 * CTA-861 revision 3: underscanned IT formats, one video capability
	 * data block (RGB quantization range selectable), then the large mode
	 * as a detailed timing.
	 */
	x[0] = 0x02;
	x[1] = 0x03;
	x[2] = 7;		/* DTDs start after the 3-byte data block */
	x[3] = 0x80;
	x[4] = 7 << 5 | 2;	/* extended tag, 2 bytes follow */
	x[5] = 0x00;		/* video capability data block */
	x[6] = 0x4a;		/* RGB range selectable, IT and CE underscanned */
	ivgpu_edid_dtd(x + 7, &t);
	ivgpu_edid_checksum(x);
	return IVGPU_EDID_MAX;
}

int ivgpu_edid_validate(const u8 *edid, u32 size)
{
	u32 blk, i;

	if (!size || size % IVGPU_EDID_BLOCK || size > IVGPU_EDID_BLOCKS_MAX * IVGPU_EDID_BLOCK)
		return -EINVAL;
	if (memcmp(edid, ivgpu_edid_header, sizeof(ivgpu_edid_header)) ||
	    edid[18] != 1)
		return -EINVAL;
	if ((u32)(edid[126] + 1) * IVGPU_EDID_BLOCK != size)
		return -EINVAL;
	for (blk = 0; blk < size / IVGPU_EDID_BLOCK; blk++) {
		u8 sum = 0;

		for (i = 0; i < IVGPU_EDID_BLOCK; i++)
			sum += edid[blk * IVGPU_EDID_BLOCK + i];
		if (sum)
			return -EINVAL;
	}
	return 0;
}

int ivgpu_edid_preferred(const u8 *edid, u32 *xres, u32 *yres)
{
	const u8 *d = edid + 54;

	if (!(d[0] | d[1]))
		return -EINVAL;		/* a display descriptor, not a timing */
	*xres = d[2] | (u32)(d[4] >> 4) << 8;
	*yres = d[5] | (u32)(d[7] >> 4) << 8;
	return 0;
}
