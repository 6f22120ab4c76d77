// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio.c: container/group/device plumbing, region access, guest memory
 * and interrupts for one mdev, done the way QEMU does it.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio.h"

/* Where guest memory goes when the IOMMU reports no IOVA ranges. */
#define VFIO_IOVA_DEFAULT_START	0x100000000ULL
#define VFIO_IOVA_DEFAULT_END	(1ULL << 39)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static void vfio_default_error(const char *what, int err)
{
	fprintf(stderr, "vfio: %s: %s\n", what, strerror(err));
	abort();
}

static void (*vfio_error)(const char *what, int err) = vfio_default_error;

void vfio_set_error_handler(void (*fn)(const char *what, int err))
{
	vfio_error = fn ? fn : vfio_default_error;
}

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/* ---- opening ---- */

static int vfio_group_number(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return neg_errno();
	link[n] = '\0';
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

static int vfio_open_container(struct vfio_dev *d)
{
	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		return neg_errno();
	if (ioctl(d->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return -EINVAL;
	return 0;
}

static int vfio_open_group(struct vfio_dev *d, const char *uuid)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int nr = vfio_group_number(uuid);

	if (nr < 0)
		return nr;
	snprintf(path, sizeof(path), "/dev/vfio/%d", nr);
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		return neg_errno();
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status))
		return neg_errno();
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		return neg_errno();
	return 0;
}

/* TYPE1v2 as QEMU prefers it, TYPE1 if that is all there is. */
static int vfio_set_iommu(struct vfio_dev *d)
{
	static const int types[] = { VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		if (ioctl(d->container, VFIO_CHECK_EXTENSION, types[i]) <= 0)
			continue;
		if (ioctl(d->container, VFIO_SET_IOMMU, types[i]))
			return neg_errno();
		return 0;
	}
	return -ENODEV;
}

/* The first IOVA range of the container big enough to be useful. */
static void vfio_init_iova(struct vfio_dev *d)
{
	struct vfio_iommu_type1_info *info;
	struct vfio_info_cap_header *cap;
	size_t argsz = sizeof(*info);
	uint32_t off, i;

	d->iova_next = VFIO_IOVA_DEFAULT_START;
	d->iova_end = VFIO_IOVA_DEFAULT_END;

	info = calloc(1, argsz);
	for (;;) {
		if (!info)
			return;
		info->argsz = argsz;
		if (ioctl(d->container, VFIO_IOMMU_GET_INFO, info))
			goto out;
		if (info->argsz <= argsz)
			break;
		argsz = info->argsz;
		free(info);
		info = calloc(1, argsz);
	}
	if (!(info->flags & VFIO_IOMMU_INFO_CAPS))
		goto out;
	for (off = info->cap_offset; off && off + sizeof(*cap) <= argsz;
	     off = cap->next) {
		struct vfio_iommu_type1_info_cap_iova_range *r;

		cap = (void *)((char *)info + off);
		if (cap->id != VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
			continue;
		r = (void *)cap;
		for (i = 0; i < r->nr_iovas; i++) {
			uint64_t start = r->iova_ranges[i].start;
			uint64_t end = r->iova_ranges[i].end;

			if (start < VFIO_IOVA_DEFAULT_START)
				start = VFIO_IOVA_DEFAULT_START;
			if (end > start && end - start >= (1ULL << 30)) {
				d->iova_next = start;
				d->iova_end = end;
				break;
			}
		}
		break;
	}
out:
	free(info);
}

static int vfio_load_regions(struct vfio_dev *d)
{
	unsigned int i;

	d->info.argsz = sizeof(d->info);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &d->info))
		return neg_errno();
	for (i = 0; i < d->info.num_regions && i < VFIO_MAX_REGIONS; i++) {
		struct vfio_region_info info = {
			.argsz = sizeof(info),
			.index = i,
		};

		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &info))
			return neg_errno();
		d->regions[i].offset = info.offset;
		d->regions[i].size = info.size;
		d->regions[i].flags = info.flags;
	}
	return 0;
}

int vfio_open_mdev(struct vfio_dev *d, const char *uuid)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->container = d->group = d->fd = -1;

	ret = vfio_open_container(d);
	if (!ret)
		ret = vfio_open_group(d, uuid);
	if (!ret)
		ret = vfio_set_iommu(d);
	if (!ret) {
		d->fd = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
		if (d->fd < 0)
			ret = neg_errno();
	}
	if (!ret)
		ret = vfio_load_regions(d);
	if (ret) {
		vfio_close(d);
		return ret;
	}
	vfio_init_iova(d);
	return 0;
}

void vfio_close_device(struct vfio_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

void vfio_close(struct vfio_dev *d)
{
	unsigned int i;

	for (i = 0; i < VFIO_MAX_DMA_MAPS; i++)
		if (d->maps[i].vaddr)
			vfio_dma_free(d, d->maps[i].vaddr);
	vfio_close_device(d);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
	d->group = d->container = -1;
}

/* ---- info ---- */

struct vfio_region_info *vfio_region_info(struct vfio_dev *d,
					  unsigned int index)
{
	size_t argsz = sizeof(struct vfio_region_info);
	struct vfio_region_info *info;

	for (;;) {
		info = calloc(1, argsz);
		if (!info)
			return NULL;
		info->argsz = argsz;
		info->index = index;
		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, info)) {
			int err = errno;

			free(info);
			errno = err;
			return NULL;
		}
		if (info->argsz <= argsz)
			return info;
		/* The capability chain did not fit: ask again. */
		argsz = info->argsz;
		free(info);
	}
}

struct vfio_info_cap_header *
vfio_region_cap(struct vfio_region_info *info, uint16_t id)
{
	struct vfio_info_cap_header *cap;
	uint32_t off, hops = 0;

	if (!(info->flags & VFIO_REGION_INFO_FLAG_CAPS))
		return NULL;
	/* Offsets are from the start of info; stop on a loop or overrun. */
	for (off = info->cap_offset;
	     off >= sizeof(*info) && off + sizeof(*cap) <= info->argsz &&
	     hops < 64;
	     off = cap->next, hops++) {
		cap = (void *)((char *)info + off);
		if (cap->id == id)
			return cap;
	}
	return NULL;
}

int vfio_irq_info(struct vfio_dev *d, unsigned int index,
		  struct vfio_irq_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, info) ? neg_errno() : 0;
}

/* ---- region access ---- */

static int vfio_region_offset(struct vfio_dev *d, unsigned int index,
			      uint64_t off, off_t *pos)
{
	if (index >= VFIO_MAX_REGIONS || index >= d->info.num_regions)
		return -EINVAL;
	*pos = d->regions[index].offset + off;
	return 0;
}

int vfio_region_read(struct vfio_dev *d, unsigned int index, uint64_t off,
		     void *buf, size_t len)
{
	ssize_t n;
	off_t pos;
	int ret = vfio_region_offset(d, index, off, &pos);

	if (ret)
		return ret;
	n = pread(d->fd, buf, len, pos);
	if (n < 0)
		return neg_errno();
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_region_write(struct vfio_dev *d, unsigned int index, uint64_t off,
		      const void *buf, size_t len)
{
	ssize_t n;
	off_t pos;
	int ret = vfio_region_offset(d, index, off, &pos);

	if (ret)
		return ret;
	n = pwrite(d->fd, buf, len, pos);
	if (n < 0)
		return neg_errno();
	return (size_t)n == len ? 0 : -EIO;
}

int vfio_region_read_n(struct vfio_dev *d, unsigned int index, uint64_t off,
		       unsigned int size, uint64_t *val)
{
	uint64_t le = 0;
	int ret;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	ret = vfio_region_read(d, index, off, &le, size);
	*val = ret ? 0 : le64toh(le);
	return ret;
}

int vfio_region_write_n(struct vfio_dev *d, unsigned int index, uint64_t off,
			unsigned int size, uint64_t val)
{
	uint64_t le = htole64(val);

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	return vfio_region_write(d, index, off, &le, size);
}

static uint64_t vfio_read(struct vfio_dev *d, unsigned int index,
			  uint64_t off, unsigned int size)
{
	uint64_t val;
	int ret = vfio_region_read_n(d, index, off, size, &val);

	if (ret) {
		char what[96];

		snprintf(what, sizeof(what),
			 "%u-byte read of region %u at 0x%llx", size, index,
			 (unsigned long long)off);
		vfio_error(what, -ret);
	}
	return val;
}

static void vfio_write(struct vfio_dev *d, unsigned int index, uint64_t off,
		       unsigned int size, uint64_t val)
{
	int ret = vfio_region_write_n(d, index, off, size, val);

	if (ret) {
		char what[96];

		snprintf(what, sizeof(what),
			 "%u-byte write of 0x%llx to region %u at 0x%llx",
			 size, (unsigned long long)val, index,
			 (unsigned long long)off);
		vfio_error(what, -ret);
	}
}

uint8_t vfio_read8(struct vfio_dev *d, unsigned int index, uint64_t off)
{
	return vfio_read(d, index, off, 1);
}

uint16_t vfio_read16(struct vfio_dev *d, unsigned int index, uint64_t off)
{
	return vfio_read(d, index, off, 2);
}

uint32_t vfio_read32(struct vfio_dev *d, unsigned int index, uint64_t off)
{
	return vfio_read(d, index, off, 4);
}

uint64_t vfio_read64(struct vfio_dev *d, unsigned int index, uint64_t off)
{
	return vfio_read(d, index, off, 8);
}

void vfio_write8(struct vfio_dev *d, unsigned int index, uint64_t off,
		 uint8_t val)
{
	vfio_write(d, index, off, 1, val);
}

void vfio_write16(struct vfio_dev *d, unsigned int index, uint64_t off,
		  uint16_t val)
{
	vfio_write(d, index, off, 2, val);
}

void vfio_write32(struct vfio_dev *d, unsigned int index, uint64_t off,
		  uint32_t val)
{
	vfio_write(d, index, off, 4, val);
}

void vfio_write64(struct vfio_dev *d, unsigned int index, uint64_t off,
		  uint64_t val)
{
	vfio_write(d, index, off, 8, val);
}

void *vfio_region_mmap(struct vfio_dev *d, unsigned int index, uint64_t off,
		       size_t len)
{
	off_t pos;
	void *p;
	int ret = vfio_region_offset(d, index, off, &pos);

	if (ret) {
		errno = -ret;
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, pos);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- guest memory ---- */

static struct vfio_guest_map *vfio_free_slot(struct vfio_dev *d)
{
	unsigned int i;

	for (i = 0; i < VFIO_MAX_DMA_MAPS; i++)
		if (!d->maps[i].vaddr)
			return &d->maps[i];
	return NULL;
}

void *vfio_dma_alloc(struct vfio_dev *d, size_t size, uint64_t *iova)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.size = size,
	};
	struct vfio_guest_map *slot = vfio_free_slot(d);
	long page = sysconf(_SC_PAGESIZE);
	void *vaddr;

	if (!slot || !size || size % page ||
	    d->iova_end - d->iova_next < size) {
		errno = slot ? EINVAL : ENOSPC;
		return NULL;
	}
	vaddr = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vaddr == MAP_FAILED)
		return NULL;

	map.vaddr = (uintptr_t)vaddr;
	map.iova = d->iova_next;
	if (ioctl(d->container, VFIO_IOMMU_MAP_DMA, &map)) {
		int err = errno;

		munmap(vaddr, size);
		errno = err;
		return NULL;
	}
	d->iova_next += size;
	*slot = (struct vfio_guest_map){ vaddr, map.iova, size };
	*iova = map.iova;
	return vaddr;
}

int vfio_dma_free(struct vfio_dev *d, void *vaddr)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	unsigned int i;
	int ret = 0;

	for (i = 0; i < VFIO_MAX_DMA_MAPS; i++)
		if (d->maps[i].vaddr == vaddr)
			break;
	if (!vaddr || i == VFIO_MAX_DMA_MAPS)
		return -EINVAL;

	unmap.iova = d->maps[i].iova;
	unmap.size = d->maps[i].size;
	if (ioctl(d->container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		ret = neg_errno();
	else if (unmap.size != d->maps[i].size)
		ret = -EIO;
	munmap(vaddr, d->maps[i].size);
	memset(&d->maps[i], 0, sizeof(d->maps[i]));
	return ret;
}

/* ---- interrupts ---- */

int vfio_irq_set(struct vfio_dev *d, unsigned int index, uint32_t flags,
		 uint32_t start, uint32_t count, const void *data,
		 size_t data_len)
{
	struct vfio_irq_set *set;
	size_t argsz = sizeof(*set) + data_len;
	int ret = 0;

	set = calloc(1, argsz);
	if (!set)
		return -ENOMEM;
	set->argsz = argsz;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	if (data_len)
		memcpy(set->data, data, data_len);
	if (ioctl(d->fd, VFIO_DEVICE_SET_IRQS, set))
		ret = neg_errno();
	free(set);
	return ret;
}

int vfio_irq_set_eventfds(struct vfio_dev *d, unsigned int index,
			  uint32_t start, uint32_t count, const int *fds)
{
	int32_t data[count ? count : 1];
	uint32_t i;

	for (i = 0; i < count; i++)
		data[i] = fds[i];
	return vfio_irq_set(d, index,
			    VFIO_IRQ_SET_DATA_EVENTFD |
			    VFIO_IRQ_SET_ACTION_TRIGGER,
			    start, count, data, count * sizeof(data[0]));
}

int vfio_irq_set_eventfd(struct vfio_dev *d, unsigned int index, int fd)
{
	return vfio_irq_set_eventfds(d, index, 0, 1, &fd);
}

int vfio_irq_unmask_eventfd(struct vfio_dev *d, unsigned int index, int fd)
{
	int32_t data = fd;

	return vfio_irq_set(d, index,
			    VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK,
			    0, 1, &data, sizeof(data));
}

int vfio_irq_disable(struct vfio_dev *d, unsigned int index)
{
	return vfio_irq_set(d, index,
			    VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
			    0, 0, NULL, 0);
}

int vfio_irq_mask(struct vfio_dev *d, unsigned int index, uint32_t vector)
{
	return vfio_irq_set(d, index,
			    VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK,
			    vector, 1, NULL, 0);
}

int vfio_irq_unmask(struct vfio_dev *d, unsigned int index, uint32_t vector)
{
	return vfio_irq_set(d, index,
			    VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
			    vector, 1, NULL, 0);
}

int vfio_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? neg_errno() : fd;
}

int64_t vfio_eventfd_wait(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t count;
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return neg_errno();
	if (ret == 0)
		return 0;
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		return neg_errno();
	return count;
}

/* ---- reset ---- */

int vfio_reset(struct vfio_dev *d)
{
	return ioctl(d->fd, VFIO_DEVICE_RESET) ? neg_errno() : 0;
}
