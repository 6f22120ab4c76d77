// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO migration v2.
 *
 * The device has no DMA of its own and nothing in flight, so the P2P
 * states differ from their neighbours only in that the vblank clock stops
 * and no interrupt is delivered outside RUNNING and PRE_COPY. Saving takes
 * a frame of the core's stream: one when PRE_COPY starts, the final one at
 * STOP_COPY, both read from the same file; only the final frame completes
 * the stream. Resuming collects what
 * userspace writes and loads it on RESUMING -> STOP; a stream that does not
 * validate leaves the device in ERROR, where only VFIO_DEVICE_RESET helps.
 *
 * Locking: the vGPU lock orders state changes and the device's files; a
 * file's own lock covers its buffer, which read/write/ioctl on the file
 * use without the vGPU lock (they never reach the vGPU).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "debugfs.h"
#include "core/migrate.h"
#include "gpu.h"
#include "migrate.h"
#include "vgpu.h"

/* Frames a resuming file takes at most: pre-copy ones and the final one. */
#define IVGPU_MIG_MAX_FRAMES	4

struct ivgpu_mig_file {
	struct file *filp;
	struct mutex lock;		/* everything below */
	bool disabled;			/* the device let go of it */
	bool precopy;			/* the device is in a PRE_COPY state */
	u8 *data;			/* kvmalloc'ed stream */
	size_t size;			/* bytes of it */
	size_t cap;			/* bytes allocated */
	size_t max;			/* resuming: the most it may take */
};

static int ivgpu_mig_file_release(struct inode *inode, struct file *filp)
{
	struct ivgpu_mig_file *migf = filp->private_data;

	kvfree(migf->data);
	mutex_destroy(&migf->lock);
	kfree(migf);
	atomic_long_dec(&ivgpu_live.mig_files);
	return 0;
}

/* Room for @more bytes; caller holds migf->lock. */
static int ivgpu_mig_file_grow(struct ivgpu_mig_file *migf, size_t more)
{
	size_t cap = max_t(size_t, migf->cap * 2, migf->size + more);
	u8 *data;

	lockdep_assert_held(&migf->lock);
	if (migf->size + more <= migf->cap)
		return 0;
	data = ivgpu_fail_alloc() ? NULL : kvmalloc(cap, GFP_KERNEL_ACCOUNT);
	if (!data)
		return -ENOMEM;
	if (migf->size)
		memcpy(data, migf->data, migf->size);
	kvfree(migf->data);
	migf->data = data;
	migf->cap = cap;
	return 0;
}

static ssize_t ivgpu_mig_save_read(struct file *filp, char __user *buf,
				   size_t len, loff_t *pos)
{
	struct ivgpu_mig_file *migf = filp->private_data;
	ssize_t ret;

	if (pos)
		return -ESPIPE;
	pos = &filp->f_pos;
	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
	} else if (*pos > migf->size) {
		ret = -EINVAL;
	} else {
		len = min_t(size_t, len, migf->size - *pos);
		ret = len;
		if (len && copy_to_user(buf, migf->data + *pos, len))
			ret = -EFAULT;
		else
			*pos += len;
	}
	mutex_unlock(&migf->lock);
	return ret;
}

static long ivgpu_mig_save_ioctl(struct file *filp, unsigned int cmd,
				 unsigned long arg)
{
#ifdef IVGPU_HAVE_MIG_PRE_COPY
	struct ivgpu_mig_file *migf = filp->private_data;
	size_t minsz = offsetofend(struct vfio_precopy_info, dirty_bytes);
	struct vfio_precopy_info info;
	long ret = 0;

	if (cmd != VFIO_MIG_GET_PRECOPY_INFO)
		return -ENOTTY;
	if (copy_from_user(&info, (void __user *)arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	mutex_lock(&migf->lock);
	if (migf->disabled)
		ret = -ENODEV;
	else if (!migf->precopy || filp->f_pos > migf->size)
		ret = -EINVAL;
	info.initial_bytes = ret ? 0 : migf->size - filp->f_pos;
	info.dirty_bytes = 0;
	mutex_unlock(&migf->lock);
	if (ret)
		return ret;
	return copy_to_user((void __user *)arg, &info, minsz) ? -EFAULT : 0;
#else
	return -ENOTTY;
#endif
}

static const struct file_operations ivgpu_mig_save_fops = {
	.owner = THIS_MODULE,
	.read = ivgpu_mig_save_read,
	.unlocked_ioctl = ivgpu_mig_save_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = ivgpu_mig_file_release,
};

static ssize_t ivgpu_mig_resume_write(struct file *filp,
				      const char __user *buf, size_t len,
				      loff_t *pos)
{
	struct ivgpu_mig_file *migf = filp->private_data;
	ssize_t ret;

	if (pos)
		return -ESPIPE;
	mutex_lock(&migf->lock);
	if (migf->disabled) {
		ret = -ENODEV;
	} else if (len > migf->max - migf->size) {
		ret = -EFBIG;		/* more than any stream of this type */
	} else {
		ret = ivgpu_mig_file_grow(migf, len);
		if (!ret && copy_from_user(migf->data + migf->size, buf, len))
			ret = -EFAULT;
		if (!ret) {
			migf->size += len;
			filp->f_pos += len;
			ret = len;
		}
	}
	mutex_unlock(&migf->lock);
	return ret;
}

static const struct file_operations ivgpu_mig_resume_fops = {
	.owner = THIS_MODULE,
	.write = ivgpu_mig_resume_write,
	.release = ivgpu_mig_file_release,
};

static struct ivgpu_mig_file *ivgpu_mig_file_new(const struct file_operations *fops,
						 int flags)
{
	struct ivgpu_mig_file *migf;

	migf = ivgpu_fail_alloc() ? NULL :
	       kzalloc(sizeof(*migf), GFP_KERNEL_ACCOUNT);
	if (!migf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&migf->lock);
	migf->filp = anon_inode_getfile("ivgpu_mig", fops, migf, flags);
	if (IS_ERR(migf->filp)) {
		struct file *err = migf->filp;

		mutex_destroy(&migf->lock);
		kfree(migf);
		return ERR_CAST(err);
	}
	stream_open(migf->filp->f_inode, migf->filp);
	atomic_long_inc(&ivgpu_live.mig_files);
	return migf;
}

/* Cut a file off the device and drop the device's reference. */
static void ivgpu_mig_file_disable(struct ivgpu_mig_file **slot)
{
	struct ivgpu_mig_file *migf = *slot;

	if (!migf)
		return;
	mutex_lock(&migf->lock);
	migf->disabled = true;
	migf->precopy = false;
	kvfree(migf->data);
	migf->data = NULL;
	migf->size = 0;
	migf->cap = 0;
	mutex_unlock(&migf->lock);
	fput(migf->filp);
	*slot = NULL;
}

/*
 * Append a frame of the device's state to the saving file; @final for the
 * stop-copy frame, which completes the stream.
 */
static int ivgpu_mig_save_frame(struct ivgpu_vgpu *vgpu, bool final)
{
	struct ivgpu_mig_file *migf = vgpu->mig.saving;
	u64 len = ivgpu_migrate_size(&vgpu->core);
	int ret;

	lockdep_assert_held(&vgpu->lock);
	mutex_lock(&migf->lock);
	ret = ivgpu_mig_file_grow(migf, len);
	if (!ret)
		migf->size += ivgpu_migrate_save(&vgpu->core,
						 migf->data + migf->size, len,
						 final);
	mutex_unlock(&migf->lock);
	return ret;
}

static struct file *ivgpu_mig_start_saving(struct ivgpu_vgpu *vgpu,
					   bool precopy)
{
	struct ivgpu_mig_file *migf;
	int ret;

	migf = ivgpu_mig_file_new(&ivgpu_mig_save_fops, O_RDONLY);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	vgpu->mig.saving = migf;
	migf->precopy = precopy;
	ret = ivgpu_mig_save_frame(vgpu, !precopy);
	if (ret) {
		ivgpu_mig_file_disable(&vgpu->mig.saving);
		return ERR_PTR(ret);
	}
	get_file(migf->filp);
	return migf->filp;
}

static struct file *ivgpu_mig_start_resuming(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_mig_file *migf;

	migf = ivgpu_mig_file_new(&ivgpu_mig_resume_fops, O_WRONLY);
	if (IS_ERR(migf))
		return ERR_CAST(migf);
	migf->max = IVGPU_MIG_MAX_FRAMES * ivgpu_migrate_max_size(&vgpu->core);
	vgpu->mig.resuming = migf;
	get_file(migf->filp);
	return migf->filp;
}

/* Load what the resuming file holds. */
static int ivgpu_mig_load(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_mig_file *migf = vgpu->mig.resuming;
	const char *why = NULL;
	int ret;

	lockdep_assert_held(&vgpu->lock);
	/* The pins follow the old GGTT; the new one is pinned as used. */
	ivgpu_vgpu_display_reset(vgpu);
	ivgpu_vgpu_gtt_reset(vgpu);
	mutex_lock(&migf->lock);
	ret = ivgpu_migrate_load(&vgpu->core, migf->data, migf->size, &why);
	mutex_unlock(&migf->lock);
	ivgpu_vgpu_gtt_rebuild(vgpu);
	vgpu->irq.line = false;
	if (ret)
		dev_err_ratelimited(vgpu->vdev.dev,
				    "migration stream refused: %s (%d)\n",
				    why, ret);
	return ret;
}

/* Enter @state; the device acts on its own in RUNNING and PRE_COPY only. */
static void ivgpu_vgpu_mig_enter(struct ivgpu_vgpu *vgpu,
				 enum vfio_device_mig_state state)
{
	lockdep_assert_held(&vgpu->lock);
	vgpu->mig.state = state;
	vgpu->running = state == VFIO_DEVICE_STATE_RUNNING ||
			state == IVGPU_DEVICE_STATE_PRE_COPY;
	/* Frame counters stop with the device, before its state is saved. */
	ivgpu_vgpu_vblank_update(vgpu);
}

static bool ivgpu_mig_arc(enum vfio_device_mig_state cur,
			  enum vfio_device_mig_state new,
			  enum vfio_device_mig_state from,
			  enum vfio_device_mig_state to)
{
	return cur == from && new == to;
}

/* One arc of the state machine, as vfio_mig_get_next_state() picks them. */
static struct file *ivgpu_mig_step(struct ivgpu_vgpu *vgpu,
				   enum vfio_device_mig_state new)
{
	enum vfio_device_mig_state cur = vgpu->mig.state;
	int ret;

	if (ivgpu_mig_arc(cur, new, VFIO_DEVICE_STATE_STOP,
			  VFIO_DEVICE_STATE_STOP_COPY))
		return ivgpu_mig_start_saving(vgpu, false);
	if (ivgpu_mig_arc(cur, new, VFIO_DEVICE_STATE_RUNNING,
			  IVGPU_DEVICE_STATE_PRE_COPY) ||
	    ivgpu_mig_arc(cur, new, VFIO_DEVICE_STATE_RUNNING_P2P,
			  IVGPU_DEVICE_STATE_PRE_COPY_P2P))
		return ivgpu_mig_start_saving(vgpu, true);
	if (ivgpu_mig_arc(cur, new, IVGPU_DEVICE_STATE_PRE_COPY_P2P,
			  VFIO_DEVICE_STATE_STOP_COPY)) {
		/* The final frame follows the pre-copy one, same file. */
		mutex_lock(&vgpu->mig.saving->lock);
		vgpu->mig.saving->precopy = false;
		mutex_unlock(&vgpu->mig.saving->lock);
		ret = ivgpu_mig_save_frame(vgpu, true);
		return ret ? ERR_PTR(ret) : NULL;
	}
	if (ivgpu_mig_arc(cur, new, VFIO_DEVICE_STATE_STOP_COPY,
			  VFIO_DEVICE_STATE_STOP) ||
	    ivgpu_mig_arc(cur, new, IVGPU_DEVICE_STATE_PRE_COPY,
			  VFIO_DEVICE_STATE_RUNNING) ||
	    ivgpu_mig_arc(cur, new, IVGPU_DEVICE_STATE_PRE_COPY_P2P,
			  VFIO_DEVICE_STATE_RUNNING_P2P)) {
		ivgpu_mig_file_disable(&vgpu->mig.saving);
		return NULL;
	}
	if (ivgpu_mig_arc(cur, new, VFIO_DEVICE_STATE_STOP,
			  VFIO_DEVICE_STATE_RESUMING))
		return ivgpu_mig_start_resuming(vgpu);
	if (ivgpu_mig_arc(cur, new, VFIO_DEVICE_STATE_RESUMING,
			  VFIO_DEVICE_STATE_STOP)) {
		ret = ivgpu_mig_load(vgpu);
		ivgpu_mig_file_disable(&vgpu->mig.resuming);
		return ret ? ERR_PTR(ret) : NULL;
	}
	/* RUNNING <-> RUNNING_P2P <-> STOP, PRE_COPY <-> PRE_COPY_P2P. */
	return NULL;
}

static struct file *ivgpu_vgpu_mig_set_state(struct vfio_device *vdev,
					     enum vfio_device_mig_state new)
{
	struct ivgpu_vgpu *vgpu = container_of(vdev, struct ivgpu_vgpu, vdev);
	enum vfio_device_mig_state next;
	struct file *filp = NULL;
	int ret;

	mutex_lock(&vgpu->lock);
	while (vgpu->mig.state != new) {
		/*
		 * ERROR has no way out but VFIO_DEVICE_RESET; the vfio core
		 * WARNs if asked for a path from it, so refuse here.
		 */
		if (vgpu->mig.state == VFIO_DEVICE_STATE_ERROR) {
			filp = ERR_PTR(-EINVAL);
			break;
		}
		ret = vfio_mig_get_next_state(vdev, vgpu->mig.state, new, &next);
		if (ret) {
			filp = ERR_PTR(ret);
			break;
		}
		filp = ivgpu_mig_step(vgpu, next);
		if (IS_ERR(filp)) {
			ivgpu_vgpu_mig_enter(vgpu, VFIO_DEVICE_STATE_ERROR);
			break;
		}
		ivgpu_vgpu_mig_enter(vgpu, next);
		if (filp && next != new) {
			/* Only a final state hands out a file. */
			fput(filp);
			filp = ERR_PTR(-EINVAL);
			ivgpu_vgpu_mig_enter(vgpu, VFIO_DEVICE_STATE_ERROR);
			break;
		}
	}
	/* Start or stop acting on its own. */
	ivgpu_vgpu_vblank_update(vgpu);
	ivgpu_vgpu_irq_update(vgpu);
	mutex_unlock(&vgpu->lock);
	return filp;
}

static int ivgpu_vgpu_mig_get_state(struct vfio_device *vdev,
				    enum vfio_device_mig_state *state)
{
	struct ivgpu_vgpu *vgpu = container_of(vdev, struct ivgpu_vgpu, vdev);

	mutex_lock(&vgpu->lock);
	*state = vgpu->mig.state;
	mutex_unlock(&vgpu->lock);
	return 0;
}

#ifdef IVGPU_HAVE_MIG_DATA_SIZE
static int ivgpu_vgpu_mig_get_data_size(struct vfio_device *vdev,
					unsigned long *size)
{
	struct ivgpu_vgpu *vgpu = container_of(vdev, struct ivgpu_vgpu, vdev);

	mutex_lock(&vgpu->lock);
	*size = ivgpu_migrate_size(&vgpu->core);
	mutex_unlock(&vgpu->lock);
	return 0;
}
#endif

static const struct vfio_migration_ops ivgpu_vgpu_mig_ops = {
	.migration_set_state = ivgpu_vgpu_mig_set_state,
	.migration_get_state = ivgpu_vgpu_mig_get_state,
#ifdef IVGPU_HAVE_MIG_DATA_SIZE
	.migration_get_data_size = ivgpu_vgpu_mig_get_data_size,
#endif
};

void ivgpu_vgpu_mig_init(struct ivgpu_vgpu *vgpu)
{
	/* Nobody else sees the vGPU yet; what it calls asserts the lock. */
	mutex_lock(&vgpu->lock);
	ivgpu_vgpu_mig_enter(vgpu, VFIO_DEVICE_STATE_RUNNING);
	mutex_unlock(&vgpu->lock);
	vgpu->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY |
				     VFIO_MIGRATION_P2P | IVGPU_MIGRATION_PRE_COPY;
	vgpu->vdev.mig_ops = &ivgpu_vgpu_mig_ops;
}

void ivgpu_vgpu_mig_reset(struct ivgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);
	ivgpu_mig_file_disable(&vgpu->mig.saving);
	ivgpu_mig_file_disable(&vgpu->mig.resuming);
	ivgpu_vgpu_mig_enter(vgpu, VFIO_DEVICE_STATE_RUNNING);
}

static ssize_t migration_compat_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct ivgpu_vgpu *vgpu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "ivgpu-%s stream %u\n", vgpu->type->profile->name,
			  IVGPU_MIG_MAJOR);
}
DEVICE_ATTR_RO(migration_compat);
