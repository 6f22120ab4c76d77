/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mig.h: VFIO migration v2 as QEMU drives it, for the tests: the state
 * feature and the data stream of a vGPU.
 */
#ifndef IVGPU_SELFTESTS_MIG_H
#define IVGPU_SELFTESTS_MIG_H

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ivgpu.h"

/* What 6.2 added to <linux/vfio.h>, for older installed headers. */
#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY		(1 << 2)
#define VFIO_DEVICE_STATE_PRE_COPY	6
#define VFIO_DEVICE_STATE_PRE_COPY_P2P	7
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};
#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
#endif

/* The VFIO_MIGRATION_* flags @v offers. */
static inline uint32_t mig_flags(struct vgpu *v)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_migration m;
	} buf = {
		.f.argsz = sizeof(buf),
		.f.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION,
	};

	ASSERT_OK(ioctl(v->dev.fd, VFIO_DEVICE_FEATURE, &buf));
	return buf.m.flags;
}

/* Whether the running kernel's VFIO has PRE_COPY (6.2 and later). */
static inline bool kernel_has_precopy(void)
{
	struct utsname u;

	ASSERT_OK(uname(&u));
	return strncmp(u.release, "6.1.", 4) != 0;
}

/* Ask for @state; 0 or -errno, and the data fd (or -1) in *@fd. */
static inline int mig_set_state(struct vgpu *v, uint32_t state, int *fd)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state s;
	} buf = {
		.f.argsz = sizeof(buf),
		.f.flags = VFIO_DEVICE_FEATURE_SET |
			   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
		.s.device_state = state,
	};
	int ret = ioctl(v->dev.fd, VFIO_DEVICE_FEATURE, &buf);

	if (fd)
		*fd = ret ? -1 : buf.s.data_fd;
	return ret ? -errno : 0;
}

static inline uint32_t mig_get_state(struct vgpu *v)
{
	struct {
		struct vfio_device_feature f;
		struct vfio_device_feature_mig_state s;
	} buf = {
		.f.argsz = sizeof(buf),
		.f.flags = VFIO_DEVICE_FEATURE_GET |
			   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE,
	};

	ASSERT_OK(ioctl(v->dev.fd, VFIO_DEVICE_FEATURE, &buf));
	return buf.s.device_state;
}

struct stream {
	uint8_t *data;
	size_t len;
};

/* Read @fd to its current end, appending to @s; 0 or -errno. */
static inline int stream_read_err(struct stream *s, int fd)
{
	for (;;) {
		ssize_t n;

		s->data = realloc(s->data, s->len + 65536);
		ASSERT_TRUE(s->data);
		n = read(fd, s->data + s->len, 65536);
		if (n < 0)
			return -errno;
		if (!n)
			return 0;
		s->len += n;
	}
}

/* The same, where reading cannot fail. */
static inline void stream_read(struct stream *s, int fd)
{
	ASSERT_OK(stream_read_err(s, fd));
}

/* Write @len bytes to @fd in 64 KiB pieces; 0 or -errno of the first failure. */
static inline int stream_write(int fd, const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < 65536 ? len - off : 65536;
		ssize_t w = write(fd, data + off, n);

		if (w < 0)
			return -errno;
		off += w;
	}
	return 0;
}

#endif /* IVGPU_SELFTESTS_MIG_H */
