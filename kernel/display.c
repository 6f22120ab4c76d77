// SPDX-License-Identifier: GPL-2.0-only
/*
 * The display as userspace reads it.
 *
 * Region planes: IVGPU_REGION_PLANE0/1 are read-only views of the primary
 * plane. A linear plane starting on a page is shown in place: a view page
 * is the shadow GTT's page for the matching entry, so every GGTT change
 * zaps it (ivgpu_vgpu_display_entries_changed, under map_lock). Anything else
 * is de-tiled into a buffer at each query. The answered index alternates
 * whenever the geometry changes, so that a consumer re-creates its surface.
 *
 * The framebuffer region is a snapshot taken on request, for consumers of
 * the struct vfio_framebuffer protocol. The EDID region is the core's
 * monitor. Dma-buf planes live in dmabuf.c.
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "compat.h"
#include "debugfs.h"
#include "core/monitor.h"
#include "core/types.h"
#include "display.h"
#include "dmabuf.h"
#include "gpu.h"
#include "vgpu.h"

static unsigned int ivgpu_default_gfx_planes = VFIO_GFX_PLANE_TYPE_REGION;

static const struct {
	const char *name;
	unsigned int planes;
} ivgpu_gfx_plane_names[] = {
	{ IVGPU_GFX_PLANE_REGION, VFIO_GFX_PLANE_TYPE_REGION },
	{ IVGPU_GFX_PLANE_DMABUF, VFIO_GFX_PLANE_TYPE_DMABUF },
	{ IVGPU_GFX_PLANE_BOTH, IVGPU_GFX_PLANES_ALL },
};

static int ivgpu_gfx_planes_parse(const char *buf, unsigned int *planes)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ivgpu_gfx_plane_names); i++) {
		if (sysfs_streq(buf, ivgpu_gfx_plane_names[i].name)) {
			*planes = ivgpu_gfx_plane_names[i].planes;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *ivgpu_gfx_planes_name(unsigned int planes)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ivgpu_gfx_plane_names); i++)
		if (ivgpu_gfx_plane_names[i].planes == planes)
			return ivgpu_gfx_plane_names[i].name;
	return "?";
}

static int ivgpu_gfx_plane_param_set(const char *val,
				     const struct kernel_param *kp)
{
	unsigned int planes;

	if (ivgpu_gfx_planes_parse(val, &planes)) {
		pr_err("gfx_plane: expected %s, %s or %s\n",
		       IVGPU_GFX_PLANE_REGION, IVGPU_GFX_PLANE_DMABUF,
		       IVGPU_GFX_PLANE_BOTH);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, planes);
	return 0;
}

static int ivgpu_gfx_plane_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  ivgpu_gfx_planes_name(READ_ONCE(*(unsigned int *)kp->arg)));
}

static const struct kernel_param_ops ivgpu_gfx_plane_param_ops = {
	.set = ivgpu_gfx_plane_param_set,
	.get = ivgpu_gfx_plane_param_get,
};
module_param_cb(gfx_plane, &ivgpu_gfx_plane_param_ops,
		&ivgpu_default_gfx_planes, 0644);
MODULE_PARM_DESC(gfx_plane,
		 "Plane types new vGPUs offer: region (default; works without OpenGL), dmabuf or both");

static ssize_t gfx_plane_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct ivgpu_vgpu *vgpu = dev_get_drvdata(dev);
	unsigned int planes;

	mutex_lock(&vgpu->lock);
	planes = vgpu->display.planes;
	mutex_unlock(&vgpu->lock);
	return sysfs_emit(buf, "%s\n", ivgpu_gfx_planes_name(planes));
}

static ssize_t gfx_plane_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	struct ivgpu_vgpu *vgpu = dev_get_drvdata(dev);
	unsigned int planes;
	int ret = 0;

	if (ivgpu_gfx_planes_parse(buf, &planes)) {
		dev_err(dev, "gfx_plane: expected %s, %s or %s\n",
			IVGPU_GFX_PLANE_REGION, IVGPU_GFX_PLANE_DMABUF,
			IVGPU_GFX_PLANE_BOTH);
		return -EINVAL;
	}
	mutex_lock(&vgpu->lock);
	if (vgpu->open)
		ret = -EBUSY;
	else
		vgpu->display.planes = planes;
	mutex_unlock(&vgpu->lock);
	if (ret) {
		dev_err(dev, "gfx_plane can't change while the device is open\n");
		return ret;
	}
	return count;
}
DEVICE_ATTR_RW(gfx_plane);

static u64 ivgpu_region_offset(u32 index)
{
	return (u64)index << IVGPU_REGION_SHIFT;
}

u64 ivgpu_vgpu_frame_size(struct ivgpu_vgpu *vgpu)
{
	const struct ivgpu_type *t = vgpu->type->profile;

	return PAGE_ALIGN((u64)t->max_xres * t->max_yres * 4);
}

void ivgpu_vgpu_display_init(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;

	d->planes = READ_ONCE(ivgpu_default_gfx_planes);
	INIT_LIST_HEAD(&d->dmabufs);
}

/* Drop the plane regions' mappings of view pages [first, first + n). */
static void ivgpu_vgpu_view_zap(struct ivgpu_vgpu *vgpu, u64 first, u64 n)
{
	struct address_space *mapping = vgpu->gtt.mapping;

	lockdep_assert_held(&vgpu->gtt.map_lock);
	if (!mapping)
		return;
	unmap_mapping_range(mapping,
			    ivgpu_region_offset(IVGPU_REGION_PLANE0) +
			    (first << PAGE_SHIFT), n << PAGE_SHIFT, 1);
	unmap_mapping_range(mapping,
			    ivgpu_region_offset(IVGPU_REGION_PLANE1) +
			    (first << PAGE_SHIFT), n << PAGE_SHIFT, 1);
}

void ivgpu_vgpu_display_entries_changed(struct ivgpu_vgpu *vgpu, u64 idx,
					u64 n)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	u64 first, end;

	lockdep_assert_held(&vgpu->gtt.map_lock);
	atomic64_inc(&d->gen);
	if (d->view != IVGPU_VIEW_GUEST)
		return;
	first = max(idx, d->view_base);
	end = min(idx + n, d->view_base + d->view_pages);
	if (first < end)
		ivgpu_vgpu_view_zap(vgpu, first - d->view_base, end - first);
}

static const struct vm_operations_struct ivgpu_vgpu_display_vm_ops;
static struct page *ivgpu_vgpu_view_page(struct ivgpu_vgpu *vgpu, u64 n,
					 bool pin);

/*
 * Map the view into the caller's mappings of the plane regions now (vGPU
 * lock held). QEMU queries the plane from the thread that reads it at each
 * refresh: after a flip it would otherwise fault in every page of the
 * frame, one by one. The mm's lock comes before map_lock, as in a fault.
 */
static void ivgpu_vgpu_view_populate(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long first, n, count;
	unsigned int i;

	if (!mm || d->view != IVGPU_VIEW_GUEST)
		return;
	mmap_read_lock(mm);
	mutex_lock(&vgpu->gtt.map_lock);
	for (i = 0; i < ARRAY_SIZE(d->view_maps); i++) {
		if (d->view_maps[i].mm != mm)
			continue;
		vma = find_vma(mm, d->view_maps[i].start);
		if (!vma || vma->vm_start != d->view_maps[i].start ||
		    vma->vm_pgoff != d->view_maps[i].pgoff ||
		    vma->vm_ops != &ivgpu_vgpu_display_vm_ops ||
		    vma->vm_private_data != vgpu)
			continue;
		/* The view page the mapping starts at, and how many it holds. */
		first = ((u64)vma->vm_pgoff << PAGE_SHIFT & IVGPU_REGION_MASK) >>
			PAGE_SHIFT;
		if (first >= d->view_pages)
			continue;
		count = min_t(unsigned long, vma_pages(vma),
			      d->view_pages - first);
		for (n = 0; n < count; n++)
			if (vmf_insert_pfn(vma, vma->vm_start + (n << PAGE_SHIFT),
					   page_to_pfn(ivgpu_vgpu_view_page(vgpu, first + n,
									    false))) &
			    VM_FAULT_ERROR)
				break;	/* left to the page faults */
	}
	mutex_unlock(&vgpu->gtt.map_lock);
	mmap_read_unlock(mm);
}

static void ivgpu_vgpu_set_view(struct ivgpu_vgpu *vgpu,
				enum ivgpu_view_mode mode, u64 base, u64 pages)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;

	lockdep_assert_held(&vgpu->lock);
	if (d->view == mode && d->view_base == base && d->view_pages == pages)
		return;
	mutex_lock(&vgpu->gtt.map_lock);
	d->view = mode;
	d->view_base = base;
	d->view_pages = pages;
	ivgpu_vgpu_view_zap(vgpu, 0, ivgpu_vgpu_frame_size(vgpu) >> PAGE_SHIFT);
	mutex_unlock(&vgpu->gtt.map_lock);
}

void ivgpu_vgpu_display_reset(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;

	lockdep_assert_held(&vgpu->lock);
	ivgpu_vgpu_set_view(vgpu, IVGPU_VIEW_NONE, 0, 0);
	d->region_index = 0;
	d->region_format = 0;
	d->region_width = 0;
	d->region_height = 0;
	d->region_stride = 0;
	memset(&d->fb_meta, 0, sizeof(d->fb_meta));
	ivgpu_vgpu_dmabuf_drop_all(vgpu);
}

void ivgpu_vgpu_display_release(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;

	lockdep_assert_held(&vgpu->lock);
	ivgpu_vgpu_display_reset(vgpu);
	/* The last user is gone, and with it every mapping of the buffers. */
	vfree(d->copy);
	d->copy = NULL;
	vfree(d->fb_pixels);
	d->fb_pixels = NULL;
}

/* The page ivgpu_fb_copy reads now, referenced until it asks for another. */
struct ivgpu_vgpu_fb_reader {
	struct ivgpu_vgpu *vgpu;
	u64 base;
	u64 n;
	struct page *page;
};

static const u8 *ivgpu_vgpu_fb_page(void *ctx, u64 n)
{
	struct ivgpu_vgpu_fb_reader *r = ctx;

	if (!r->page || r->n != n) {
		if (r->page)
			put_page(r->page);
		r->page = ivgpu_vgpu_gtt_get(r->vgpu, r->base + n);
		r->n = n;
	}
	return page_address(r->page);
}

void ivgpu_vgpu_fb_copy(struct ivgpu_vgpu *vgpu, const struct ivgpu_fb *fb,
			u8 *dst, u32 dst_stride)
{
	struct ivgpu_vgpu_fb_reader r = {
		.vgpu = vgpu,
		.base = fb->gm_base >> PAGE_SHIFT,
	};

	lockdep_assert_held(&vgpu->lock);
	ivgpu_fb_copy(fb, ivgpu_vgpu_fb_page, &r, dst, dst_stride);
	if (r.page)
		put_page(r.page);
	vgpu->display.stats.copies++;
}

/* Point the region planes at the primary plane; fill @info. */
static int ivgpu_vgpu_query_region(struct ivgpu_vgpu *vgpu,
				   struct vfio_device_gfx_plane_info *info)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	u64 frame = ivgpu_vgpu_frame_size(vgpu);
	struct ivgpu_fb fb;
	u64 lin, len;
	u32 stride;

	if (ivgpu_fb_decode(&vgpu->core, IVGPU_PLANE_PRIMARY, &fb)) {
		ivgpu_vgpu_set_view(vgpu, IVGPU_VIEW_NONE, 0, 0);
		return 0;
	}
	lin = ivgpu_fb_linear_offset(&fb);
	len = (u64)(fb.height - 1) * fb.stride + (u64)fb.width * fb.cpp;
	if (fb.modifier == IVGPU_MOD_LINEAR && !offset_in_page(lin) &&
	    (u64)fb.stride * fb.height <= frame) {
		u64 base = (fb.gm_base + lin) >> PAGE_SHIFT;
		u64 pages = DIV_ROUND_UP(len, PAGE_SIZE), n;
		u64 gen = atomic64_read(&d->gen);

		/*
		 * Pin now: the view's page faults can only look. Unless
		 * nothing changed since the view was built this way (an
		 * entry a DMA unmap drops meanwhile counts as a change).
		 */
		if (d->view != IVGPU_VIEW_GUEST || d->view_base != base ||
		    d->view_pages != pages || d->region_gen != gen) {
			for (n = 0; n < pages; n++)
				ivgpu_vgpu_gtt_resolve(vgpu, base + n);
			ivgpu_vgpu_set_view(vgpu, IVGPU_VIEW_GUEST, base, pages);
			ivgpu_vgpu_view_populate(vgpu);
			d->region_gen = gen;
		}
		stride = fb.stride;
	} else {
		if (!d->copy) {
			d->copy = ivgpu_fail_alloc() ? NULL : vzalloc(frame);
			if (!d->copy)
				return -ENOMEM;
		}
		stride = fb.width * fb.cpp;
		ivgpu_vgpu_fb_copy(vgpu, &fb, d->copy, stride);
		ivgpu_vgpu_set_view(vgpu, IVGPU_VIEW_COPY, 0, 0);
	}

	if (!d->region_index || d->region_format != fb.drm_format ||
	    d->region_width != fb.width || d->region_height != fb.height ||
	    d->region_stride != stride) {
		d->region_index = d->region_index == IVGPU_REGION_PLANE0 ?
				  IVGPU_REGION_PLANE1 : IVGPU_REGION_PLANE0;
		d->region_format = fb.drm_format;
		d->region_width = fb.width;
		d->region_height = fb.height;
		d->region_stride = stride;
	}
	info->drm_format = fb.drm_format;
	info->drm_format_mod = IVGPU_MOD_LINEAR;
	info->width = fb.width;
	info->height = fb.height;
	info->stride = stride;
	info->size = PAGE_ALIGN((u64)stride * fb.height);
	info->region_index = d->region_index;
	return 0;
}

long ivgpu_vgpu_query_plane(struct ivgpu_vgpu *vgpu, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_gfx_plane_info, region_index);
	struct vfio_device_gfx_plane_info info;
	u32 type, plane;
	long ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	type = info.flags & ~VFIO_GFX_PLANE_TYPE_PROBE;
	if (type != VFIO_GFX_PLANE_TYPE_REGION &&
	    type != VFIO_GFX_PLANE_TYPE_DMABUF)
		return -EINVAL;
	if (info.flags & VFIO_GFX_PLANE_TYPE_PROBE) {
		mutex_lock(&vgpu->lock);
		ret = vgpu->display.planes & type ? 0 : -EINVAL;
		mutex_unlock(&vgpu->lock);
		return ret;
	}
	/* QEMU asks for drm_plane_type 0 with REGION: the primary plane. */
	plane = info.drm_plane_type ? info.drm_plane_type : IVGPU_PLANE_PRIMARY;
	if (plane != IVGPU_PLANE_PRIMARY && plane != IVGPU_PLANE_CURSOR)
		return -EINVAL;
	if (type == VFIO_GFX_PLANE_TYPE_REGION && plane != IVGPU_PLANE_PRIMARY)
		return -EINVAL;

	memset((u8 *)&info + offsetof(typeof(info), drm_format), 0,
	       minsz - offsetof(typeof(info), drm_format));
	mutex_lock(&vgpu->lock);
	if (!(vgpu->display.planes & type))
		ret = -EINVAL;
	else if (type == VFIO_GFX_PLANE_TYPE_REGION)
		ret = ivgpu_vgpu_query_region(vgpu, &info);
	else
		ret = ivgpu_vgpu_dmabuf_query(vgpu, plane, &info);
	vgpu->display.stats.queries++;
	mutex_unlock(&vgpu->lock);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * The page at @n of the region planes' view: under map_lock, or, to @pin it
 * (referenced then), under the vGPU lock.
 */
static struct page *ivgpu_vgpu_view_page(struct ivgpu_vgpu *vgpu, u64 n,
					 bool pin)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	struct page *page = NULL;

	switch (d->view) {
	case IVGPU_VIEW_GUEST:
		if (n >= d->view_pages)
			break;
		if (pin)
			return ivgpu_vgpu_gtt_get(vgpu, d->view_base + n);
		page = ivgpu_vgpu_gtt_peek(vgpu, d->view_base + n);
		break;
	case IVGPU_VIEW_COPY:
		page = vmalloc_to_page(d->copy + (n << PAGE_SHIFT));
		break;
	case IVGPU_VIEW_NONE:
		break;
	}
	if (!page)
		page = vgpu->gtt.scratch;
	if (pin)
		get_page(page);
	return page;
}

/* The page at @n of the framebuffer region's pixels (map_lock or vGPU lock). */
static struct page *ivgpu_vgpu_fb_pixels_page(struct ivgpu_vgpu *vgpu, u64 n)
{
	u8 *pixels = vgpu->display.fb_pixels;

	return pixels ? vmalloc_to_page(pixels + (n << PAGE_SHIFT)) :
			vgpu->gtt.scratch;
}

static vm_fault_t ivgpu_vgpu_display_fault(struct vm_fault *vmf)
{
	struct ivgpu_vgpu *vgpu = vmf->vma->vm_private_data;
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	u64 n = (off & IVGPU_REGION_MASK) >> PAGE_SHIFT;
	struct page *page;
	vm_fault_t ret;

	mutex_lock(&vgpu->gtt.map_lock);
	if (off >> IVGPU_REGION_SHIFT == IVGPU_REGION_FRAMEBUFFER)
		page = ivgpu_vgpu_fb_pixels_page(vgpu, n);
	else
		page = ivgpu_vgpu_view_page(vgpu, n, false);
	ret = vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(page));
	mutex_unlock(&vgpu->gtt.map_lock);
	return ret;
}

static const struct vm_operations_struct ivgpu_vgpu_display_vm_ops = {
	.fault = ivgpu_vgpu_display_fault,
};

/* A read-only mapping of [0, @size) of a display region. */
static int ivgpu_vgpu_display_mmap(struct ivgpu_vgpu *vgpu,
				   struct vm_area_struct *vma, u64 size)
{
	u64 start = ((u64)vma->vm_pgoff << PAGE_SHIFT) & IVGPU_REGION_MASK;
	u64 len = vma->vm_end - vma->vm_start;
	unsigned int region, i;

	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_WRITE))
		return -EINVAL;
	if (start >= size || len > size - start)
		return -EINVAL;

	ivgpu_vm_flags_clear(vma, VM_MAYWRITE);
	ivgpu_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ivgpu_vgpu_display_vm_ops;
	vma->vm_private_data = vgpu;

	region = (u64)vma->vm_pgoff << PAGE_SHIFT >> IVGPU_REGION_SHIFT;
	mutex_lock(&vgpu->gtt.map_lock);
	vgpu->gtt.mapping = vma->vm_file->f_mapping;
	if (region == IVGPU_REGION_PLANE0 || region == IVGPU_REGION_PLANE1) {
		i = region - IVGPU_REGION_PLANE0;
		vgpu->display.view_maps[i].mm = vma->vm_mm;
		vgpu->display.view_maps[i].start = vma->vm_start;
		vgpu->display.view_maps[i].pgoff = vma->vm_pgoff;
	}
	mutex_unlock(&vgpu->gtt.map_lock);
	return 0;
}

static struct page *ivgpu_vgpu_view_page_pinned(struct ivgpu_vgpu *vgpu, u64 n)
{
	lockdep_assert_held(&vgpu->lock);
	return ivgpu_vgpu_view_page(vgpu, n, true);
}

ssize_t ivgpu_vgpu_plane_region_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
				   size_t count, u64 off, bool write)
{
	if (write)
		return -EINVAL;
	return ivgpu_vgpu_page_rw(vgpu, buf, count, off, false,
				  ivgpu_vgpu_view_page_pinned);
}

/* The plane regions, and the framebuffer region's pixels: read-only. */
int ivgpu_vgpu_frame_mmap(struct ivgpu_vgpu *vgpu, struct vm_area_struct *vma)
{
	return ivgpu_vgpu_display_mmap(vgpu, vma, ivgpu_vgpu_frame_size(vgpu));
}

u64 ivgpu_vgpu_fb_region_size(struct ivgpu_vgpu *vgpu)
{
	return ivgpu_vgpu_frame_size(vgpu) + IVGPU_FB_META_SIZE;
}

/* Snapshot the primary plane into the framebuffer region. */
static int ivgpu_vgpu_fb_update(struct ivgpu_vgpu *vgpu)
{
	struct ivgpu_vgpu_display *d = &vgpu->display;
	struct vfio_framebuffer *m = &d->fb_meta;
	struct ivgpu_fb fb;

	lockdep_assert_held(&vgpu->lock);
	memset(m, 0, sizeof(*m));
	m->argsz = sizeof(*m);
	if (!ivgpu_fb_decode(&vgpu->core, IVGPU_PLANE_PRIMARY, &fb)) {
		if (!d->fb_pixels) {
			u8 *pixels = ivgpu_fail_alloc() ? NULL :
				     vzalloc(ivgpu_vgpu_frame_size(vgpu));

			if (!pixels)
				return -ENOMEM;
			mutex_lock(&vgpu->gtt.map_lock);
			d->fb_pixels = pixels;
			if (vgpu->gtt.mapping)
				unmap_mapping_range(vgpu->gtt.mapping,
						    ivgpu_region_offset(IVGPU_REGION_FRAMEBUFFER),
						    ivgpu_vgpu_frame_size(vgpu), 1);
			mutex_unlock(&vgpu->gtt.map_lock);
		}
		m->format = fb.drm_format;
		m->offset = 0;
		m->width = fb.width;
		m->height = fb.height;
		m->stride = fb.width * fb.cpp;
		ivgpu_vgpu_fb_copy(vgpu, &fb, d->fb_pixels, m->stride);
	}
	m->state = VFIO_FB_STATE_UPDATE_COMPLETE;
	return 0;
}

static struct page *ivgpu_vgpu_fb_pixels_page_locked(struct ivgpu_vgpu *vgpu,
						     u64 n)
{
	struct page *page;

	lockdep_assert_held(&vgpu->lock);
	page = ivgpu_vgpu_fb_pixels_page(vgpu, n);
	get_page(page);
	return page;
}

/* The metadata page: the struct, then zeros; only state is writable. */
static ssize_t ivgpu_vgpu_fb_meta_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
				     size_t count, u32 off, bool write)
{
	struct vfio_framebuffer meta;
	u32 state;
	int ret;

	if (write) {
		if (off != offsetof(struct vfio_framebuffer, state) ||
		    count != sizeof(state))
			return -EPERM;
		if (copy_from_user(&state, buf, sizeof(state)))
			return -EFAULT;
		if (state != VFIO_FB_STATE_REQUEST_UPDATE)
			return -EINVAL;
		mutex_lock(&vgpu->lock);
		ret = ivgpu_vgpu_fb_update(vgpu);
		mutex_unlock(&vgpu->lock);
		return ret ? ret : count;
	}
	count = min_t(size_t, count, sizeof(meta) > off ? sizeof(meta) - off : 0);
	if (!count)
		return 0;
	mutex_lock(&vgpu->lock);
	meta = vgpu->display.fb_meta;
	mutex_unlock(&vgpu->lock);
	return copy_to_user(buf, (u8 *)&meta + off, count) ? -EFAULT : count;
}

ssize_t ivgpu_vgpu_fb_region_rw(struct ivgpu_vgpu *vgpu, char __user *buf,
				size_t count, u64 off, bool write)
{
	u64 frame = ivgpu_vgpu_frame_size(vgpu);
	size_t done = 0;
	ssize_t ret;

	if (off < frame) {
		if (write)
			return -EPERM;
		return ivgpu_vgpu_page_rw(vgpu, buf,
					  min_t(u64, count, frame - off), off,
					  false, ivgpu_vgpu_fb_pixels_page_locked);
	}
	/* Reads past the struct give zeros. */
	ret = ivgpu_vgpu_fb_meta_rw(vgpu, buf, count, off - frame, write);
	if (ret < 0 || write)
		return ret;
	done = ret;
	if (done < count && clear_user(buf + done, count - done))
		return done ? done : -EFAULT;
	return count;
}

u64 ivgpu_vgpu_edid_region_size(struct ivgpu_vgpu *vgpu)
{
	return IVGPU_EDID_REGION_SIZE;
}

u64 ivgpu_vgpu_edid_region_read(struct ivgpu_vgpu *vgpu, u64 off, u32 bytes)
{
	return ivgpu_monitor_region_read(&vgpu->core, off, bytes);
}

int ivgpu_vgpu_edid_region_write(struct ivgpu_vgpu *vgpu, u64 off, u64 val,
				 u32 bytes)
{
	int ret = ivgpu_monitor_region_write(&vgpu->core, off, val, bytes);

	if (ret)
		dev_dbg_ratelimited(vgpu->vdev.dev,
				    "EDID region write at 0x%llx refused (%d)\n",
				    off, ret);
	/* A link change raises the hotplug event. */
	ivgpu_vgpu_irq_update(vgpu);
	return ret;
}

/*
 * The EDID region as a sysfs file of the mdev device: the same layout,
 * rules and errors as through the device fd, so that management software
 * can unplug and replug the monitor or change its EDID while a VFIO user
 * (QEMU with region planes, which never writes the region) holds the device.
 */
static ssize_t ivgpu_vgpu_edid_sysfs_rw(struct kobject *kobj, char *buf,
					loff_t pos, size_t count, bool write)
{
	struct device *dev = kobj_to_dev(kobj);
	struct ivgpu_vgpu *vgpu = dev_get_drvdata(dev);
	size_t done = 0;
	int ret = 0;

	if (pos >= IVGPU_EDID_REGION_SIZE)
		return write ? -EFBIG : 0;
	count = min_t(size_t, count, IVGPU_EDID_REGION_SIZE - pos);
	mutex_lock(&vgpu->lock);
	while (done < count && !ret) {
		u64 off = pos + done;
		u32 n = ivgpu_vgpu_access_size(off, count - done, 4);
		u32 val = 0, i;

		if (write) {
			for (i = 0; i < n; i++)
				val |= (u32)(u8)buf[done + i] << (8 * i);
			ret = ivgpu_vgpu_edid_region_write(vgpu, off, val, n);
		} else {
			val = ivgpu_vgpu_edid_region_read(vgpu, off, n);
			for (i = 0; i < n; i++)
				buf[done + i] = val >> (8 * i);
		}
		if (!ret)
			done += n;
	}
	mutex_unlock(&vgpu->lock);
	if (ret && !done)
		dev_err(dev, "edid_region: write of %zu bytes at 0x%llx refused (%d)\n",
			count, pos, ret);
	return done ? done : ret;
}

static ssize_t edid_region_read(struct file *file, struct kobject *kobj,
				struct bin_attribute *attr, char *buf,
				loff_t pos, size_t count)
{
	return ivgpu_vgpu_edid_sysfs_rw(kobj, buf, pos, count, false);
}

static ssize_t edid_region_write(struct file *file, struct kobject *kobj,
				 struct bin_attribute *attr, char *buf,
				 loff_t pos, size_t count)
{
	return ivgpu_vgpu_edid_sysfs_rw(kobj, buf, pos, count, true);
}

BIN_ATTR_RW(edid_region, IVGPU_EDID_REGION_SIZE);
