// SPDX-License-Identifier: GPL-2.0-only
/*
 * A vGPU's VFIO face: lifetime, region access and ioctls. The device model
 * itself lives in core/; this file moves bytes between it and userspace.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/ivgpu.h>
#include "compat.h"
#include "core/monitor.h"
#include "debugfs.h"
#include "dmabuf.h"
#include "gpu.h"
#include "vgpu.h"

static struct ivgpu_vgpu *to_ivgpu_vgpu(struct vfio_device *vdev)
{
	return container_of(vdev, struct ivgpu_vgpu, vdev);
}

/*
 * The regions userspace can access. Register regions split every access
 * into naturally aligned pieces of at most max_access bytes, handled under
 * the vGPU lock; memory regions move bytes with bulk_rw. Device-specific
 * regions (index 9 on) name their type in a capability; sparse_size adds a
 * capability with one mmap-able area, [sparse_offset, + sparse_size).
 */
struct ivgpu_vgpu_region {
	u32 flags;
	u32 max_access;
	u32 cap_type;
	u32 cap_subtype;
	u64 (*sparse_offset)(struct ivgpu_vgpu *vgpu);
	u64 (*sparse_size)(struct ivgpu_vgpu *vgpu);
	u64 (*size)(struct ivgpu_vgpu *vgpu);
	u64 (*read)(struct ivgpu_vgpu *vgpu, u64 off, u32 bytes);
	int (*write)(struct ivgpu_vgpu *vgpu, u64 off, u64 val, u32 bytes);
	ssize_t (*bulk_rw)(struct ivgpu_vgpu *vgpu, char __user *buf,
			   size_t count, u64 off, bool write);
	int (*mmap)(struct ivgpu_vgpu *vgpu, struct vm_area_struct *vma);
};

static u64 ivgpu_vgpu_cfg_size(struct ivgpu_vgpu *vgpu)
{
	return IVGPU_CFG_SIZE;
}

static u64 ivgpu_vgpu_cfg_read(struct ivgpu_vgpu *vgpu, u64 off, u32 bytes)
{
	return ivgpu_cfg_read(&vgpu->core.cfg, off, bytes);
}

static int ivgpu_vgpu_cfg_write(struct ivgpu_vgpu *vgpu, u64 off, u64 val,
				u32 bytes)
{
	ivgpu_cfg_write(&vgpu->core.cfg, off, val, bytes);
	/* MSI enable or INTx disable may change how the line is delivered. */
	ivgpu_vgpu_irq_update(vgpu);
	return 0;
}

static u64 ivgpu_vgpu_bar0_size(struct ivgpu_vgpu *vgpu)
{
	return IVGPU_BAR0_SIZE;
}

/* The GGTT entries past the slice: a write sink the guest maps (gtt.c). */
static u64 ivgpu_vgpu_bar0_sink_offset(struct ivgpu_vgpu *vgpu)
{
	return IVGPU_GGTT_OFFSET + vgpu->core.ggtt_entries * 8;
}

static u64 ivgpu_vgpu_bar0_sink_size(struct ivgpu_vgpu *vgpu)
{
	return IVGPU_BAR0_SIZE - ivgpu_vgpu_bar0_sink_offset(vgpu);
}

static u64 ivgpu_vgpu_bar0_read(struct ivgpu_vgpu *vgpu, u64 off, u32 bytes)
{
	return ivgpu_core_bar0_read(&vgpu->core, off, bytes);
}

static int ivgpu_vgpu_bar0_write(struct ivgpu_vgpu *vgpu, u64 off, u64 val,
				 u32 bytes)
{
	if (off >= IVGPU_GGTT_OFFSET) {
		ivgpu_vgpu_gtt_write(vgpu, off - IVGPU_GGTT_OFFSET, val, bytes);
		return 0;
	}
	ivgpu_core_bar0_write(&vgpu->core, off, val, bytes);
	ivgpu_vgpu_display_reg_written(&vgpu->display, off);
	/* What the register's table entry did besides storing the value: */
	if (vgpu->core.vblank_changed)
		ivgpu_vgpu_vblank_update(vgpu);
	if (vgpu->core.intr_changed)
		ivgpu_vgpu_irq_update(vgpu);
	return 0;
}

static u64 ivgpu_vgpu_bar2_size(struct ivgpu_vgpu *vgpu)
{
	return ivgpu_type_low_gm(vgpu->type->profile);
}

static u64 ivgpu_vgpu_opregion_size(struct ivgpu_vgpu *vgpu)
{
	return IVGPU_OPREGION_SIZE;
}

/* Built once at module load and never changed: no lock needed. */
static ssize_t ivgpu_vgpu_opregion_rw(struct ivgpu_vgpu *vgpu,
				      char __user *buf, size_t count, u64 off,
				      bool write)
{
	if (write)
		return -EINVAL;
	if (copy_to_user(buf, vgpu->core.opregion + off, count))
		return -EFAULT;
	return count;
}

static const struct ivgpu_vgpu_region ivgpu_vgpu_regions[IVGPU_NUM_REGIONS] = {
	[VFIO_PCI_BAR0_REGION_INDEX] = {
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			 VFIO_REGION_INFO_FLAG_MMAP,
		.max_access = 8,
		.sparse_offset = ivgpu_vgpu_bar0_sink_offset,
		.sparse_size = ivgpu_vgpu_bar0_sink_size,
		.size = ivgpu_vgpu_bar0_size,
		.read = ivgpu_vgpu_bar0_read,
		.write = ivgpu_vgpu_bar0_write,
		.mmap = ivgpu_vgpu_ggtt_sink_mmap,
	},
	[VFIO_PCI_BAR2_REGION_INDEX] = {
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			 VFIO_REGION_INFO_FLAG_MMAP,
		.sparse_size = ivgpu_vgpu_bar2_size,
		.size = ivgpu_vgpu_bar2_size,
		.bulk_rw = ivgpu_vgpu_aperture_rw,
		.mmap = ivgpu_vgpu_aperture_mmap,
	},
	[VFIO_PCI_CONFIG_REGION_INDEX] = {
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		.max_access = 4,
		.size = ivgpu_vgpu_cfg_size,
		.read = ivgpu_vgpu_cfg_read,
		.write = ivgpu_vgpu_cfg_write,
	},
	[IVGPU_REGION_EDID] = {
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
		.max_access = 4,
		.cap_type = VFIO_REGION_TYPE_GFX,
		.cap_subtype = VFIO_REGION_SUBTYPE_GFX_EDID,
		.size = ivgpu_vgpu_edid_region_size,
		.read = ivgpu_vgpu_edid_region_read,
		.write = ivgpu_vgpu_edid_region_write,
	},
	[IVGPU_REGION_FRAMEBUFFER] = {
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			 VFIO_REGION_INFO_FLAG_MMAP,
		.cap_type = IVGPU_REGION_TYPE,
		.cap_subtype = IVGPU_REGION_SUBTYPE_FRAMEBUFFER,
		.sparse_size = ivgpu_vgpu_frame_size,
		.size = ivgpu_vgpu_fb_region_size,
		.bulk_rw = ivgpu_vgpu_fb_region_rw,
		.mmap = ivgpu_vgpu_frame_mmap,
	},
	[IVGPU_REGION_PLANE0] = {
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP,
		.cap_type = IVGPU_REGION_TYPE,
		.cap_subtype = IVGPU_REGION_SUBTYPE_PLANE,
		.size = ivgpu_vgpu_frame_size,
		.bulk_rw = ivgpu_vgpu_plane_region_rw,
		.mmap = ivgpu_vgpu_frame_mmap,
	},
	[IVGPU_REGION_PLANE1] = {
		.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP,
		.cap_type = IVGPU_REGION_TYPE,
		.cap_subtype = IVGPU_REGION_SUBTYPE_PLANE,
		.size = ivgpu_vgpu_frame_size,
		.bulk_rw = ivgpu_vgpu_plane_region_rw,
		.mmap = ivgpu_vgpu_frame_mmap,
	},
	[IVGPU_REGION_OPREGION] = {
		.flags = VFIO_REGION_INFO_FLAG_READ,
		.cap_type = VFIO_REGION_TYPE_PCI_VENDOR_TYPE | IVGPU_PCI_VENDOR_ID,
		.cap_subtype = VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION,
		.size = ivgpu_vgpu_opregion_size,
		.bulk_rw = ivgpu_vgpu_opregion_rw,
	},
};

static const struct ivgpu_vgpu_region *ivgpu_vgpu_region(unsigned int index)
{
	if (index >= IVGPU_NUM_REGIONS || !ivgpu_vgpu_regions[index].size)
		return NULL;
	return &ivgpu_vgpu_regions[index];
}

static ssize_t ivgpu_vgpu_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
			     size_t count, loff_t *ppos, bool write)
{
	const struct ivgpu_vgpu_region *r;
	u64 off = *ppos & IVGPU_REGION_MASK;
	size_t done = 0;
	u64 size;

	r = ivgpu_vgpu_region(*ppos >> IVGPU_REGION_SHIFT);
	if (!r)
		return -EINVAL;
	size = r->size(vgpu);
	if (off >= size)
		return -EINVAL;
	count = min_t(u64, count, size - off);
	if (r->bulk_rw) {
		ssize_t ret = r->bulk_rw(vgpu, buf, count, off, write);

		if (ret > 0)
			*ppos += ret;
		return ret;
	}

	while (done < count) {
		u32 n = ivgpu_vgpu_access_size(off, count - done, r->max_access);
		u8 bytes[8];
		u64 val = 0;
		u32 i;

		if (write) {
			int ret;

			if (copy_from_user(bytes, buf + done, n))
				return done ? done : -EFAULT;
			for (i = 0; i < n; i++)
				val |= (u64)bytes[i] << (8 * i);
			mutex_lock(&vgpu->lock);
			ret = r->write(vgpu, off, val, n);
			mutex_unlock(&vgpu->lock);
			if (ret)
				return done ? done : ret;
		} else {
			mutex_lock(&vgpu->lock);
			val = r->read(vgpu, off, n);
			mutex_unlock(&vgpu->lock);
			for (i = 0; i < n; i++)
				bytes[i] = val >> (8 * i);
			if (copy_to_user(buf + done, bytes, n))
				return done ? done : -EFAULT;
		}
		done += n;
		off += n;
	}
	*ppos += done;
	return done;
}

/*
 * A guest's trapped access as QEMU forwards it: 4 aligned bytes of BAR0's
 * registers, or 4 or 8 aligned bytes of its GGTT (a PTE). The same as the
 * region table's path, without its indirect calls and byte loops.
 */
static bool ivgpu_vgpu_is_bar0_word(loff_t pos, size_t count)
{
	u64 off = pos & IVGPU_REGION_MASK;

	if ((u64)pos >> IVGPU_REGION_SHIFT != VFIO_PCI_BAR0_REGION_INDEX ||
	    (count != 4 && count != 8) || (off & (count - 1)))
		return false;
	return off < IVGPU_GGTT_OFFSET ? count == 4 : off < IVGPU_BAR0_SIZE;
}

static ssize_t ivgpu_vgpu_read(struct vfio_device *vdev, char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);
	u64 val;
	int ret;

	if (!ivgpu_vgpu_is_bar0_word(*ppos, count))
		return ivgpu_vgpu_rw(vgpu, buf, count, ppos, false);
	mutex_lock(&vgpu->lock);
	val = ivgpu_vgpu_bar0_read(vgpu, *ppos & IVGPU_REGION_MASK, count);
	mutex_unlock(&vgpu->lock);
	if (count == 4)
		ret = put_user((u32)val, (u32 __user *)buf);
	else
		ret = put_user(val, (u64 __user *)buf);
	if (ret)
		return -EFAULT;
	*ppos += count;
	return count;
}

static ssize_t ivgpu_vgpu_write(struct vfio_device *vdev,
				const char __user *buf, size_t count,
				loff_t *ppos)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);
	u64 val;

	if (!ivgpu_vgpu_is_bar0_word(*ppos, count))
		return ivgpu_vgpu_rw(vgpu, (char __user *)buf, count, ppos,
				     true);
	if (count == 4) {
		u32 val32;

		if (get_user(val32, (const u32 __user *)buf))
			return -EFAULT;
		val = val32;
	} else if (get_user(val, (const u64 __user *)buf)) {
		return -EFAULT;
	}
	mutex_lock(&vgpu->lock);
	ivgpu_vgpu_bar0_write(vgpu, *ppos & IVGPU_REGION_MASK, val, count);
	mutex_unlock(&vgpu->lock);
	*ppos += count;
	return count;
}

static long ivgpu_vgpu_get_info(void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = IVGPU_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * A region's capabilities: its type (device-specific regions), and one
 * mmap-able area (BAR0: the GGTT entries past the slice; the aperture: the
 * instance's slice, which is all of BAR2 as the slice starts at graphics
 * address 0; the framebuffer region: its pixels, not the metadata page).
 */
static int ivgpu_vgpu_region_caps(struct ivgpu_vgpu *vgpu,
				  const struct ivgpu_vgpu_region *r,
				  struct vfio_info_cap *caps)
{
	struct vfio_region_info_cap_sparse_mmap *sparse;
	size_t size = struct_size(sparse, areas, 1);
	int ret;

	if (r->cap_type) {
		struct vfio_region_info_cap_type type = {
			.header.id = VFIO_REGION_INFO_CAP_TYPE,
			.header.version = 1,
			.type = r->cap_type,
			.subtype = r->cap_subtype,
		};

		ret = vfio_info_add_capability(caps, &type.header, sizeof(type));
		if (ret)
			return ret;
	}
	if (!r->sparse_size)
		return 0;
	sparse = ivgpu_fail_alloc() ? NULL : kzalloc(size, GFP_KERNEL);
	if (!sparse)
		return -ENOMEM;
	sparse->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	sparse->header.version = 1;
	sparse->nr_areas = 1;
	sparse->areas[0].offset = r->sparse_offset ? r->sparse_offset(vgpu) : 0;
	sparse->areas[0].size = r->sparse_size(vgpu);
	ret = vfio_info_add_capability(caps, &sparse->header, size);
	kfree(sparse);
	return ret;
}

static long ivgpu_vgpu_get_region_info(struct ivgpu_vgpu *vgpu,
				       void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_info_cap caps = { .buf = NULL, .size = 0 };
	const struct ivgpu_vgpu_region *r;
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= IVGPU_NUM_REGIONS)
		return -EINVAL;
	r = ivgpu_vgpu_region(info.index);
	info.offset = (u64)info.index << IVGPU_REGION_SHIFT;
	info.size = r ? r->size(vgpu) : 0;
	info.flags = r ? r->flags : 0;
	info.cap_offset = 0;

	ret = r ? ivgpu_vgpu_region_caps(vgpu, r, &caps) : 0;
	if (ret) {
		kfree(caps.buf);
		return ret;
	}
	if (caps.size) {
		info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
		if (info.argsz < sizeof(info) + caps.size) {
			info.argsz = sizeof(info) + caps.size;
		} else {
			vfio_info_cap_shift(&caps, sizeof(info));
			if (copy_to_user(arg + sizeof(info), caps.buf,
					 caps.size)) {
				kfree(caps.buf);
				return -EFAULT;
			}
			info.cap_offset = sizeof(info);
		}
		kfree(caps.buf);
	}
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long ivgpu_vgpu_get_irq_info(void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	ret = ivgpu_vgpu_irq_info(&info);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * Power-on state: no pins, no pending interrupt, no vblank clock, no
 * migration in progress. A device @closing keeps no register of its own.
 */
static void ivgpu_vgpu_reset_locked(struct ivgpu_vgpu *vgpu, bool closing)
{
	lockdep_assert_held(&vgpu->lock);
	ivgpu_vgpu_mig_reset(vgpu);
	ivgpu_vgpu_display_reset(vgpu);
	ivgpu_vgpu_gtt_reset(vgpu);
	if (closing)
		ivgpu_core_release(&vgpu->core);
	else
		ivgpu_core_reset(&vgpu->core);
	vgpu->irq.line = false;
	vgpu->irq.intx_masked = false;
	ivgpu_vgpu_vblank_update(vgpu);
}

static void ivgpu_vgpu_reset(struct ivgpu_vgpu *vgpu)
{
	mutex_lock(&vgpu->lock);
	ivgpu_vgpu_reset_locked(vgpu, false);
	mutex_unlock(&vgpu->lock);
}

static long ivgpu_vgpu_ioctl(struct vfio_device *vdev, unsigned int cmd,
			     unsigned long arg)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return ivgpu_vgpu_get_info(uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return ivgpu_vgpu_get_region_info(vgpu, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return ivgpu_vgpu_get_irq_info(uarg);
	case VFIO_DEVICE_SET_IRQS:
		return ivgpu_vgpu_irq_set(vgpu, uarg);
	case VFIO_DEVICE_RESET:
		ivgpu_vgpu_reset(vgpu);
		return 0;
	case VFIO_DEVICE_QUERY_GFX_PLANE:
		return ivgpu_vgpu_query_plane(vgpu, uarg);
	case VFIO_DEVICE_GET_GFX_DMABUF:
		return ivgpu_vgpu_get_dmabuf(vgpu, uarg);
	}
	return -ENOTTY;
}

/* A new user gets a device in its power-on state, and a new monitor. */
static int ivgpu_vgpu_open_device(struct vfio_device *vdev)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);
	int ret;

	mutex_lock(&vgpu->lock);
	ret = ivgpu_vgpu_gtt_new_user(vgpu);
	if (!ret) {
		vgpu->open = true;
		atomic_long_inc(&ivgpu_live.opens);
		ivgpu_monitor_init(&vgpu->core);
		ivgpu_vgpu_reset_locked(vgpu, false);
	}
	mutex_unlock(&vgpu->lock);
	return ret;
}

/* Release every pin, timer and eventfd the user's session held. */
static void ivgpu_vgpu_close_device(struct vfio_device *vdev)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);

	/* First, without the vGPU lock: it waits for the unmask handler. */
	ivgpu_vgpu_irq_unmask_release(vgpu);
	mutex_lock(&vgpu->lock);
	vgpu->open = false;
	mutex_unlock(&vgpu->lock);
	ivgpu_vgpu_vblank_stop_sync(vgpu);

	mutex_lock(&vgpu->lock);
	ivgpu_vgpu_reset_locked(vgpu, true);
	ivgpu_vgpu_display_release(vgpu);
	ivgpu_vgpu_irq_disable_all(vgpu);
	mutex_unlock(&vgpu->lock);
	atomic_long_dec(&ivgpu_live.opens);
}

static int ivgpu_vgpu_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);
	const struct ivgpu_vgpu_region *r;

	r = ivgpu_vgpu_region(vma->vm_pgoff >> (IVGPU_REGION_SHIFT - PAGE_SHIFT));
	if (!r || !r->mmap)
		return -EINVAL;
	return r->mmap(vgpu, vma);
}

/* The vfio core wants the device back (remove while open): ask the user. */
static void ivgpu_vgpu_request(struct vfio_device *vdev, unsigned int count)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);

	if (ivgpu_vgpu_irq_request(vgpu)) {
		if (!(count % 10))
			dev_notice_ratelimited(vdev->dev,
					       "relaying device request to user (#%u)\n",
					       count);
	} else if (!count) {
		dev_notice(vdev->dev,
			   "no device request channel registered, blocked until released by user\n");
	}
}

/* Userspace unmaps guest memory: drop every pin in the range, now. */
static void ivgpu_vgpu_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);

	ivgpu_vgpu_gtt_dma_unmap(vgpu, iova, length);
}

static int ivgpu_vgpu_init_dev(struct vfio_device *vdev)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	int ret;

	vgpu->type = to_ivgpu_gpu_type(mdev->type);
	ret = ivgpu_gpu_claim(vgpu->type, vdev->dev, &vgpu->vgt_id);
	if (ret)
		return ret;
	ret = ivgpu_core_init(&vgpu->core, vgpu->type->profile, vgpu->vgt_id);
	if (ret)
		goto out_unclaim;
	ret = ivgpu_vgpu_gtt_init(vgpu);
	if (ret)
		goto out_fini_core;
	mutex_init(&vgpu->lock);
	ivgpu_vgpu_irq_init(vgpu);
	ivgpu_vgpu_vblank_init(vgpu);
	ivgpu_vgpu_display_init(vgpu);
	ivgpu_vgpu_mig_init(vgpu);
	atomic_long_inc(&ivgpu_live.vgpus);
	return 0;

out_fini_core:
	ivgpu_core_fini(&vgpu->core);
out_unclaim:
	ivgpu_gpu_unclaim(vgpu->type, vgpu->vgt_id);
	return ret;
}

static void ivgpu_vgpu_release_dev(struct vfio_device *vdev)
{
	struct ivgpu_vgpu *vgpu = to_ivgpu_vgpu(vdev);

	ivgpu_vgpu_irq_fini(vgpu);
	mutex_destroy(&vgpu->lock);
	ivgpu_vgpu_gtt_fini(vgpu);
	ivgpu_core_fini(&vgpu->core);
	ivgpu_gpu_unclaim(vgpu->type, vgpu->vgt_id);
	atomic_long_dec(&ivgpu_live.vgpus);
	ivgpu_vfio_free_device(vdev);
}

static const struct vfio_device_ops ivgpu_vgpu_dev_ops = {
	.name = "ivgpu",
	.init = ivgpu_vgpu_init_dev,
	.release = ivgpu_vgpu_release_dev,
	.open_device = ivgpu_vgpu_open_device,
	.close_device = ivgpu_vgpu_close_device,
	.read = ivgpu_vgpu_read,
	.write = ivgpu_vgpu_write,
	.ioctl = ivgpu_vgpu_ioctl,
	.mmap = ivgpu_vgpu_mmap,
	.request = ivgpu_vgpu_request,
	.dma_unmap = ivgpu_vgpu_dma_unmap,
	IVGPU_IOMMUFD_OPS
};

static int ivgpu_vgpu_probe(struct mdev_device *mdev)
{
	struct ivgpu_vgpu *vgpu;
	int ret;

	vgpu = vfio_alloc_device(ivgpu_vgpu, vdev, &mdev->dev,
				 &ivgpu_vgpu_dev_ops);
	if (IS_ERR(vgpu))
		return PTR_ERR(vgpu);

	ret = vfio_register_emulated_iommu_dev(&vgpu->vdev);
	if (ret)
		goto out_put_vdev;
	dev_set_drvdata(&mdev->dev, vgpu);
	ivgpu_vgpu_debugfs_add(vgpu);
	return 0;

out_put_vdev:
	vfio_put_device(&vgpu->vdev);
	return ret;
}

static void ivgpu_vgpu_remove(struct mdev_device *mdev)
{
	struct ivgpu_vgpu *vgpu = dev_get_drvdata(&mdev->dev);

	ivgpu_vgpu_debugfs_remove(vgpu);
	vfio_unregister_group_dev(&vgpu->vdev);
	vfio_put_device(&vgpu->vdev);
}

static ssize_t vgpu_id_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct ivgpu_vgpu *vgpu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", vgpu->vgt_id);
}
static DEVICE_ATTR_RO(vgpu_id);

static struct attribute *ivgpu_vgpu_attrs[] = {
	&dev_attr_vgpu_id.attr,
	&dev_attr_gfx_plane.attr,
	&dev_attr_migration_compat.attr,
	NULL,
};

static struct bin_attribute *ivgpu_vgpu_bin_attrs[] = {
	&bin_attr_edid_region,
	NULL,
};

static const struct attribute_group ivgpu_vgpu_group = {
	.name = "ivgpu",
	.attrs = ivgpu_vgpu_attrs,
	.bin_attrs = ivgpu_vgpu_bin_attrs,
};

static const struct attribute_group *ivgpu_vgpu_groups[] = {
	&ivgpu_vgpu_group,
	NULL,
};

struct mdev_driver ivgpu_vgpu_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = "ivgpu",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = ivgpu_vgpu_groups,
	},
	.probe = ivgpu_vgpu_probe,
	.remove = ivgpu_vgpu_remove,
	.get_available = ivgpu_gpu_get_available,
	.show_description = ivgpu_gpu_show_description,
};
