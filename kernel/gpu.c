// SPDX-License-Identifier: GPL-2.0-only
/*
 * The parent GPU. libvirt and mdevctl only know mdev parents that are PCI
 * (or s390) devices, so the software GPU is a real struct pci_dev: a function
 * at DDDD:00:02.0 on a root bus of our own, in a PCI domain nobody else uses.
 * Its config accessors present a display controller with no BARs. The
 * module's PCI driver binds it and registers the mdev parent.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include "gpu.h"
#include "vgpu.h"

#define IVGPU_GPU_DEVICE_ID	0x19ff	/* synthetic: matched by no Intel driver */
#define IVGPU_GPU_DEVFN		PCI_DEVFN(2, 0)
#define IVGPU_GPU_FIRST_DOMAIN	0x1000

static struct ivgpu_gpu ivgpu_gpu;

static struct resource ivgpu_gpu_busn = {
	.name = "ivgpu",
	.start = 0,
	.end = 0,
	.flags = IORESOURCE_BUS,
};

/* The parent function's config space: identity, nothing else. */
static u32 ivgpu_gpu_cfg_dword(int where)
{
	switch (where & ~3) {
	case PCI_VENDOR_ID:
		return PCI_VENDOR_ID_INTEL | IVGPU_GPU_DEVICE_ID << 16;
	case PCI_CLASS_REVISION:
		return PCI_CLASS_DISPLAY_OTHER << 16;
	case PCI_SUBSYSTEM_VENDOR_ID:
		return PCI_VENDOR_ID_INTEL | IVGPU_GPU_DEVICE_ID << 16;
	default:
		return 0;
	}
}

static int ivgpu_gpu_cfg_read(struct pci_bus *bus, unsigned int devfn,
			      int where, int size, u32 *val)
{
	if (devfn != IVGPU_GPU_DEVFN) {
		*val = ~0u;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	*val = ivgpu_gpu_cfg_dword(where) >> (8 * (where & 3));
	if (size < 4)
		*val &= (1u << (8 * size)) - 1;
	return PCIBIOS_SUCCESSFUL;
}

/* Nothing in the parent's config space is writable. */
static int ivgpu_gpu_cfg_write(struct pci_bus *bus, unsigned int devfn,
			       int where, int size, u32 val)
{
	return devfn == IVGPU_GPU_DEVFN ? PCIBIOS_SUCCESSFUL :
					  PCIBIOS_DEVICE_NOT_FOUND;
}

static struct pci_ops ivgpu_gpu_pci_ops = {
	.read = ivgpu_gpu_cfg_read,
	.write = ivgpu_gpu_cfg_write,
};

unsigned int ivgpu_gpu_get_available(struct mdev_type *mtype)
{
	struct ivgpu_gpu_type *type = to_ivgpu_gpu_type(mtype);
	struct ivgpu_gpu *gpu = type->gpu;
	unsigned int n;

	mutex_lock(&gpu->lock);
	n = ivgpu_budget_available(&gpu->budget, type->profile);
	mutex_unlock(&gpu->lock);
	return n;
}

ssize_t ivgpu_gpu_show_description(struct mdev_type *mtype, char *buf)
{
	const struct ivgpu_type *p = to_ivgpu_gpu_type(mtype)->profile;

	return sysfs_emit(buf,
			  "low_gm_size: %uMB\nhigh_gm_size: %uMB\nfence: %u\nresolution: %ux%u\nweight: %u\n",
			  p->low_gm_mib, p->high_gm_mib, p->fences,
			  p->max_xres, p->max_yres, p->weight);
}

int ivgpu_gpu_claim(struct ivgpu_gpu_type *type, struct device *dev,
		    u32 *vgt_id)
{
	struct ivgpu_gpu *gpu = type->gpu;
	struct ivgpu_budget *b = &gpu->budget;
	int ret, id;

	mutex_lock(&gpu->lock);
	ret = ivgpu_budget_take(b, type->profile);
	if (ret) {
		dev_err(dev, "no room for another %s vGPU: %llu of %llu MiB graphics memory free, %u of %u instances live\n",
			type->mtype.sysfs_name, b->total_mib - b->used_mib,
			b->total_mib, b->live, b->max_instances);
		goto out_unlock;
	}
	id = ida_alloc_min(&gpu->vgt_ids, 1, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		goto out_give;
	}
	*vgt_id = id;
	mutex_unlock(&gpu->lock);
	return 0;

out_give:
	ivgpu_budget_give(b, type->profile);
out_unlock:
	mutex_unlock(&gpu->lock);
	return ret;
}

void ivgpu_gpu_unclaim(struct ivgpu_gpu_type *type, u32 vgt_id)
{
	struct ivgpu_gpu *gpu = type->gpu;

	mutex_lock(&gpu->lock);
	ida_free(&gpu->vgt_ids, vgt_id);
	ivgpu_budget_give(&gpu->budget, type->profile);
	mutex_unlock(&gpu->lock);
}

static void ivgpu_gpu_init_types(struct ivgpu_gpu *gpu);

static int ivgpu_gpu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ivgpu_gpu *gpu = &ivgpu_gpu;
	int ret;

	/* Only the function on our own bus is a software GPU. */
	if (pdev->bus != gpu->bus)
		return -ENODEV;

	pci_set_drvdata(pdev, gpu);
	ivgpu_gpu_init_types(gpu);
	ret = mdev_register_parent(&gpu->parent, &pdev->dev,
				   &ivgpu_vgpu_mdev_driver, gpu->mdev_types,
				   IVGPU_NUM_TYPES);
	if (ret)
		return ret;
	gpu->pdev = pdev;
	return 0;
}

static void ivgpu_gpu_remove(struct pci_dev *pdev)
{
	struct ivgpu_gpu *gpu = pci_get_drvdata(pdev);

	mdev_unregister_parent(&gpu->parent);
	gpu->pdev = NULL;
}

static const struct pci_device_id ivgpu_gpu_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, IVGPU_GPU_DEVICE_ID) },
	{ }
};

static struct pci_driver ivgpu_gpu_driver = {
	.name = KBUILD_MODNAME,
	.id_table = ivgpu_gpu_ids,
	.probe = ivgpu_gpu_probe,
	.remove = ivgpu_gpu_remove,
};

static int ivgpu_gpu_pick_domain(int want)
{
	int d;

	if (want >= 0)
		return pci_find_bus(want, 0) ? -EBUSY : want;
	for (d = IVGPU_GPU_FIRST_DOMAIN; d <= 0xffff; d++)
		if (!pci_find_bus(d, 0))
			return d;
	return -ENOSPC;
}

static int ivgpu_gpu_add_bus(struct ivgpu_gpu *gpu, int want_domain)
{
	LIST_HEAD(resources);
	int domain;

	domain = ivgpu_gpu_pick_domain(want_domain);
	if (domain < 0) {
		pr_err("PCI domain %d is taken or none is free\n", want_domain);
		return domain;
	}
	gpu->sysdata.domain = domain;
	gpu->sysdata.node = NUMA_NO_NODE;
	pci_add_resource(&resources, &ivgpu_gpu_busn);

	pci_lock_rescan_remove();
	gpu->bus = pci_create_root_bus(NULL, 0, &ivgpu_gpu_pci_ops,
				       &gpu->sysdata, &resources);
	if (!gpu->bus) {
		pci_unlock_rescan_remove();
		pci_free_resource_list(&resources);
		pr_err("cannot create PCI root bus %04x:00\n", domain);
		return -ENODEV;
	}
	pci_scan_child_bus(gpu->bus);
	pci_bus_add_devices(gpu->bus);
	pci_unlock_rescan_remove();
	return 0;
}

static void ivgpu_gpu_remove_bus(struct ivgpu_gpu *gpu)
{
	struct pci_host_bridge *bridge = to_pci_host_bridge(gpu->bus->bridge);

	pci_lock_rescan_remove();
	pci_stop_root_bus(gpu->bus);
	pci_remove_root_bus(gpu->bus);
	pci_unlock_rescan_remove();
	/* Removal only deletes the host bridge device: drop its last reference. */
	pci_free_host_bridge(bridge);
	gpu->bus = NULL;
}

/*
 * Fresh mdev types for a parent registration: the mdev core owns their
 * kobjects from registration to unregistration, so a rebind of the parent
 * must not hand it the ones it has released.
 */
static void ivgpu_gpu_init_types(struct ivgpu_gpu *gpu)
{
	unsigned int i;

	for (i = 0; i < IVGPU_NUM_TYPES; i++) {
		struct ivgpu_gpu_type *t = &gpu->types[i];

		memset(&t->mtype, 0, sizeof(t->mtype));
		t->profile = &ivgpu_types[i];
		t->gpu = gpu;
		t->mtype.sysfs_name = t->profile->name;
		gpu->mdev_types[i] = &t->mtype;
	}
}

int ivgpu_gpu_init(const struct ivgpu_gpu_params *params)
{
	struct ivgpu_gpu *gpu = &ivgpu_gpu;
	int ret;

	mutex_init(&gpu->lock);
	ida_init(&gpu->vgt_ids);
	ivgpu_vblank_tick_init(&gpu->vblank_tick);
	ivgpu_budget_init(&gpu->budget, params->gm_budget_mib,
			  params->max_vgpus);

	ret = pci_register_driver(&ivgpu_gpu_driver);
	if (ret)
		goto out_destroy;
	ret = ivgpu_gpu_add_bus(gpu, params->pci_domain);
	if (ret)
		goto out_unregister_driver;
	if (!gpu->pdev) {
		pr_err("the software GPU did not bind to its driver\n");
		ret = -ENODEV;
		goto out_remove_bus;
	}
	dev_info(&gpu->pdev->dev,
		 "software GPU ready: %llu MiB graphics memory for up to %u vGPUs\n",
		 params->gm_budget_mib, params->max_vgpus);
	return 0;

out_remove_bus:
	ivgpu_gpu_remove_bus(gpu);
out_unregister_driver:
	pci_unregister_driver(&ivgpu_gpu_driver);
out_destroy:
	ivgpu_vblank_tick_fini(&gpu->vblank_tick);
	ida_destroy(&gpu->vgt_ids);
	mutex_destroy(&gpu->lock);
	return ret;
}

void ivgpu_gpu_exit(void)
{
	struct ivgpu_gpu *gpu = &ivgpu_gpu;

	ivgpu_gpu_remove_bus(gpu);
	pci_unregister_driver(&ivgpu_gpu_driver);
	ivgpu_vblank_tick_fini(&gpu->vblank_tick);
	ida_destroy(&gpu->vgt_ids);
	mutex_destroy(&gpu->lock);
}
