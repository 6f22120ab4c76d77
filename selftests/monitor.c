// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual monitor: the EDID region as QEMU uses it (QEMU's protocol,
 * the fields and their errors), the same region as the ivgpu/edid_region
 * sysfs file of the mdev device, and what the guest sees of the monitor:
 * hotplug in SDEISR/SDEIIR and the EDID over the AUX channel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ivgpu.h"

#define SMALL_XRES	1024
#define SMALL_YRES	768

#define EDID	IVGPU_REGION_EDID
#define EDID_FIELD(f)	offsetof(struct vfio_region_gfx_edid, f)
#define LINK_UP		VFIO_DEVICE_GFX_LINK_STATE_UP
#define LINK_DOWN	VFIO_DEVICE_GFX_LINK_STATE_DOWN

static uint32_t edid_get(struct vgpu *v, size_t field)
{
	return vfio_read32(&v->dev, EDID, field);
}

/* A 4-byte write: 0 or -errno. */
static int edid_set(struct vgpu *v, size_t field, uint32_t val)
{
	return vfio_region_write_n(&v->dev, EDID, field, 4, val);
}

static void edid_fix_checksum(uint8_t *block)
{
	uint8_t sum = 0;
	int i;

	for (i = 0; i < 127; i++)
		sum += block[i];
	block[127] = (uint8_t)(0x100 - sum);
}

static uint8_t edid_sum(const uint8_t *block)
{
	uint8_t sum = 0;
	int i;

	for (i = 0; i < 128; i++)
		sum += block[i];
	return sum;
}

/* The preferred (first detailed) timing's active size. */
static void edid_preferred(const uint8_t *b, uint32_t *x, uint32_t *y)
{
	*x = b[56] | (b[58] >> 4) << 8;
	*y = b[59] | (b[61] >> 4) << 8;
}

static void edid_set_preferred(uint8_t *b, uint32_t x, uint32_t y)
{
	b[56] = x & 0xff;
	b[58] = (b[58] & 0x0f) | (x >> 8) << 4;
	b[59] = y & 0xff;
	b[61] = (b[61] & 0x0f) | (y >> 8) << 4;
	edid_fix_checksum(b);
}

static void hotplug_clear(struct vgpu *v)
{
	bar0_write32(v, SDEIIR, IVGPU_SDE_PORTD_HOTPLUG);
}

/* Link down, write the blob and its size (which must be accepted). */
static void edid_load(struct vgpu *v, const uint8_t *blob, size_t len,
		      uint32_t size)
{
	ASSERT_OK(edid_set(v, EDID_FIELD(link_state), LINK_DOWN));
	ASSERT_OK(vfio_region_write(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				    blob, len));
	ASSERT_OK(edid_set(v, EDID_FIELD(edid_size), size));
}

TEST(edid_initial_state)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t blob[128];
	uint32_t x, y;
	static const uint8_t header[8] = {
		0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
	};

	EXPECT_EQ(edid_get(v, EDID_FIELD(edid_offset)), IVGPU_EDID_BLOB_OFFSET);
	EXPECT_EQ(edid_get(v, EDID_FIELD(edid_max_size)), IVGPU_EDID_MAX_SIZE);
	EXPECT_EQ(edid_get(v, EDID_FIELD(edid_size)), 128);
	EXPECT_EQ(edid_get(v, EDID_FIELD(max_xres)), SMALL_XRES);
	EXPECT_EQ(edid_get(v, EDID_FIELD(max_yres)), SMALL_YRES);
	EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_UP);

	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   blob, sizeof(blob)));
	EXPECT_MEMEQ(blob, header, sizeof(header));
	EXPECT_EQ(edid_sum(blob), 0);
	EXPECT_EQ(blob[18], 1);		/* EDID 1.x */
	EXPECT_EQ(blob[126], 0);	/* no extension at 1024x768 */
	edid_preferred(blob, &x, &y);
	EXPECT_EQ(x, SMALL_XRES);
	EXPECT_EQ(y, SMALL_YRES);

	/* Connected: the live state of port D is set. */
	EXPECT_EQ(bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG,
		  IVGPU_SDE_PORTD_HOTPLUG);
}

TEST(edid_larger_types)
{
	const struct ivgpu_type *t;

	for_each_type(t) {
		struct vgpu *v = vgpu_new(t);
		uint32_t xres, yres, x, y, size;
		uint8_t blob[256];
		char *end;

		xres = strtoul(t->resolution, &end, 10);
		ASSERT_EQ(*end, 'x');
		yres = strtoul(end + 1, NULL, 10);
		EXPECT_EQ(edid_get(v, EDID_FIELD(max_xres)), xres);
		EXPECT_EQ(edid_get(v, EDID_FIELD(max_yres)), yres);
		size = edid_get(v, EDID_FIELD(edid_size));
		/* A CTA-861 extension above 1920x1200. */
		EXPECT_EQ(size, xres > 1920 || yres > 1200 ? 256 : 128);
		if (size != 128 && size != 256) {
			vgpu_remove(v);
			continue;
		}
		ASSERT_OK(vfio_region_read(&v->dev, EDID,
					   IVGPU_EDID_BLOB_OFFSET, blob, size));
		EXPECT_EQ(blob[126], size / 128 - 1);
		EXPECT_EQ(edid_sum(blob), 0);
		if (size == 256) {
			EXPECT_EQ(blob[128], 0x02);
			EXPECT_EQ(edid_sum(blob + 128), 0);
		}
		edid_preferred(blob, &x, &y);
		EXPECT_EQ(x, xres);
		EXPECT_EQ(y, yres);
		/* The generated EDID passes the checks of link up. */
		EXPECT_OK(edid_set(v, EDID_FIELD(link_state), LINK_DOWN));
		EXPECT_OK(edid_set(v, EDID_FIELD(link_state), LINK_UP));
		EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_UP);
		vgpu_remove(v);
	}
}

TEST(edid_update_protocol)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t blob[128], got[128];

	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   blob, sizeof(blob)));
	/* Only port D latches; it reaches the master line. */
	bar0_write32(v, SDEIMR, ~IVGPU_SDE_PORTD_HOTPLUG);
	bar0_write32(v, SDEIER, IVGPU_SDE_PORTD_HOTPLUG);
	bar0_write32(v, MASTER_IRQ, MASTER_ENABLE);
	hotplug_clear(v);
	EXPECT_EQ(bar0_read32(v, SDEIIR), 0);

	/* Down: an event, the live state clear. */
	ASSERT_OK(edid_set(v, EDID_FIELD(link_state), LINK_DOWN));
	EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_DOWN);
	EXPECT_EQ(bar0_read32(v, SDEIIR), IVGPU_SDE_PORTD_HOTPLUG);
	EXPECT_EQ(bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG, 0);
	EXPECT_EQ(bar0_read32(v, MASTER_IRQ) & MASTER_DE_PCH, MASTER_DE_PCH);
	hotplug_clear(v);
	EXPECT_EQ(bar0_read32(v, MASTER_IRQ) & MASTER_DE_PCH, 0);

	/* A new serial number. */
	blob[12] ^= 0x5a;
	blob[13] = 0x34;
	blob[14] = 0x12;
	blob[15] = 0x01;
	edid_fix_checksum(blob);
	ASSERT_OK(vfio_region_write(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				    blob, sizeof(blob)));
	ASSERT_OK(edid_set(v, EDID_FIELD(edid_size), 128));
	EXPECT_EQ(bar0_read32(v, SDEIIR), 0);

	/* Up: accepted, an event, the live state set. */
	EXPECT_OK(edid_set(v, EDID_FIELD(link_state), LINK_UP));
	EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_UP);
	EXPECT_EQ(edid_get(v, EDID_FIELD(edid_size)), 128);
	EXPECT_EQ(bar0_read32(v, SDEIIR), IVGPU_SDE_PORTD_HOTPLUG);
	EXPECT_EQ(bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG,
		  IVGPU_SDE_PORTD_HOTPLUG);
	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   got, sizeof(got)));
	EXPECT_MEMEQ(got, blob, sizeof(blob));

	/* Masked, the event does not latch; the live state still follows. */
	hotplug_clear(v);
	bar0_write32(v, SDEIMR, ~0u);
	ASSERT_OK(edid_set(v, EDID_FIELD(link_state), LINK_DOWN));
	EXPECT_EQ(bar0_read32(v, SDEIIR), 0);
	EXPECT_EQ(bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG, 0);
	EXPECT_OK(edid_set(v, EDID_FIELD(link_state), LINK_UP));
	EXPECT_EQ(bar0_read32(v, SDEIIR), 0);
	EXPECT_EQ(bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG,
		  IVGPU_SDE_PORTD_HOTPLUG);

	/* A smaller preferred mode is fine. */
	edid_set_preferred(blob, 800, 600);
	edid_load(v, blob, sizeof(blob), 128);
	EXPECT_OK(edid_set(v, EDID_FIELD(link_state), LINK_UP));
	EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_UP);
	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   got, sizeof(got)));
	EXPECT_MEMEQ(got, blob, sizeof(blob));
}

/* Link up with this blob must fail with EINVAL and leave the link down. */
#define EXPECT_LINK_UP_FAILS(v, blob, len, size) \
	expect_link_up_fails(__FILE__, __LINE__, v, blob, len, size)

static void expect_link_up_fails(const char *file, int line, struct vgpu *v,
				 const uint8_t *blob, size_t len, uint32_t size)
{
	int ret;

	edid_load(v, blob, len, size);
	ret = edid_set(v, EDID_FIELD(link_state), LINK_UP);
	if (ret != -EINVAL)
		tap_fail(false, file, line, "link up: %d (%s), expected -EINVAL",
			 ret, strerror(-ret));
	if (edid_get(v, EDID_FIELD(link_state)) != LINK_DOWN)
		tap_fail(false, file, line, "link_state %u after a failed link up",
			 edid_get(v, EDID_FIELD(link_state)));
	if (bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG)
		tap_fail(false, file, line, "port D live after a failed link up");
}

TEST(edid_bad_blobs_fail_link_up)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t good[128], bad[256];
	int ret;

	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   good, sizeof(good)));

	/* Wrong header (checksum fixed). */
	memcpy(bad, good, 128);
	bad[1] = 0xfe;
	edid_fix_checksum(bad);
	EXPECT_LINK_UP_FAILS(v, bad, 128, 128);

	/* Bad checksum. */
	memcpy(bad, good, 128);
	bad[12] ^= 0xff;
	EXPECT_LINK_UP_FAILS(v, bad, 128, 128);

	/* No blob: refused when written, or at link up. */
	ASSERT_OK(edid_set(v, EDID_FIELD(link_state), LINK_DOWN));
	ret = edid_set(v, EDID_FIELD(edid_size), 0);
	if (ret == -EINVAL) {
		EXPECT_EQ(edid_get(v, EDID_FIELD(edid_size)), 128);
	} else {
		EXPECT_OK(ret);
		EXPECT_EQ(edid_set(v, EDID_FIELD(link_state), LINK_UP), -EINVAL);
		EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_DOWN);
	}

	/* Not a whole number of blocks. */
	EXPECT_LINK_UP_FAILS(v, good, 128, 100);

	/* Two blocks where the base block announces none. */
	memcpy(bad, good, 128);
	memset(bad + 128, 0, 128);
	bad[128] = 0x02;
	bad[129] = 0x03;
	edid_fix_checksum(bad + 128);
	EXPECT_LINK_UP_FAILS(v, bad, 256, 256);

	/* An extension announced but its checksum wrong. */
	bad[126] = 1;
	edid_fix_checksum(bad);
	bad[200] ^= 1;
	EXPECT_LINK_UP_FAILS(v, bad, 256, 256);

	/* A preferred mode larger than the type's maximum. */
	memcpy(bad, good, 128);
	edid_set_preferred(bad, 3840, 2160);
	EXPECT_LINK_UP_FAILS(v, bad, 128, 128);
	memcpy(bad, good, 128);
	edid_set_preferred(bad, SMALL_XRES + 8, SMALL_YRES);
	EXPECT_LINK_UP_FAILS(v, bad, 128, 128);
	memcpy(bad, good, 128);
	edid_set_preferred(bad, SMALL_XRES, SMALL_YRES + 1);
	EXPECT_LINK_UP_FAILS(v, bad, 128, 128);

	/* The good one still works after all that. */
	edid_load(v, good, 128, 128);
	EXPECT_OK(edid_set(v, EDID_FIELD(link_state), LINK_UP));
	EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_UP);
	EXPECT_EQ(bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG,
		  IVGPU_SDE_PORTD_HOTPLUG);
}

TEST(edid_read_only_fields_and_bad_values)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(edid_set(v, EDID_FIELD(edid_offset), 0), -EPERM);
	EXPECT_EQ(edid_set(v, EDID_FIELD(edid_max_size), 0x1000), -EPERM);
	EXPECT_EQ(edid_set(v, EDID_FIELD(max_xres), 4096), -EPERM);
	EXPECT_EQ(edid_set(v, EDID_FIELD(max_yres), 4096), -EPERM);
	EXPECT_EQ(edid_get(v, EDID_FIELD(edid_offset)), IVGPU_EDID_BLOB_OFFSET);
	EXPECT_EQ(edid_get(v, EDID_FIELD(edid_max_size)), IVGPU_EDID_MAX_SIZE);
	EXPECT_EQ(edid_get(v, EDID_FIELD(max_xres)), SMALL_XRES);
	EXPECT_EQ(edid_get(v, EDID_FIELD(max_yres)), SMALL_YRES);

	EXPECT_EQ(edid_set(v, EDID_FIELD(link_state), 0), -EINVAL);
	EXPECT_EQ(edid_set(v, EDID_FIELD(link_state), 3), -EINVAL);
	EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_UP);

	ASSERT_OK(edid_set(v, EDID_FIELD(link_state), LINK_DOWN));
	EXPECT_EQ(edid_set(v, EDID_FIELD(edid_size), IVGPU_EDID_MAX_SIZE + 1),
		  -EINVAL);
	EXPECT_EQ(edid_set(v, EDID_FIELD(edid_size), 0xffffffff), -EINVAL);
	EXPECT_EQ(edid_get(v, EDID_FIELD(edid_size)), 128);
	/* The size is checked against the blob at link up, not here. */
	EXPECT_OK(edid_set(v, EDID_FIELD(edid_size), IVGPU_EDID_MAX_SIZE));
	EXPECT_EQ(edid_get(v, EDID_FIELD(edid_size)), IVGPU_EDID_MAX_SIZE);
	EXPECT_EQ(edid_set(v, EDID_FIELD(link_state), LINK_UP), -EINVAL);
	EXPECT_OK(edid_set(v, EDID_FIELD(edid_size), 128));
	EXPECT_OK(edid_set(v, EDID_FIELD(link_state), LINK_UP));
}

/* Port D's AUX channel, as i915's intel_dp_aux_xfer drives it. */
#define AUX_CTL_D		0x64310
#define AUX_DATA_D(i)		(0x64314 + 4 * (i))
#define  AUX_SEND_BUSY		(1u << 31)
#define  AUX_DONE		(1u << 30)
#define  AUX_TIME_OUT		(1u << 28)
#define  AUX_SIZE_SHIFT		20
#define  AUX_SIZE_MASK		(0x1fu << 20)

/* Send @req (@n bytes), fill @reply (20 bytes); CTL afterwards. */
static uint32_t aux_xfer(struct vgpu *v, const uint8_t *req, uint32_t n,
			 uint8_t *reply)
{
	uint32_t words[5] = { 0 }, ctl, i;

	for (i = 0; i < n; i++)
		words[i / 4] |= (uint32_t)req[i] << (24 - 8 * (i % 4));
	for (i = 0; i < 5; i++)
		bar0_write32(v, AUX_DATA_D(i), words[i]);
	bar0_write32(v, AUX_CTL_D, AUX_SEND_BUSY | AUX_DONE | AUX_TIME_OUT |
		     n << AUX_SIZE_SHIFT);
	ctl = bar0_read32(v, AUX_CTL_D);
	for (i = 0; i < 20; i++)
		reply[i] = bar0_read32(v, AUX_DATA_D(i / 4)) >> (24 - 8 * (i % 4));
	return ctl;
}

/* The guest's view of the EDID: I2C-over-AUX reads at 0x50, 16 at a time. */
static bool aux_read_edid(struct vgpu *v, uint8_t *edid, uint32_t len)
{
	static const uint8_t set_offset[5] = { 0x40, 0x00, 0x50, 0, 0x00 };
	static const uint8_t read16[4] = { 0x50, 0x00, 0x50, 15 };
	uint8_t reply[20];
	uint32_t at, ctl;

	ctl = aux_xfer(v, set_offset, sizeof(set_offset), reply);
	if (!(ctl & AUX_DONE) || (ctl & AUX_TIME_OUT) || reply[0])
		return false;
	for (at = 0; at < len; at += 16) {
		ctl = aux_xfer(v, read16, sizeof(read16), reply);
		if ((ctl & (AUX_DONE | AUX_TIME_OUT | AUX_SEND_BUSY)) != AUX_DONE ||
		    (ctl & AUX_SIZE_MASK) >> AUX_SIZE_SHIFT != 17 || reply[0])
			return false;
		memcpy(edid + at, reply + 1, 16);
	}
	return true;
}

TEST(guest_reads_the_edid_qemu_wrote_over_aux)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t blob[128], got[128], reply[20];
	static const uint8_t dpcd_rev[4] = { 0x90, 0x00, 0x00, 2 };
	uint32_t x, y;

	/* The generated EDID, as the guest sees it. */
	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   blob, sizeof(blob)));
	ASSERT_TRUE(aux_read_edid(v, got, sizeof(got)));
	EXPECT_MEMEQ(got, blob, sizeof(blob));
	/* DPCD: DP 1.2, 5.4 Gb/s, 4 lanes with enhanced framing. */
	EXPECT_EQ((aux_xfer(v, dpcd_rev, 4, reply) & AUX_SIZE_MASK) >>
		  AUX_SIZE_SHIFT, 4);
	EXPECT_EQ(reply[0], 0x00);
	EXPECT_EQ(reply[1], 0x12);
	EXPECT_EQ(reply[2], 0x14);
	EXPECT_EQ(reply[3], 0x84);

	/* The blob can't change under the guest while the link is up. */
	EXPECT_EQ(vfio_region_write(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				    blob, 4), -EBUSY);
	EXPECT_EQ(edid_set(v, EDID_FIELD(edid_size), 128), -EBUSY);

	/* QEMU with xres=800,yres=600: down, blob, size, up. */
	edid_set_preferred(blob, 800, 600);
	edid_load(v, blob, sizeof(blob), 128);
	/* While down, the sink does not answer. */
	EXPECT_EQ(aux_xfer(v, dpcd_rev, 4, reply) & AUX_TIME_OUT, AUX_TIME_OUT);
	ASSERT_OK(edid_set(v, EDID_FIELD(link_state), LINK_UP));
	ASSERT_TRUE(aux_read_edid(v, got, sizeof(got)));
	EXPECT_MEMEQ(got, blob, sizeof(blob));
	edid_preferred(got, &x, &y);
	EXPECT_EQ(x, 800);
	EXPECT_EQ(y, 600);
}

/* ------------------------------------------------------------------- */
/* The region as a sysfs file: management while the user holds the fd   */
/* ------------------------------------------------------------------- */

static int sysfs_region_open(struct vgpu *v, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/ivgpu/edid_region",
		 v->uuid);
	return open(path, flags);
}

/* pwrite of @len bytes: 0, or -errno. */
static int sysfs_region_write(struct vgpu *v, off_t off, const void *buf,
			      size_t len)
{
	int fd = sysfs_region_open(v, O_WRONLY);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, buf, len, off);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return n == (ssize_t)len ? 0 : -EIO;
}

static int sysfs_region_set(struct vgpu *v, size_t field, uint32_t val)
{
	return sysfs_region_write(v, field, &val, 4);
}

TEST(edid_region_sysfs_file_reads_as_the_region)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t fd_view[IVGPU_EDID_REGION_SIZE], sys_view[IVGPU_EDID_REGION_SIZE + 16];
	ssize_t n;
	int fd;

	ASSERT_OK(vfio_region_read(&v->dev, EDID, 0, fd_view, sizeof(fd_view)));
	fd = sysfs_region_open(v, O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	n = pread(fd, sys_view, sizeof(sys_view), 0);
	EXPECT_EQ(n, IVGPU_EDID_REGION_SIZE);
	EXPECT_MEMEQ(sys_view, fd_view, sizeof(fd_view));
	/* Unaligned and short reads of the header see the same bytes. */
	EXPECT_EQ(pread(fd, sys_view, 3, 0x15), 3);
	EXPECT_MEMEQ(sys_view, fd_view + 0x15, 3);
	EXPECT_EQ(pread(fd, sys_view, 16, IVGPU_EDID_REGION_SIZE), 0);
	close(fd);
}

TEST(edid_region_sysfs_file_hotplugs_while_the_device_is_open)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint8_t blob[128], back[128];
	uint32_t x, y;

	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   blob, sizeof(blob)));
	hotplug_clear(v);

	/* The blob is the guest's while the link is up. */
	EXPECT_EQ(sysfs_region_write(v, IVGPU_EDID_BLOB_OFFSET, blob, 16), -EBUSY);
	EXPECT_EQ(sysfs_region_set(v, EDID_FIELD(edid_size), 128), -EBUSY);
	/* Read-only fields and bad values: the region's errors. */
	EXPECT_EQ(sysfs_region_set(v, EDID_FIELD(max_xres), 1), -EPERM);
	EXPECT_EQ(sysfs_region_set(v, EDID_FIELD(link_state), 7), -EINVAL);
	EXPECT_EQ(sysfs_region_write(v, IVGPU_EDID_REGION_SIZE, blob, 4), -EFBIG);

	/* Link down: the guest sees the monitor go. */
	ASSERT_OK(sysfs_region_set(v, EDID_FIELD(link_state), LINK_DOWN));
	EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_DOWN);
	EXPECT_EQ(bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG, 0);
	EXPECT_EQ(bar0_read32(v, SDEIIR) & IVGPU_SDE_PORTD_HOTPLUG,
		  IVGPU_SDE_PORTD_HOTPLUG);
	hotplug_clear(v);

	/* A new preferred mode, written through sysfs, read through the fd. */
	edid_set_preferred(blob, 800, 600);
	ASSERT_OK(sysfs_region_write(v, IVGPU_EDID_BLOB_OFFSET, blob, sizeof(blob)));
	ASSERT_OK(sysfs_region_set(v, EDID_FIELD(edid_size), sizeof(blob)));
	ASSERT_OK(sysfs_region_set(v, EDID_FIELD(link_state), LINK_UP));
	EXPECT_EQ(bar0_read32(v, SDEISR) & IVGPU_SDE_PORTD_HOTPLUG,
		  IVGPU_SDE_PORTD_HOTPLUG);
	EXPECT_EQ(bar0_read32(v, SDEIIR) & IVGPU_SDE_PORTD_HOTPLUG,
		  IVGPU_SDE_PORTD_HOTPLUG);
	ASSERT_OK(vfio_region_read(&v->dev, EDID, IVGPU_EDID_BLOB_OFFSET,
				   back, sizeof(back)));
	edid_preferred(back, &x, &y);
	EXPECT_EQ(x, 800);
	EXPECT_EQ(y, 600);

	/* A blob the type can't show stays unplugged, as through the fd. */
	ASSERT_OK(sysfs_region_set(v, EDID_FIELD(link_state), LINK_DOWN));
	edid_set_preferred(blob, SMALL_XRES * 2, SMALL_YRES);
	ASSERT_OK(sysfs_region_write(v, IVGPU_EDID_BLOB_OFFSET, blob, sizeof(blob)));
	EXPECT_EQ(sysfs_region_set(v, EDID_FIELD(link_state), LINK_UP), -EINVAL);
	EXPECT_EQ(edid_get(v, EDID_FIELD(link_state)), LINK_DOWN);
}

TEST(edid_region_sysfs_file_works_without_a_user)
{
	struct vgpu *v = vgpu_create(TYPE_SMALL);
	uint8_t blob[IVGPU_EDID_REGION_SIZE];
	int fd = sysfs_region_open(v, O_RDONLY);

	ASSERT_TRUE(fd >= 0);
	EXPECT_EQ(pread(fd, blob, sizeof(blob), 0), IVGPU_EDID_REGION_SIZE);
	close(fd);
	EXPECT_EQ(blob[IVGPU_EDID_REGION_SIZE / 2], 0x00);	/* EDID header */
	EXPECT_EQ(blob[IVGPU_EDID_REGION_SIZE / 2 + 1], 0xff);
	EXPECT_OK(sysfs_region_set(v, EDID_FIELD(link_state), LINK_DOWN));
	EXPECT_OK(sysfs_region_set(v, EDID_FIELD(link_state), LINK_UP));
	vgpu_remove(v);
}
